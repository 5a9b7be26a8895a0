"""JSON API v1 (see docs/api.md): bearer tokens, JSON errors, keyset pagination."""
from . import auth, errors, officers, openapi, petitions, reference  # noqa: F401  (routes)
from . import casework  # noqa: F401  (routes)
from . import notices  # noqa: F401  (routes)
from . import organization  # noqa: F401  (routes)
from . import arrivals, profile, verify  # noqa: F401  (routes)
from .blueprint import bp

__all__ = ["bp"]
