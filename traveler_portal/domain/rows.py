"""Finding one row the caller may see: the query carries the caller's scope (their
organization, their country), and a row outside it is reported as missing (a 404), never
as forbidden."""
from ..extensions import db
from .errors import NotFound


def one_or_not_found(statement, message: str):
    """The first row ``statement`` selects; ``NotFound(message)`` when there is none."""
    row = db.session.scalars(statement).first()
    if row is None:
        raise NotFound(message)
    return row
