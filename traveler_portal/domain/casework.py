"""Case work beyond the decision itself: the category checklist, referral to another
queue, the supervisor's second look at a denial (four eyes), reassigning and unclaiming,
and the traveler's earlier petitions."""
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, load_only, selectinload

from ..extensions import db
from ..models import AdjudicationQueue, Category, Petition, Role, Status, User
from ..models.users import utcnow
from . import access, audit, uow, versions, workflow
from .errors import Conflict, Forbidden, NotFound, ValidationFailed

REVIEW_ACTIONS = ("approve", "return")


def _agency_petition(user: User, receipt_number: str) -> Petition:
    petition = access.get_petition(user, receipt_number, lock=True)
    access.require_agency(user, petition)
    return petition


def _require_supervisor(user: User) -> None:
    if user.role != Role.SUPERVISOR or not user.country:
        raise Forbidden(_("Only a supervisor can do this."))


def _require_claimed_by(user: User, petition: Petition) -> None:
    if petition.status != Status.IN_REVIEW or petition.assigned_officer_id != user.id:
        raise Conflict(_("You have not claimed this petition (or it has already been decided)."))


@uow.atomic
def save_checklist(user: User, receipt_number: str, ticked, version=None) -> Petition:
    """Store which of the category's checklist items the officer ticked; only the
    officer who has the case claimed (others read it)."""
    petition = _agency_petition(user, receipt_number)
    versions.check(petition, version)
    _require_claimed_by(user, petition)
    known = [item["key"] for item in (petition.category.checklist or [])]
    petition.checklist = {key: key in set(ticked or []) for key in known}
    petition.version += 1
    audit.record(user, "case.checklist", "petition", petition.receipt_number, petition,
                 ticked=[k for k, v in petition.checklist.items() if v])
    return petition


@uow.atomic
def refer(user: User, receipt_number: str, queue_code: str, reason: str,
          version=None) -> Petition:
    """Send a claimed case to another queue of the same country, saying why."""
    petition = _agency_petition(user, receipt_number)
    versions.check(petition, version)
    _require_claimed_by(user, petition)
    errors = {}
    reason = (reason or "").strip()
    queue = db.session.scalars(sa.select(AdjudicationQueue).where(
        AdjudicationQueue.code == (queue_code or "").strip(),
        AdjudicationQueue.country == user.country)).first()
    if queue is None:
        errors["queue"] = _("Choose a queue of your country.")
    elif queue.id == petition.queue_id:
        errors["queue"] = _("The case is already in that queue: choose another one.")
    if not reason:
        errors["reason"] = _("Say why the case goes to that queue.")
    if errors:
        raise ValidationFailed(_("The referral is not complete."), errors)
    old = petition.queue.code if petition.queue else None
    workflow.apply(petition, "refer", user, message=f"{queue.name}: {reason[:2000]}")
    petition.queue_id = queue.id
    with force_locale("en"):  # recorded in English, read in each reader's language
        petition.routing_reason = _("Referred from %(queue)s by %(officer)s: %(reason)s",
                                    queue=old, officer=user.email, reason=reason[:2000])
    petition.assigned_officer_id = None
    petition.claimed_at = None
    audit.record(user, "case.refer", "petition", petition.receipt_number, petition,
                 from_queue=old, to_queue=queue.code, reason=reason[:2000])
    return petition


def pending_denials(user: User) -> list[Petition]:
    _require_supervisor(user)
    return db.session.scalars(sa.select(Petition).where(
        Petition.destination_country == user.country,
        Petition.status == Status.DENIAL_PENDING).order_by(Petition.id)).all()


