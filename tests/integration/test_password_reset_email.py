"""A forgotten password on the live stack: the request goes through the outbox to a real
worker, which emails the link over SMTP once (even when the task runs twice); the link
sets a new password."""
import re
import time

import requests
import sqlalchemy as sa

from tests import factories
from tests.integration.web_helpers import hidden_inputs
from tests.live import run_task_again
from traveler_portal.extensions import db
from traveler_portal.models import OutboxMessage

NEW = "a new and longer passphrase"


def test_the_reset_email_arrives_once_and_its_link_sets_the_password(
        app, live_server, smtp_server, broker_url, create_user):
    email, password = create_user("traveler")
    base, web = live_server.url, requests.Session()
    form = web.get(base + "/password/forgot", timeout=15)
    sent = web.post(base + "/password/forgot", timeout=15, data={
        "csrf_token": hidden_inputs(form.text)["csrf_token"], "email": email})
    assert sent.status_code == 200 and "Check your email" in sent.text

    deadline = time.monotonic() + 30
    while not smtp_server.to(email) and time.monotonic() < deadline:
        time.sleep(0.2)
    [message] = smtp_server.to(email)
    assert message["Subject"] == "Reset your password"
    body = message.get_payload(decode=True).decode()
    path = re.search(r"https?://[^/\s]+(/password/reset/\S+)", body).group(1)

    # The task published again (at-least-once delivery): no second email.
    with app.app_context():
        args = db.session.scalars(sa.select(OutboxMessage.args).where(
            OutboxMessage.task_name == "accounts.send_password_reset")).one()
    assert run_task_again(live_server, broker_url, "accounts.send_password_reset", args,
                          "notifications") == "False"
    assert len(smtp_server.to(email)) == 1

    page = web.get(base + path, timeout=15)
    assert page.status_code == 200 and "Choose a new password" in page.text
    changed = web.post(base + path, timeout=15, allow_redirects=False, data={
        "csrf_token": hidden_inputs(page.text)["csrf_token"], "password": NEW, "confirm": NEW})
    assert changed.status_code == 302 and changed.headers["Location"].endswith("/login")
    login = web.get(base + "/login", timeout=15)
    signed = web.post(base + "/login", timeout=15, allow_redirects=False, data={
        "csrf_token": hidden_inputs(login.text)["csrf_token"], "email": email,
        "password": NEW})
    assert signed.status_code == 302 and signed.headers["Location"].endswith("/my/")
    assert password != NEW and factories.PASSWORD != NEW
