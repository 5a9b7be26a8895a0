"""Employer-admin pages: every petition of the organization, the invitation code, and
filing, documenting and submitting petitions for the organization's travelers.

The petition page is the public view the traveler sees (no internal notes), plus the
draft's documents and submit button; withdrawing and answering requests for evidence stay
with the traveler (the domain enforces that).
"""
import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...domain import (
    access,
    digest,
    employer_dashboard,
    organization_figures,
    organizations,
    petitions,
    profiles,
    reference,
)
from ...domain.status import for_petition as status_of
from ...extensions import db
from ...models import Petition, Role, Status, User
from ...models.users import utcnow
from ..support import petition_pages
from ..support.downloads import stream_document
from ..support.permissions import roles_required
from .blueprint import bp
from .dashboard import (
    WAITING_LABELS,
    active_filters,
    csv_response,
    filters_from_request,
)


def _org_travelers() -> list[User]:
    if not current_user.organization_id:
        return []
    return db.session.scalars(sa.select(User).where(
        User.organization_id == current_user.organization_id, User.role == Role.TRAVELER)
        .order_by(User.name)).all()


def _render_petition(petition: Petition, status: int = 200, upload_form=None, problems=None,
                     **_ignored):
    final = petition.final_decision
    return render_template(
        "employer/petition.html", petition=petition,
        reasons=reference.reason_map(final.reason_codes if final else []),
        upload_form=upload_form or petition_pages.upload_form_for(petition),
        missing=petitions.missing_documents(petition), problems=problems or [],
        identity_pending=petition.status == Status.DRAFT and
        not profiles.identity_complete(petition.traveler),
        status_info=status_of(petition, current_user)), status


@bp.get("/")
@roles_required(Role.EMPLOYER)
def dashboard():
    """The organization's panels and its petitions: filtered, sorted, one keyset page at
    a time; the invitation code and the travelers."""
    form, filters = filters_from_request()
    rows, next_cursor = employer_dashboard.page(current_user, filters)
    args = {k: v for k, v in request.args.items() if k != "after"}
    return render_template(
        "employer/dashboard.html", rows=rows, filter_form=form,
        people_count=organization_figures.travelers(current_user),
        active_filters=active_filters(form, args),
        panels=employer_dashboard.panels(current_user, utcnow().date(), totals=False),
        waiting_labels=WAITING_LABELS, export_args=args,
        filtered=any(v for k, v in args.items() if k not in ("sort", "desc")),
        next_url=url_for(".dashboard", after=next_cursor, **args) if next_cursor else None,
        first_url=url_for(".dashboard", **args) if filters.after else None), \
        422 if form.errors else 200  # a filter that is not valid is named beside its field


@bp.get("/petitions.csv")
@roles_required(Role.EMPLOYER)
def export_csv():
    """Every row of the dashboard's filtered view (all pages), as CSV."""
    _form, filters = filters_from_request()
    return csv_response(current_user, filters)


@bp.post("/digest")
@roles_required(Role.EMPLOYER)
def digest_setting():
    """Turn the organization's weekly email digest on or off (owners and admins)."""
    digest.set_enabled(current_user, request.form.get("digest_enabled") == "1")
    flash(_("The weekly digest is on.") if current_user.organization.digest_enabled
          else _("The weekly digest is off."), "success")
    return redirect(url_for(".dashboard"))


@bp.route("/petitions/new", methods=["GET", "POST"])
@roles_required(Role.EMPLOYER)
def new_petition():
    """File a petition for one of the organization's travelers."""
    return petition_pages.file_petition(True, "employer/new_petition.html", "employer.petition",
                                  people=_org_travelers())


@bp.get("/petitions/<receipt_number>")
@roles_required(Role.EMPLOYER)
def petition(receipt_number):
    """One of the organization's petitions, as the traveler sees it."""
    return _render_petition(access.get_petition(current_user, receipt_number))


@bp.post("/petitions/<receipt_number>/documents")
@roles_required(Role.EMPLOYER)
def upload(receipt_number):
    """Upload a document for the traveler (owners and admins; a viewer gets 403)."""
    organizations.require_org_admin(current_user)
    return petition_pages.upload_document(receipt_number, _render_petition, "employer.petition")


@bp.get("/petitions/<receipt_number>/documents/<document_id>")
@roles_required(Role.EMPLOYER)
def document(receipt_number, document_id):
    """Open one of the petition's documents."""
    return stream_document(current_user, receipt_number, document_id)


@bp.post("/petitions/<receipt_number>/submit")
@roles_required(Role.EMPLOYER)
def submit(receipt_number):
    """Submit a draft for adjudication."""
    return petition_pages.submit_petition(receipt_number, _render_petition, "employer.petition")
