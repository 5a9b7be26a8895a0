"""A forgotten password in the browser (Flask test client): the same answer whether or not
the account exists, a link that works once and for a limited time, and a new password that
signs the account out everywhere. The email itself, through a real worker and SMTP server,
is in tests/integration/test_password_reset_email.py."""
import re

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from tests import factories
from tests.unit.test_web_auth import csrf_token, sign_in, signed_in, where
from traveler_portal.domain import password_reset
from traveler_portal.extensions import db
from traveler_portal.models import OutboxMessage, User

NEW = "a new and longer passphrase"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True)).replace("&#39;", "'")


def link_for(app, email) -> str:
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        return "/password/reset/" + password_reset.token_for(user)


def reset_requests(app) -> list:
    with app.app_context():
        return db.session.scalars(sa.select(OutboxMessage.args).where(
            OutboxMessage.task_name == "accounts.send_password_reset")).all()


def choose(client, link, password=NEW, confirm=NEW):
    return client.post(link, data={"csrf_token": csrf_token(client, "/password/forgot"),
                                   "password": password, "confirm": confirm})


def test_asking_for_a_link_says_the_same_whether_or_not_the_account_exists(app, client, seed):
    assert 'href="/password/forgot"' in text(client.get("/login"))
    email = seed.user("traveler")
    answers = []
    for address in (email, "nobody@example.com"):
        response = client.post("/password/forgot", data={
            "csrf_token": csrf_token(client, "/password/forgot"), "email": address})
        assert response.status_code == 200
        answers.append(text(response).replace(address, "ADDRESS"))
    assert answers[0] == answers[1] and "a link to choose a new password" in answers[0]
    with app.app_context():
        user_id = db.session.scalars(sa.select(User.id).where(User.email == email)).one()
    [(requested_for, _request_id)] = reset_requests(app)
    assert requested_for == user_id

    refused = client.post("/password/forgot", data={
        "csrf_token": csrf_token(client, "/password/forgot"), "email": "not an address"})
    assert refused.status_code == 422 and "Enter a valid email address." in text(refused)


def test_a_link_sets_a_new_password_once_and_signs_out_everywhere(app, client, seed):
    email = seed.user("traveler")
    elsewhere = app.test_client()
    assert where(sign_in(elsewhere, email)) == "/my/"
    link = link_for(app, email)

    mismatch = choose(client, link, confirm="something else entirely")
    assert mismatch.status_code == 422 and "The passwords do not match." in text(mismatch)
    short = choose(client, link, password="short", confirm="short")
    assert short.status_code == 422 and "Use at least 12 characters." in text(short)
    assert signed_in(elsewhere)  # nothing changed yet

    assert where(choose(client, link)) == "/login"
    assert not signed_in(elsewhere)
    assert sign_in(client, email, factories.PASSWORD).status_code == 422
    assert where(sign_in(client, email, NEW)) == "/my/"

    again = app.test_client().get(link)
    assert again.status_code == 410 and "This link was already used" in text(again)
    assert 'action="/password/forgot"' in text(again)


def test_an_expired_or_altered_link_is_refused(app, client, seed, monkeypatch):
    email = seed.user("traveler")
    link = link_for(app, email)
    assert client.get(link).status_code == 200
    assert client.get(link[:-3] + "abc").status_code == 410
    later = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later(self) + 60 * (
        app.config["PASSWORD_RESET_TTL_MINUTES"] + 1))
    expired = client.get(link)
    assert expired.status_code == 410 and "This link has expired." in text(expired)
    assert choose(client, link).status_code == 410
    assert where(sign_in(app.test_client(), email)) == "/my/"  # the password is unchanged


@pytest.mark.parametrize("who", ["deactivated", "unknown"])
def test_no_link_is_sent_for_an_account_that_cannot_sign_in(app, client, seed, who):
    email = seed.user("traveler") if who == "deactivated" else "ghost@example.com"
    if who == "deactivated":
        seed.execute(sa.update(User).where(User.email == email).values(is_active_account=False))
    client.post("/password/forgot", data={
        "csrf_token": csrf_token(client, "/password/forgot"), "email": email})
    assert reset_requests(app) == []


def test_a_signed_in_person_changes_the_password_and_stays_signed_in(app, client, seed):
    email = seed.user("officer", country="US")
    elsewhere = app.test_client()
    for browser in (client, elsewhere):
        assert where(sign_in(browser, email)) == "/officer/"
    assert 'href="/password/change"' in text(client.get("/officer/"))

    def change(current, new=NEW, confirm=NEW):
        return client.post("/password/change", data={
            "csrf_token": csrf_token(client, "/password/change"), "current": current,
            "password": new, "confirm": confirm})

    wrong = change("not the password")
    assert wrong.status_code == 422 and "The current password is not right." in text(wrong)
    assert change(factories.PASSWORD, confirm="mismatch!!").status_code == 422
    assert where(sign_in(app.test_client(), email)) == "/officer/"  # unchanged so far

    assert where(change(factories.PASSWORD)) == "/"
    assert client.get("/officer/").status_code == 200  # this browser goes on
    assert where(elsewhere.get("/officer/")).startswith("/login")  # the other is out
    assert sign_in(app.test_client(), email).status_code == 422
    assert where(sign_in(app.test_client(), email, NEW)) == "/officer/"
    assert where(app.test_client().get("/password/change")).startswith("/login")
