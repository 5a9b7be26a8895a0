"""Pages for anyone signed in, whatever their role: notifications and their settings,
downloading a decision notice."""
from . import inbox, language, notices, people_emails  # noqa: F401 - each module adds its routes to the blueprint
from .blueprint import bp  # noqa: F401
