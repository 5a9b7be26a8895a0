"""Organizations: their details, their people (owner, admin, viewer) and their travelers.

Roles of employer users (``User.org_role``): an *owner* manages colleagues and their roles
and everything an admin does; an *admin* edits the details, invites and unlinks
travelers, files and submits petitions, manages integrations; a *viewer* reads everything
and changes nothing. Every employer write path calls :func:`require_org_admin` (or
:func:`require_owner`); the pages also hide the buttons, but the domain is the guard.

Business numbers (python-stdnum validates them): a US FEIN is 9 digits whose first two
are an IRS campus prefix, stored as ``12-3456789`` whether typed with the dash or not; a
Canadian business number is the 9-digit BN9 with its check digit, optionally followed by
a program account (two letters and four digits, e.g. ``RT0001``), stored compact
(``123456782`` or ``123456782RT0001``). The dash tells which one a stored number is.

Ending a traveler's link (either side): the petitions the traveler already *filed* with
the organization stay visible to it (its case history); drafts not yet submitted leave
the organization, and petitions filed afterwards are the traveler's alone.
"""
import sqlalchemy as sa
from flask_babel import gettext as _
from stdnum.ca import bn as ca_bn
from stdnum.exceptions import ValidationError as NumberError
from stdnum.us import ein as us_ein

from ..extensions import db
from ..models import Organization, Petition, Role, Status, User
from ..models.organizations import OrganizationFigures
from ..models.users import organization_key
from . import keyset, uow
from .errors import Forbidden, NotFound, ValidationFailed
from .rows import one_or_not_found

MANAGERS = ("owner", "admin")
COLLEAGUE_ROLES = ("admin", "viewer")
NUMBER_KINDS = ("us_fein", "ca_bn")


# --- Who may do what ------------------------------------------------------------------

def is_org_admin(user) -> bool:
    return bool(user.role == Role.EMPLOYER and user.organization_id
                and user.org_role in MANAGERS)


def require_member(user) -> None:
    if user.role != Role.EMPLOYER or not user.organization_id:
        raise Forbidden(_("Only the people of an organization can do this."))


def require_org_admin(user) -> None:
    """Owners and admins; a viewer (or anyone else) gets 403."""
    if not is_org_admin(user):
        raise Forbidden(_("Your role in the organization is read only: ask an owner or "
                          "an admin to do this."))


def require_owner(user) -> None:
    require_member(user)
    if user.org_role != "owner":
        raise Forbidden(_("Only an owner of the organization can do this."))


# --- Details --------------------------------------------------------------------------

def normalise_business_number(kind: str, number: str) -> str:
    """The stored form of a US FEIN or Canadian BN; ``ValidationFailed`` otherwise."""
    number = (number or "").strip()
    if kind == "us_fein":
        try:
            return us_ein.format(us_ein.validate(number))
        except NumberError:
            raise ValidationFailed(_("The business number is not valid."), {
                "business_number": _("A US FEIN has 9 digits and starts with a valid IRS "
                                     "prefix, like 12-3456789.")}) from None
    if kind == "ca_bn":
        try:
            return ca_bn.validate(number)
        except NumberError:
            raise ValidationFailed(_("The business number is not valid."), {
                "business_number": _("A Canadian business number has 9 digits with a "
                                     "valid check digit, optionally followed by a program "
                                     "account such as RT0001.")}) from None
    raise ValidationFailed(_("Choose the kind of business number."), {
        "number_kind": _("Choose a US FEIN or a Canadian business number.")})


def number_kind(business_number: str) -> str | None:
    if not business_number:
        return None
    return "us_fein" if "-" in business_number else "ca_bn"


@uow.atomic
def update_details(actor: User, *, name: str, number_kind: str, business_number: str,
                   address: str, contact_name: str, contact_email: str,
                   contact_phone: str, digest_enabled: bool) -> Organization:
    require_org_admin(actor)
    org = db.session.get(Organization, actor.organization_id)
    name, errors = (name or "").strip(), {}
    if not name:
        errors["name"] = _("Enter the organization's legal name.")
    elif db.session.scalar(sa.select(Organization.id).where(
            Organization.name_key == organization_key(name), Organization.id != org.id)):
        errors["name"] = _("Another organization is registered under this name.")
    try:
        number = normalise_business_number(number_kind, business_number)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationFailed(_("The details could not be saved."), errors)
    org.name, org.business_number = name[:200], number
    org.address = (address or "").strip()
    org.contact_name = (contact_name or "").strip()[:200]
    org.contact_email = (contact_email or "").strip().lower()[:254]
    org.contact_phone = (contact_phone or "").strip()[:40]
    org.digest_enabled = bool(digest_enabled)
    return org


# --- Colleagues -----------------------------------------------------------------------

def colleagues(actor: User) -> list[User]:
    require_member(actor)
    return db.session.scalars(sa.select(User).where(
        User.organization_id == actor.organization_id, User.role == Role.EMPLOYER)
        .order_by(User.name, User.id)).all()


