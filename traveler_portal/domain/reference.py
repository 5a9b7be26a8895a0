"""Read access to reference data for forms, pages and the API."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Category, Port, ReasonCode

COUNTRIES = {"US": _l("United States"), "CA": _l("Canada")}


def categories(country: str) -> list[Category]:
    return db.session.scalars(
        sa.select(Category).where(Category.country == country, Category.active.is_(True))
        .options(selectinload(Category.required_documents)).order_by(Category.id)).all()


def category(country: str, code: str) -> Category | None:
    if country not in COUNTRIES:  # e.g. "MX" from an API client: no category, not a 500
        return None
    return db.session.scalars(sa.select(Category).where(
        Category.country == country, Category.code == code, Category.active.is_(True))).first()


def ports(country: str) -> list[Port]:
    return db.session.scalars(sa.select(Port).where(Port.country == country,
                                                    Port.active.is_(True))
                              .order_by(Port.name)).all()


def port(country: str, code: str) -> Port | None:
    return db.session.scalars(sa.select(Port).where(
        Port.country == country, Port.code == code, Port.active.is_(True))).first()


def reason_codes() -> list[ReasonCode]:
    return db.session.scalars(sa.select(ReasonCode).where(ReasonCode.active.is_(True))
                              .order_by(ReasonCode.id)).all()


def reason_map(codes) -> dict[str, ReasonCode]:
    if not codes:
        return {}
    return {r.code: r for r in db.session.scalars(
        sa.select(ReasonCode).where(ReasonCode.code.in_(list(codes))))}
