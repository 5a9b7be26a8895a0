"""Read access to reference data for forms, pages and the API."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import AdjudicationQueue, Category, Port, ReasonCode

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


def agency_name(petition, lang: str = "en") -> str:
    """The agency deciding ``petition`` (queues.toml, per queue), in ``lang``: its queue's,
    else (a queue made in the admin pages without one, or not routed) that of a port queue
    of the same country."""
    queue = petition.queue
    if queue is None or not queue.agency_name:
        queue = db.session.scalars(sa.select(AdjudicationQueue).where(
            AdjudicationQueue.country == petition.destination_country,
            AdjudicationQueue.agency_name != "",
            AdjudicationQueue.is_triage.is_(False)).order_by(AdjudicationQueue.id)).first()
    if queue is None:
        return ""
    return queue.agency_name_fr if lang == "fr" and queue.agency_name_fr else queue.agency_name


def port_time_zone_for_staff(user) -> str | None:
    """The time zone of the port served by the officer's first queue (by the routing rules
    that feed it), for an officer who has not chosen one; None for triage-only staff."""
    from ..models import RoutingRule  # noqa: PLC0415
    from ..models.reference import queue_officers  # noqa: PLC0415
    return db.session.scalars(
        sa.select(Port.time_zone)
        .join(RoutingRule, sa.and_(RoutingRule.port_code == Port.code,
                                   RoutingRule.country == Port.country))
        .join(queue_officers, queue_officers.c.queue_id == RoutingRule.queue_id)
        .where(queue_officers.c.user_id == user.id, Port.time_zone != "")
        .order_by(RoutingRule.queue_id).limit(1)).first()
