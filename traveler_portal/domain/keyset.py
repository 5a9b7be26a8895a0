"""Keyset pagination, one way for every list: a page is the rows after the last one shown
in the list's order, read from an index in that order, never by OFFSET (which reads and
throws away every earlier row, so page 400 costs 400 pages).

An ``Order`` names the sort keys, most significant first; its last key must be unique
(the id) so that every row has one place. Its cursor is the last row's key values:
``"<value>|…|<id>"`` as text (the pages' ``?after=``), or that text in URL-safe base64
(the API's opaque ``cursor``). A cursor that cannot be read is ``None`` for the pages
(they show the first page) and a ``ValueError`` for the API (it answers 422).

The condition "after the cursor" is written so that an index matching the order can seek
to it: a row comparison ``(a, b) > (x, y)`` when every key runs the same way, else the
first key's bound (``a <= x``) and the key-by-key form.
"""
import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

import sqlalchemy as sa

from ..extensions import db

SEPARATOR = "|"
MAX_ID = 2**63  # an id at or above this was never issued (and is too large for SQLite)


def whole_id(text: str) -> int:
    """An id read back from a cursor: a positive integer of a database's size."""
    value = int(text)
    if not 0 < value < MAX_ID:
        raise ValueError(text)
    return value


@dataclass(frozen=True)
class Key:
    column: object  # a column or SQL expression
    descending: bool = False
    parse: Callable[[str], object] = whole_id  # the cursor's text back to a value


class Order:
    """The sort of one list, most significant key first, the unique id last."""

    def __init__(self, *keys: Key):
        if not keys:
            raise ValueError("an order needs at least one key")
        self.keys = tuple(keys)

    def order_by(self) -> list:
        return [k.column.desc() if k.descending else k.column.asc() for k in self.keys]

    def after(self, values: Sequence):
        """SQL: the rows that come after the row whose keys are ``values``."""
        keys = self.keys
        if len(keys) == 1:
            key = keys[0]
            return key.column < values[0] if key.descending else key.column > values[0]
        if len({k.descending for k in keys}) == 1:
            row = sa.tuple_(*(k.column for k in keys))
            cursor = sa.tuple_(*(sa.literal(v, k.column.type)
                                 for k, v in zip(keys, values, strict=True)))
            return row < cursor if keys[0].descending else row > cursor
        # mixed directions: the first key's bound lets an index seek; then key by key
        first = keys[0]
        bound = first.column <= values[0] if first.descending else first.column >= values[0]
        alternatives = []
        for i, key in enumerate(keys):
            beyond = key.column < values[i] if key.descending else key.column > values[i]
            alternatives.append(sa.and_(*(keys[j].column == values[j] for j in range(i)),
                                        beyond))
        return sa.and_(bound, sa.or_(*alternatives))

    def seek(self, query, values: Sequence | None):
        """``query`` in this order, continued after ``values`` (None: from the start)."""
        if values is not None:
            query = query.where(self.after(values))
        return query.order_by(*self.order_by())

    # --- cursors --------------------------------------------------------------------

    def dump(self, values: Sequence) -> str:
        return SEPARATOR.join(_text(v) for v in values)

    def load(self, raw: str) -> tuple:
        """The key values of a cursor ``dump`` wrote; ValueError if it is not one."""
        # only the last separators split: the first value may hold a "|"
        parts = raw.rsplit(SEPARATOR, len(self.keys) - 1)
        if len(parts) != len(self.keys):
            raise ValueError(raw)
        return tuple(key.parse(part) for key, part in zip(self.keys, parts, strict=True))

    def load_or_none(self, raw: str | None) -> tuple | None:
        """The pages' reading: a missing or mangled cursor means the first page."""
        if not raw:
            return None
        try:
            return self.load(raw)
        except (ValueError, TypeError, AttributeError):
            return None

    def token(self, values: Sequence) -> str:
        """The API's opaque cursor (base64 of ``dump``, without padding)."""
        return base64.urlsafe_b64encode(self.dump(values).encode()).decode().rstrip("=")

    def from_token(self, raw: str) -> tuple:
        """The key values of an API cursor; ValueError if it is not one this order wrote."""
        try:
            text = base64.urlsafe_b64decode(raw.encode() + b"==").decode()
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise ValueError(raw) from exc
        return self.load(text)


def _text(value) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def fetch(query, order: Order, after: Sequence | None, limit: int,
          key_of: Callable, scalars: bool = False) -> tuple[list, tuple | None]:
    """One page: at most ``limit`` rows of ``query`` after ``after`` in ``order``, and
    the key values of its last row when more rows follow (None at the end). One
    statement: it reads one row more than it shows to know whether a next page exists.
    ``key_of(row)`` gives a row's key values in the order's order."""
    statement = order.seek(query, after).limit(limit + 1)
    result = db.session.scalars(statement) if scalars else db.session.execute(statement)
    rows = result.all()
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (tuple(key_of(rows[-1])) if more else None)
