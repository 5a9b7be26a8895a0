"""JSON API v1 (see docs/api.md): bearer tokens, JSON errors, keyset pagination."""
from . import (  # noqa: F401  (routes)  # noqa: F401  (routes)
    arrivals,
    auth,
    casework,  # noqa: F401  (routes)
    errors,
    notices,  # noqa: F401  (routes)
    officers,
    openapi,
    organization,  # noqa: F401  (routes)
    petitions,
    profile,
    reference,
    verify,
)
from .blueprint import bp

__all__ = ["bp"]
