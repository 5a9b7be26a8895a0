"""Reference texts stored in both languages and read in the reader's.

A text column keeps its English name in the database (``name``) with a French twin
(``name_fr``); the model's ``name`` reads the current language's version (English when the
French is missing), assigning to it sets the English, and in a query it is the English column
(sorting and filters stay on one language). Lists of items in a JSON column (a checklist, a
category's questions) carry ``label`` and ``label_fr`` the same way."""
from sqlalchemy.ext.hybrid import hybrid_property

from ..i18n import current_language, pick


def bilingual(en_attr: str, fr_attr: str):
    def fget(self):
        return pick(getattr(self, en_attr), getattr(self, fr_attr))

    def fset(self, value):
        setattr(self, en_attr, value)

    def expr(cls):
        return getattr(cls, en_attr)

    return hybrid_property(fget, fset, expr=expr)


def localized_items(items: list | None, keys: tuple[str, ...]) -> list[dict]:
    """``items`` with each of ``keys`` in the current language (its ``<key>_fr`` in French)."""
    items = list(items or [])
    if current_language() != "fr":
        return items
    return [{**item, **{key: item.get(f"{key}_fr") or item[key] for key in keys if key in item}}
            for item in items]


def bilingual_items(attr: str, keys: tuple[str, ...]):
    def fget(self):
        return localized_items(getattr(self, attr), keys)

    def fset(self, value):
        setattr(self, attr, value)

    def expr(cls):
        return getattr(cls, attr)

    return hybrid_property(fget, fset, expr=expr)
