"""Browser-side sign-in, registration and sign-out through the Flask test client."""
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests import factories
from traveler_portal.extensions import db
from traveler_portal.models import Organization, OutboxMessage, Role, User


class _HiddenInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.values.setdefault(attrs["name"], attrs.get("value", ""))


def csrf_token(client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    parser = _HiddenInputs()
    parser.feed(page.get_data(as_text=True))
    assert parser.values.get("csrf_token"), f"no csrf_token on {path}"
    return parser.values["csrf_token"]


def sign_in(client, email, password=factories.PASSWORD, next_=None):
    """Sign in through the form; an account with a second factor also through the code
    step (the code from ``factories.otp``). The last response is returned."""
    token = csrf_token(client, "/login")
    url = "/login" + (f"?next={next_}" if next_ is not None else "")
    response = client.post(url, data={"csrf_token": token, "email": email, "password": password})
    if response.status_code == 302 and response.headers["Location"].endswith("/login/code"):
        response = client.post("/login/code", data={
            "csrf_token": csrf_token(client, "/login/code"), "code": factories.otp(email)})
    return response


def where(response) -> str:
    """The path a redirect goes to; fails on a redirect off this site."""
    assert response.status_code in (302, 303), response.status_code
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost"), response.headers["Location"]
    return location.path


def signed_in(client) -> bool:
    return client.get("/my/").status_code == 200


def find_user(app, email):
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email)).first()
        return None if user is None else (user.role, user.organization and user.organization.name)


def register(client, **fields):
    data = {"account_type": "traveler", "name": "Ada Lovelace", "email": "ada@example.com",
            "organization": "", "password": factories.PASSWORD, "confirm": factories.PASSWORD}
    data.update(fields)
    data["csrf_token"] = csrf_token(client, "/register")
    return client.post("/register", data=data)


def queued_emails(app, task: str) -> list[list]:
    """The arguments of the email tasks queued so far (what the worker would send)."""
    with app.app_context():
        return [row.args for row in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.task_name == task)
            .order_by(OutboxMessage.id))]


def registration_link(app) -> str:
    """The path of the link the last registration's email carries."""
    [*_earlier, (token,)] = queued_emails(app, "accounts.send_registration_link")
    return f"/register/confirm/{token}"


def test_a_traveler_registers_through_the_emailed_link_and_is_signed_in(app, client):
    response = register(client)
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    assert find_user(app, "ada@example.com") is None  # nothing made before the link
    assert not signed_in(client)
    link = registration_link(app)
    assert where(client.get(link)) == "/my/"
    assert find_user(app, "ada@example.com") == (Role.TRAVELER, None)
    assert signed_in(client)
    assert accounts_authenticate(app, "ada@example.com", factories.PASSWORD)
    again = app.test_client().get(link)  # once only
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)


def accounts_authenticate(app, email, password) -> bool:
    from traveler_portal.domain import accounts
    with app.app_context():
        return accounts.authenticate(email, password) is not None


def test_an_altered_registration_link_is_refused(app, client):
    register(client)
    link = registration_link(app)
    response = client.get(link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB"))
    assert response.status_code == 410
    assert find_user(app, "ada@example.com") is None


def test_an_employer_registers_their_organization(app, client):
    response = register(client, account_type="employer", email="boss@example.com",
                        organization="Maple Robotics Ltd.")
    assert response.status_code == 200
    assert where(client.get(registration_link(app))) == "/employer/"
    assert find_user(app, "boss@example.com") == (Role.EMPLOYER, "Maple Robotics Ltd.")
    assert client.get("/employer/").status_code == 200


def test_registering_an_address_that_has_an_account_answers_the_same(app, client, seed):
    """No account oracle: the page is the same as for a free address; the owner is
    emailed what happened, and nothing else changes."""
    seed.user("officer", address="agent@example.test", country="US")
    fresh = register(client, email="new@example.test")
    taken = register(app.test_client(), email="AGENT@example.test")
    assert taken.status_code == fresh.status_code == 200
    assert taken.get_data(as_text=True) == fresh.get_data(as_text=True).replace(
        "new@example.test", "AGENT@example.test")
    with app.app_context():
        owner = db.session.scalars(sa.select(User).where(
            User.email == "agent@example.test")).one()
        assert owner.role == Role.OFFICER
        owner_id = owner.id
    notices = queued_emails(app, "accounts.send_security_notice")
    assert [(args[0], args[1]) for args in notices] == [(owner_id, "registration")]
    assert len(queued_emails(app, "accounts.send_registration_link")) == 1  # new@ only


def test_registration_is_throttled_per_address(app):
    from traveler_portal import create_app
    throttled = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI":
                            app.config["SQLALCHEMY_DATABASE_URI"],
                            "REGISTRATION_LIMIT_PER_ADDRESS": "3/hour"})
    client = throttled.test_client()
    answers = [register(client, email=f"n{i}@example.test").status_code for i in range(4)]
    assert answers == [200, 200, 200, 429]


