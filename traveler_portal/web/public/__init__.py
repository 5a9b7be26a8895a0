"""Pages anyone may open: the home page, the health check, sign-in and registration, a
forgotten or changed password, an invitation's link, the verification of a notice, the
published processing times, the language switch."""
from . import (  # noqa: F401 - each module adds its routes to the blueprint
    health,
    home,
    invitations,
    language,
    password,
    processing_times,
    registration,
    second_factor,
    signin,
    verify,
)
from .blueprint import bp  # noqa: F401
