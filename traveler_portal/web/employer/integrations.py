"""Employer admins' integrations: API keys and webhooks."""
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ...api import webhook_docs
from ...domain import integrations
from ...domain.errors import RateLimited, ValidationFailed
from ...forms.base import BaseForm, options
from ...models import Role
from ..support.permissions import roles_required
from .blueprint import bp

admin_only = roles_required(Role.EMPLOYER)


class KeyForm(BaseForm):
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Name the key after the system that will use it.")), Length(max=100)])
    scope = RadioField(_l("Access"), choices=options([
        ("read", _l("Read only: list and read petitions")),
        ("read_write", _l("Read and write: also file petitions, upload documents and submit"))]),
        default="read", validators=[InputRequired(_l("Choose the access."))])


class EndpointForm(BaseForm):
    url = StringField(_l("Endpoint URL"), validators=[
        DataRequired(_l("Give the https:// URL that receives the events.")), Length(max=500)])


class ActionForm(BaseForm):
    """A bare POST with its CSRF token (revoke, remove, send a test event)."""


def _page(key_form=None, endpoint_form=None, status=200):
    return render_template(
        "employer/integrations/index.html", keys=integrations.keys_of(current_user),
        endpoints=integrations.endpoints_of(current_user), key_form=key_form or KeyForm(),
        endpoint_form=endpoint_form or EndpointForm(), action=ActionForm(),
        signing=webhook_docs), status


@bp.get("/integrations/", endpoint="integrations")
@admin_only
def index():
    """API keys and webhook endpoints of the organization."""
    return _page()


@bp.post("/integrations/keys")
@admin_only
def create_key():
    """Create an API key and show it once."""
    form = KeyForm()
    if not form.validate_on_submit():
        return _page(key_form=form, status=422)
    key, row = integrations.create_key(current_user, form.name.data, form.scope.data)
    return render_template("employer/integrations/secret.html", title=_("Your new API key"),
                           secret=key, what=row.name,
                           hint=_("Send it as: Authorization: Bearer <key>."))


@bp.post("/integrations/keys/<int:key_id>/revoke")
@admin_only
def revoke_key(key_id):
    """Revoke a key at once."""
    if ActionForm().validate_on_submit():
        integrations.revoke_key(current_user, key_id)
        flash(_("The key is revoked: calls with it are refused from now on."), "success")
    return redirect(url_for("employer.integrations"))


@bp.post("/integrations/webhooks")
@admin_only
def add_endpoint():
    """Register a webhook endpoint and show its signing secret once."""
    form = EndpointForm()
    if form.validate_on_submit():
        try:
            secret, endpoint = integrations.add_endpoint(current_user, form.url.data)
        except ValidationFailed as exc:
            form.url.errors.append(exc.fields.get("url", exc.message))
        else:
            return render_template(
                "employer/integrations/secret.html", title=_("Your webhook signing secret"),
                secret=secret, what=endpoint.url,
                hint=_("Check X-Portal-Signature: sha256 HMAC of "
                       "\"<X-Portal-Timestamp>.<body>\" with this secret."))
    return _page(endpoint_form=form, status=422)


@bp.post("/integrations/webhooks/<int:endpoint_id>/remove")
@admin_only
def remove_endpoint(endpoint_id):
    """Stop sending events to an endpoint."""
    if ActionForm().validate_on_submit():
        integrations.remove_endpoint(current_user, endpoint_id)
        flash(_("The endpoint is removed."), "success")
    return redirect(url_for("employer.integrations"))


@bp.post("/integrations/webhooks/<int:endpoint_id>/test")
@admin_only
def send_test(endpoint_id):
    """Queue a test event for an endpoint."""
    if ActionForm().validate_on_submit():
        try:
            integrations.send_test_event(current_user, endpoint_id)
        except RateLimited as exc:
            flash(exc.message, "error")
        else:
            flash(_("A test event is on its way; its delivery appears in the log."),
                  "success")
    return redirect(url_for("employer.deliveries", endpoint_id=endpoint_id))


@bp.get("/integrations/webhooks/<int:endpoint_id>")
@admin_only
def deliveries(endpoint_id):
    """The endpoint's delivery log, newest first."""
    return render_template("employer/integrations/deliveries.html",
                           endpoint=integrations.endpoint_of(current_user, endpoint_id),
                           deliveries=integrations.deliveries_of(current_user, endpoint_id),
                           action=ActionForm())
