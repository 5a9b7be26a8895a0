"""``flask --app wsgi outbox resend-failed``: once the mail server or an endpoint is back,
send again every email, webhook delivery and other outbox message that failed for good."""
import click
from flask.cli import AppGroup

from .domain import integrations, notifications, outbox

outbox_cli = AppGroup("outbox", help="The outbox of side effects (emails, webhooks, ...).")


@outbox_cli.command("resend-failed")
def resend_failed():
    """Send again what failed for good (each still at most once)."""
    emails = notifications.resend_failed()
    deliveries = integrations.resend_failed()
    others = outbox.reopen_failed()
    click.echo(f"queued again: {emails} email(s), {deliveries} webhook delivery(ies), "
               f"{others} other message(s)")
