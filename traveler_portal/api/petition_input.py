"""The whole petition over the API: ``job`` and ``answers`` on create and PATCH, validated
by the guided filing's own forms (``forms/filing.py``: JobForm with the category's
questions, TripForm for the dates) so the API names exactly the errors the browser shows,
under the API's names (``job.duties``, ``answers.<code>``).

JSON shape (shared/API.md): ``"job": {"occupation", "duties", "worksite",
"salary": {"amount", "currency"}, "start_date", "end_date"}``, ``"answers": {code: value}``.
"""
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from ..domain import filing
from ..domain.errors import ValidationFailed
from ..forms.filing import TripForm, job_form

JOB_KEYS = ("occupation", "duties", "worksite", "salary", "start_date", "end_date")
SALARY_KEYS = ("amount", "currency")
# Form field (the browser's step) → the API's name for it.
API_NAMES = {"occupation": "job.occupation", "duties": "job.duties",
             "worksite": "job.worksite", "salary": "job.salary.amount",
             "salary_currency": "job.salary.currency", "requested_start": "job.start_date",
             "requested_end": "job.end_date"}


def api_name(field: str) -> str:
    if field.startswith("x_"):
        return f"answers.{field[2:]}"
    return API_NAMES.get(field, field)


def renamed(exc: ValidationFailed) -> ValidationFailed:
    """The domain's (form-named) field errors under the API's names."""
    fields = {api_name(k): v for k, v in (exc.fields or {}).items()}
    return ValidationFailed(exc.message, fields, **exc.extra)


def _text(value) -> str:
    return "" if value is None else (value if isinstance(value, str) else str(value))


def _shape_errors(data: dict) -> dict:
    errors = {}
    job, answers = data.get("job"), data.get("answers")
    if job is not None and not isinstance(job, dict):
        errors["job"] = _("Send the job as an object.")
    elif isinstance(job, dict):
        for key in set(job) - set(JOB_KEYS):
            errors[f"job.{key}"] = _("Unknown field.")
        salary = job.get("salary")
        if salary is not None and not isinstance(salary, dict):
            errors["job.salary"] = _("Send the salary as {\"amount\", \"currency\"}.")
    if answers is not None and not isinstance(answers, dict):
        errors["answers"] = _("Send the answers as an object keyed by question code.")
    return errors


def wants_job(data: dict) -> bool:
    return "job" in data or "answers" in data


def job_values(petition) -> dict:
    """What a draft holds for the job step (form names), for merging a PATCH into."""
    values = {name: getattr(petition, name) for name in filing.JOB_FIELDS}
    values["details"] = dict(petition.details or {})
    values["requested_start"] = petition.requested_start
    values["requested_end"] = petition.requested_end
    return values


def parse(data: dict, category, stored: dict, trip: dict, force_job: bool = False) -> dict:
    """Validate ``job``/``answers`` of ``data`` merged over ``stored`` (a draft's
    ``job_values``, or the new draft's top-level fields) with the browser's forms; return
    the domain's changes (form names: JOB_FIELDS, ``details``, requested dates).
    ``trip``: destination_country, category, port_of_entry, travel_date (as sent or
    stored) for the dates' form. Raises ValidationFailed with the API's names."""
    errors = _shape_errors(data)
    if {"job", "answers", "job.salary"} & set(errors):  # nothing more can be read
        raise ValidationFailed(_("Some fields are not valid."), errors)
    job = data.get("job") or {}
    salary = job.get("salary") or {}
    values = {name: _text(stored.get(name)) for name in filing.JOB_FIELDS}
    for key in ("occupation", "duties", "worksite"):
        if key in job:
            values[key] = _text(job[key])
    if "salary" in job:
        values["salary"] = _text(salary.get("amount"))
        values["salary_currency"] = _text(salary.get("currency"))
    details = dict(stored.get("details") or {})
    questions = {q["name"] for q in category.extra_fields or []}
    for code, value in (data.get("answers") or {}).items():
        if code not in questions:
            errors[f"answers.{code}"] = _("This category has no question %(code)s.",
                                          code=code)
        elif value is None:
            details.pop(code, None)
        else:
            details[code] = _text(value)
    changes = {}
    if force_job or set(job) & {"occupation", "duties", "worksite", "salary"} or \
            "answers" in data:
        # The job step's form, whole, as the browser posts it.
        pairs = list(values.items())
        pairs += [(f"x_{code}", value) for code, value in details.items()]
        form = job_form(category, formdata=MultiDict(pairs), meta={"csrf": False})
        if not form.validate():
            errors.update({api_name(k): v for k, v in form.first_errors().items()})
        changes = form.job_values(filing.JOB_FIELDS)
        changes["details"] = {k: v for k, v in form.details().items() if v}
    start = job.get("start_date", stored.get("requested_start"))
    end = job.get("end_date", stored.get("requested_end"))
    if start is not None or end is not None:
        dates = TripForm(formdata=MultiDict([
            (k, _text(v.isoformat() if hasattr(v, "isoformat") else v))
            for k, v in {**trip, "requested_start": start, "requested_end": end}.items()
            if v is not None]), meta={"csrf": False})
        dates.set_country(trip.get("destination_country"))
        if not dates.validate():
            errors.update({api_name(k): v for k, v in dates.first_errors().items()
                           if k in ("requested_start", "requested_end")})
        changes["requested_start"] = dates.requested_start.data
        changes["requested_end"] = dates.requested_end.data
    if errors:
        raise ValidationFailed(_("Some fields are not valid."), errors)
    return changes


def job_json(petition) -> dict:
    """The petition's ``job`` (shared/API.md)."""
    return {"occupation": petition.occupation or None, "duties": petition.duties or None,
            "worksite": petition.worksite or None,
            "salary": ({"amount": petition.salary, "currency": petition.salary_currency or None}
                       if petition.salary else None),
            "start_date": petition.requested_start.isoformat()
            if petition.requested_start else None,
            "end_date": petition.requested_end.isoformat() if petition.requested_end else None}


def questions_json(category) -> list:
    """The category's own questions (``answers`` keys), as the job step asks them."""
    return [{"code": q["name"], "label": q["label"], "type": "text",
             "required": bool(q.get("required")), "choices": None,
             "hint": q.get("hint") or None, "max_length": 500}
            for q in category.extra_fields or []]