def test_registration_is_throttled_per_email_asked_for(app):
    """No mail bombing one inbox from many addresses."""
    from traveler_portal import create_app
    throttled = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI":
                            app.config["SQLALCHEMY_DATABASE_URI"],
                            "REGISTRATION_LIMIT_PER_EMAIL": "2/hour"})
    answers = [register(throttled.test_client(), email="inbox@example.test").status_code
               for _ in range(3)]
    assert answers == [200, 200, 429]


@pytest.mark.parametrize("fields,message", [
    ({"account_type": "employer", "organization": ""}, "organization"),
    ({"confirm": "something else entirely"}, "do not match"),
    ({"password": "short", "confirm": "short"}, "at least 12"),
    ({"password": "password1234", "confirm": "password1234"}, "too common"),
    ({"password": "Qwertyuiop2024!", "confirm": "Qwertyuiop2024!"}, "too common"),
    ({"email": "not-an-email"}, "valid email"),
])
def test_an_invalid_registration_is_shown_again_with_its_error(app, client, fields, message):
    response = register(client, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert find_user(app, fields.get("email", "ada@example.com")) is None
    assert not signed_in(client)


def test_an_organization_already_registered_is_refused(app, client, seed):
    seed.user("employer", address="taken@example.com", organization="Maple Robotics Ltd.")
    again = register(client, account_type="employer", email="new@example.com",
                     organization="maple robotics ltd.")
    assert again.status_code == 422
    assert find_user(app, "new@example.com") is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organization)) == 1


def test_an_accented_organization_name_is_the_same_whatever_its_case(app, client, seed):
    """SQL lower() leaves "É" alone on SQLite; the name key folds it everywhere."""
    seed.user("employer", address="owner@example.com", organization="Érable Ingénierie")
    again = register(client, account_type="employer", email="new@example.com",
                     organization="  ÉRABLE   INGÉNIERIE ")
    assert again.status_code == 422
    assert "already registered" in again.get_data(as_text=True)
    assert find_user(app, "new@example.com") is None


def test_posts_without_the_csrf_token_are_refused(app, client, seed):
    email = seed.user("traveler")
    assert client.post("/login", data={"email": email,
                                       "password": factories.PASSWORD}).status_code == 400
    assert client.post("/register", data={
        "account_type": "traveler", "name": "Eve", "email": "eve@example.com",
        "password": factories.PASSWORD, "confirm": factories.PASSWORD}).status_code == 400
    assert find_user(app, "eve@example.com") is None
    other = app.test_client()
    forged = client.post("/login", data={"csrf_token": csrf_token(other, "/login"),
                                         "email": email, "password": factories.PASSWORD})
    assert forged.status_code == 400
    assert not signed_in(client)


