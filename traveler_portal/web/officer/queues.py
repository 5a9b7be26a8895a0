"""The officer's queue workspace: one queue's waiting cases (sorted, filtered, paged),
claiming a case picked from the list, and putting a claimed case on hold."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, DateField, HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...domain import access, adjudication, workspace
from ...domain.errors import Conflict, ValidationFailed
from ...forms.base import BaseForm, apply_errors, options
from ...models.users import utcnow
from ..support.permissions import roles_required
from .blueprint import AGENCY, bp


class ListForm(BaseForm):
    class Meta:
        csrf = False  # a read-only GET form

    sort = SelectField(_l("Sort by"), choices=options([("priority", _l("Priority")),
                                               ("due", _l("Due date")),
                                               ("travel", _l("Travel date"))]))
    category = SelectField(_l("Category"), validate_choice=False)
    port = SelectField(_l("Port"), validate_choice=False)
    breached = BooleanField(_l("Past due only"))


class HoldForm(BaseForm):
    hold_until = DateField(_l("On hold until"), validators=[Optional()])
    hold_reason = TextAreaField(_l("Reason for the hold"), validators=[
        DataRequired(_l("Say why the case is on hold.")), Length(max=2000)])
    version = HiddenField()


@bp.get("/")
@roles_required(*AGENCY)
def queues():
    """The country's queues, how many petitions wait in each, and a claim button."""
    return render_template("officer/queues.html",
                           summaries=workspace.summaries(current_user),
                           my_case_count=len(adjudication.my_cases(current_user)))


@bp.post("/queues/<code>/claim")
@roles_required(*AGENCY)
def claim_next(code):
    """Claim the most urgent petition of the queue."""
    petition = adjudication.claim_next(current_user, code)
    if petition is None:
        flash(_("The queue %(code)s is empty: there is nothing to claim.", code=code), "info")
        return redirect(url_for(".queues"))
    flash(_("You claimed %(number)s.", number=petition.receipt_number), "success")
    return redirect(url_for(".case", receipt_number=petition.receipt_number))


@bp.get("/queues/<code>")
@roles_required(*AGENCY)
def queue(code):
    """A queue's waiting cases, sortable and filterable, one page at a time."""
    form = ListForm(request.args)
    country = current_user.country
    codes, ports = workspace.filter_choices(country)
    form.category.choices = options([("", _("Any"))] + [(code, code) for code in codes])
    form.port.choices = options([("", _("Any"))] + ports)
    filters = workspace.ListFilter(sort=form.sort.data or "priority",
                                   category=form.category.data or "",
                                   port=form.port.data or "", breached_only=form.breached.data,
                                   after=request.args.get("after", ""))
    today = utcnow().date()
    the_queue, cases, next_cursor = workspace.waiting_cases(current_user, code, filters, today)
    args = {k: v for k, v in request.args.items() if k != "after"}
    return render_template("officer/queue.html", queue=the_queue, cases=cases, form=form,
                           today=today, next_url=url_for(".queue", code=code, after=next_cursor,
                                                         **args) if next_cursor else None)


@bp.post("/cases/<receipt_number>/claim")
@roles_required(*AGENCY)
def claim(receipt_number):
    """Claim a case picked from a queue's list, if it is still waiting."""
    try:
        petition = workspace.claim(current_user, receipt_number)
    except Conflict as exc:
        flash(exc.message, "error")
        back = request.form.get("queue")
        return redirect(url_for(".queue", code=back) if back else url_for("officer.queues"))
    flash(_("You claimed %(number)s.", number=petition.receipt_number), "success")
    return redirect(url_for("officer.case", receipt_number=petition.receipt_number))


@bp.route("/cases/<receipt_number>/hold", methods=["GET", "POST"])
@roles_required(*AGENCY)
def hold(receipt_number):
    """Put a claimed case on hold until a date, with a reason."""
    petition = access.get_petition(current_user, receipt_number)
    form = HoldForm()
    if request.method == "GET":
        form.version.data = petition.version
    elif form.validate_on_submit():
        try:
            workspace.hold(current_user, receipt_number, form.hold_until.data,
                           form.hold_reason.data, form.version.data)
        except ValidationFailed as exc:
            apply_errors(form, exc, fallback="hold_reason")
        except Conflict as exc:
            flash(exc.message, "error")
            return redirect(url_for("officer.case", receipt_number=receipt_number))
        else:
            flash(_("%(number)s is on hold until %(date)s; it will come back to its queue "
                    "then.", number=receipt_number, date=form.hold_until.data), "success")
            return redirect(url_for("officer.queues"))
    status = 422 if request.method == "POST" else 200
    return render_template("officer/hold.html", petition=petition, form=form), status
