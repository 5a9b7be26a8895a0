"""The employer dashboard's page pieces: the GET filter form, its translation into
``employer_dashboard.Filters``, and the streamed CSV export of the filtered view."""
import csv
import io

from flask import Response, request, stream_with_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import Optional

from ...domain import employer_dashboard as board
from ...domain import reference, workflow
from ...extensions import db
from ...forms.base import BaseForm, options
from ...models import User
from ...models.users import utcnow

COUNTRIES = (("US", _l("United States")), ("CA", _l("Canada")))
SORTS = [("travel", _l("Travel date")), ("status", _l("Status")),
         ("receipt", _l("Receipt number")), ("validity", _l("Validity end"))]
WAITING_LABELS = {"applicant": _l("The traveler"), "employer": _l("The employer"),
                  "agency": _l("The agency")}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class DashboardFilterForm(BaseForm):
    class Meta:
        csrf = False  # a read-only GET form

    country = SelectField(_l("Destination"), choices=[], validate_choice=False)
    category = SelectField(_l("Category"), choices=[], validate_choice=False)
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    traveler = StringField(_l("Traveler (name or email)"))
    travel_from = DateField(_l("Travel from"), validators=[Optional()])
    travel_to = DateField(_l("Travel until"), validators=[Optional()])
    sort = SelectField(_l("Sort by"), choices=options(SORTS), validate_choice=False)
    desc = BooleanField(_l("Descending"))

    def set_choices(self):
        self.country.choices = options([("", _l("Any destination")), *COUNTRIES])
        self.category.choices = options([("", _l("Any category"))] + [
            (c.code, f"{c.code} — {c.name}")
            for country, _label in COUNTRIES for c in reference.categories(country)])
        self.status.choices = options([("", _l("Any status"))] + [
            (s.value, workflow.STATUS_LABELS[s]) for s in board.STATUS_CHOICES])


def filters_from_request() -> tuple[DashboardFilterForm, board.Filters]:
    form = DashboardFilterForm(request.args)
    form.set_choices()
    form.validate()  # a bad date is reported next to its field and ignored
    # A value that is not one of the choices (?country=XX) is shown as an error beside
    # its field and not used: it would not bind to the enum column (500). An absent
    # filter is no filter (WTForms' own choice check would refuse it).
    def chosen(field) -> str:
        if field.data and field.data not in {str(choice.value) for choice in field.choices}:
            field.errors = [*field.errors, _("Choose one of the listed values.")]
        return "" if field.errors else (field.data or "")
    filters = board.Filters(
        country=chosen(form.country), category=chosen(form.category),
        status=chosen(form.status), traveler=(form.traveler.data or "")[:200],
        travel_from=None if form.travel_from.errors else form.travel_from.data,
        travel_to=None if form.travel_to.errors else form.travel_to.data,
        sort=form.sort.data if form.sort.data in board.SORTS else "travel",
        descending=bool(form.desc.data), after=request.args.get("after", ""))
    return form, filters


FILTER_FIELDS = ("country", "category", "status", "traveler", "travel_from", "travel_to")


def active_filters(form: DashboardFilterForm, args: dict) -> list[tuple[str, dict]]:
    """The filters in force as (words, the query without that filter): shown as tags,
    each removable on its own."""
    active = []
    for name in FILTER_FIELDS:
        field = form[name]
        value = args.get(name, "")
        if not value or field.errors:
            continue
        shown = value
        if isinstance(field, SelectField):
            shown = next((str(c.label) for c in field.choices if c.value == value), value)
        rest = {k: v for k, v in args.items() if k != name}
        active.append((f"{field.label.text}: {shown}", rest))
    return active


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP's CSV-injection advice)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _header():
    return [_("Receipt number"), _("Traveler"), _("Traveler email"), _("Destination"),
            _("Category"), _("Status"), _("Waiting on"), _("Travel date"), _("Decision"),
            _("Validity end")]


def _words() -> tuple[dict, dict]:
    """The status and waiting-on words in the reader's language, looked up once per
    export rather than twice per row (a lazy string translates on every use)."""
    return ({status: str(label) for status, label in workflow.STATUS_LABELS.items()},
            {key: str(label) for key, label in WAITING_LABELS.items()})


def _line(row: board.Row, words: tuple[dict, dict]) -> list:
    p = row.petition
    statuses, waiting = words
    return [p.receipt_number, p.traveler.name, p.traveler.email, p.destination_country.value,
            p.category.code, statuses[row.status],
            waiting.get(row.waiting_on, ""), p.travel_date.isoformat(),
            statuses[row.status] if row.decision else "",
            row.valid_until.isoformat() if row.valid_until else ""]


def csv_response(user, filters: board.Filters) -> Response:
    """Every row of the filtered view (all pages), streamed; UTF-8 with a BOM so
    spreadsheet applications read the accents right.

    The body is produced after the view returns, when the request's database session is
    gone: the header (hence the locale, cached for the request) is resolved now, and the
    generator reloads the account by id in the session it runs in."""
    filters.after = ""
    header, words, user_id = _header(), _words(), user.id

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        yield "\ufeff" + buffer.getvalue()
        reader = db.session.get(User, user_id)
        for row in board.every_row(reader, filters):
            buffer.seek(0)
            buffer.truncate()
            writer.writerow([safe_cell(c) for c in _line(row, words)])
            yield buffer.getvalue()

    name = f"petitions-{utcnow().date().isoformat()}.csv"
    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
