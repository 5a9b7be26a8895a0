"""The second factor (issue 14, item 1) through the Flask test client: enrolment forced at
an agency account's first sign-in, codes accepted once, recovery codes, re-authentication
before changing the password, optional enrolment for travelers, the API token's ``otp``,
the command line, and the secret encrypted at rest."""
import re
import time
from types import SimpleNamespace

import pyotp
import pytest
import sqlalchemy as sa

from tests import factories
from tests.unit.conftest import assert_error
from tests.unit.test_web_auth import csrf_token, sign_in, signed_in, where
from traveler_portal.domain import accounts, second_factor
from traveler_portal.extensions import db
from traveler_portal.models import Role, SecondFactor, User

API = "/api/v1"


def new_officer(app, enrolled=True) -> str:
    with app.app_context():
        user = accounts.create_user(factories.email("officer"), factories.PASSWORD,
                                    Role.OFFICER, country="US")
        if enrolled:
            factories.enrol(user)
        return user.email


def password_step(client, email, password=factories.PASSWORD, next_=None):
    url = "/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"csrf_token": csrf_token(client, "/login"), "email": email,
                                  "password": password})


def code_step(client, code):
    return client.post("/login/code", data={"csrf_token": csrf_token(client, "/login/code"),
                                            "code": code})


def officer_home(client) -> int:
    return client.get("/officer/").status_code


@pytest.mark.parametrize("role", ["officer", "supervisor", "admin", "port_officer"])
def test_every_role_but_traveler_and_employer_needs_a_second_factor(role):
    assert second_factor.required(SimpleNamespace(role=role))
    for optional in (Role.TRAVELER, Role.EMPLOYER):
        assert not second_factor.required(SimpleNamespace(role=optional))


