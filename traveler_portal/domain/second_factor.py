"""The second sign-in factor: TOTP (RFC 6238: SHA-1, 6 digits, 30 s, via ``pyotp``) and
ten single-use recovery codes.

- Every role but traveler and employer must have one (``required``): officers,
  supervisors, admins, port officers and any agency role added later. Travelers and
  employers may enrol from their account, and then it is asked of them too.
- Enrolment stores the secret unconfirmed (encrypted at rest, models/crypto.py); it counts
  once a code from the authenticator is typed back (``confirm``), which also makes the
  recovery codes, shown that once and stored as SHA-256 only.
- A code is accepted for the current time step or one step either side (clock drift), and
  only for a step later than the last accepted one: the conditional UPDATE makes that
  hold even when two processes check the same code at once. A recovery code is spent by
  the same kind of UPDATE.
"""
import hashlib
import secrets
import time

import pyotp
import sqlalchemy as sa
from flask_babel import gettext as _

from ..extensions import db
from ..models import RecoveryCode, Role, SecondFactor, User
from ..models.users import utcnow
from . import uow
from .errors import ValidationFailed

ISSUER = "Border Business Travel"
OPTIONAL_ROLES = {Role.TRAVELER, Role.EMPLOYER}
RECOVERY_CODES = 10
STEP_SECONDS = 30
DRIFT_STEPS = 1
# Recovery codes: 12 characters of an unambiguous alphabet (about 59 bits), shown as
# three groups of four; typed with or without the dashes, in either case.
_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"


def required(user: User) -> bool:
    """Every agency account, whatever its role is called: all but travelers and employers."""
    return user.role not in OPTIONAL_ROLES


def _factor(user: User) -> SecondFactor | None:
    return db.session.get(SecondFactor, user.id)


def enrolled(user: User) -> bool:
    factor = _factor(user)
    return factor is not None and factor.confirmed_at is not None


def asked_at_sign_in(user: User) -> bool:
    """Whether signing in takes a second step (a code, or enrolment first)."""
    return required(user) or enrolled(user)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=6, interval=STEP_SECONDS)


@uow.atomic
def start_enrolment(user: User) -> str:
    """A new secret waiting for its first code (replacing any other waiting one); the
    caller shows it. An enrolled account keeps its confirmed secret until then."""
    factor = _factor(user)
    secret = pyotp.random_base32()
    if factor is None:
        db.session.add(SecondFactor(user_id=user.id, secret=secret))
    elif factor.confirmed_at is None:
        factor.secret = secret
    else:
        factor.new_secret = secret
    return secret


def pending_secret(user: User) -> str | None:
    factor = _factor(user)
    if factor is None:
        return None
    return factor.secret if factor.confirmed_at is None else factor.new_secret


def provisioning_uri(user: User, secret: str) -> str:
    return _totp(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> str:
    """The otpauth URI as an inline SVG QR code (no script, no external file)."""
    import segno  # noqa: PLC0415 - only the enrolment page draws a QR code
    return segno.make(uri, error="m").svg_inline(scale=5, title=title, border=2)


def _step_of(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step ``code`` belongs to, within the allowed drift; None if none."""
    code = "".join((code or "").split())
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp, current = _totp(secret), int((now or time.time()) // STEP_SECONDS)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _spend_step(user_id: int, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already was."""
    table = SecondFactor.__table__
    result = db.session.execute(sa.update(table).where(
        table.c.user_id == user_id,
        sa.or_(table.c.last_step.is_(None), table.c.last_step < step)).values(last_step=step))
    return result.rowcount == 1


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _i in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _j in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_digest(raw)))
    return codes


def _bad_code():
    return ValidationFailed(_("The code is not right."), {
        "code": _("The code is not right, or was already used. Type the 6-digit code your "
                  "authenticator app shows now.")})


@uow.atomic
def confirm(user: User, code: str) -> list[str]:
    """Confirm the waiting secret with a code from the authenticator; returns the ten new
    recovery codes (to be shown once). A replaced secret and the old codes stop working."""
    factor, secret = _factor(user), pending_secret(user)
    step = _step_of(secret, code) if secret else None
    if step is None:
        raise _bad_code()
    factor.secret, factor.new_secret = secret, None
    factor.confirmed_at, factor.last_step = utcnow(), step
    codes = _new_recovery_codes(user)
    return codes


@uow.atomic
def enrol_now(user: User, secret: str | None = None) -> str:
    """Enrol without the confirmation step (command line, provisioning); returns the
    secret. Replaces any earlier factor and removes its recovery codes."""
    secret = secret or pyotp.random_base32()
    factor = _factor(user)
    if factor is None:
        factor = SecondFactor(user_id=user.id, secret=secret)
        db.session.add(factor)
    factor.secret, factor.new_secret = secret, None
    factor.confirmed_at, factor.last_step = utcnow(), None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    return secret


@uow.atomic
def verify(user: User, code: str) -> str | None:
    """Check a TOTP code or a recovery code for an enrolled account and spend it;
    returns "totp" or "recovery", or None when it is wrong or already used."""
    factor = _factor(user)
    if factor is None or factor.confirmed_at is None:
        return None
    step = _step_of(factor.secret, code)
    if step is not None:
        ok = _spend_step(user.id, step)
        return "totp" if ok else None
    if len(_normalise_recovery(code)) == 12:
        result = db.session.execute(sa.update(RecoveryCode).where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None)).values(used_at=utcnow()))
        return "recovery" if result.rowcount == 1 else None
    return None


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


@uow.atomic
def regenerate_recovery_codes(user: User) -> list[str]:
    if not enrolled(user):
        raise ValueError("not enrolled")
    codes = _new_recovery_codes(user)
    return codes


@uow.atomic
def remove(user: User) -> None:
    """Turn the second factor off: only where it is optional."""
    if required(user):
        raise ValidationFailed(_("Agency accounts must keep a second factor."), {})
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(sa.delete(SecondFactor).where(SecondFactor.user_id == user.id))
