"""Counting the SQL statements a piece of work sends (the house rule: a page costs as many
statements whatever the rows)."""
from contextlib import contextmanager

from sqlalchemy import event


@contextmanager
def counted(engine):
    """``with counted(engine) as statements:`` the SQL sent meanwhile, one entry each."""
    statements = []

    def listener(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listener)
