"""Reference data loaded from ``traveler_portal/reference/data`` (never edited in code)."""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .bilingual import bilingual, bilingual_items
from .enums import CHANNELS, PORT_KINDS, Country, check_in, enum_column
from .users import User


class Category(db.Model):
    __tablename__ = "categories"
    __table_args__ = (sa.UniqueConstraint("country", "code", name="uq_categories_country_code"),
                      check_in("channel", CHANNELS))
    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[Country] = mapped_column(enum_column(Country, "category_country"))
    code: Mapped[str] = mapped_column(sa.String(32))
    name_en: Mapped[str] = mapped_column("name", sa.String(200))
    name_fr: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    name = bilingual("name_en", "name_fr")
    decided_by_en: Mapped[str] = mapped_column("decided_by", sa.String(200), default="")
    decided_by_fr: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    decided_by = bilingual("decided_by_en", "decided_by_fr")
    # "port": decided at a port of entry; anything else names the only authority that may
    # decide it (a consulate, IRCC), so a port queue must never take it.
    channel: Mapped[str] = mapped_column(sa.String(32), default="port")
    max_validity_days: Mapped[int | None]
    # Questions this category asks beyond the common ones:
    # [{name, label, label_fr, hint, hint_fr, required}]; ``extra_fields`` reads them in the
    # reader's language.
    extra_fields_data: Mapped[list] = mapped_column("extra_fields", sa.JSON, default=list,
                                                    server_default="[]")
    extra_fields = bilingual_items("extra_fields_data", ("label", "hint"))
    default_validity_days: Mapped[int | None]
    # What the officer checks: [{key, label, label_fr}] (documents and conditions from
    # DOMAIN.md); ``checklist`` reads them in the reader's language.
    checklist_data: Mapped[list] = mapped_column("checklist", sa.JSON, default=list,
                                                 server_default="[]")
    checklist = bilingual_items("checklist_data", ("label",))
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)

    required_documents: Mapped[list["RequiredDocument"]] = relationship(
        order_by="RequiredDocument.position", cascade="all, delete-orphan")


class RequiredDocument(db.Model):
    __tablename__ = "required_documents"
    __table_args__ = (sa.UniqueConstraint("category_id", "kind",
                                          name="uq_required_documents_category_kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"))
    kind: Mapped[str] = mapped_column(sa.String(64))
    name_en: Mapped[str] = mapped_column("name", sa.String(200))
    name_fr: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    name = bilingual("name_en", "name_fr")
    description_en: Mapped[str] = mapped_column("description", sa.Text, default="")
    description_fr: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    description = bilingual("description_en", "description_fr")
    required: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    position: Mapped[int] = mapped_column(default=0)


class Port(db.Model):
    __tablename__ = "ports"
    __table_args__ = (sa.UniqueConstraint("country", "code", name="uq_ports_country_code"),
                      check_in("kind", PORT_KINDS))
    id: Mapped[int] = mapped_column(primary_key=True)
    country: Mapped[Country] = mapped_column(enum_column(Country, "port_country"))
    code: Mapped[str] = mapped_column(sa.String(32))
    name_en: Mapped[str] = mapped_column("name", sa.String(200))
    name_fr: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    name = bilingual("name_en", "name_fr")
    kind: Mapped[str] = mapped_column(sa.String(32), default="land")
    # IANA zone of the port: officers working its queue read times in it by default.
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="", server_default="")
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)


class AdjudicationQueue(db.Model):
    __tablename__ = "queues"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name_en: Mapped[str] = mapped_column("name", sa.String(200))
    name_fr: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    name = bilingual("name_en", "name_fr")
    country: Mapped[Country] = mapped_column(enum_column(Country, "queue_country"))
    sla_business_days: Mapped[int] = mapped_column(default=5)
    is_triage: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    # The agency deciding this queue's petitions (CBP, USCIS, CBSA, IRCC), named on its
    # notices; from queues.toml ([agency.<code>] names, ``agency`` on each queue).
    agency: Mapped[str] = mapped_column(sa.String(16), default="", server_default="")
    agency_name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    agency_name_fr: Mapped[str] = mapped_column(sa.String(200), default="",
                                                server_default="")

    officers: Mapped[list["User"]] = relationship(secondary="queue_officers")


queue_officers = sa.Table(
    "queue_officers", db.metadata,
    sa.Column("queue_id", sa.ForeignKey("queues.id"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id"), primary_key=True),
)


class RoutingRule(db.Model):
    """Destination country (+ port, + category) → queue; the most specific match wins,
    then the lowest ``position``."""
    __tablename__ = "routing_rules"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    country: Mapped[Country] = mapped_column(enum_column(Country, "rule_country"))
    port_code: Mapped[str | None] = mapped_column(sa.String(32))
    category_code: Mapped[str | None] = mapped_column(sa.String(32))
    queue_id: Mapped[int] = mapped_column(sa.ForeignKey("queues.id"))
    position: Mapped[int] = mapped_column(default=100)
    authority: Mapped[str | None] = mapped_column(sa.String(32))
    effective_from: Mapped[date | None] = mapped_column(sa.Date)
    effective_to: Mapped[date | None] = mapped_column(sa.Date)

    queue: Mapped[AdjudicationQueue] = relationship()


# One row whose number the database raises on every change to ``routing_rules`` and
# ``queues`` (triggers, migration 0022): a worker keeps the rules in memory and reads them
# again when the number moved (domain/routing.py).
routing_version = sa.Table(
    "routing_version", db.metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger, nullable=False),
)


class ReasonCode(db.Model):
    __tablename__ = "reason_codes"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(64), unique=True)
    title_en: Mapped[str] = mapped_column("title", sa.String(200))
    title_fr: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    title = bilingual("title_en", "title_fr")
    explanation_en: Mapped[str] = mapped_column("explanation", sa.Text)
    explanation_fr: Mapped[str] = mapped_column(sa.Text, default="")
    explanation = bilingual("explanation_en", "explanation_fr")
    citation_us: Mapped[str] = mapped_column(sa.String(200), default="")
    citation_ca: Mapped[str] = mapped_column(sa.String(200), default="")
    active: Mapped[bool] = mapped_column(sa.Boolean, default=True)
