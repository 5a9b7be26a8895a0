"""A traveler's history: every petition, current and past, filtered; and a new petition
started "like" a past one (its trip and job, never its dates). Read-only."""
import sqlalchemy as sa

from ..extensions import db
from ..models import Country, Petition, Status
from . import access, workflow

# The statuses a traveler can filter by: the public ones (internal states read in_review).
PUBLIC_STATUSES = workflow.PUBLIC_STATUSES
CURRENT = workflow.OPEN


PAGE_SIZE = 50


def petitions_of(user, status: str | None = None, country: str | None = None,
                 options=(), older_than: str | None = None,
                 limit: int | None = None) -> tuple[list[Petition], bool]:
    """A page of the petitions ``user`` may see, newest first, and whether older ones
    follow; ``older_than`` is the receipt number of the last row of the previous page
    (keyset on (created_at, id): no offsets, no gaps when new petitions arrive).
    ``status`` is the public status word (``in_review`` also finds the agency's internal
    states), ``country`` US or CA. Unknown filter values are ignored (the form refuses
    them), and so is a cursor the user may not see."""
    query = sa.select(Petition).where(access.visible_filter(user))
    if status in {s.value for s in PUBLIC_STATUSES}:
        query = query.where(Petition.status.in_(
            [s for s in Status if workflow.public_status(s).value == status]))
    if country in {c.value for c in Country}:
        query = query.where(Petition.destination_country == country)
    if older_than:
        mark = db.session.execute(sa.select(Petition.created_at, Petition.id).where(
            access.visible_filter(user), Petition.receipt_number == older_than)).first()
        if mark is not None:
            query = query.where(sa.or_(
                Petition.created_at < mark.created_at,
                sa.and_(Petition.created_at == mark.created_at, Petition.id < mark.id)))
    limit = limit or PAGE_SIZE
    rows = db.session.scalars(query.order_by(Petition.created_at.desc(), Petition.id.desc())
                              .limit(limit + 1).options(*options)).all()
    return rows[:limit], len(rows) > limit


def prefill_from(user, receipt_number: str) -> dict:
    """What a new petition copies from one the user may see (404 otherwise): destination,
    category, port, job title and employer, not the travel date."""
    p = access.get_petition(user, receipt_number)
    return {"country": p.destination_country.value, "category": p.category.code,
            "port_of_entry": p.port.code, "job_title": p.job_title,
            "employer_name": p.employer_name, "receipt_number": p.receipt_number}
