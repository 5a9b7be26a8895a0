"""Employer integrations: API keys and signed webhooks.

API keys act for their organization under the same rules as its employer admins, limited
to reading when their scope is ``read``. Webhooks: every public status change of one of
the organization's petitions is POSTed as JSON to each active endpoint, signed with
HMAC-SHA256 over ``"<timestamp>.<body>"`` with the endpoint's secret, and retried with
exponential backoff by a Celery task; the ``X-Portal-Event-Id`` header lets receivers drop
duplicates.
"""
import hashlib
import hmac
import json
import secrets
import time
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from .. import i18n, tasks
from ..extensions import db
from ..models import ApiKey, Role, User, WebhookDelivery, WebhookEndpoint
from ..models.users import utcnow
from . import organizations, outbox, uow, webhook_transport
from .errors import Forbidden, RateLimited, ValidationFailed
from .rows import one_or_not_found

# Deliveries have their own queue and worker: endpoints that answer slowly or not at all
# must never hold up the notification emails (password resets) or the routing.
DELIVER_TASK, QUEUE = tasks.DELIVER_WEBHOOK.name, tasks.DELIVER_WEBHOOK.queue
KEY_PREFIX = "bbt_"


def _require_admin(user: User) -> None:
    """Changes: an owner or admin of the organization (a viewer gets 403)."""
    if user.role != Role.EMPLOYER or not user.organization_id:
        raise Forbidden(_("Only employer admins manage integrations."))
    organizations.require_org_admin(user)


def _require_member(user: User) -> None:
    """Reading: anyone of the organization, viewers included."""
    if user.role != Role.EMPLOYER or not user.organization_id:
        raise Forbidden(_("Only employer admins manage integrations."))


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- API keys -------------------------------------------------------------------------

@uow.atomic
def create_key(user: User, name: str, scope: str) -> tuple[str, ApiKey]:
    """A new key for the user's organization; the key itself is returned this once."""
    _require_admin(user)
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("Name the key after the system that will use it.")
    if scope not in ("read", "read_write"):
        errors["scope"] = _("Choose read-only or read-write.")
    if errors:
        raise ValidationFailed(_("The key could not be created."), errors)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(organization_id=user.organization_id, created_by_id=user.id,
                 name=name.strip()[:100], scope=scope, key_hash=_digest(key),
                 prefix=key[:10], created_at=utcnow())
    db.session.add(row)
    return key, row


def keys_of(user: User) -> list[ApiKey]:
    _require_member(user)
    return db.session.scalars(sa.select(ApiKey).where(
        ApiKey.organization_id == user.organization_id).order_by(ApiKey.id.desc())).all()


