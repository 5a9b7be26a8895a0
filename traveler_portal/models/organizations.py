"""Invitations into an organization and bulk imports of employees."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import ORG_ROLES, check_in
from .types import UTCDateTime
from .users import Organization, User, utcnow

INVITATION_KINDS = ("colleague", "traveler")
IMPORT_STATES = ("queued", "running", "finished", "failed")


class Invitation(db.Model):
    """A signed, expiring, single-use invitation sent by email: a colleague (employer user
    with a role) or a traveler (employee) to link to the organization."""
    __tablename__ = "invitations"
    __table_args__ = (
        sa.CheckConstraint(f"kind IN {INVITATION_KINDS}", name="kind"),
        check_in("org_role", ORG_ROLES),
        sa.Index("ix_invitations_org_email", "organization_id", "email"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[str] = mapped_column(sa.ForeignKey("organizations.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    email: Mapped[str] = mapped_column(sa.String(254))
    name: Mapped[str] = mapped_column(sa.String(200), default="")
    org_role: Mapped[str | None] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    import_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employee_imports.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])


class EmployeeImport(db.Model):
    """One uploaded CSV of employees, validated row by row by a Celery task."""
    __tablename__ = "employee_imports"
    __table_args__ = (sa.CheckConstraint(f"state IN {IMPORT_STATES}", name="state"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[str] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(sa.String(255))
    stored_name: Mapped[str] = mapped_column(sa.String(64))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    state: Mapped[str] = mapped_column(sa.String(16), default="queued")
    total_rows: Mapped[int] = mapped_column(default=0)
    processed_rows: Mapped[int] = mapped_column(default=0)
    accepted_rows: Mapped[int] = mapped_column(default=0)
    duplicate_rows: Mapped[int] = mapped_column(default=0)
    rejected_rows: Mapped[int] = mapped_column(default=0)
    # [{"row": n, "email": ..., "reason": ...}] for the downloadable report.
    rejections: Mapped[list] = mapped_column(sa.JSON, default=list)
    error: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrganizationFigures(db.Model):
    """An organization's dashboard figures, recomputed by a beat task
    (``organization_figures.recompute``) so that a page view counts nothing however large
    the organization: one small row read by key. No personal data."""
    __tablename__ = "organization_figures"
    organization_id: Mapped[str] = mapped_column(sa.ForeignKey("organizations.id"),
                                                 primary_key=True)
    travelers: Mapped[int]  # travelers linked to the organization
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

