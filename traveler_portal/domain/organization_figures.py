"""Each organization's dashboard figures, counted by a beat task (``recompute``, every
few minutes) into the small ``organization_figures`` table, so that the employer's
dashboard reads one row by key instead of counting an organization's people on every
view (issue 16: a page's time must not grow with the data).

A figure is as fresh as the last run; an organization the task has not counted yet (a
new one) is counted live, which is cheap while it is small.
"""
import sqlalchemy as sa

from ..extensions import db
from ..models import Organization, Role, User
from ..models.organizations import OrganizationFigures
from ..models.users import utcnow
from . import uow


@uow.atomic
def recompute() -> int:
    """Replace every organization's figures with today's; returns how many rows."""
    now = utcnow()
    travelers = dict(db.session.execute(
        sa.select(User.organization_id, sa.func.count())
        .where(User.organization_id.is_not(None), User.role == Role.TRAVELER)
        .group_by(User.organization_id)).all())
    organizations = db.session.scalars(sa.select(Organization.id)).all()
    db.session.execute(sa.delete(OrganizationFigures))
    db.session.add_all(OrganizationFigures(organization_id=org, travelers=travelers.get(org, 0),
                                           computed_at=now) for org in organizations)
    return len(organizations)


def travelers(user: User) -> int:
    """How many travelers are linked to ``user``'s organization (0 without one)."""
    if not user.organization_id:
        return 0
    counted = db.session.scalar(sa.select(OrganizationFigures.travelers).where(
        OrganizationFigures.organization_id == user.organization_id))
    if counted is not None:
        return counted
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.organization_id == user.organization_id, User.role == Role.TRAVELER))
