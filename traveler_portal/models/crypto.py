"""Encryption at rest for personal data (passport numbers, dates of birth).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the maintained
``cryptography`` library). ``PII_ENCRYPTION_KEYS`` lists keys, newest first: new values are
encrypted with the first, and any listed key decrypts, so a key is rotated by putting a new
one in front *everywhere* (web, workers, beat), running ``flask --app wsgi rotate-pii-keys``
(which refuses while a running process lacks the new key: ``keyring.py``), then dropping
the old one. A value no configured key opens is ``EncryptionKeyMissing`` (a clear 503),
never a bare ``InvalidToken`` (a 500).
"""
import hashlib
import hmac
import logging
import re
from datetime import date

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..domain.errors import DomainError

log = logging.getLogger(__name__)


class EncryptionKeyMissing(DomainError):
    """Stored personal data this process has no key for: its PII_ENCRYPTION_KEYS lacks
    the key the value was written with (a rotation done before this process got it)."""
    code, http_status = "encryption_key_missing", 503


def fingerprint(key: str) -> str:
    """A short, non-secret name for a key (its SHA-256 prefix), for logs and checks."""
    return hashlib.sha256(key.strip().encode()).hexdigest()[:12]


def keyring() -> MultiFernet:
    keys = current_app.config["PII_ENCRYPTION_KEYS"]
    if not keys:
        raise RuntimeError("PII_ENCRYPTION_KEYS is not configured")
    return MultiFernet([Fernet(k) for k in keys])


class EncryptedText(sa.TypeDecorator):
    """A string stored encrypted; the database only ever sees ciphertext."""
    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or value == "":
            return None
        return keyring().encrypt(str(value).encode()).decode()

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        try:
            return keyring().decrypt(value.encode()).decode()
        except InvalidToken:
            log.error("stored personal data is encrypted with a key this process lacks "
                      "(PII_ENCRYPTION_KEYS here: %s); deploy the current keys",
                      ", ".join(fingerprint(k) for k in current_app.config["PII_ENCRYPTION_KEYS"]))
            raise EncryptionKeyMissing(_l(
                "These personal details are stored encrypted with a key this server does "
                "not have yet, so they cannot be shown. Nothing is lost: the operators must "
                "finish configuring the server. Please try again later.")) from None


class EncryptedDate(EncryptedText):
    """A date stored encrypted (as its ISO text)."""
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return super().process_bind_param(value.isoformat() if value else None, dialect)

    def process_result_value(self, value, dialect):
        text = super().process_result_value(value, dialect)
        return date.fromisoformat(text) if text else None


def rotate(ciphertext: str) -> str:
    try:
        return keyring().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise EncryptionKeyMissing(
            "a stored value opens with none of the keys in PII_ENCRYPTION_KEYS: the list "
            "must still include the key it was written with") from None


def passport_lookup_key(passport_number: str | None, date_of_birth: date | None) -> str | None:
    """A keyed hash (HMAC-SHA256 with ``PASSPORT_LOOKUP_KEY``) of the normalized passport
    number and the date of birth, stored beside the encrypted values so a port officer's
    lookup by both finds the profile with one indexed query, without decrypting every
    profile. Without the key nobody can test guesses against the stored hashes. Changing
    the key needs ``flask --app wsgi reindex-passports``. ``None`` unless both are known."""
    number = re.sub(r"[\s-]", "", passport_number or "").upper()  # profiles.normalise_passport
    if not number or date_of_birth is None:
        return None
    key = current_app.config["PASSPORT_LOOKUP_KEY"] or current_app.config["SECRET_KEY"]
    message = f"{number}|{date_of_birth.isoformat()}".encode()
    return hmac.new(str(key).encode(), message, hashlib.sha256).hexdigest()
