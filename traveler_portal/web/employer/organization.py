"""The organization's own pages: details, colleagues (roles, invitations, removal) and
employees (travelers: invitations, ending the link). Viewers see every page without its
buttons; the domain refuses their changes anyway (403)."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField
from wtforms.validators import InputRequired

from ...domain import invitations, organizations
from ...domain.errors import ValidationFailed
from ...extensions import db
from ...forms.base import BaseForm, apply_errors, options
from ...forms.organization import DetailsForm, InviteForm
from ...models import Organization, Role
from ..support.permissions import roles_required
from .blueprint import bp

employer = roles_required(Role.EMPLOYER)

ROLE_LABELS = {"owner": _l("Owner"), "admin": _l("Admin"), "viewer": _l("Viewer (read only)")}


class RoleForm(BaseForm):
    role = SelectField(_l("Role"), choices=options(list(ROLE_LABELS.items())),
                       validators=[InputRequired(_l("Choose a role."))])


class ActionForm(BaseForm):
    """A bare POST with its CSRF token."""


def _posted() -> bool:
    """A bare action's POST with a valid CSRF token; 400 otherwise."""
    if not ActionForm().validate_on_submit():
        abort(400)
    return True


def _org() -> Organization:
    organizations.require_member(current_user)
    return db.session.get(Organization, current_user.organization_id)


# --- Details --------------------------------------------------------------------------

@bp.route("/organization/", methods=["GET", "POST"])
@employer
def organization():
    """The organization's legal name, business number, address and contact."""
    org = _org()
    form = DetailsForm(obj=org)
    if form.is_submitted():
        organizations.require_org_admin(current_user)
    else:
        form.number_kind.data = organizations.number_kind(org.business_number)
    if form.validate_on_submit():
        try:
            organizations.update_details(
                current_user, name=form.name.data, number_kind=form.number_kind.data,
                business_number=form.business_number.data, address=form.address.data,
                contact_name=form.contact_name.data, contact_email=form.contact_email.data,
                contact_phone=form.contact_phone.data, digest_enabled=form.digest_enabled.data)
        except ValidationFailed as exc:
            apply_errors(form, exc, fallback="business_number")
        else:
            flash(_("The organization's details were saved."), "success")
            return redirect(url_for(".organization"))
    return render_template("employer/organization/details.html", org=_org(), form=form,
                           can_edit=organizations.is_org_admin(current_user)), \
        422 if form.errors else 200


# --- Colleagues -----------------------------------------------------------------------

def _people_page(invite_form=None, status=200):
    return render_template(
        "employer/organization/people.html", people=organizations.colleagues(current_user),
        pending=invitations.pending(current_user, "colleague")[0],
        invite_form=invite_form or InviteForm(formdata=None), role_labels=ROLE_LABELS,
        action=ActionForm(), invitation_state=invitations.state,
        is_owner=current_user.org_role == "owner"), status


@bp.get("/organization/people")
@employer
def people():
    """The organization's employer users, their roles and pending invitations."""
    return _people_page()


@bp.post("/organization/people/invite")
@employer
def invite_colleague():
    """Invite a colleague by email with a role (owners)."""
    organizations.require_owner(current_user)
    return _invite("colleague", ".people", _people_page)


def _invite(kind: str, back: str, page):
    """Send the invitation the form asks for and go ``back``; the ``page`` with the form's
    errors otherwise. A colleague's invitation carries a role, a traveler's none."""
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invitation = invitations.invite(
                current_user, kind, form.email.data, form.name.data,
                form.org_role.data if kind == "colleague" else None)
        except ValidationFailed as exc:
            apply_errors(form, exc, fallback="email")
        else:
            flash(_("An invitation was sent to %(email)s.", email=invitation.email), "success")
            return redirect(url_for(back))
    return page(invite_form=form, status=422)


