"""Sign-in is rate limited and locked out per account, through the API and the browser
form alike (domain/lockout.py; the unit tests count in memory, the live test in Redis)."""
import pytest
import sqlalchemy as sa

from tests import factories
from tests.live import wait_for
from tests.unit.test_web_auth import csrf_token
from traveler_portal.domain import lockout
from traveler_portal.extensions import db
from traveler_portal.models import OutboxMessage


def browser_attempt(client, email, password, address="127.0.0.1"):
    return client.post("/login", data={"csrf_token": csrf_token(client, "/login"),
                                       "email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def token_attempt(client, email, password, address="127.0.0.1", **extra):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password,
                                                   **extra},
                       environ_base={"REMOTE_ADDR": address})


def notices(app) -> list:
    with app.app_context():
        return [row.args for row in db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.task_name == "accounts.send_security_notice"))]


def new_user(app, role="traveler", **options):
    """An account made in a short app context of its own (requests have theirs)."""
    with app.app_context():
        user = factories.user(role, **options)
        return user.email, user.id


def wait_left(app, email) -> int:
    with app.app_context():
        return lockout.retry_after(email, None)


@pytest.fixture
def config(app):
    saved = dict(app.config)
    yield app.config
    app.config.clear()
    app.config.update(saved)


def test_one_budget_across_the_browser_and_the_api_then_a_lockout(client, app):
    email, user_id = new_user(app)
    for attempt in range(5):  # wrong guesses through both doors add up
        wrong = (token_attempt if attempt % 2 else browser_attempt)(client, email,
                                                                    "wrong password!")
        assert wrong.status_code in (401, 422), wrong.status_code
    blocked = token_attempt(client, email, factories.PASSWORD)
    assert blocked.status_code == 429
    assert blocked.json["error"]["code"] == "rate_limited"
    assert 0 < int(blocked.headers["Retry-After"]) <= app.config["LOCKOUT_BASE_SECONDS"]
    page = browser_attempt(client, email, factories.PASSWORD)
    assert page.status_code == 429 and "Too many failed attempts" in page.get_data(as_text=True)
    # The owner is told, once per lock.
    assert [(args[0], args[1]) for args in notices(app)] == [(user_id, "locked")]
    # Another account from the same address is not locked out.
    other, _id = new_user(app)
    assert token_attempt(client, other, factories.PASSWORD).status_code == 201


def test_an_unknown_address_is_locked_the_same_way_without_an_email(client, app):
    for _ in range(5):
        assert token_attempt(client, "nobody@example.test", "guess guess guess").status_code == 401
    assert token_attempt(client, "nobody@example.test", "guess again").status_code == 429
    assert notices(app) == []


def test_wrong_second_factor_codes_count_too(client, app):
    officer, _id = new_user(app, "officer", country="US")
    for _ in range(5):
        assert token_attempt(client, officer, factories.PASSWORD,
                             otp="000000").status_code == 401
    locked = token_attempt(client, officer, factories.PASSWORD, otp=factories.otp(officer))
    assert locked.status_code == 429


def test_each_lockout_is_longer_than_the_last(client, app, config):
    config.update(LOCKOUT_THRESHOLD=2, LOCKOUT_BASE_SECONDS=1)
    email, _id = new_user(app)
    for _ in range(2):
        token_attempt(client, email, "wrong password!")
    assert 0 < wait_left(app, email) <= 1
    wait_for(lambda: wait_left(app, email) == 0, 5, "the first lock to end")
    for _ in range(2):
        assert token_attempt(client, email, "wrong password!").status_code == 401
    assert wait_left(app, email) == 2  # doubled
    wait_for(lambda: wait_left(app, email) == 0, 5, "the second lock to end")
    # A full sign-in forgets the failures: the next lock starts again from the base.
    assert token_attempt(client, email, factories.PASSWORD).status_code == 201
    for _ in range(2):
        token_attempt(client, email, "wrong password!")
    assert wait_left(app, email) == 1


def test_an_address_sweeping_many_accounts_is_locked(client, app, config):
    config.update(LOCKOUT_ADDRESS_THRESHOLD=4)
    sweeper = "203.0.113.50"
    for n in range(4):
        assert token_attempt(client, f"victim{n}@example.test", "Winter2026!",
                             address=sweeper).status_code == 401
    email, _id = new_user(app)
    assert token_attempt(client, email, factories.PASSWORD, address=sweeper).status_code == 429
    assert token_attempt(client, email, factories.PASSWORD,
                         address="198.51.100.9").status_code == 201
