"""Column types that behave the same on SQLite and PostgreSQL."""
from datetime import UTC

import sqlalchemy as sa


class UTCDateTime(sa.TypeDecorator):
    """Timestamps are always timezone-aware UTC in Python.

    SQLite keeps no offset and hands back naive values; this stores UTC and re-attaches
    the offset, so comparing a loaded timestamp with ``utcnow()`` works on both databases.
    """
    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC timestamp")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