def _colleague(actor: User, user_id: int) -> User:
    user = db.session.scalars(sa.select(User).where(
        User.id == user_id, User.role == Role.EMPLOYER,
        User.organization_id == actor.organization_id).with_for_update()).first()
    if user is None:
        raise NotFound(_("No such colleague."))
    return user


def _other_owners(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.organization_id == user.organization_id, User.role == Role.EMPLOYER,
        User.org_role == "owner", User.id != user.id))


@uow.atomic
def set_role(actor: User, user_id: int, role: str) -> User:
    require_owner(actor)
    if role not in ("owner", *COLLEAGUE_ROLES):
        raise ValidationFailed(_("Choose a role."), {"role": _("Choose owner, admin or viewer.")})
    user = _colleague(actor, user_id)
    if user.org_role == "owner" and role != "owner" and not _other_owners(user):
        raise ValidationFailed(_("The organization needs an owner."), {
            "role": _("Make someone else an owner first: the organization must keep one.")})
    user.org_role = role
    return user


@uow.atomic
def remove_colleague(actor: User, user_id: int) -> None:
    """The colleague leaves the organization: their account stays, without access to it
    (and the API keys they created stop working, see ``integrations``)."""
    require_owner(actor)
    user = _colleague(actor, user_id)
    if user.org_role == "owner" and not _other_owners(user):
        raise ValidationFailed(_("The organization needs an owner."), {
            "user": _("You are the last owner: make someone else an owner first.")})
    user.organization_id, user.org_role = None, None


# --- Travelers ------------------------------------------------------------------------

def employees(actor: User) -> list[User]:
    require_member(actor)
    return db.session.scalars(sa.select(User).where(
        User.organization_id == actor.organization_id, User.role == Role.TRAVELER)
        .order_by(User.name, User.id)).all()


EMPLOYEES_PER_PAGE = 25


# the employees page's order: by name, the id breaking ties (ix_users_org_role_name)
BY_NAME = keyset.Order(keyset.Key(User.name, parse=str), keyset.Key(User.id))


def containing(query: str, *columns):
    """Rows where any of ``columns`` contains ``query`` (the search box's words, case
    apart; ``%`` and ``_`` are matched as typed)."""
    words = query.strip()[:200].lower()
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return sa.or_(*(sa.func.lower(column).like(pattern, escape="\\") for column in columns))


def employees_page(actor: User, query: str = "", after: str = "",
                   per_page: int = EMPLOYEES_PER_PAGE) -> tuple[list[User], int, str | None]:
    """One keyset page of the organization's travelers by name, after the cursor ``after``
    (the previous page's last row; empty or unreadable: the first page), optionally only
    those whose name or email contains ``query``; with the total that match and the
    cursor of the next page (None at the end)."""
    require_member(actor)
    where = [User.organization_id == actor.organization_id, User.role == Role.TRAVELER]
    if (query or "").strip():
        where.append(containing(query, User.name, User.email))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(User).where(*where))
    rows, last = keyset.fetch(sa.select(User).where(*where), BY_NAME,
                              BY_NAME.load_or_none(after), per_page,
                              key_of=lambda user: (user.name, user.id), scalars=True)
    return rows, total, (BY_NAME.dump(last) if last else None)


def _own_traveler(actor: User, traveler_id: int) -> User:
    return one_or_not_found(sa.select(User).where(
        User.id == traveler_id, User.role == Role.TRAVELER,
        User.organization_id == actor.organization_id),
        _("No such traveler in your organization."))


def employee(actor: User, traveler_id: int) -> User:
    """One traveler of the actor's organization (404 otherwise)."""
    require_member(actor)
    return _own_traveler(actor, traveler_id)


def link_traveler(traveler: User, organization_id: int | None) -> None:
    """Move a traveler to an organization (``None``: to none), in the caller's transaction.
    Drafts kept with the organization they leave go with neither: that employer no longer
    sees or edits them, and they are filed with no organization unless the traveler
    chooses one again. Petitions already filed stay where they were filed."""
    changed = {traveler.organization_id, organization_id} - {None}
    if traveler.organization_id != organization_id and changed:
        # their counted figures are stale: counted live until the next run (figures)
        db.session.execute(sa.delete(OrganizationFigures).where(
            OrganizationFigures.organization_id.in_(changed)))
    if traveler.organization_id and traveler.organization_id != organization_id:
        db.session.execute(sa.update(Petition).where(
            Petition.traveler_id == traveler.id, Petition.status == Status.DRAFT,
            Petition.organization_id == traveler.organization_id)
            .values(organization_id=None))
    traveler.organization_id = organization_id


@uow.atomic
def _unlink(traveler: User) -> None:
    link_traveler(traveler, None)


def end_link(actor: User, traveler_id: int) -> None:
    """The employer ends the link with one of its travelers."""
    require_org_admin(actor)
    _unlink(_own_traveler(actor, traveler_id))


def leave(traveler: User) -> None:
    """The traveler leaves their organization."""
    if traveler.role != Role.TRAVELER or not traveler.organization_id:
        raise NotFound(_("You are not linked to an organization."))
    _unlink(traveler)
