"""What a new password must be: at least MIN_LENGTH characters (OWASP ASVS 2.1.1), and not
a common or breached password (ASVS 2.1.7).

The list is ``reference/data/common-passwords.txt.gz``: the 20,000 most common passwords
from breach corpora (Royce Williams' list, as shipped in Django 5.2's
``django/contrib/auth/common-passwords.txt.gz``, BSD licence; taken from the PyPI wheel,
one lowercase password a line, 19,640 lines). Besides an exact match (any case), a password is
refused when it is a listed one with digits or symbols added at the end ("Password2024!"),
or a short piece repeated ("qwertyqwerty").
"""
import gzip
from functools import lru_cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 12
LIST = Path(__file__).resolve().parent.parent / "reference" / "data" / "common-passwords.txt.gz"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with gzip.open(LIST, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def _repeated(text: str) -> bool:
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return True
    return False


def is_common(password: str) -> bool:
    words = common_passwords()
    lowered = password.lower()
    stem = lowered.rstrip("0123456789!@#$%^&*()-_=+.,?~ ")
    return lowered in words or (len(stem) >= 4 and stem in words) or _repeated(lowered)


def problem(password: str) -> str | None:
    """Why ``password`` cannot be used, or None."""
    password = password or ""
    if len(password) < MIN_LENGTH:
        return _("The password must have at least %(length)d characters.", length=MIN_LENGTH)
    if is_common(password):
        return _("This password is too common: it is on lists that attackers try first. "
                 "Choose another, for example a few unrelated words.")
    return None
