"""Pages anyone may open: the home page, the health check, sign-in and registration, a
forgotten or changed password, an invitation's link."""
from . import home, signin, password, invitations, language  # noqa: F401 - each module adds its routes to the blueprint
from .blueprint import bp  # noqa: F401
