"""The USMCA professions list (data/usmca_professions.toml), read once: the choices of a
category question declared with ``choices = "usmca_professions"``."""
import tomllib
from functools import cache

from .loader import DATA_DIR

LISTS = {"usmca_professions": "usmca_professions.toml"}


@cache
def groups(name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(group name, professions) in the appendix's order."""
    with open(DATA_DIR / LISTS[name], "rb") as fh:
        data = tomllib.load(fh)
    return tuple((g["name"], tuple(g["professions"])) for g in data["group"])


def names(name: str) -> list[str]:
    return [p for _group, professions in groups(name) for p in professions]
