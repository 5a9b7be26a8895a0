"""Port officers: find the traveler (QR code, receipt number, or passport number + date
of birth), check the case, record what happened at the border."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...domain import access, arrivals, audit, profiles, reference
from ...domain.errors import Conflict, ValidationFailed
from ...forms.arrival import ArrivalForm, LookupForm, QuickEntryForm
from ...forms.base import apply_errors
from ...models import Role
from ..support.downloads import stream_document
from ..support.permissions import roles_required
from .blueprint import bp

PORT = Role.PORT_OFFICER


def _lookup_page(form, results=None, searched=False, status=200):
    return render_template("port/lookup.html", form=form, results=results or [],
                           searched=searched, recent=arrivals.recent(current_user),
                           warnings=lambda p: arrivals.warning_texts(
                               arrivals.warnings(p, current_user.port_code))), status


@bp.get("/", endpoint="lookup")
@roles_required(PORT)
def lookup():
    """Look a traveler up. A scanned QR code or a receipt number may come in the query
    (?code=, ?receipt_number=); a passport number never does (it would sit in logs)."""
    form = LookupForm(formdata=None)
    code, receipt = request.args.get("code", ""), request.args.get("receipt_number", "")
    if not code and not receipt:
        return _lookup_page(form)
    form.receipt_number.data = receipt or code
    found = arrivals.lookup_by_code(current_user, code) if code else \
        arrivals.lookup_by_receipt(current_user, receipt)
    if len(found) == 1:
        return redirect(url_for(".case", receipt_number=found[0].receipt_number))
    return _lookup_page(form, found, searched=True)


@bp.post("/lookup")
@roles_required(PORT)
def lookup_post():
    """The lookup form: a receipt number or code, or passport number and date of birth."""
    form = LookupForm()
    if not form.validate_on_submit():
        return _lookup_page(form, status=422)
    typed = form.receipt_number.data or ""
    if typed:
        found = arrivals.lookup_by_receipt(current_user, typed) or \
            arrivals.lookup_by_code(current_user, typed)
    elif form.passport_number.data and form.date_of_birth.data:
        found = arrivals.lookup_by_passport(current_user, form.passport_number.data,
                                            form.date_of_birth.data)
    else:
        form.receipt_number.errors = [_("Give a receipt number, or the passport number "
                                        "and the date of birth.")]
        return _lookup_page(form, status=422)
    if len(found) == 1:
        return redirect(url_for(".case", receipt_number=found[0].receipt_number))
    return _lookup_page(LookupForm(formdata=None), found, searched=True)


def _case_page(petition, form, status=200):
    final = petition.final_decision
    return render_template(
        "port/case.html", petition=petition, form=form, final=final,
        profile=profiles.get(petition.traveler),
        warnings=arrivals.warning_texts(arrivals.warnings(
            petition, form.port_of_entry.data or current_user.port_code)),
        reasons=reference.reason_map(final.reason_codes if final else [])), status


@bp.get("/cases/<receipt_number>")
@roles_required(PORT)
def case(receipt_number):
    """The decision, its conditions, the identity and the documents; the arrival form."""
    petition = access.get_petition(current_user, receipt_number)
    audit.record(current_user, "arrival.case_view", "petition", petition.receipt_number,
                 petition, lookup="page")
    form = ArrivalForm(formdata=None).set_choices(
        current_user.country.value, current_user.port_code or petition.port.code)
    final = petition.final_decision
    if final is not None and final.valid_until:  # admitted as long as the approval runs
        form.admitted_until.data = final.valid_until
    return _case_page(petition, form)


@bp.post("/cases/<receipt_number>/arrivals")
@roles_required(PORT)
def record_arrival(receipt_number):
    """Record the inspection's outcome; warnings must be acknowledged first."""
    petition = access.get_petition(current_user, receipt_number)
    form = ArrivalForm().set_choices(current_user.country.value,
                                     current_user.port_code or petition.port.code)
    if form.validate_on_submit():
        shown = [w for w in arrivals.warnings(petition, form.port_of_entry.data)
                 if w != "already_arrived"]
        if shown and not form.checked_warnings.data:
            form.checked_warnings.errors = [_("Read the warnings, then tick this box to "
                                              "record the arrival anyway.")]
        else:
            try:
                arrival = arrivals.record(current_user, receipt_number, form.to_input(
                    another_crossing=bool(form.another_crossing.data)))
            except ValidationFailed as exc:
                apply_errors(form, exc, fallback="outcome")
            except Conflict as exc:
                form.another_crossing.errors = [exc.message]
            else:
                flash(_("Recorded: %(sentence)s.", sentence=arrivals.arrival_words.sentence(
                    arrival)), "success")
                return redirect(url_for(".case", receipt_number=petition.receipt_number))
    return _case_page(access.get_petition(current_user, receipt_number), form, 422)


@bp.get("/cases/<receipt_number>/documents/<document_id>")
@roles_required(PORT)
def document(receipt_number, document_id):
    """Open one document of the case inline (audited)."""
    response = stream_document(current_user, receipt_number, document_id)
    audit.record(current_user, "document.view", "document", document_id,
                 access.get_petition(current_user, receipt_number))
    return response


@bp.route("/no-pre-adjudication", methods=["GET", "POST"])
@roles_required(PORT)
def quick_entry():
    """A business traveler inspected without a decision made in advance: outcome and
    times only, so inspection times can be compared."""
    form = QuickEntryForm().set_choices(current_user.country.value, current_user.port_code)
    if form.validate_on_submit():
        data = form.to_input(category_code=form.category.data or "")
        try:
            arrivals.record_without_petition(current_user, data)
        except ValidationFailed as exc:
            apply_errors(form, exc, fallback="outcome")
        else:
            flash(_("The inspection without pre-adjudication was recorded."), "success")
            return redirect(url_for(".lookup"))
    return render_template("port/quick_entry.html", form=form), 422 if form.errors else 200
