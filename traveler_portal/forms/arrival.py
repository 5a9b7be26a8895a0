"""The port officer's forms: looking a traveler up, recording an arrival, and the quick
"no pre-adjudication" entry. Times are entered in UTC (the hint says so)."""
from datetime import UTC

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from ..domain import reference
from ..domain.arrivals import ArrivalInput
from ..models.users import utcnow
from .base import BaseForm, options

TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
OUTCOMES = [("admitted", _l("Admitted under the approved category")),
            ("secondary", _l("Referred to secondary inspection")),
            ("refused", _l("Refused entry")),
            ("admitted_other", _l("Admitted under another status"))]


class LookupForm(BaseForm):
    receipt_number = StringField(_l("Receipt number or code from the notice's QR code"),
                                 validators=[Length(max=200)])
    passport_number = StringField(_l("Passport number"), validators=[Length(max=40)])
    date_of_birth = DateField(_l("Date of birth"), format="%Y-%m-%d",
                              validators=[Optional()])


class _InspectionForm(BaseForm):
    outcome = RadioField(_l("Outcome of the inspection"), choices=options(OUTCOMES),
                         validators=[InputRequired(_l("Choose the outcome."))])
    port_of_entry = SelectField(_l("Port of entry"), choices=[],
                                validators=[InputRequired(_l("Choose the port of entry."))])
    admitted_until = DateField(_l("Admitted until (admissions only)"), format="%Y-%m-%d",
                               validators=[Optional()])
    reason_code = SelectField(_l("Reason for refusing entry (refusals only)"), choices=[],
                              validate_choice=False)
    inspection_started_at = DateTimeLocalField(
        _l("Inspection started (UTC)"), format=TIME_FORMATS,
        validators=[InputRequired(_l("Give the time the inspection started."))])
    inspection_ended_at = DateTimeLocalField(_l("Inspection ended (UTC)"), format=TIME_FORMATS,
                                             validators=[Optional()])
    note = TextAreaField(_l("Note (agency only)"), validators=[Length(max=2000)])

    def set_choices(self, country: str, default_port: str | None):
        self.port_of_entry.choices = options(
            [(p.code, p.name) for p in reference.ports(country)])
        self.reason_code.choices = options([("", _l("No reason (not refused)"))] + [
            (r.code, f"{r.title} ({r.code})") for r in reference.reason_codes()])
        if not self.is_submitted():
            self.port_of_entry.data = default_port
            self.inspection_started_at.data = utcnow().replace(tzinfo=None, second=0,
                                                               microsecond=0)
        return self

    def to_input(self, **extra) -> ArrivalInput:
        def utc(value):
            return value.replace(tzinfo=UTC) if value else None
        return ArrivalInput(
            outcome=self.outcome.data or "", port_code=self.port_of_entry.data or "",
            admitted_until=self.admitted_until.data, reason_code=self.reason_code.data or "",
            inspection_started_at=utc(self.inspection_started_at.data),
            # Left empty: the inspection ends as the officer records it.
            inspection_ended_at=utc(self.inspection_ended_at.data) or utcnow(),
            note=self.note.data or "", **extra)


class ArrivalForm(_InspectionForm):
    checked_warnings = BooleanField(_l("I have checked the warnings above and record the "
                                       "arrival anyway"))
    another_crossing = BooleanField(_l("Record another crossing (a new trip on the same "
                                       "approval)"))


class QuickEntryForm(_InspectionForm):
    category = SelectField(_l("Category (if known)"), choices=[], validate_choice=False)

    def set_choices(self, country: str, default_port: str | None):
        super().set_choices(country, default_port)
        self.category.choices = options([("", _l("Not known"))] + [
            (c.code, f"{c.name} ({c.code})") for c in reference.categories(country)])
        return self
