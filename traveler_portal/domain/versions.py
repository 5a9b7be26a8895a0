"""Optimistic version check: every case form carries the petition's ``version`` as the
officer saw it; a change made meanwhile by someone else makes the form stale."""
from flask_babel import lazy_gettext as _l

from .errors import Conflict

STALE = _l("Someone else changed this case since you opened it. Your input is shown again "
           "below: check the case as it is now, then submit again.")


def check(petition, version) -> None:
    """Refuse (409) a change based on an older version; ``None`` skips the check (API
    clients that do not send one)."""
    if version in (None, ""):
        return
    try:
        seen = int(version)
    except (TypeError, ValueError):
        seen = -1
    if seen != petition.version:
        raise Conflict(str(STALE), current_version=petition.version)
