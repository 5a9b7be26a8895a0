"""Who may see which petition. Every query for petitions starts here.

A petition the caller may not see is reported exactly like one that does not exist.
"""
import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from ..extensions import db
from ..models import Petition, Role, Status
from . import organizations
from .errors import Forbidden, NotFound


def visible_filter(user):
    """A SQL condition selecting the petitions ``user`` may read."""
    if user.role == Role.TRAVELER:
        return Petition.traveler_id == user.id
    if user.role == Role.EMPLOYER and user.organization_id:
        return Petition.organization_id == user.organization_id
    if user.role in (Role.OFFICER, Role.SUPERVISOR) and user.country:
        return sa.and_(Petition.destination_country == user.country,
                       Petition.status != Status.DRAFT)
    if user.role == Role.PORT_OFFICER and user.country:
        # The border of one country: its submitted cases, decided or not (a traveler may
        # arrive before the decision); never another country's, never a draft.
        return sa.and_(Petition.destination_country == user.country,
                       Petition.status != Status.DRAFT)
    return sa.false()


def get_petition(user, receipt_number: str, lock: bool = False, options=(),
                 lists: dict | None = None) -> Petition:
    """The petition, if ``user`` may see it; ``lock`` takes its row lock for a change;
    ``options``: loader options (a page that reads its relations loads them at once);
    ``lists``: its collections read each by a ``list_query`` (relationship name →
    statement), after the petition and only if it is found."""
    query = sa.select(Petition).where(Petition.receipt_number == (receipt_number or "").upper(),
                                      visible_filter(user)).options(*options)
    if lock:
        query = query.with_for_update(of=Petition)
    petition = db.session.scalars(query).first()
    if petition is None:
        raise NotFound(_("No petition with that receipt number."))
    for name, statement in (lists or {}).items():
        set_committed_value(petition, name, db.session.scalars(
            statement, {"petition_id": petition.id}).all())
    return petition


def list_query(relationship, *options):
    """One petition's collection (``Petition.documents``…) as a plain statement, built
    once (bind ``petition_id``), in the relationship's order, for ``get_petition(lists=)``:
    the same rows and statement as ``selectinload`` of one petition, without its loader
    machinery, which cost about 1 ms a collection per request (3 of the API petition's
    7 ms went to its three lists)."""
    prop = relationship.property
    [(_local, remote)] = prop.local_remote_pairs
    return (sa.select(prop.mapper).where(remote == sa.bindparam("petition_id"))
            .order_by(*(prop.order_by or ())).options(*options))


def can_edit_draft(user, petition) -> bool:
    """The traveler, or an employer owner/admin of the petition's organization (a viewer
    reads only)."""
    if user.role == Role.TRAVELER:
        return petition.traveler_id == user.id
    if user.role == Role.EMPLOYER:
        return petition.organization_id is not None and \
            petition.organization_id == user.organization_id and \
            organizations.is_org_admin(user)
    return False


def require_traveler(user, petition) -> None:
    if user.role != Role.TRAVELER or petition.traveler_id != user.id:
        raise Forbidden(_("Only the traveler named on the petition can do this."))


def require_editor(user, petition) -> None:
    if not can_edit_draft(user, petition):
        raise Forbidden(_("You cannot change this petition."))


def require_agency(user, petition) -> None:
    if user.role not in (Role.OFFICER, Role.SUPERVISOR) or \
            petition.destination_country != user.country:
        raise Forbidden(_("Only an officer of the destination country can do this."))


def require_port_officer(user, petition) -> None:
    if user.role != Role.PORT_OFFICER or petition.destination_country != user.country:
        raise Forbidden(_("Only a port officer of the destination country can do this."))
