"""Outgoing mail: SMTP when ``SMTP_URL`` is set, otherwise ``.eml`` files in ``MAIL_DIR``
(the embedded default, so a newcomer can read every message the product sends).

``SMTP_URL`` forms: ``smtp://host:port`` (plain), ``smtp+starttls://user:pass@host:587``,
``smtps://user:pass@host:465``.
"""
import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

import redis
from flask import current_app

from . import locks
from .models.users import utcnow


def build(to: str, subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@{current_app.config['MAIL_DOMAIN']}>"
    message.set_content(text)
    return message


def deliver(message: EmailMessage) -> None:
    """Send ``message``; raises ``smtplib.SMTPException`` or ``OSError`` on failure."""
    url = current_app.config.get("SMTP_URL")
    if not url:
        _write_eml(message)
        return
    parts = urlsplit(url)
    timeout = current_app.config["SMTP_TIMEOUT"]
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(parts.hostname, parts.port or 465, timeout=timeout)
    else:
        client = smtplib.SMTP(parts.hostname, parts.port or 25, timeout=timeout)
    with client:
        if parts.scheme == "smtp+starttls":
            client.starttls()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)


BUSY = "busy"  # another run is sending this message right now


def deliver_once(message: EmailMessage, key: str, ttl_seconds: int, client=None) -> bool | str:
    """Send ``message`` unless one was sent under ``key`` (a Redis key set to "sending"
    before sending, "sent" after, kept ``ttl_seconds``, cleared if sending fails so a
    retry can send it): a task run twice sends one email. False when it had already been
    sent, ``BUSY`` while another run is sending it (that run may still fail)."""
    client = client or redis.Redis.from_url(locks.redis_url(), socket_timeout=5,
                                            socket_connect_timeout=5)
    if not client.set(key, "sending", nx=True, ex=ttl_seconds):
        return BUSY if client.get(key) == b"sending" else False
    try:
        deliver(message)
    except Exception:
        client.delete(key)
        raise
    client.set(key, "sent", ex=ttl_seconds)
    return True


def _write_eml(message: EmailMessage) -> None:
    folder = Path(current_app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
    tmp = folder / (name + ".part")
    tmp.write_bytes(bytes(message))
    tmp.rename(folder / name)
