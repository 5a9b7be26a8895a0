"""Closed vocabularies, enforced by the database as CHECK constraints."""
import enum

import sqlalchemy as sa


class StrEnum(enum.StrEnum):
    """A vocabulary whose members are their stored words (``str(Role.OFFICER) == "officer"``)."""


class Role(StrEnum):
    TRAVELER = "traveler"
    EMPLOYER = "employer"
    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    # Staff at a port of entry of one country: looks travelers up and records what
    # happened at the border; never decides a petition.
    PORT_OFFICER = "port_officer"


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


# Vocabularies kept as plain strings, each under a CHECK constraint named after its column.
ORG_ROLES = ("owner", "admin", "viewer")
REVIEW_STATES = ("pending", "approved", "returned")  # four eyes on a denial
CHANNELS = ("port", "consulate", "ircc")  # who may decide a category
PORT_KINDS = ("land", "air", "sea", "rail", "preclearance")
# What a port officer records at the end of an inspection (models/arrivals.py).
ARRIVAL_OUTCOMES = ("admitted", "secondary", "refused", "admitted_other")


def check_in(column: str, values: tuple) -> sa.CheckConstraint:
    """``column IN values``, named after the column (ck_<table>_<column>)."""
    return sa.CheckConstraint(f"{column} IN {values}", name=column)


def enum_column(enum_cls, name):
    """A string column whose values the database itself restricts to ``enum_cls``."""
    return sa.Enum(enum_cls, name=name, native_enum=False, create_constraint=True,
                   length=32, values_callable=lambda e: [m.value for m in e],
                   validate_strings=True)
