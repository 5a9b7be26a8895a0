"""The USMCA professions list (data/usmca_professions.toml), read once: the choices of a
category question declared with ``choices = "usmca_professions"``. A profession's English
name is its value (stored with the petition, sent over the API); the reader sees it in
their language."""
import tomllib
from functools import cache

from flask_babel import get_locale

from .loader import DATA_DIR

LISTS = {"usmca_professions": "usmca_professions.toml"}


@cache
def _data(name: str) -> tuple:
    with open(DATA_DIR / LISTS[name], "rb") as fh:
        data = tomllib.load(fh)
    return tuple((g["name"], tuple(g["professions"])) for g in data["group"])


def _lang() -> str:
    try:
        return "fr" if str(get_locale() or "en").startswith("fr") else "en"
    except RuntimeError:  # outside a request or app context
        return "en"


def groups(name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(group name, professions) in the appendix's order, in the reader's language."""
    lang = _lang()
    return tuple((group[lang], tuple(p[lang] for p in professions))
                 for group, professions in _data(name))


def names(name: str) -> list[str]:
    """The professions' values (their English names)."""
    return [p["en"] for _group, professions in _data(name) for p in professions]


def choices(name: str) -> list[tuple[str, str]]:
    """(value, label in the reader's language) for each profession."""
    lang = _lang()
    return [(p["en"], p[lang]) for _group, professions in _data(name) for p in professions]