@bp.post("/organization/people/<int:user_id>/role")
@employer
def set_colleague_role(user_id):
    """Change a colleague's role (owners)."""
    form = RoleForm()
    organizations.require_owner(current_user)
    if form.validate_on_submit():
        try:
            user = organizations.set_role(current_user, user_id, form.role.data)
        except ValidationFailed as exc:
            flash(exc.fields.get("role") or exc.message, "error")
        else:
            flash(_("%(name)s is now: %(role)s.", name=user.name,
                    role=ROLE_LABELS[user.org_role]), "success")
    return redirect(url_for(".people"))


@bp.post("/organization/people/<int:user_id>/remove")
@employer
def remove_colleague(user_id):
    """Remove a colleague from the organization (owners; never the last owner)."""
    organizations.require_owner(current_user)
    if _posted():
        try:
            organizations.remove_colleague(current_user, user_id)
        except ValidationFailed as exc:
            flash(exc.fields.get("user") or exc.message, "error")
        else:
            flash(_("The colleague was removed from the organization."), "success")
    return redirect(url_for(".people"))


@bp.post("/organization/invitations/<int:invitation_id>/revoke")
@employer
def revoke_invitation(invitation_id):
    """Withdraw a pending invitation: its link stops working at once."""
    organizations.require_org_admin(current_user)
    _posted()
    invitation = invitations.revoke(current_user, invitation_id)
    flash(_("The invitation to %(email)s was withdrawn.", email=invitation.email), "success")
    return redirect(url_for(".people" if invitation.kind == "colleague" else ".employees"))


# --- Employees ------------------------------------------------------------------------

def _employees_page(invite_form=None, status=200):
    """Searchable (``?q=``: the travelers and the pending invitations) and paginated by
    keyset (``?after=``, the cursor of the last row shown; ``?page=`` only numbers the
    page); the newest pending invitations only, with their count: an import of thousands
    of employees makes neither one endless page nor a slow one."""
    query = request.args.get("q", "").strip()
    after = request.args.get("after", "")
    people, total, next_cursor = organizations.employees_page(current_user, query, after)
    pending, pending_total = invitations.pending(current_user, "traveler", query)
    pages = max(1, -(-total // organizations.EMPLOYEES_PER_PAGE))
    page = request.args.get("page", "1")
    page = min(int(page), pages) if page.isdigit() and int(page) > 0 and after else 1
    return render_template(
        "employer/organization/employees.html", employees=people, total=total,
        query=query, page=page, pages=pages,
        next_url=url_for(".employees", q=query or None, after=next_cursor, page=page + 1)
        if next_cursor else None,
        first_url=url_for(".employees", q=query or None) if after else None,
        pending=pending, pending_total=pending_total,
        invite_form=invite_form or InviteForm(formdata=None), action=ActionForm(),
        invitation_state=invitations.state,
        can_edit=organizations.is_org_admin(current_user)), status


@bp.get("/organization/employees")
@employer
def employees():
    """The travelers linked to the organization and pending invitations."""
    return _employees_page()


@bp.post("/organization/employees/invite")
@employer
def invite_employee():
    """Invite a traveler (an employee) by email (owners and admins)."""
    organizations.require_org_admin(current_user)
    return _invite("traveler", ".employees", _employees_page)


@bp.get("/organization/employees/<int:user_id>/unlink")
@employer
def confirm_unlink(user_id):
    """The confirmation step before ending a link: what it does, then yes or cancel."""
    organizations.require_org_admin(current_user)
    return render_template("employer/organization/confirm_unlink.html",
                           person=organizations.employee(current_user, user_id),
                           action=ActionForm())


@bp.post("/organization/employees/<int:user_id>/unlink")
@employer
def unlink_traveler(user_id):
    """End the link with a traveler (posted from the confirmation page): their new
    petitions are no longer shared."""
    organizations.require_org_admin(current_user)
    if _posted():
        organizations.end_link(current_user, user_id)
        flash(_("The link was ended. Petitions the traveler files from now on are not "
                "shared with your organization."), "success")
    return redirect(url_for(".employees"))
