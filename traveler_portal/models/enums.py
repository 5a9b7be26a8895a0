"""Closed vocabularies, enforced by the database as CHECK constraints."""
import enum

import sqlalchemy as sa


class StrEnum(str, enum.Enum):
    def __str__(self):
        return self.value


class Role(StrEnum):
    TRAVELER = "traveler"
    EMPLOYER = "employer"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class Country(StrEnum):
    US = "US"
    CA = "CA"


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    QUEUED = "queued"
    IN_REVIEW = "in_review"
    EVIDENCE_REQUESTED = "evidence_requested"
    APPROVED = "approved"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    # Agency-internal states: travelers and employers see them as "in_review".
    ON_HOLD = "on_hold"
    DENIAL_PENDING = "denial_pending"
    # An approval whose validity has passed.
    EXPIRED = "expired"


class Outcome(StrEnum):
    APPROVED = "approved"
    DENIED = "denied"
    EVIDENCE_REQUESTED = "evidence_requested"


def enum_column(enum_cls, name):
    """A string column whose values the database itself restricts to ``enum_cls``."""
    return sa.Enum(enum_cls, name=name, native_enum=False, create_constraint=True,
                   length=32, values_callable=lambda e: [m.value for m in e],
                   validate_strings=True)
