"""Supervisors' pages for their country: the dashboard (queues, deadlines, decisions,
workload, as charts and tables), reassigning and unclaiming cases, the denials awaiting a
second approval, and the audit trail (filterable, exportable as CSV)."""
from datetime import date

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ...domain import audit, casework, dashboard, reference
from ...domain.errors import Conflict, DomainError
from ...forms.base import BaseForm, options
from ...models import Role
from ..support import charts
from ..support.permissions import roles_required
from . import audit_words
from .blueprint import bp


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET search form
    actor_email = StringField(_l("Who (email contains)"), validators=[Length(max=254)])
    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    receipt_number = StringField(_l("Receipt number"), validators=[Length(max=32)])
    date_from = DateField(_l("From"), format="%Y-%m-%d", validators=[Optional()])
    date_to = DateField(_l("Until"), format="%Y-%m-%d", validators=[Optional()])


class ReviewForm(BaseForm):
    note = TextAreaField(_l("Note to the officer"), validators=[Length(max=5000)])
    version = HiddenField()


class CaseForm(BaseForm):
    officer = SelectField(_l("Officer"), choices=[], validate_choice=False)
    version = HiddenField()


def _back(endpoint=".dashboard", anchor=""):
    return redirect(url_for(endpoint) + anchor)


@bp.get("/", endpoint="dashboard")
@roles_required(Role.SUPERVISOR)
def dashboard_page():
    """The country's queues, deadlines, decisions and workload, as charts and tables."""
    country, today = current_user.country, date.today()
    per_day = dashboard.decisions_per_day(country, today)
    rates = dashboard.approval_rates(country, today)
    workload = dashboard.workload(country)
    labels = [d.strftime("%m-%d") for d, _a, _d in per_day]
    return render_template(
        "supervisor/dashboard.html", today=today, queues=dashboard.queue_rows(country, today),
        per_day=per_day, rates=rates, workload=workload,
        in_review=dashboard.in_review(country), form=CaseForm(formdata=None),
        day_chart=charts.bar_chart("chart-days", _("Decisions per day, last 30 days"), labels,
                                   [(_("Approved"), [a for _d, a, _x in per_day]),
                                    (_("Denied"), [x for _d, _a, x in per_day])]),
        rate_chart=charts.bar_chart("chart-rates",
                                    _("Approval rate per category, last 30 days (%)"),
                                    [r[0] for r in rates],
                                    [(_("Approval rate (%)"), [r[3] for r in rates])], 100),
        load_chart=charts.bar_chart("chart-load", _("Cases in review per officer"),
                                    [u.name for u, _n in workload],
                                    [(_("Cases in review"), [n for _u, n in workload])]))


@bp.post("/cases/<receipt_number>/reassign")
@roles_required(Role.SUPERVISOR)
def reassign(receipt_number):
    """Give a case in review to another officer."""
    form = CaseForm()
    if form.validate_on_submit():
        try:
            casework.reassign(current_user, receipt_number, form.officer.data,
                              form.version.data)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("%(number)s is now with %(officer)s.", number=receipt_number,
                    officer=form.officer.data), "success")
    return _back(anchor="#in-review")


@bp.post("/cases/<receipt_number>/unclaim")
@roles_required(Role.SUPERVISOR)
def unclaim(receipt_number):
    """Put a case in review back in its queue."""
    form = CaseForm()
    if form.validate_on_submit():
        try:
            casework.unclaim(current_user, receipt_number, form.version.data)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("%(number)s is back in its queue.", number=receipt_number), "success")
    return _back(anchor="#in-review")


@bp.get("/denials")
@roles_required(Role.SUPERVISOR)
def denials():
    """Denials waiting for a second approval."""
    return render_template("supervisor/denials.html",
                           petitions=casework.pending_denials(current_user),
                           reasons=_reason_titles(), form=ReviewForm(formdata=None))


def _reason_titles() -> dict:
    """Reason code → its reference entry, so the review reads titles, not codes."""
    return {r.code: r for r in reference.reason_codes()}


@bp.post("/denials/<receipt_number>")
@roles_required(Role.SUPERVISOR)
def review(receipt_number):
    """Approve a denial (the traveler is told) or return it to the officer with a note."""
    form = ReviewForm()
    action = request.form.get("action", "")
    if form.validate_on_submit():
        try:
            casework.review_denial(current_user, receipt_number, action, form.note.data,
                                   form.version.data)
        except Conflict as exc:
            flash(exc.message, "error")
        except DomainError as exc:
            # One inline error on the note (and the summary above it), not a flash too.
            message = next(iter((exc.fields or {}).values()), exc.message)
            return render_template("supervisor/denials.html", form=form,
                                   petitions=casework.pending_denials(current_user),
                                   reasons=_reason_titles(),
                                   failed=receipt_number, failure=message), 422
        else:
            flash(_("The denial of %(number)s was confirmed; the traveler is told.",
                    number=receipt_number) if action == "approve" else
                  _("The denial of %(number)s went back to its officer.",
                    number=receipt_number), "success")
    return _back(".denials")


def _audit_filter():
    form = AuditFilterForm(request.args)
    form.action.choices = options([("", _("Any action"))] + [
        (a, audit_words.words(a)) for a in audit.actions(current_user.country)])
    form.validate()
    data = audit.AuditFilter(
        actor_email=form.actor_email.data or "", action=form.action.data or "",
        receipt_number=form.receipt_number.data or "",
        date_from=form.date_from.data if not form.date_from.errors else None,
        date_to=form.date_to.data if not form.date_to.errors else None)
    return form, data


@bp.get("/audit")
@roles_required(Role.SUPERVISOR)
def audit_trail():
    """The country's audit trail, newest first, with filters."""
    form, filters = _audit_filter()
    return render_template("supervisor/audit.html", form=form,
                           rows=audit.entries(current_user.country, filters),
                           page_size=audit.PAGE_SIZE, query=request.query_string.decode(),
                           action_words=audit_words.words)


@bp.get("/audit.csv")
@roles_required(Role.SUPERVISOR)
def audit_csv():
    """The filtered audit trail as CSV (every matching entry)."""
    _form, filters = _audit_filter()
    body = audit.to_csv(audit.entries(current_user.country, filters, limit=None))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=audit-{current_user.country.value}-"
                               f"{date.today().isoformat()}.csv",
        "Cache-Control": "private, no-store"})