@uow.atomic
def revoke_key(user: User, key_id: int) -> None:
    _require_admin(user)
    row = one_or_not_found(sa.select(ApiKey).where(
        ApiKey.id == key_id, ApiKey.organization_id == user.organization_id),
        _("No such key."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()


@uow.atomic
def principal_for_key(key: str) -> tuple[User, ApiKey] | None:
    """The employer admin a key acts as (for its organization), if the key is live."""
    if not key.startswith(KEY_PREFIX):
        return None
    row = db.session.scalars(sa.select(ApiKey).where(ApiKey.key_hash == _digest(key))).first()
    if row is None or row.revoked_at is not None or not row.created_by.is_active:
        return None
    if row.created_by.organization_id != row.organization_id:
        return None  # its creator left the organization: the key dies with that
    row.last_used_at = utcnow()
    return row.created_by, row


# --- Webhook endpoints ----------------------------------------------------------------

def check_url(url: str) -> webhook_transport.Target:
    """HTTPS to a public address; private and loopback targets only where configured
    (tests). Checked at registration and again before every delivery."""
    return webhook_transport.resolve(url, current_app.config["WEBHOOK_ALLOW_PRIVATE"])


@uow.atomic
def add_endpoint(user: User, url: str) -> tuple[str, WebhookEndpoint]:
    """Register an endpoint; its signing secret is returned this once."""
    _require_admin(user)
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationFailed(_("URL too long."),
                               {"url": _("Use a URL of at most 500 characters.")})
    check_url(url)
    most = current_app.config["WEBHOOK_MAX_ENDPOINTS"]
    active = db.session.scalar(sa.select(sa.func.count(WebhookEndpoint.id)).where(
        WebhookEndpoint.organization_id == user.organization_id,
        WebhookEndpoint.active.is_(True)))
    if active >= most:
        raise ValidationFailed(_("Too many endpoints."), {
            "url": _("An organization may have at most %(n)d webhook endpoints: remove one "
                     "first.", n=most)})
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(organization_id=user.organization_id, url=url, secret=secret,
                               created_at=utcnow())
    db.session.add(endpoint)
    return secret, endpoint


def endpoints_of(user: User) -> list[WebhookEndpoint]:
    _require_member(user)
    return db.session.scalars(sa.select(WebhookEndpoint).where(
        WebhookEndpoint.organization_id == user.organization_id,
        WebhookEndpoint.active.is_(True)).order_by(WebhookEndpoint.id)).all()


def endpoint_of(user: User, endpoint_id: int) -> WebhookEndpoint:
    _require_member(user)
    return one_or_not_found(sa.select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id,
        WebhookEndpoint.organization_id == user.organization_id), _("No such endpoint."))


@uow.atomic
def remove_endpoint(user: User, endpoint_id: int) -> None:
    _require_admin(user)
    endpoint_of(user, endpoint_id).active = False


def _queue(endpoint: WebhookEndpoint, event_id: str, event_type: str, payload: dict) -> None:
    exists = db.session.scalar(sa.select(WebhookDelivery.id).where(
        WebhookDelivery.endpoint_id == endpoint.id, WebhookDelivery.event_id == event_id))
    if exists:
        return
    delivery = WebhookDelivery(endpoint_id=endpoint.id, event_id=event_id,
                               event_type=event_type, payload=payload, created_at=utcnow())
    db.session.add(delivery)
    db.session.flush()
    outbox.enqueue(DELIVER_TASK, [delivery.id], QUEUE)


def _throttle_test_events(user: User) -> None:
    """At most WEBHOOK_TEST_EVENTS_PER_MINUTE test events per organization per minute,
    counted from the delivery log itself (the same count in every web process)."""
    most = current_app.config["WEBHOOK_TEST_EVENTS_PER_MINUTE"]
    recent = db.session.scalar(
        sa.select(sa.func.count(WebhookDelivery.id)).join(WebhookEndpoint).where(
            WebhookEndpoint.organization_id == user.organization_id,
            WebhookDelivery.event_type == "test",
            WebhookDelivery.created_at > utcnow() - timedelta(minutes=1)))
    if recent >= most:
        raise RateLimited(_("At most %(n)d test events a minute: wait a minute and send "
                            "another.", n=most))


@uow.atomic
def send_test_event(user: User, endpoint_id: int) -> None:
    _require_admin(user)
    endpoint = endpoint_of(user, endpoint_id)
    _throttle_test_events(user)
    event_id = "test-" + secrets.token_hex(8)
    _queue(endpoint, event_id, "test", {"id": event_id, "type": "test",
                                        "created_at": utcnow().isoformat(timespec="seconds")})


def on_public_event(petition, event, title) -> None:
    """Called by the fan-out of every public transition (public_events), in its task.
    ``title`` (lazy) is sent in both languages, whoever caused the event: ``title`` in
    English (stable for machines) and ``titles`` by language."""
    if not petition.organization_id:
        return
    endpoints = db.session.scalars(sa.select(WebhookEndpoint).where(
        WebhookEndpoint.organization_id == petition.organization_id,
        WebhookEndpoint.active.is_(True))).all()
    if not endpoints:
        return
    db.session.flush()
    event_id = f"evt_{event.id}"
    titles = _in_each_language(title)
    payload = {"id": event_id, "type": "petition.status_changed",
               "created_at": event.at.isoformat(timespec="seconds"),
               "data": {"receipt_number": petition.receipt_number,
                        "status": event.to_status.value, "previous_status":
                            event.from_status.value if event.from_status else None,
                        "title": titles["en"], "titles": titles,
                        "traveler_email": petition.traveler.email,
                        "destination_country": petition.destination_country.value,
                        "category": petition.category.code}}
    for endpoint in endpoints:
        _queue(endpoint, event_id, payload["type"], payload)


def _in_each_language(title) -> dict[str, str]:
    """{"en": ..., "fr": ...}: a lazy title written in each official language."""
    titles = {}
    for lang in i18n.LANGUAGES:
        with force_locale(lang):
            titles[lang] = str(title)
    return titles


def on_arrival(petition, event, title, arrival: dict) -> None:
    """An arrival recorded at the port (domain/arrivals.py), in its transaction: sent as
    ``petition.arrival_recorded`` (the status does not change)."""
    if not petition.organization_id:
        return
    endpoints = db.session.scalars(sa.select(WebhookEndpoint).where(
        WebhookEndpoint.organization_id == petition.organization_id,
        WebhookEndpoint.active.is_(True))).all()
    event_id = f"evt_{event.id}"
    titles = _in_each_language(title)
    payload = {"id": event_id, "type": "petition.arrival_recorded",
               "created_at": event.at.isoformat(timespec="seconds"),
               "data": {"receipt_number": petition.receipt_number,
                        "status": petition.status.value, "title": titles["en"],
                        "titles": titles,
                        "traveler_email": petition.traveler.email,
                        "destination_country": petition.destination_country.value,
                        "category": petition.category.code, "arrival": arrival}}
    for endpoint in endpoints:
        _queue(endpoint, event_id, payload["type"], payload)


# A delivery not accepted (no 2xx answer in WEBHOOK_TIMEOUT) is retried this many times,
# after WEBHOOK_RETRY_BASE_SECONDS, then twice as long each time, at most RETRY_CAP_SECONDS
# (the task in workers/webhooks.py; the numbers are documented to integrators).
MAX_RETRIES = 8
RETRY_CAP_SECONDS = 600


def backoff(retries: int, base: int) -> int:
    """Seconds before retry number ``retries + 1``."""
    return min(RETRY_CAP_SECONDS, base * 2 ** retries)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class DeliveryFailed(Exception):
    """The endpoint did not accept the delivery; the task retries it."""


BUSY = "busy"  # another run holds the delivery


def _claim(delivery_id: int) -> bool:
    """Take the delivery for one POST with a guarded update: of concurrent runs of the
    task exactly one changes the row, so only that one sends. The claim lapses after a
    while, so a sender killed mid-POST does not hold it for ever."""
    now = utcnow()
    lease = timedelta(seconds=3 * current_app.config["WEBHOOK_TIMEOUT"] + 10)
    claimed = db.session.execute(sa.update(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.state == "pending",
        sa.or_(WebhookDelivery.claimed_until.is_(None), WebhookDelivery.claimed_until < now))
        .values(claimed_until=now + lease)).rowcount == 1
    db.session.commit()
    return claimed


def deliver(delivery_id: int) -> bool | str:
    """POST one delivery. Returns False when there is nothing (left) to do, ``BUSY`` when
    another run holds it; raises ``DeliveryFailed`` for the task to retry."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.state != "pending" or not delivery.endpoint.active:
        db.session.rollback()
        return False
    db.session.rollback()
    if not _claim(delivery_id):
        return BUSY
    delivery = db.session.get(WebhookDelivery, delivery_id)
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", "User-Agent": "BorderBusinessTravel-Webhooks/1",
               "X-Portal-Event-Id": delivery.event_id, "X-Portal-Timestamp": timestamp,
               "X-Portal-Signature": signature(endpoint.secret, timestamp, body)}
    url = endpoint.url
    db.session.commit()  # no transaction (and no SQLite lock) held during the HTTP call
    status, error = None, None
    try:
        status = webhook_transport.post(check_url(url), body, headers,
                                        current_app.config["WEBHOOK_TIMEOUT"],
                                        connect_timeout=current_app.config[
                                            "WEBHOOK_CONNECT_TIMEOUT"])
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except (webhook_transport.TransportError, ValidationFailed) as exc:
        error = str(exc)[:500]
    values = {"attempts": WebhookDelivery.attempts + 1, "last_status_code": status,
              "last_error": error, "claimed_until": None}
    if error is None:
        values.update(state="delivered", delivered_at=utcnow())
    db.session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                       .values(**values))
    uow.commit()
    if error is not None:
        raise DeliveryFailed(error)
    return True


@uow.atomic
def resend_failed() -> int:
    """Every delivery that failed for good goes out again (an operator's command once the
    endpoint is back); returns how many."""
    ids = db.session.scalars(sa.select(WebhookDelivery.id).where(
        WebhookDelivery.state == "failed")).all()
    for delivery_id in ids:
        db.session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                           .values(state="pending", claimed_until=None))
        outbox.enqueue(DELIVER_TASK, [delivery_id], QUEUE)
    return len(ids)


@uow.atomic
def give_up(delivery_id: int) -> None:
    db.session.execute(sa.update(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.state == "pending")
        .values(state="failed"))


def deliveries_of(user: User, endpoint_id: int, limit: int = 50) -> list[WebhookDelivery]:
    endpoint = endpoint_of(user, endpoint_id)
    return db.session.scalars(sa.select(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint.id).order_by(WebhookDelivery.id.desc())
        .limit(limit)).all()
