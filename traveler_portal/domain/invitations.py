"""Invitations into an organization, sent by email: signed, expiring, single use.

The link's token is ``itsdangerous.URLSafeSerializer`` over ``[invitation id,
organization id]`` with the app's ``SECRET_KEY`` (salt ``organization-invitation``): it
cannot be forged without the key, and the email task can rebuild it from the row, so the
token itself is stored nowhere: the row keeps only its SHA-256 (``token_hash``), checked
on every use. Expiry is the row's ``expires_at`` (``INVITATION_TTL_HOURS``, 7 days by
default); single use is ``accepted_at``, set under the row's lock. An expired, revoked or
used invitation raises :class:`InvitationGone` (HTTP 410) saying which.

A colleague (employer user with a role) is invited by an owner; a traveler by an owner or
admin. The answer is the same whatever the address: an address whose account cannot accept
(another role, another organization) gets the invitation row all the same, and its owner a
notice (security_notices) instead of the link; only the organization's own members are
named as such. At most INVITATIONS_PER_ORG_PER_DAY one-by-one invitations a day per
organization. The email carries no text typed by the inviter: no person's name, only
the organization's registered name. Inviting the same email again replaces the pending
invitation (the old link stops working). The email goes through the outbox to
``organizations.send_invitation``, which sends each invitation at most once (a Redis key
set before sending, cleared on failure).
"""
import hashlib
import re
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from .. import i18n, mail, tasks
from ..extensions import db
from ..models import Invitation, Organization, Role, User
from ..models.users import utcnow
from . import accounts, organizations, outbox, security_notices, uow
from .errors import DomainError, Forbidden, NotFound, ValidationFailed

SEND_TASK, QUEUE = tasks.SEND_INVITATION.name, tasks.SEND_INVITATION.queue
SALT = "organization-invitation"
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The open invitations a page lists (the newest; a search finds the others).
PENDING_SHOWN = 50


class InvitationGone(DomainError):
    """``reason``: "expired", "revoked" or "used"."""
    code, http_status = "gone", 410

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_for(invitation: Invitation) -> str:
    return _serializer().dumps([invitation.id, invitation.organization_id])


def accept_url(invitation: Invitation) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/invitations/{token_for(invitation)}"


def state(invitation: Invitation) -> str:
    if invitation.accepted_at is not None:
        return "used"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= utcnow():
        return "expired"
    return "open"


def _clean_email(email: str) -> str:
    # The same rule as accounts' (forms.EmailAddress): reserved test domains must work.
    email = accounts.normalise_email(email)
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise ValidationFailed(_("The email address is not valid."), {
            "email": _("Enter a valid email address, like name@example.com.")})
    return email


def _check_existing(kind: str, email: str, org_id: str) -> int | None:
    """Refuse what the organization already knows (its own colleague or traveler); for
    an account that cannot accept (another role, another organization) return its id:
    the invitation is made all the same, and its owner gets a notice instead of the
    link, so the answer never tells an organization what accounts exist elsewhere."""
    user = db.session.scalars(sa.select(User).where(User.email == email)).first()
    if user is None:
        return None
    if kind == "colleague":
        if user.role == Role.EMPLOYER and user.organization_id == org_id:
            message = _("This person is already a colleague in your organization.")
        elif user.role != Role.EMPLOYER or user.organization_id:
            return user.id
        else:
            return None
    elif user.role == Role.TRAVELER and user.organization_id == org_id:
        message = _("This traveler is already linked to your organization.")
    elif user.role != Role.TRAVELER:
        return user.id
    else:
        return None
    raise ValidationFailed(message, {"email": message})


def _check_daily_cap(org_id: str) -> None:
    """INVITATIONS_PER_ORG_PER_DAY invitations one by one (imports have their own cap)."""
    cap = current_app.config["INVITATIONS_PER_ORG_PER_DAY"]
    sent = db.session.scalar(sa.select(sa.func.count()).select_from(Invitation).where(
        Invitation.organization_id == org_id, Invitation.import_id.is_(None),
        Invitation.created_at > utcnow() - timedelta(days=1)))
    if sent >= cap:
        raise DailyCapReached(_("Your organization has sent %(count)d invitations in the "
                                "last 24 hours, the most allowed. Try again tomorrow.",
                                count=cap))


class DailyCapReached(DomainError):
    code, http_status = "rate_limited", 429


@uow.atomic
def invite(actor: User, kind: str, email: str, name: str = "", org_role: str | None = None,
           import_id: int | None = None) -> Invitation:
    """Create (or replace) an invitation and queue its email, sent after the commit."""
    if kind == "colleague":
        organizations.require_owner(actor)
        if org_role not in organizations.COLLEAGUE_ROLES:
            raise ValidationFailed(_("Choose a role."), {"org_role": _("Choose admin or viewer.")})
    elif kind == "traveler":
        organizations.require_org_admin(actor)
        org_role = None
    else:
        raise ValueError(f"unknown invitation kind {kind!r}")
    email = _clean_email(email)
    cannot_accept = _check_existing(kind, email, actor.organization_id)
    if import_id is None:
        _check_daily_cap(actor.organization_id)
    now = utcnow()
    db.session.execute(sa.update(Invitation).where(
        Invitation.organization_id == actor.organization_id, Invitation.email == email,
        Invitation.kind == kind, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None)).values(revoked_at=now))
    invitation = Invitation(
        organization_id=actor.organization_id, kind=kind, email=email,
        name=(name or "").strip()[:200], org_role=org_role,
        token_hash="pending:" + hashlib.sha256(f"{email}{now}".encode()).hexdigest()[:56],
        created_by_id=actor.id, import_id=import_id, created_at=now,
        expires_at=now + timedelta(hours=current_app.config["INVITATION_TTL_HOURS"]))
    db.session.add(invitation)
    db.session.flush()  # the id is part of the token
    invitation.token_hash = _digest(token_for(invitation))
    if cannot_accept is None:
        outbox.enqueue(SEND_TASK, [invitation.id], QUEUE)
    else:
        security_notices.enqueue(cannot_accept, "invitation")
    return invitation


