"""Accepting an invitation (the link in the email), and a traveler leaving their
organization.

The link's page: a signed-out person creates an account with the invited email (fixed)
or, when an account with that email exists, signs in and comes back; a signed-in person
accepts with one button. An expired, withdrawn or already used invitation answers 410 with
a page saying which.
"""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ...domain import accounts, invitations
from ...domain.errors import ValidationFailed
from ...extensions import db
from ...forms.base import BaseForm, apply_errors, new_password_fields
from ...models import User
from ..support.permissions import public
from ..support.sessions import start_session
from .blueprint import bp


class NewAccountForm(BaseForm):
    name = StringField(_l("Full name"), validators=[DataRequired(_l("Enter your full name.")),
                                                    Length(max=200)])
    password, confirm = new_password_fields()


class AcceptForm(BaseForm):
    """The signed-in person's accept button."""


def _gone(invitation, exc):
    return render_template("employer/organization/invitation_gone.html", invitation=invitation,
                           reason=exc.reason, message=exc.message), exc.http_status


def _joined_message(org_name: str, kind: str) -> str:
    if kind == "colleague":
        return _("You joined %(name)s as a colleague.", name=org_name)
    return _("Your account is now linked to %(name)s, which can follow the petitions you "
             "file from now on.", name=org_name)


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    """The invitation's page: create an account, sign in, or accept."""
    invitation = invitations.find(token)
    try:
        invitations.require_open(invitation)
    except invitations.InvitationGone as exc:
        return _gone(invitation, exc)
    org_name, kind = invitation.organization.name, invitation.kind
    if current_user.is_authenticated:
        form = AcceptForm()
        if form.validate_on_submit():
            try:
                invitations.accept(token, current_user)
            except invitations.InvitationGone as exc:
                return _gone(invitation, exc)
            flash(_joined_message(org_name, kind), "success")
            return redirect(url_for("public.index"))
        wrong_person = accounts.normalise_email(current_user.email) != invitation.email
        return render_template("employer/organization/accept.html", invitation=invitation,
                               accept_form=form, wrong_person=wrong_person)
    has_account = db.session.query(User.id).filter(User.email == invitation.email).first()
    form = NewAccountForm()
    if not has_account and form.validate_on_submit():
        try:
            user = invitations.accept_with_new_account(token, form.name.data,
                                                       form.password.data)
        except invitations.InvitationGone as exc:
            return _gone(invitation, exc)
        except ValidationFailed as exc:
            apply_errors(form, exc, fallback="password")
        else:
            start_session(user)
            flash(_joined_message(org_name, kind), "success")
            return redirect(url_for("public.index"))
    return render_template("employer/organization/accept.html", invitation=invitation, form=form,
                           has_account=has_account, token=token), 422 if form.errors else 200