@pytest.mark.parametrize("who", ["wrong password", "unknown email"])
def test_a_failed_sign_in_shows_the_form_again_with_an_error(client, seed, who):
    email = seed.user("traveler")
    response = (sign_in(client, email, "not the password") if who == "wrong password"
                else sign_in(client, "nobody@example.com"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The email or password is wrong." in page
    assert 'name="password"' in page and 'name="csrf_token"' in page
    assert not signed_in(client)


def test_signing_in_starts_a_fresh_session(client, seed):
    email = seed.user("traveler")
    csrf_token(client, "/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before sign-in"
    before = client.get_cookie("session").value

    assert where(sign_in(client, email)) == "/my/"
    assert client.get_cookie("session").value != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("_user_id")
    assert signed_in(client)


@pytest.mark.parametrize("target", ["//evil.example", "http://evil.example",
                                    "https://evil.example/my/", "javascript:alert(1)",
                                    "evil.example"])
def test_next_off_the_site_goes_home_instead(client, seed, target):
    email = seed.user("traveler")
    assert where(sign_in(client, email, next_=target)) == "/my/"


def test_a_backslash_next_stays_on_the_site(client, seed):
    """Browsers read a Location of ``/\\evil.example`` as ``//evil.example``."""
    response = sign_in(client, seed.user("traveler"), next_="/\\evil.example")
    location = response.headers["Location"]
    assert not location.startswith(("//", "/\\")), location
    assert where(response).startswith("/")


def test_next_leads_back_to_the_page_that_asked_for_sign_in(client, seed):
    email = seed.user("officer", country="US")
    asked = client.get("/officer/")
    assert where(asked) == "/login"
    next_ = dict(p.split("=", 1) for p in urlsplit(asked.headers["Location"]).query.split("&"))
    assert "next" in next_
    assert where(sign_in(client, email, next_=next_["next"])) == "/officer/"
    assert client.get("/officer/").status_code == 200


def test_sign_out_needs_a_post_with_the_csrf_token(client, seed):
    assert where(sign_in(client, seed.user("traveler"))) == "/my/"
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert signed_in(client)

    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/my/")})
    assert where(response) == "/login"
    assert not signed_in(client)
    assert where(client.get("/my/")) == "/login"


def test_a_copy_of_the_session_cookie_dies_at_sign_out(app, client, seed):
    """Sign-out ends the account's sessions in every browser, so a cookie copied from
    this one (or left on a shared computer) signs nobody in afterwards."""
    assert where(sign_in(client, seed.user("officer", country="US"))) == "/officer/"
    copied = app.test_client()
    copied.set_cookie("session", client.get_cookie("session").value)
    assert copied.get("/officer/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/officer/")})
    assert where(copied.get("/officer/")).startswith("/login")


def test_a_session_ends_hours_after_sign_in(app, client, seed):
    assert where(sign_in(client, seed.user("traveler"))) == "/my/"
    with client.session_transaction() as session:
        session["signed_in_at"] -= app.config["SESSION_MAX_HOURS"] * 3600 - 60
    assert signed_in(client)  # a minute left
    with client.session_transaction() as session:
        session["signed_in_at"] -= 120
    assert not signed_in(client)


def test_a_new_password_revokes_the_accounts_api_tokens(app, seed):
    from traveler_portal.domain import accounts, passwords
    email = seed.user("traveler")
    with app.app_context():
        token, _row = accounts.issue_token(seed._user(email))
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/petitions", headers=bearer).status_code == 200
    with app.app_context():
        passwords.set_password(seed._user(email), "a brand new passphrase")
    assert api.get("/api/v1/petitions", headers=bearer).status_code == 401


@pytest.mark.parametrize("role,forbidden", [
    ("traveler", ["/officer/", "/employer/", "/admin/"]),
    ("employer", ["/officer/", "/my/", "/admin/"]),
    ("officer", ["/my/", "/employer/", "/admin/"]),
])
def test_pages_of_another_role_are_not_found(client, seed, role, forbidden):
    email = seed.user(role)
    home = where(sign_in(client, email))
    assert client.get(home).status_code == 200
    for path in forbidden:
        assert client.get(path).status_code == 404, path


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in ["/officer/", "/my/", "/employer/", "/admin/"]:
        assert where(client.get(path)) == "/login", path


@pytest.mark.parametrize("proxies,seen", [(0, "10.0.0.7"), (1, "203.0.113.9")])
def test_the_client_address_behind_a_trusted_proxy(proxies, seen):
    """Behind TRUSTED_PROXIES proxies the client's address (audit trail, rate limits) is
    the forwarded one; with none configured a forged X-Forwarded-For is ignored."""
    from flask import request

    from traveler_portal import create_app
    from traveler_portal.web.support.permissions import public
    app = create_app({"TESTING": True, "TRUSTED_PROXIES": proxies})
    app.add_url_rule("/_test/address", view_func=public(lambda: request.remote_addr))
    response = app.test_client().get("/_test/address",
                                     headers={"X-Forwarded-For": "203.0.113.9"},
                                     environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert response.get_data(as_text=True) == seen
