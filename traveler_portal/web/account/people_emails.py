"""An employer admin's choice of emails about their people's status changes (none, each
change at once, or a daily summary): a form on the email choices page."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField

from ...domain import organizations, people_updates
from ...domain.errors import DomainError
from ...forms.base import BaseForm, options
from ...models import Role
from ..support.permissions import roles_required
from .blueprint import bp

CHOICE_LABELS = {"off": _l("No emails (the weekly digest and the dashboard still show them)"),
                 "immediate": _l("One email for each change, as it happens"),
                 "daily": _l("One summary a day of the previous day's changes")}


class PeopleEmailsForm(BaseForm):
    people_emails = RadioField(_l("Emails when your people's petitions change status"),
                               choices=options(list(CHOICE_LABELS.items())), default="off")


def people_emails_form():
    """The form for owners and admins of an organization; None for anyone else."""
    if current_user.role != Role.EMPLOYER or not organizations.is_org_admin(current_user):
        return None
    form = PeopleEmailsForm(formdata=None)
    form.people_emails.data = current_user.people_emails or "off"
    return form


@bp.post("/notifications/people")
@roles_required(Role.EMPLOYER)
def people_emails():
    """Save the admin's choice; the emails go through the outbox like every other."""
    form = PeopleEmailsForm()
    if form.validate_on_submit():
        try:
            people_updates.set_choice(current_user, form.people_emails.data)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Your choice of emails about your people is saved."), "success")
    return redirect(url_for("account.notification_settings") + "#people-emails")