def open_in(organization_id: int, kinds) -> sa.ColumnElement[bool]:
    """An organization's invitations of ``kinds`` neither accepted nor withdrawn (open or
    expired): what its pages and its API list."""
    return sa.and_(Invitation.organization_id == organization_id, Invitation.kind.in_(kinds),
                   Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))


def pending(actor: User, kind: str, query: str = "",
            limit: int = PENDING_SHOWN) -> tuple[list[Invitation], int]:
    """The organization's open invitations of ``kind`` (optionally only those whose email
    or name contains ``query``), the ``limit`` newest, and how many there are in all: in
    one statement, so an import that invited thousands makes neither a long page nor a
    slow one."""
    organizations.require_member(actor)
    where = [open_in(actor.organization_id, (kind,))]
    if query.strip():
        where.append(organizations.containing(query, Invitation.email, Invitation.name))
    rows = db.session.execute(
        sa.select(Invitation, sa.func.count().over().label("total")).where(*where)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(limit)).all()
    return [row.Invitation for row in rows], (rows[0].total if rows else 0)


@uow.atomic
def revoke(actor: User, invitation_id: int) -> Invitation:
    invitation = db.session.scalars(sa.select(Invitation).where(
        Invitation.id == invitation_id,
        Invitation.organization_id == actor.organization_id)).first()
    if invitation is None:
        organizations.require_member(actor)
        raise NotFound(_("No such invitation."))
    if invitation.kind == "colleague":
        organizations.require_owner(actor)
    else:
        organizations.require_org_admin(actor)
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
    return invitation


def find(token: str, lock: bool = False) -> Invitation:
    """The invitation a link names, whatever its state; ``NotFound`` for a bad link."""
    try:
        invitation_id, org_id = _serializer().loads(token or "")
    except (BadSignature, ValueError, TypeError):
        raise NotFound(_("This invitation link is not valid.")) from None
    query = sa.select(Invitation).where(Invitation.id == invitation_id,
                                        Invitation.organization_id == org_id,
                                        Invitation.token_hash == _digest(token))
    invitation = db.session.scalars(query.with_for_update() if lock else query).first()
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."))
    return invitation


def require_open(invitation: Invitation) -> None:
    reason = state(invitation)
    if reason == "used":
        raise InvitationGone(reason, _("This invitation was already used: each link works "
                                       "once. Sign in, or ask for a new invitation."))
    if reason == "revoked":
        raise InvitationGone(reason, _("This invitation was withdrawn by the organization. "
                                       "Ask them for a new one if you still need it."))
    if reason == "expired":
        raise InvitationGone(reason, _("This invitation has expired. Ask the organization "
                                       "to send you a new one."))


def _join(invitation: Invitation, user: User) -> None:
    if invitation.kind == "colleague":
        if user.role != Role.EMPLOYER or (user.organization_id and
                                          user.organization_id != invitation.organization_id):
            raise Forbidden(_("This account cannot join the organization as a colleague: "
                              "it is not an employer account without an organization."))
        user.organization_id, user.org_role = invitation.organization_id, invitation.org_role
    else:
        if user.role != Role.TRAVELER:
            raise Forbidden(_("Only a traveler account can accept this invitation."))
        organizations.link_traveler(user, invitation.organization_id)
    invitation.accepted_at, invitation.accepted_by_id = utcnow(), user.id


@uow.atomic
def accept(token: str, user: User) -> Organization:
    """A signed-in person accepts an invitation sent to their own email."""
    invitation = find(token, lock=True)
    require_open(invitation)
    if accounts.normalise_email(user.email) != invitation.email:
        raise Forbidden(_("This invitation was sent to another email address. Sign out, "
                          "then open the link again."))
    _join(invitation, user)
    return invitation.organization


@uow.atomic
def accept_with_new_account(token: str, name: str, password: str) -> User:
    """A person without an account creates one with the invited email, and joins."""
    invitation = find(token, lock=True)
    require_open(invitation)
    role = Role.EMPLOYER if invitation.kind == "colleague" else Role.TRAVELER
    invitation.accepted_at = utcnow()  # committed with the account: the link is spent
    user = accounts.create_user(invitation.email, password, role, name=name,
                                organization=invitation.organization,
                                org_role=invitation.org_role)
    invitation.accepted_by_id = user.id
    return user


def send_invitation(invitation_id: int) -> bool:
    """Email one invitation, at most once; False when there is nothing (left) to send."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or state(invitation) != "open":
        uow.rollback()
        return False
    # In the invitee's language when they already have an account, else in the language
    # of the colleague who invited them (the best guess for a new person).
    reader = db.session.scalars(sa.select(User).where(
        sa.func.lower(User.email) == invitation.email.lower())).first() or invitation.created_by
    with i18n.writing_for(reader):
        body = render_template("emails/invitation.txt", invitation=invitation,
                               url=accept_url(invitation))
        if invitation.kind == "colleague":
            subject = _("Join %(org)s on the business travel portal",
                        org=invitation.organization.name)
        else:
            subject = _("%(org)s invites you to link your traveler account",
                        org=invitation.organization.name)
    message = mail.build(invitation.email, subject, body)
    uow.rollback()  # nothing to write: end the read transaction before the network
    ttl = current_app.config["INVITATION_TTL_HOURS"] * 3600 + 86400
    return mail.deliver_once(message, f"portal:invitation-sent:{invitation_id}", ttl)