@uow.atomic
def review_denial(user: User, receipt_number: str, action: str, note: str = "",
                  version=None) -> Petition:
    """A supervisor confirms a denial (the traveler is told) or returns it to its officer."""
    _require_supervisor(user)
    petition = _agency_petition(user, receipt_number)
    versions.check(petition, version)
    decision = petition.pending_denial
    if petition.status != Status.DENIAL_PENDING or decision is None:
        raise Conflict(_("This petition has no denial waiting for review."))
    note = (note or "").strip()
    if action not in REVIEW_ACTIONS:
        raise ValidationFailed(_("Choose approve or return."),
                               {"action": _("Choose approve or return.")})
    if decision.officer_id == user.id:
        raise Forbidden(_("A second person must review a denial: you recorded this one."))
    if action == "return" and not note:
        raise ValidationFailed(_("Say what the officer should look at again."),
                               {"note": _("Say what the officer should look at again.")})
    now = utcnow()
    decision.reviewed_by_id, decision.reviewed_at, decision.review_note = user.id, now, note
    if action == "approve":
        decision.review_state = "approved"
        workflow.apply(petition, "confirm_denial", user, message=decision.message)
        petition.decided_at = now
    else:
        decision.review_state = "returned"
        workflow.apply(petition, "return_denial", user, message=note[:5000])
        petition.assigned_officer_id = decision.officer_id
        petition.claimed_at = now
    audit.record(user, "denial." + ("approve" if action == "approve" else "return"),
                 "petition", petition.receipt_number, petition, note=note[:2000],
                 officer=decision.officer.email)
    return petition


@uow.atomic
def reassign(user: User, receipt_number: str, officer_email: str, version=None) -> Petition:
    """A supervisor gives a case in review to another officer of the country."""
    _require_supervisor(user)
    petition = _agency_petition(user, receipt_number)
    versions.check(petition, version)
    if petition.status != Status.IN_REVIEW:
        raise Conflict(_("Only a case in review can be reassigned."))
    officer = db.session.scalars(sa.select(User).where(
        User.email == (officer_email or "").strip().lower(), User.country == user.country,
        User.role.in_((Role.OFFICER, Role.SUPERVISOR)))).first()
    if officer is None:
        raise ValidationFailed(_("No officer of your country has that email address."),
                               {"officer": _("Choose an officer of your country.")})
    before = petition.assigned_officer.email if petition.assigned_officer else None
    petition.assigned_officer_id, petition.claimed_at = officer.id, utcnow()
    petition.version += 1
    workflow.add_note(petition, user, _("Reassigned from %(before)s to %(after)s.",
                                        before=before or _("nobody"), after=officer.email))
    audit.record(user, "case.reassign", "petition", petition.receipt_number, petition,
                 from_officer=before, to_officer=officer.email)
    return petition


@uow.atomic
def unclaim(user: User, receipt_number: str, version=None) -> Petition:
    """A supervisor puts a case in review back in its queue."""
    _require_supervisor(user)
    petition = _agency_petition(user, receipt_number)
    versions.check(petition, version)
    before = petition.assigned_officer.email if petition.assigned_officer else None
    workflow.apply(petition, "release", user)
    petition.assigned_officer_id = None
    petition.claimed_at = None
    audit.record(user, "case.unclaim", "petition", petition.receipt_number, petition,
                 from_officer=before)
    return petition


EARLIER_LIMIT = 25
# What the case page's tables show of an earlier petition (its decisions come with it).
EARLIER_COLUMNS = (Petition.id, Petition.receipt_number, Petition.status,
                   Petition.submitted_at, Petition.category_id, Petition.traveler_id,
                   Petition.destination_country)


def earlier_petitions(user: User, petition: Petition,
                      limit: int | None = None) -> tuple[list[Petition], int]:
    """The traveler's other submitted petitions the officer may see: the ``limit`` most
    recent (with what the table shows loaded in the same round trips) and how many
    there are in all.

    Access rules stand: an officer sees petitions bound for their own country only, so a
    US officer never sees the traveler's Canada-bound petitions (and vice versa).
    """
    if petition is None:
        raise NotFound(_("No petition."))
    where = (access.visible_filter(user), Petition.traveler_id == petition.traveler_id,
             Petition.id != petition.id)
    # The count of them all rides along on every row (a window is counted before LIMIT).
    found = db.session.execute(sa.select(Petition, sa.func.count().over()).where(*where)
                               .order_by(Petition.submitted_at.desc(), Petition.id.desc())
                               .limit(limit or EARLIER_LIMIT)
                               .options(load_only(*EARLIER_COLUMNS),
                                        joinedload(Petition.category).load_only(Category.code),
                                        selectinload(Petition.decisions))).all()
    return [row[0] for row in found], (found[0][1] if found else 0)
