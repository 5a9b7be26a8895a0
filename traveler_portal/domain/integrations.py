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

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import force_locale

from .. import i18n
from ..extensions import db
from ..models import ApiKey, Role, User, WebhookDelivery, WebhookEndpoint
from ..models.users import utcnow
from . import organizations, outbox, uow, webhook_transport
from .errors import Forbidden, NotFound, ValidationFailed

DELIVER_TASK, QUEUE = "webhooks.deliver", "notifications"
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
    uow.commit()
    return key, row


def keys_of(user: User) -> list[ApiKey]:
    _require_member(user)
    return db.session.scalars(sa.select(ApiKey).where(
        ApiKey.organization_id == user.organization_id).order_by(ApiKey.id.desc())).all()


def revoke_key(user: User, key_id: int) -> None:
    _require_admin(user)
    row = db.session.scalars(sa.select(ApiKey).where(
        ApiKey.id == key_id, ApiKey.organization_id == user.organization_id)).first()
    if row is None:
        raise NotFound(_("No such key."))
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    uow.commit()


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
    uow.commit()
    return row.created_by, row


# --- Webhook endpoints ----------------------------------------------------------------

def check_url(url: str) -> webhook_transport.Target:
    """HTTPS to a public address; private and loopback targets only where configured
    (tests). Checked at registration and again before every delivery."""
    return webhook_transport.resolve(url, current_app.config["WEBHOOK_ALLOW_PRIVATE"])


def add_endpoint(user: User, url: str) -> tuple[str, WebhookEndpoint]:
    """Register an endpoint; its signing secret is returned this once."""
    _require_admin(user)
    url = (url or "").strip()
    if len(url) > 500:
        raise ValidationFailed(_("URL too long."),
                               {"url": _("Use a URL of at most 500 characters.")})
    check_url(url)
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(organization_id=user.organization_id, url=url, secret=secret,
                               created_at=utcnow())
    db.session.add(endpoint)
    uow.commit()
    return secret, endpoint


def endpoints_of(user: User) -> list[WebhookEndpoint]:
    _require_member(user)
    return db.session.scalars(sa.select(WebhookEndpoint).where(
        WebhookEndpoint.organization_id == user.organization_id,
        WebhookEndpoint.active.is_(True)).order_by(WebhookEndpoint.id)).all()


def endpoint_of(user: User, endpoint_id: int) -> WebhookEndpoint:
    _require_member(user)
    endpoint = db.session.scalars(sa.select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id,
        WebhookEndpoint.organization_id == user.organization_id)).first()
    if endpoint is None:
        raise NotFound(_("No such endpoint."))
    return endpoint


def remove_endpoint(user: User, endpoint_id: int) -> None:
    _require_admin(user)
    endpoint_of(user, endpoint_id).active = False
    uow.commit()


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


def send_test_event(user: User, endpoint_id: int) -> None:
    _require_admin(user)
    endpoint = endpoint_of(user, endpoint_id)
    event_id = "test-" + secrets.token_hex(8)
    _queue(endpoint, event_id, "test", {"id": event_id, "type": "test",
                                        "created_at": utcnow().isoformat(timespec="seconds")})
    uow.commit()


def on_public_event(petition, event, title) -> None:
    """Called by the state machine, in its transaction, for every public transition.
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
    titles = {}
    for lang in i18n.LANGUAGES:
        with force_locale(lang):
            titles[lang] = str(title)
    payload = {"id": event_id, "type": "petition.status_changed",
               "created_at": event.at.isoformat(timespec="seconds"),
               "data": {"receipt_number": petition.receipt_number,
                        "status": event.to_status.value, "previous_status":
                            event.from_status.value if event.from_status else None,
                        "title": titles["en"], "titles": titles, "traveler_email": petition.traveler.email,
                        "destination_country": petition.destination_country.value,
                        "category": petition.category.code}}
    for endpoint in endpoints:
        _queue(endpoint, event_id, payload["type"], payload)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class DeliveryFailed(Exception):
    """The endpoint did not accept the delivery; the task retries it."""


def deliver(delivery_id: int) -> bool:
    """POST one delivery. Returns False when there is nothing (left) to do; raises
    ``DeliveryFailed`` for the task to retry."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.state != "pending" or not delivery.endpoint.active:
        db.session.rollback()
        return False
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
                                        current_app.config["WEBHOOK_TIMEOUT"])
        if not 200 <= status < 300:
            error = f"HTTP {status}"
    except (webhook_transport.TransportError, ValidationFailed) as exc:
        error = str(exc)[:500]
    values = {"attempts": WebhookDelivery.attempts + 1, "last_status_code": status,
              "last_error": error}
    if error is None:
        values.update(state="delivered", delivered_at=utcnow())
    db.session.execute(sa.update(WebhookDelivery).where(WebhookDelivery.id == delivery_id)
                       .values(**values))
    uow.commit()
    if error is not None:
        raise DeliveryFailed(error)
    return True


def give_up(delivery_id: int) -> None:
    db.session.execute(sa.update(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.state == "pending")
        .values(state="failed"))
    uow.commit()


def deliveries_of(user: User, endpoint_id: int, limit: int = 50) -> list[WebhookDelivery]:
    endpoint = endpoint_of(user, endpoint_id)
    return db.session.scalars(sa.select(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint.id).order_by(WebhookDelivery.id.desc())
        .limit(limit)).all()
