"""The traveler's answer to a request for evidence, in the browser: one form with, for each
item, a new file or a document already on file (reuse) and an optional note. The rule
(every item answered, or nothing saved) is ``petitions.respond_to_evidence``'s.
"""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.file import FileField
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from ...domain import access, petitions
from ...domain.errors import Conflict, DomainError
from ...domain.evidence import MAX_NOTE, Answer
from ...forms.base import BaseForm, options
from ...models import Petition, Status


class RespondForm(BaseForm):
    note = TextAreaField(_l("Message to the officer (optional)"),
                         validators=[Length(max=5000)])


def _form_class(ask):
    """RespondForm plus, per item, ``item<id>_file``, ``_document`` and ``_note``."""
    fields = {}
    for item in ask.items if ask else []:
        fields[f"item{item.id}_file"] = FileField(_l("Upload a new file"))
        fields[f"item{item.id}_document"] = SelectField(
            _l("Or choose a document already on file"), choices=[], validate_choice=False)
        fields[f"item{item.id}_note"] = TextAreaField(
            _l("Note about this item (optional)"), validators=[Length(max=MAX_NOTE)])
    return type("ItemsRespondForm", (RespondForm,), fields)


def newest_matching(petition: Petition, item):
    """The newest document on file of the kind the item asks for (None for "any")."""
    if not item.document_kind:
        return None
    matching = [d for d in petition.documents if d.kind == item.document_kind]
    return max(matching, key=lambda d: d.uploaded_at) if matching else None


def respond_form(petition: Petition, formdata=None):
    """The response form for a petition waiting for evidence (None otherwise). Each item's
    choice of a document on file starts on the newest one of the kind it asks for."""
    if petition.status != Status.EVIDENCE_REQUESTED:
        return None
    ask = petition.evidence_request
    form = _form_class(ask)() if formdata else _form_class(ask)(formdata=None)
    names = {r.kind: r.name for r in petition.category.required_documents}
    choices = [("", _("– None: I upload a new file –"))] + [
        (d.id, f"{d.filename} ({names.get(d.kind) or _('Other document')}, "
               f"{d.uploaded_at:%Y-%m-%d})")
        for d in sorted(petition.documents, key=lambda d: d.uploaded_at, reverse=True)]
    form.items = []
    for item in ask.items if ask else []:
        select = form[f"item{item.id}_document"]
        select.choices = options(choices)
        if not formdata:
            match = newest_matching(petition, item)
            select.data = match.id if match else ""
        form.items.append((item, form[f"item{item.id}_file"], select,
                           form[f"item{item.id}_note"]))
    form.answered = sum(1 for _i, _u, select, _n in form.items if select.data)
    return form


def _answers(form) -> list:
    """A new file, when one is chosen, answers its item instead of the document on file
    (which may have been preselected)."""
    answers = []
    for item, upload, document, note in form.items:
        chosen = upload.data if upload.data and upload.data.filename else None
        answers.append(Answer(item.id, None if chosen else (document.data or None),
                              (chosen.stream, chosen.filename) if chosen else None,
                              note.data or ""))
    return answers


def _unanswered_on_upload(form) -> None:
    """An item left unanswered: its message goes on the item's first control (the upload),
    where the summary's link lands, not on the list below it."""
    for _item, upload, document, _note in form.items:
        if document.errors and not document.data:
            upload.errors = [*upload.errors, *document.errors]
            document.errors = []


def respond(receipt_number: str, render_page, apply_errors):
    """Send the consolidated response; 422 with each unanswered item named otherwise."""
    form = respond_form(access.get_petition(current_user, receipt_number), formdata=True)
    if form is None:
        flash(_("This petition is not waiting for evidence."), "error")
        return redirect(url_for("traveler.petition", receipt_number=receipt_number))
    if form.validate_on_submit():
        try:
            petitions.respond_to_evidence(current_user, receipt_number, form.note.data or "",
                                          _answers(form))
        except Conflict as exc:
            flash(exc.message, "error")
        except DomainError as exc:
            apply_errors(form, exc, fallback="note")
            _unanswered_on_upload(form)
            return render_page(access.get_petition(current_user, receipt_number),
                               status=422, respond_form=form)
        else:
            flash(_("Your response was sent. The petition is back with the officer who asked."),
                  "success")
        return redirect(url_for("traveler.petition", receipt_number=receipt_number))
    return render_page(access.get_petition(current_user, receipt_number), status=422,
                       respond_form=form)
