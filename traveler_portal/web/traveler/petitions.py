"""The traveler's petitions: the list, one petition's page (status, timeline, decision,
documents, what to do next), uploads, answers to a request for evidence, withdrawal.
Every view is thin: the domain services apply the rules and commit."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload
from wtforms import TextAreaField
from wtforms.validators import Length

from ...domain import access, petitions, reference, workflow
from ...domain.errors import Conflict
from ...domain.status import WITH_POSITION
from ...domain.status import for_petition as status_of
from ...forms.base import BaseForm, apply_errors
from ...models import Category, Petition, Role, Status
from ..support.downloads import stream_document
from ..support.permissions import roles_required
from ..support.petition_pages import LIST_OPTIONS, upload_document, upload_form_for
from . import evidence, history
from .blueprint import bp

# What the petition page reads: the one-row relations joined into the petition's query,
# the lists in one query each (instead of a lazy load per relation as the page renders).
# (The petition's own lists as plain statements: access.list_query says why.)
PAGE_OPTIONS = (joinedload(Petition.category).selectinload(Category.required_documents),
                joinedload(Petition.port), joinedload(Petition.queue),
                joinedload(Petition.organization), WITH_POSITION)
PAGE_LISTS = {name: access.list_query(getattr(Petition, name))
              for name in ("decisions", "events", "documents")}


class WithdrawForm(BaseForm):
    reason = TextAreaField(_l("Why are you withdrawing? (optional)"),
                           validators=[Length(max=2000)])


def _render_petition(petition: Petition, status: int = 200, upload_form=None,
                     respond_form=None, problems=None):
    final = petition.final_decision
    return render_template(
        "traveler/petition.html", petition=petition,
        reasons=reference.reason_map(final.reason_codes if final else []),
        upload_form=upload_form or upload_form_for(petition),
        respond_form=respond_form or evidence.respond_form(petition),
        missing=petitions.missing_documents(petition),
        can_withdraw=workflow.can(petition, "withdraw"),
        status_info=status_of(petition, current_user),
        problems=problems or []), status


@bp.get("/")
@roles_required(Role.TRAVELER)
def dashboard():
    """The traveler's petitions, current and past, newest first; filters in GET."""
    return history.dashboard(LIST_OPTIONS)


@bp.route("/petitions/new", methods=["GET", "POST"])
@roles_required(Role.TRAVELER)
def new_petition():
    """File a petition: the guided filing (``filing.py``), step by step."""
    return redirect(url_for("traveler.start_filing", **request.args))


@bp.get("/petitions/<receipt_number>")
@roles_required(Role.TRAVELER)
def petition(receipt_number):
    """One petition: status, timeline, decision, documents and what to do next. A draft
    is finished in the guided filing, which opens on its review."""
    petition = access.get_petition(current_user, receipt_number, options=PAGE_OPTIONS,
                                   lists=PAGE_LISTS)
    if petition.status == Status.DRAFT:
        return redirect(url_for("traveler.review", receipt_number=petition.receipt_number))
    return _render_petition(petition)


@bp.post("/petitions/<receipt_number>/documents")
@roles_required(Role.TRAVELER)
def upload(receipt_number):
    """Upload one document to a draft, or to answer a request for evidence."""
    return upload_document(receipt_number, _render_petition, "traveler.petition")


@bp.get("/petitions/<receipt_number>/documents/<document_id>")
@roles_required(Role.TRAVELER)
def document(receipt_number, document_id):
    """Open one of the petition's documents."""
    return stream_document(current_user, receipt_number, document_id)


@bp.post("/petitions/<receipt_number>/submit")
@roles_required(Role.TRAVELER)
def submit(receipt_number):
    """Travelers submit through the guided filing's attestation step."""
    return redirect(url_for("traveler.attest", receipt_number=receipt_number), 303)


@bp.post("/petitions/<receipt_number>/evidence")
@roles_required(Role.TRAVELER)
def respond(receipt_number):
    """Answer every item of a request for evidence at once: a new file or a document
    already on file per item, with an optional note each."""
    return evidence.respond(receipt_number, _render_petition, apply_errors)


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
            flash(exc.message, "error")
        else:
            flash(_("Petition %(number)s was withdrawn.", number=receipt_number), "success")
        return redirect(url_for(".petition", receipt_number=receipt_number))
    return render_template("traveler/withdraw.html", petition=petition, form=form), \
        422 if form.errors else 200
