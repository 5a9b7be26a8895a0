"""Traveler pages: my petitions, filing, documents, submission, evidence and withdrawal.

The petition page's building blocks (upload form, the filing view, streaming a document)
are shared with the employer pages, which show the same petition to the organization.
Every view is thin: the domain services apply the rules and commit.
"""
from flask import (Blueprint, abort, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.orm import selectinload
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from . import evidence_web, history_web
from .domain import (access, accounts, documents, evidence, petitions, reference, uow,
                     workflow)
from .domain.status import for_petition as status_of
from .domain.errors import Conflict, DomainError, ValidationFailed
from .forms import BaseForm, PetitionForm, draft_input, options
from .models import Petition, Role, Status
from .permissions import roles_required

bp = Blueprint("travelers", __name__, url_prefix="/my")

COUNTRY_NAMES = {"US": _l("United States"), "CA": _l("Canada")}
ROLE_NAMES = {Role.TRAVELER: _l("traveler"), Role.EMPLOYER: _l("employer admin"),
              Role.OFFICER: _l("officer"), Role.SUPERVISOR: _l("supervisor"),
              Role.ADMIN: _l("administrator")}
# Listing pages load what their table shows in a few queries, not one per row.
LIST_OPTIONS = (selectinload(Petition.category), selectinload(Petition.port),
                selectinload(Petition.traveler), selectinload(Petition.decisions))


@bp.app_context_processor
def _label_helpers():
    """Translated names of countries and roles, for every page (the header uses them)."""
    return {"country_name": lambda code: COUNTRY_NAMES.get(str(code), str(code)),
            "role_name": lambda role: ROLE_NAMES.get(role, str(role)),
            "evidence_overdue": evidence.is_overdue}


class UploadForm(BaseForm):
    kind = SelectField(_l("What is this document?"), choices=[],
                       validators=[InputRequired(_l("Choose the kind of document."))])
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a file to upload."))])

    def set_kinds(self, petition: Petition):
        """The category's documents, saying which are required and which are on file."""
        on_file = {d.kind for d in petition.documents}
        choices = []
        for r in petition.category.required_documents:
            if r.required:
                note = _("required, on file") if r.kind in on_file else _("required")
            else:
                note = _("optional, on file") if r.kind in on_file else _("optional")
            choices.append((r.kind, f"{r.name} ({note})"))
        choices.append(("other", _("Other document")))
        self.kind.choices = options(choices)


class WithdrawForm(BaseForm):
    reason = TextAreaField(_l("Why are you withdrawing? (optional)"),
                           validators=[Length(max=2000)])


class JoinForm(BaseForm):
    code = StringField(_l("Invitation code"), validators=[
        DataRequired(_l("Enter the invitation code your employer gave you.")),
        Length(max=16, message=_l("The code has 10 characters."))])


def apply_errors(form, exc: DomainError, fallback: str | None = None) -> None:
    """Show the domain's field errors on the form's fields (unknown ones on ``fallback``)."""
    for name, message in (exc.fields or {"": exc.message}).items():
        target = form[name] if name in form else (form[fallback] if fallback else None)
        if target is not None:
            target.errors = [*target.errors, message]


def stream_document(user, receipt_number: str, document_id: str):
    """One stored document, as a download (never rendered in the portal's origin), for
    anyone who may see its petition (404 otherwise)."""
    petition = access.get_petition(user, receipt_number)
    doc = next((d for d in petition.documents if d.id == document_id), None)
    path = documents.path_of(doc) if doc else None
    if path is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype=doc.content_type, as_attachment=True,
                         download_name=documents.download_name(doc), conditional=True,
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    # Nothing in an upload may run or load anything; 'self' for objects lets the
    # browser's own PDF viewer show it ('none' would block the viewer in Chromium).
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'")
    return response


def file_petition(for_employer: bool, template: str, petition_endpoint: str, **context):
    """Choose the destination country (GET ?country=), then fill in the petition."""
    country = request.args.get("country", "").upper()
    if country not in reference.COUNTRIES:
        return render_template(template, step="country", countries=COUNTRY_NAMES,
                               missing=bool(request.args.get("chosen")), **context), \
            422 if request.args.get("chosen") else 200
    form = PetitionForm()
    form.set_country(country)
    # An empty first option: nothing is chosen for the traveler by accident.
    form.category.choices = options([("", _("Choose a category")), *form.category.choices])
    form.port_of_entry.choices = options([("", _("Choose a port of entry")),
                                          *form.port_of_entry.choices])
    form.destination_country.data = country  # fixed by the first step, not by the post
    status = 200
    if form.validate_on_submit():
        if for_employer and not form.traveler_email.data:
            form.traveler_email.errors = [_("Give the email of one of your organization's "
                                            "travelers.")]
        else:
            try:
                petition = petitions.create_draft(current_user, draft_input(current_user, form))
            except ValidationFailed as exc:
                uow.rollback()
                apply_errors(form, exc, fallback="job_title")
            else:
                flash(_("Draft %(number)s saved. Now upload the documents and submit it.",
                        number=petition.receipt_number), "success")
                return redirect(url_for(petition_endpoint,
                                        receipt_number=petition.receipt_number))
    if form.errors:
        status = 422
    return render_template(template, step="details", form=form, country=country,
                           countries=COUNTRY_NAMES,
                           categories=reference.categories(country), **context), status


def upload_document(receipt_number: str, render_page, petition_endpoint: str):
    """Store one upload; re-show the petition page with the form's errors (422)."""
    petition = access.get_petition(current_user, receipt_number)
    form = UploadForm()
    form.set_kinds(petition)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            doc = documents.add(current_user, petition, form.kind.data, upload.stream,
                                upload.filename)
        except Conflict as exc:
            uow.rollback()
            flash(exc.message, "error")
            return redirect(url_for(petition_endpoint, receipt_number=receipt_number))
        except DomainError as exc:  # not valid, too large, not a PDF/PNG/JPEG
            uow.rollback()
            apply_errors(form, exc, fallback="file")
        else:
            flash(_("%(file)s was uploaded.", file=doc.filename), "success")
            return redirect(url_for(petition_endpoint, receipt_number=receipt_number)
                            + "#documents")
    return render_page(access.get_petition(current_user, receipt_number), status=422,
                       upload_form=form)


def submit_petition(receipt_number: str, render_page, petition_endpoint: str):
    """Submit a draft; missing documents are listed, each linked to the upload form."""
    try:
        petition = petitions.submit(current_user, receipt_number)
    except ValidationFailed as exc:
        uow.rollback()
        problems = [(message, "kind") for message in exc.fields.values()] or \
            [(exc.message, None)]
        return render_page(access.get_petition(current_user, receipt_number), status=422,
                           problems=problems)
    except Conflict as exc:
        uow.rollback()
        flash(exc.message, "error")
    else:
        flash(_("Petition %(number)s was submitted. It goes to an officer's queue in a "
                "moment.", number=petition.receipt_number), "success")
    return redirect(url_for(petition_endpoint, receipt_number=receipt_number))


def upload_form_for(petition: Petition) -> UploadForm | None:
    """The upload form, when this user may still add documents to ``petition``."""
    if petition.status not in documents.UPLOADABLE or \
            not access.can_edit_draft(current_user, petition):
        return None
    form = UploadForm(formdata=None)
    form.set_kinds(petition)
    return form


def _render_petition(petition: Petition, status: int = 200, upload_form=None,
                     respond_form=None, problems=None):
    final = petition.final_decision
    return render_template(
        "travelers/petition.html", petition=petition,
        reasons=reference.reason_map(final.reason_codes if final else []),
        upload_form=upload_form or upload_form_for(petition),
        respond_form=respond_form or evidence_web.respond_form(petition),
        missing=petitions.missing_documents(petition),
        can_withdraw=workflow.can(petition, "withdraw"),
        status_info=status_of(petition, current_user),
        problems=problems or []), status


@bp.get("/")
@roles_required(Role.TRAVELER)
def dashboard():
    """The traveler's petitions, current and past, newest first; filters in GET."""
    return history_web.dashboard(LIST_OPTIONS)


@bp.route("/petitions/new", methods=["GET", "POST"])
@roles_required(Role.TRAVELER)
def new_petition():
    """File a petition: the guided filing (``filing.py``), step by step."""
    return redirect(url_for("filing.start", **request.args))


@bp.get("/petitions/<receipt_number>")
@roles_required(Role.TRAVELER)
def petition(receipt_number):
    """One petition: status, timeline, decision, documents and what to do next. A draft
    is finished in the guided filing, which opens on its review."""
    petition = access.get_petition(current_user, receipt_number)
    if petition.status == Status.DRAFT:
        return redirect(url_for("filing.review", receipt_number=petition.receipt_number))
    return _render_petition(petition)


@bp.post("/petitions/<receipt_number>/documents")
@roles_required(Role.TRAVELER)
def upload(receipt_number):
    """Upload one document to a draft, or to answer a request for evidence."""
    return upload_document(receipt_number, _render_petition, "travelers.petition")


@bp.get("/petitions/<receipt_number>/documents/<document_id>")
@roles_required(Role.TRAVELER)
def document(receipt_number, document_id):
    """Open one of the petition's documents."""
    return stream_document(current_user, receipt_number, document_id)


@bp.post("/petitions/<receipt_number>/submit")
@roles_required(Role.TRAVELER)
def submit(receipt_number):
    """Travelers submit through the guided filing's attestation step."""
    return redirect(url_for("filing.attest", receipt_number=receipt_number), 303)


@bp.post("/petitions/<receipt_number>/evidence")
@roles_required(Role.TRAVELER)
def respond(receipt_number):
    """Answer every item of a request for evidence at once: a new file or a document
    already on file per item, with an optional note each."""
    return evidence_web.respond(receipt_number, _render_petition, apply_errors)


@bp.route("/petitions/<receipt_number>/withdraw", methods=["GET", "POST"])
@roles_required(Role.TRAVELER)
def withdraw(receipt_number):
    """Ask for confirmation, then withdraw the petition (before a decision only)."""
    petition = access.get_petition(current_user, receipt_number)
    if not workflow.can(petition, "withdraw"):
        flash(_("This petition can no longer be withdrawn."), "error")
        return redirect(url_for(".petition", receipt_number=receipt_number))
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            petitions.withdraw(current_user, receipt_number, form.reason.data or "")
        except Conflict as exc:
            uow.rollback()
            flash(exc.message, "error")
        else:
            flash(_("Petition %(number)s was withdrawn.", number=receipt_number), "success")
        return redirect(url_for(".petition", receipt_number=receipt_number))
    return render_template("travelers/withdraw.html", petition=petition, form=form), \
        422 if form.errors else 200


@bp.route("/organization", methods=["GET", "POST"])
@roles_required(Role.TRAVELER)
def join():
    """Join the employer's organization with its invitation code."""
    form = JoinForm()
    if form.validate_on_submit():
        try:
            org = accounts.join_organization(current_user, form.code.data)
        except ValidationFailed as exc:
            uow.rollback()
            apply_errors(form, exc, fallback="code")
        else:
            flash(_("You joined %(name)s. Your employer can now follow the petitions you "
                    "file from now on.", name=org.name), "success")
            return redirect(url_for(".dashboard"))
    return render_template("travelers/join.html", form=form), 422 if form.errors else 200
