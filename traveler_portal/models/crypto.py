"""Encryption at rest for personal data (passport numbers, dates of birth).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the maintained
``cryptography`` library). ``PII_ENCRYPTION_KEYS`` lists keys, newest first: new values are
encrypted with the first, and any listed key decrypts, so a key is rotated by putting a new
one in front, running ``flask --app wsgi rotate-pii-keys``, then dropping the old one.
"""
from datetime import date

import sqlalchemy as sa
from cryptography.fernet import Fernet, MultiFernet
from flask import current_app


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
        return keyring().decrypt(value.encode()).decode()


class EncryptedDate(EncryptedText):
    """A date stored encrypted (as its ISO text)."""
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return super().process_bind_param(value.isoformat() if value else None, dialect)

    def process_result_value(self, value, dialect):
        text = super().process_result_value(value, dialect)
        return date.fromisoformat(text) if text else None


def rotate(ciphertext: str) -> str:
    return keyring().rotate(ciphertext.encode()).decode()
