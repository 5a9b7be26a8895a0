"""The traveler's link with an employer: joining with an invitation code, leaving."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ...domain import accounts, organizations
from ...domain.errors import ValidationFailed
from ...forms.base import BaseForm, apply_errors
from ...models import Role
from ..support.permissions import roles_required
from .blueprint import bp


class JoinForm(BaseForm):
    code = StringField(_l("Invitation code"), validators=[
        DataRequired(_l("Enter the invitation code your employer gave you.")),
        Length(max=16, message=_l("The code has 10 characters."))])


class LeaveForm(BaseForm):
    """Nothing to fill in: the CSRF token."""


@bp.route("/organization", methods=["GET", "POST"])
@roles_required(Role.TRAVELER)
def join():
    """Join the employer's organization with its invitation code."""
    form = JoinForm()
    if form.validate_on_submit():
        try:
            org = accounts.join_organization(current_user, form.code.data)
        except ValidationFailed as exc:
            apply_errors(form, exc, fallback="code")
        else:
            flash(_("You joined %(name)s, which can now follow the petitions you file "
                    "from now on.", name=org.name), "success")
            return redirect(url_for(".dashboard"))
    return render_template("traveler/join.html", form=form), 422 if form.errors else 200


@bp.post("/organization/leave")
@roles_required(Role.TRAVELER)
def leave_organization():
    """The traveler ends the link with their organization."""
    if LeaveForm().validate_on_submit():
        organizations.leave(current_user)
        flash(_("You left the organization. Petitions you file from now on are not shared "
                "with it; the ones you already filed with it stay visible to it."), "success")
    return redirect(url_for("traveler.join"))
