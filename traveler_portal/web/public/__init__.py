"""Pages anyone may open: the home page, the health check, sign-in and registration, a
forgotten or changed password, an invitation's link, the verification of a notice."""
from . import home, signin, password, invitations, verify  # noqa: F401 - each module adds its routes to the blueprint
from .blueprint import bp  # noqa: F401
