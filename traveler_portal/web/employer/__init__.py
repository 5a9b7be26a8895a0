"""The employer's pages under /employer: the organization's petitions (dashboard, CSV,
filing for a traveler), the organization and its people, employee imports, API keys and
webhooks."""
from . import imports, integrations, organization, petitions  # noqa: F401 - each module adds its routes to the blueprint
from .blueprint import bp  # noqa: F401
