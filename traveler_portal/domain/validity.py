"""How long an approval runs by default: the period the traveler asked for, capped by the
category's maximum. The officer may change it; the page then says how the chosen date
differs from the request (``difference``)."""
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class ValidityDefault:
    until: date | None        # the date the decision form starts with
    requested: date | None    # the traveler's requested end (None when not usable)
    maximum: date | None      # today + the category's maximum, when it has one
    capped: bool              # the request ran past the maximum, so the maximum is used


def default_validity(petition, today: date) -> ValidityDefault:
    """The requested end when it is after today, else the category's default; never past
    the category's maximum."""
    category = petition.category
    maximum = today + timedelta(days=category.max_validity_days) \
        if category.max_validity_days else None
    requested = petition.requested_end if petition.requested_end and \
        petition.requested_end > today else None
    if requested:
        until = requested
    else:
        days = category.default_validity_days or category.max_validity_days
        until = today + timedelta(days=days) if days else None
    capped = bool(until and maximum and until > maximum)
    if capped:
        until = maximum
    return ValidityDefault(until, requested, maximum, capped and requested is not None)


def difference(chosen: date | None, requested: date | None) -> int | None:
    """Days the chosen end lies after (positive) or before (negative) the requested end."""
    if chosen is None or requested is None:
        return None
    return (chosen - requested).days
