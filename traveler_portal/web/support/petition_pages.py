"""The petition page's building blocks, shared by the traveler's and the employer's pages
(which show the same petition to the organization) and the officer's: the upload form,
filing the first details, uploading, submitting, and streaming a stored document."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from sqlalchemy.orm import selectinload
from wtforms import SelectField
from wtforms.validators import InputRequired

from ...domain import access, documents, petitions, reference
from ...domain.errors import Conflict, DomainError, ValidationFailed
from ...forms.base import BaseForm, apply_errors, options
from ...forms.petition import PetitionForm, draft_input
from ...models import Petition, Status
from .templating import COUNTRY_NAMES

# Listing pages load what their table shows in a few queries, not one per row.
LIST_OPTIONS = (selectinload(Petition.category), selectinload(Petition.port),
                selectinload(Petition.traveler), selectinload(Petition.decisions))


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
    if petition.status == Status.EVIDENCE_REQUESTED:
        flash(_("Answer the request for evidence item by item: each item has its own "
                "upload."), "error")
        return redirect(url_for(petition_endpoint, receipt_number=receipt_number)
                        + "#respond")
    form = UploadForm()
    form.set_kinds(petition)
    if form.validate_on_submit():
        upload = form.file.data
        try:
            doc = documents.add(current_user, petition, form.kind.data, upload.stream,
                                upload.filename)
        except Conflict as exc:
            flash(exc.message, "error")
            return redirect(url_for(petition_endpoint, receipt_number=receipt_number))
        except DomainError as exc:  # not valid, too large, not a PDF/PNG/JPEG
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
        problems = [(message, "kind") for message in exc.fields.values()] or \
            [(exc.message, None)]
        return render_page(access.get_petition(current_user, receipt_number), status=422,
                           problems=problems)
    except Conflict as exc:
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
    if petition.status == Status.EVIDENCE_REQUESTED:
        # One place to answer a request: its items, each with its own upload.
        return None
    form = UploadForm(formdata=None)
    form.set_kinds(petition)
    return form
