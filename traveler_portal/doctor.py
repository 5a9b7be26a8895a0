"""``flask --app wsgi doctor``: the readiness checks, plus what only an operator needs —
live workers per queue (their heartbeat: a control ping over the broker), the outbox
backlog and its oldest row, petitions stuck in ``submitted``, emails and webhook
deliveries that failed for good — each with what to do. Exit status 1 if anything is
wrong. docs/operations.md explains each line."""
from datetime import timedelta

import click
import sqlalchemy as sa
from flask import current_app

from . import health
from .celery_app import TASK_QUEUES
from .domain import outbox
from .extensions import db
from .models import Notification, Petition, Status, WebhookDelivery
from .models.users import utcnow

FIXES = {
    "database": "start PostgreSQL / check DATABASE_URL; the web answers 503 until then",
    "migrations": "run `flask --app wsgi db upgrade` (with the code of this release)",
    "broker": "start Redis / check CELERY_BROKER_URL; submissions wait in the outbox",
    "workers": "start `celery -A workers worker -Q <queue>` for the queues named",
    "outbox": "workers or broker are behind: check the lines above; the sweep re-sends",
    "stuck": "a routing worker is missing or failing: see its log; the re-drive retries",
    "failed": "fix the mail server / endpoint, then `flask --app wsgi outbox resend-failed`",
}


def worker_queues(timeout: float = 2.0) -> dict[str, list[str]]:
    """Queue name → live workers consuming it (workers that answered the ping)."""
    replies = current_app.extensions["celery"].control.inspect(timeout=timeout) \
        .active_queues() or {}
    by_queue: dict[str, list[str]] = {}
    for worker, queues in replies.items():
        for queue in queues or []:
            by_queue.setdefault(queue["name"], []).append(worker)
    return by_queue


def _count(model, *conditions) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*conditions))


def run_checks() -> list[tuple[str, bool, str]]:
    results = [(name, ok, detail) for name, (ok, detail) in health.readiness().items()]
    database_ok = results[0][1]
    if results[2][1]:  # the broker answers: ask the workers
        try:
            queues = worker_queues()
            missing = [q for q in TASK_QUEUES if not queues.get(q)]
            detail = "; ".join(f"{q}: {len(queues.get(q, []))} worker(s)" for q in TASK_QUEUES)
            results.append(("workers", not missing, detail + (
                f" — no worker for {', '.join(missing)}" if missing else "")))
        except Exception as exc:  # noqa: BLE001 - reported, not raised
            results.append(("workers", False, f"could not ask the workers ({exc})"))
    else:
        results.append(("workers", False, "unknown (broker not reachable)"))
    if not database_ok:
        return results
    now = utcnow()
    count, oldest = outbox.backlog()
    age = (now - oldest).total_seconds() if oldest else 0
    limit = max(current_app.config["OUTBOX_REDRIVE_SECONDS"].values()) * 2
    results.append(("outbox", age < limit,
                    f"{count} open message(s)" + (f", oldest {age:.0f} s old" if count else "")))
    stuck_after = current_app.config["STUCK_SUBMISSION_SECONDS"]
    stuck = _count(Petition, Petition.status == Status.SUBMITTED,
                   Petition.submitted_at <= now - timedelta(seconds=stuck_after))
    results.append(("stuck", stuck == 0,
                    f"{stuck} petition(s) submitted more than {stuck_after} s ago, not routed"))
    emails = _count(Notification, Notification.email_state == "failed")
    hooks = _count(WebhookDelivery, WebhookDelivery.state == "failed")
    other = outbox.failed_count()
    detail = (f"{emails} email(s), {hooks} webhook delivery(ies), {other} other "
              "message(s) failed for good")
    results.append(("failed", emails + hooks + other == 0, detail))
    db.session.rollback()
    return results


@click.command("doctor")
def doctor():
    """Check database, migrations, broker, workers, outbox, stuck and failed work."""
    healthy = True
    for name, ok, detail in run_checks():
        healthy &= ok
        click.echo(f"{'ok  ' if ok else 'FAIL'} {name:<10} {detail}")
        if not ok:
            click.echo(f"     → {FIXES[name]}")
    raise SystemExit(0 if healthy else 1)
