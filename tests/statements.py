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


def queries(statements: list[str]) -> list[str]:
    """The statements without transaction control (BEGIN, COMMIT, ROLLBACK: SQLite's
    explicit BEGIN IMMEDIATE is no query of the code under test)."""
    return [s for s in statements
            if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
