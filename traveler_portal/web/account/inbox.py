"""The in-app notification list and each user's email choices."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField

from ...domain import notifications
from ...forms.base import BaseForm
from ..support.permissions import signed_in
from .blueprint import bp

KIND_LABELS = {
    "status": _l("Status changes: received, waiting for an officer, being reviewed"),
    "evidence_request": _l("Requests for evidence"),
    "reminder": _l("Reminders before an evidence deadline or before travel"),
    "digest": _l("The weekly digest of my organization's action items, upcoming travel and "
                 "expiring approvals (employers)"),
}


class PreferencesForm(BaseForm):
    status = BooleanField(KIND_LABELS["status"])
    evidence_request = BooleanField(KIND_LABELS["evidence_request"])
    reminder = BooleanField(KIND_LABELS["reminder"])
    digest = BooleanField(KIND_LABELS["digest"])


class MarkReadForm(BaseForm):
    pass


@bp.get("/notifications/")
@signed_in
def inbox():
    """The user's notifications, newest first."""
    items = notifications.for_user(current_user)
    return render_template("account/index.html", items=items, form=MarkReadForm())


@bp.post("/notifications/read")
@signed_in
def mark_notifications_read():
    """Mark every notification read."""
    if MarkReadForm().validate_on_submit():
        notifications.mark_all_read(current_user)
    return redirect(url_for("account.inbox"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@signed_in
def notification_settings():
    """Choose which emails to receive (decisions are always sent)."""
    opted_out = set(current_user.email_opt_out or [])
    form = PreferencesForm(data={kind: kind not in opted_out for kind in KIND_LABELS})
    if form.validate_on_submit():
        notifications.set_preferences(
            current_user, {kind for kind in KIND_LABELS if form[kind].data})
        flash(_("Your email choices are saved."), "success")
        return redirect(url_for("account.notification_settings"))
    from .people_emails import people_emails_form  # noqa: PLC0415 - sibling module
    return render_template("account/settings.html", form=form,
                           people_form=people_emails_form())
