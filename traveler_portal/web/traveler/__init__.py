"""The traveler's pages under /my: petitions and their status, the guided filing, the
profile, answers to requests for evidence, joining an employer."""
from . import filing, organization, petitions, profile  # noqa: F401 - each module adds its routes to the blueprint
from .blueprint import bp  # noqa: F401
