"""Guided filing: what each step of a draft needs, checked on the server.

Steps: trip → job → documents → review → attest and submit. The forms check the same
rules for friendly messages; these checks are the guard every change goes through
(``petitions.update_draft``) and what decides whether a draft may be attested.
Errors are keyed by the form field names of the step they belong to.
"""
import re

from flask_babel import gettext as _

from ..models import Category, Petition
from ..models.users import utcnow

STEPS = ("trip", "job", "documents", "review", "attest")
JOB_FIELDS = ("job_title", "employer_name", "occupation", "duties", "worksite", "salary",
              "salary_currency")
CURRENCIES = ("USD", "CAD")
SALARY_PATTERN = re.compile(r"^\d{1,12}(\.\d{1,2})?$")


def wrong_channel(category: Category) -> str | None:
    """Where to apply instead, for a category no port decides (trader, investor)."""
    if category.channel == "port":
        return None
    return _("%(name)s is decided by %(authority)s, not at a port of entry: apply there "
             "instead (WRONG_CHANNEL).", name=category.name, authority=category.decided_by)


def trip_errors(category: Category, travel_date, start, end, *, require_dates=True) -> dict:
    today, errors = utcnow().date(), {}
    refusal = wrong_channel(category)
    if refusal:
        errors["category"] = refusal
    if travel_date is None or travel_date < today:
        errors["travel_date"] = _("The travel date cannot be in the past.")
    if start is None:
        if require_dates:
            errors["requested_start"] = _("Give the date your work starts.")
    elif start < today:
        errors["requested_start"] = _("The start date cannot be before today.")
    if end is None:
        if require_dates:
            errors["requested_end"] = _("Give the date your work ends.")
    elif start is not None and end <= start:
        errors["requested_end"] = _("The end date must be after the start date.")
    elif start is not None and category.max_validity_days and \
            (end - start).days > category.max_validity_days:
        errors["requested_end"] = _("This category allows a stay of at most %(days)d days.",
                                    days=category.max_validity_days)
    return errors


def detail_errors(category: Category, details: dict) -> dict:
    """The category's own questions (reference data): required ones must be answered."""
    return {f"x_{q['name']}": _("Answer this question: %(label)s", label=q["label"])
            for q in category.extra_fields or []
            if q.get("required") and not str((details or {}).get(q["name"], "")).strip()}


def job_errors(values: dict) -> dict:
    errors = {name: _("Fill in this field.") for name in JOB_FIELDS
              if not str(values.get(name) or "").strip()}
    salary = str(values.get("salary") or "")
    if salary and not SALARY_PATTERN.match(salary):
        errors["salary"] = _("Give the salary as a number, for example 95000 or 95000.50.")
    currency = values.get("salary_currency")
    if currency and currency not in CURRENCIES:
        errors["salary_currency"] = _("Choose US dollars or Canadian dollars.")
    return errors


def step_problems(petition: Petition) -> dict[str, dict]:
    """Step → its field errors, for the trip and job steps that are not complete."""
    problems = {}
    trip = trip_errors(petition.category, petition.travel_date, petition.requested_start,
                       petition.requested_end)
    if trip:
        problems["trip"] = trip
    job = job_errors({name: getattr(petition, name) for name in JOB_FIELDS})
    job.update(detail_errors(petition.category, petition.details))
    if job:
        problems["job"] = job
    return problems


def first_unfinished_step(petition: Petition, missing_documents: list) -> str:
    problems = step_problems(petition)
    for step in ("trip", "job"):
        if step in problems:
            return step
    return "documents" if missing_documents else "review"
