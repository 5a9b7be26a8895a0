"""A traveler's history: every petition, current and past, filtered; and a new petition
started "like" a past one (its trip and job, never its dates). Read-only."""
import sqlalchemy as sa

from ..extensions import db
from ..models import Country, Petition, Status
from . import access, workflow

# The statuses a traveler can filter by: the public ones (internal states read in_review).
PUBLIC_STATUSES = [s for s in Status if workflow.public_status(s) == s]
CURRENT = frozenset({Status.DRAFT, Status.SUBMITTED, Status.QUEUED, Status.IN_REVIEW,
                     Status.EVIDENCE_REQUESTED, Status.ON_HOLD, Status.DENIAL_PENDING})


def petitions_of(user, status: str | None = None, country: str | None = None,
                 options=()) -> list[Petition]:
    """The petitions ``user`` may see, newest first; ``status`` is the public status word
    (``in_review`` also finds the agency's internal states), ``country`` US or CA.
    Unknown filter values are ignored (the form refuses them)."""
    query = sa.select(Petition).where(access.visible_filter(user))
    if status in {s.value for s in PUBLIC_STATUSES}:
        query = query.where(Petition.status.in_(
            [s for s in Status if workflow.public_status(s).value == status]))
    if country in {c.value for c in Country}:
        query = query.where(Petition.destination_country == country)
    return db.session.scalars(query.order_by(Petition.created_at.desc(), Petition.id.desc())
                              .options(*options)).all()


def prefill_from(user, receipt_number: str) -> dict:
    """What a new petition copies from one the user may see (404 otherwise): destination,
    category, port, job title and employer, not the travel date."""
    p = access.get_petition(user, receipt_number)
    return {"country": p.destination_country.value, "category": p.category.code,
            "port_of_entry": p.port.code, "job_title": p.job_title,
            "employer_name": p.employer_name, "receipt_number": p.receipt_number}
