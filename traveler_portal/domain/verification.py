"""Verifying a decision from its notice alone: a signed code, and what it may tell anyone.

The code names the decision (its id) and carries an HMAC-SHA256 of that id under a key
derived from ``SECRET_KEY`` with this module's own salt, cut to 80 bits: nothing is stored,
a code cannot be guessed, and a changed character makes it unknown. It is written in
Crockford's base32 (no I, L, O, U; read back case-insensitively, O as 0, I and L as 1) in
groups of four, short enough to read out over the phone and to fit a small QR code.

What the public learns from a code is deliberately little (``public_facts``): the status,
category, destination, port, validity and the traveler's initials, never a name,
a passport number or a receipt number.
"""
import hashlib
import hmac
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..models import Decision, Notice, Outcome, Petition, Status
from ..models.users import utcnow
from . import profiles

SALT = b"decision-verification"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32
MAC_CHARS = 16  # 80 bits
READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
UNKNOWN = _l("No decision has this verification code. Check that it was typed exactly as "
             "printed on the notice; a changed or made-up code is never found.")
STATUSES = ("valid", "expired", "withdrawn", "superseded", "revoked")
# Decisions that are not (yet, or any more) public: a denial awaiting its supervisor.
HIDDEN_REVIEW_STATES = ("pending",)


def _b32(number: int, width: int = 0) -> str:
    chars = ""
    while number:
        number, rest = divmod(number, 32)
        chars = ALPHABET[rest] + chars
    return chars.rjust(width, "0") or "0"


def _mac(decision_id: int) -> str:
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), SALT, hashlib.sha256).digest()
    digest = hmac.new(key, str(decision_id).encode(), hashlib.sha256).digest()
    return _b32(int.from_bytes(digest[:MAC_CHARS * 5 // 8], "big"), MAC_CHARS)


def code_for(notice_or_decision) -> str:
    """The decision's verification code, e.g. ``2F-7K3M-9QXA-BCDW-XYZ0``."""
    decision_id = notice_or_decision.decision_id if isinstance(notice_or_decision, Notice) \
        else notice_or_decision.id
    mac = _mac(decision_id)
    groups = [mac[i:i + 4] for i in range(0, MAC_CHARS, 4)]
    return "-".join([_b32(decision_id), *groups])


def url_for_code(code: str) -> str:
    """The public verification page of ``code`` (what the notice's QR code holds)."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/verify/{code}"


def _parse(code: str) -> int | None:
    text = "".join(str(code or "").upper().split()).replace("-", "").translate(READ_AS)
    if len(text) <= MAC_CHARS or len(text) > MAC_CHARS + 13 or \
            any(c not in ALPHABET for c in text):
        return None
    head, mac = text[:-MAC_CHARS], text[-MAC_CHARS:]
    decision_id = 0
    for c in head:
        decision_id = decision_id * 32 + ALPHABET.index(c)
    if not 0 < decision_id < 2**63 or not hmac.compare_digest(mac, _mac(decision_id)):
        return None
    return decision_id


def resolve(code: str) -> Decision | None:
    """The decision ``code`` names; None for an unknown, altered or forged code, and for
    anything that is not a public decision (a request for evidence, a denial still
    awaiting its supervisor)."""
    decision_id = _parse(code)
    if decision_id is None:
        return None
    decision = db.session.get(Decision, decision_id)
    if decision is None or decision.outcome == Outcome.EVIDENCE_REQUESTED or \
            decision.review_state in HIDDEN_REVIEW_STATES:
        return None
    return decision


def _petition(decision: Decision) -> Petition:
    return db.session.get(Petition, decision.petition_id)


def _superseded(decision: Decision, petition: Petition) -> bool:
    """A later public decision on the same petition, or (for an approval) a later approval
    of the same traveler for the same destination and category, replaces this one."""
    final = petition.final_decision
    if final is not None and final.id != decision.id:
        return True
    if decision.outcome != Outcome.APPROVED:
        return False
    later = sa.select(Decision.id).join(Petition, Petition.id == Decision.petition_id).where(
        Petition.traveler_id == petition.traveler_id,
        Petition.destination_country == petition.destination_country,
        Petition.category_id == petition.category_id,
        Decision.outcome == Outcome.APPROVED, Decision.id > decision.id)
    return db.session.scalar(later.limit(1)) is not None


def public_status(decision: Decision, today: date | None = None) -> str:
    """``valid`` | ``expired`` | ``withdrawn`` | ``superseded`` | ``revoked``."""
    today = today or utcnow().date()
    petition = _petition(decision)
    if decision.review_state == "returned":  # a denial a supervisor overturned
        return "revoked"
    if _superseded(decision, petition):
        return "superseded"
    if petition.status == Status.WITHDRAWN:
        return "withdrawn"
    if decision.outcome == Outcome.APPROVED and (
            petition.status == Status.EXPIRED or
            (decision.valid_until is not None and decision.valid_until < today)):
        return "expired"
    return "valid"


def initials(petition: Petition) -> str:
    """``J. M. D.``: the first letter of each given name and of the surname (as in the
    passport; the account name when no profile exists)."""
    profile = profiles.get(petition.traveler)
    words = (f"{profile.given_names} {profile.family_name}" if profile
             else petition.traveler.name or "").split()
    return " ".join(f"{w[0].upper()}." for w in words if w[:1].isalpha())


def public_facts(decision: Decision) -> dict:
    """Everything the verification page and API show: nothing else about the traveler."""
    petition = _petition(decision)
    return {"status": public_status(decision), "outcome": decision.outcome.value,
            "category": petition.category.code, "category_name": petition.category.name,
            "destination_country": petition.destination_country.value,
            "port_of_entry": petition.port.code, "port_name": petition.port.name,
            "valid_from": decision.valid_from.isoformat() if decision.valid_from else None,
            "valid_until": decision.valid_until.isoformat() if decision.valid_until else None,
            "decided_on": decision.decided_at.date().isoformat(),
            "initials": initials(petition)}