def test_an_agency_account_enrols_at_its_first_sign_in(app, client):
    email = new_officer(app, enrolled=False)
    assert where(password_step(client, email, next_="/officer/")) == "/login/enrol"
    assert not signed_in(client) and where(client.get("/officer/")).startswith("/login")

    enrol_page = client.get("/login/enrol")
    assert enrol_page.headers["Cache-Control"] == "no-store"
    page = enrol_page.get_data(as_text=True)
    assert "<svg" in page and "<h1>Set up two-step sign-in</h1>" in page
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    assert " ".join(re.findall(".{1,4}", secret)) in page  # typed by hand, in groups
    assert client.get("/login/enrol").get_data(as_text=True).count(secret) >= 1  # stable

    wrong = client.post("/login/enrol", data={"csrf_token": csrf_token(client, "/login/enrol"),
                                              "code": "000000"})
    assert wrong.status_code == 422 and not signed_in(client)
    done = client.post("/login/enrol", data={"csrf_token": csrf_token(client, "/login/enrol"),
                                             "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</code>",
                       done.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert officer_home(client) == 200
    # The page's own sign-out button works (its CSRF token is the new session's).
    token = re.search(r'name="csrf_token" value="([^"]+)"', done.get_data(as_text=True)).group(1)
    signed_out = client.post("/logout", data={"csrf_token": token})
    assert where(signed_out) == "/login" and not signed_in(client)

    # Stored encrypted, and the recovery codes only as hashes.
    with app.app_context():
        raw = db.session.execute(sa.text(
            "SELECT secret FROM second_factors JOIN users ON users.id = user_id "
            "WHERE users.email = :e"), {"e": email}).scalar()
        hashes = db.session.execute(sa.text("SELECT code_hash FROM recovery_codes")).scalars().all()
    assert secret not in raw and raw.startswith("gAAAA")
    assert not set(codes) & set(hashes) and len(hashes) == 10


def test_the_password_alone_does_not_sign_an_agency_account_in(app, client):
    email = new_officer(app)
    assert where(password_step(client, email)) == "/login/code"
    assert not signed_in(client) and where(client.get("/officer/")).startswith("/login")
    assert code_step(client, "123456").status_code == 422
    assert where(client.get("/officer/")).startswith("/login")


def test_a_code_is_accepted_once(app):
    email = new_officer(app)
    code = factories.otp(email)
    first, second = app.test_client(), app.test_client()
    password_step(first, email)
    assert where(code_step(first, code)) == "/officer/"
    password_step(second, email)
    replay = code_step(second, code)
    assert replay.status_code == 422 and "already used" in replay.get_data(as_text=True)
    assert where(second.get("/officer/")).startswith("/login")


def test_a_recovery_code_signs_in_once(app, client):
    email = new_officer(app)
    with app.app_context():
        codes = second_factor.regenerate_recovery_codes(
            db.session.scalars(sa.select(User).where(User.email == email)).one())
    password_step(client, email)
    used = code_step(client, codes[3].lower().replace("-", " "))  # typed loosely
    assert where(used) == "/officer/"
    assert "recovery code; 9 left" in client.get("/officer/").get_data(as_text=True)
    other = app.test_client()
    password_step(other, email)
    assert code_step(other, codes[3]).status_code == 422


def test_the_pending_sign_in_expires(app, client):
    email = new_officer(app)
    password_step(client, email)
    token = csrf_token(client, "/login/code")
    with client.session_transaction() as session:
        pending = session["pending_signin"]
        pending["at"] -= app.config["SECOND_FACTOR_PENDING_SECONDS"] + 1
        session["pending_signin"] = pending
    late = client.post("/login/code", data={"csrf_token": token, "code": factories.otp(email)})
    assert where(late) == "/login"
    assert where(client.get("/officer/")).startswith("/login")


def test_changing_the_password_needs_a_recent_code(app, client):
    email = new_officer(app)
    assert where(sign_in(client, email)) == "/officer/"
    assert client.get("/password/change").status_code == 200  # just signed in: recent
    with client.session_transaction() as session:
        session["second_factor_at"] = session["second_factor_at"] - \
            app.config["SECOND_FACTOR_REAUTH_SECONDS"] - 1
    asked = client.get("/password/change")
    assert where(asked) == "/account/second-factor/confirm"
    confirm = "/account/second-factor/confirm?next=/password/change"
    wrong = client.post(confirm, data={"csrf_token": csrf_token(client, confirm),
                                       "code": "000000"})
    assert wrong.status_code == 422
    right = client.post(confirm, data={"csrf_token": csrf_token(client, confirm),
                                       "code": factories.otp(email)})
    assert where(right) == "/password/change"
    assert client.get("/password/change").status_code == 200


def test_a_traveler_may_enrol_and_is_then_asked_for_a_code(app, client, seed):
    email = seed.user("traveler")
    assert where(sign_in(client, email)) == "/my/"  # no second step before enrolling
    page = client.get("/account/second-factor/setup").get_data(as_text=True)
    secret = re.search(r'data-secret="([A-Z2-7]+)"', page).group(1)
    setup = "/account/second-factor/setup"
    done = client.post(setup, data={"csrf_token": csrf_token(client, setup),
                                    "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and "Your recovery codes" in done.get_data(as_text=True)

    other = app.test_client()
    assert where(password_step(other, email)) == "/login/code"
    step = int(time.time() // 30) + 1  # the enrolment used the current step
    assert where(code_step(other, pyotp.TOTP(secret).at(step * 30))) == "/my/"


def test_an_agency_account_cannot_turn_its_second_factor_off(app, client):
    email = new_officer(app)
    sign_in(client, email)
    assert "Turn two-step sign-in off" not in client.get("/account/second-factor").get_data(
        as_text=True)
    manage = "/account/second-factor"
    client.post(manage + "/remove", data={"csrf_token": csrf_token(client, manage)})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(SecondFactor)) == 1


def test_the_api_token_asks_an_agency_account_for_its_code(app, client):
    email = new_officer(app)
    body = {"email": email, "password": factories.PASSWORD}
    assert_error(client.post(f"{API}/auth/token", json=body), 401, "otp_required")
    assert_error(client.post(f"{API}/auth/token", json={**body, "otp": "000000"}), 401,
                 "invalid_credentials")
    code = factories.otp(email)
    assert client.post(f"{API}/auth/token", json={**body, "otp": code}).status_code == 201
    assert_error(client.post(f"{API}/auth/token", json={**body, "otp": code}), 401,
                 "invalid_credentials")  # the same code again
    wrong_password = {**body, "password": "not the password at all", "otp": factories.otp(email)}
    assert_error(client.post(f"{API}/auth/token", json=wrong_password), 401,
                 "invalid_credentials")


def test_the_api_token_of_a_traveler_needs_no_code(client, seed):
    email = seed.user("traveler")
    assert client.post(f"{API}/auth/token", json={
        "email": email, "password": factories.PASSWORD}).status_code == 201


def test_the_command_line_enrols_and_prints_the_secret(app, client):
    email = new_officer(app, enrolled=False)
    result = app.test_cli_runner().invoke(args=["users", "totp", "--email", email.upper()])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    token = client.post(f"{API}/auth/token", json={
        "email": email, "password": factories.PASSWORD, "otp": pyotp.TOTP(secret).now()})
    assert token.status_code == 201, token.get_json()
    missing = app.test_cli_runner().invoke(args=["users", "totp", "--email", "no@example.test"])
    assert missing.exit_code != 0
