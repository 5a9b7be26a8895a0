"""What every form shares: white space stripped, hidden fields without ids, choices
built the WTForms 3.4 way, an email check, a new password with its confirmation, and the
domain's field errors shown on a form.

The API feeds its JSON body in as form data (see ``api.helpers.form_from_json``), with
CSRF off because it authenticates with bearer tokens, not cookies.
"""
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from ..domain.accounts import MIN_PASSWORD
from ..domain.errors import DomainError
from ..models.users import utcnow

PASSWORD = _l("Password (at least 12 characters)")
CONFIRM = _l("Confirm password")


def new_password_fields(label=PASSWORD, confirm_label=CONFIRM):
    """``password, confirm = new_password_fields()``: a password being chosen (registration,
    an invitation, a reset or a change) and the same typed again."""
    kw = {"render_kw": {"autocomplete": "new-password"}}
    return (PasswordField(label, validators=[
                DataRequired(_l("Choose a password.")),
                Length(min=MIN_PASSWORD, message=_l("Use at least 12 characters."))], **kw),
            PasswordField(confirm_label, validators=[
                DataRequired(_l("Type the password again.")),
                EqualTo("password", _l("The passwords do not match."))], **kw))

def options(pairs) -> list[SelectChoice]:
    """A select or radio field's choices from ``(value, label)`` pairs (or choices already
    made): WTForms 3.4 drops plain tuples."""
    return [p if isinstance(p, SelectChoice) else SelectChoice(*p) for p in pairs]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Strips surrounding white space from every text field. Hidden fields (the CSRF token,
    the version on screen) render without an id: a page with several forms would repeat
    ``id="csrf_token"``, and nothing points at a hidden field."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = unbound_field.kwargs.get("filters", [])
            if _strip not in filters:
                unbound_field.kwargs["filters"] = [_strip, *filters]
            if issubclass(unbound_field.field_class, HiddenField):
                unbound_field.kwargs["render_kw"] = {
                    "id": False, **(unbound_field.kwargs.get("render_kw") or {})}
            return unbound_field.bind(form=form, **options)

    def first_errors(self) -> dict:
        return {name: str(messages[0]) for name, messages in self.errors.items() if messages}


class LinesField(TextAreaField):
    """A list of short texts: one per line in a textarea, or repeated values (JSON list)."""

    def process_formdata(self, valuelist):
        items = []
        for value in valuelist:
            items += [line.strip() for line in str(value).splitlines() if line.strip()]
        self.data = items

    def _value(self):
        return "\n".join(self.data or [])


class EmailAddress:
    """A plausible address (one @, a dotted domain). Deliverability is not judged here:
    reserved test domains (``.test``, ``.invalid``) must work as they do for accounts."""
    PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        if field.data and not self.PATTERN.match(field.data):
            raise ValidationError(self.message or _l("Give a valid email address."))


def not_in_past(form, field):
    if field.data and field.data < utcnow().date():
        raise ValidationError(_l("The travel date cannot be in the past."))


def apply_errors(form, exc: DomainError, fallback: str | None = None) -> None:
    """Show the domain's field errors on the form's fields (unknown ones on ``fallback``)."""
    for name, message in (exc.fields or {"": exc.message}).items():
        target = form[name] if name in form else (form[fallback] if fallback else None)
        if target is not None:
            target.errors = [*target.errors, message]
