"""Every URL rule called by every role (and by nobody): no answer is a server error, and a
caller the route does not name never gets through — signed out, the browser is sent to
sign in and the API answers 401; signed in with another role, the page is a 404 and the
API a 403. A rule added later is in the matrix without anyone writing it down."""
import pytest

from tests import factories
from tests.unit.test_web_auth import sign_in
from traveler_portal import health
from traveler_portal.domain import accounts
from traveler_portal.models import Role

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# Made-up values for the rules' arguments: enough to reach the permission check, which
# runs before anything is looked up.
ARGUMENTS = {"receipt_number": "US-2026-NOSUCH", "document_id": "no-such-document",
             "notice_id": "no-such-notice", "code": "NO-SUCH-CODE", "token": "no-such-token",
             "user_id": "999999", "invitation_id": "999999", "import_id": "999999",
             "key_id": "999999", "endpoint_id": "999999", "rule_id": "999999",
             "queue_id": "999999", "traveler_id": "999999", "country": "US",
             "filename": "portal.css", "arrival_id": "999999"}
ROLES = [None, *Role]  # None: signed out


def _url(rule) -> str:
    path = rule.rule
    for name in rule.arguments:
        value = ARGUMENTS.get(name, "999999")
        path = path.replace(f"<{name}>", value)
        for converter in ("int", "string", "path"):
            path = path.replace(f"<{converter}:{name}>", value)
    return path


def _calls(app):
    # Signing out ends the browser session: that rule comes last.
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule == "/logout", r.rule)):
        if rule.endpoint == "static":
            continue
        permission = getattr(app.view_functions[rule.endpoint], "permission", None)
        for method in METHODS:
            if method in rule.methods:
                yield rule, _url(rule), method, permission


@pytest.fixture
def callers(app):
    """role -> (browser client signed in as that role, a function giving a fresh API
    token: a call may revoke the one it used, DELETE /auth/token does)."""
    made = {None: (app.test_client(), None)}
    for role in Role:
        with app.app_context():
            options = {"country": "US"} if role in accounts.COUNTRY_ROLES else {}
            if role == Role.EMPLOYER:
                options = {"organization": "Matrix Ltd."}
            user = factories.user(role, **options)
            email, user_id = user.email, user.id

        def token(user_id=user_id):
            with app.app_context():
                from traveler_portal.extensions import db  # noqa: PLC0415
                from traveler_portal.models import User  # noqa: PLC0415
                return accounts.issue_token(db.session.get(User, user_id))[0]
        client = app.test_client()
        sign_in(client, email)
        made[role] = (client, token)
    return made


@pytest.fixture
def unreachable_broker(monkeypatch):
    """The broker probe's own answer for these tests' broker (nothing listens on it, by
    design), without its two seconds of kombu's retry per call of /healthz and /readyz:
    28 s of this test. tests/unit/test_health.py runs the real probe."""
    monkeypatch.setattr(health, "check_broker", lambda timeout=1.0: (False, "not reachable"))


def test_every_rule_answers_every_role_without_error_or_leak(app, callers, unreachable_broker):
    problems, calls = [], 0
    for rule, url, method, permission in _calls(app):
        api = url.startswith("/api/")
        for role in ROLES:
            client, token = callers[role]
            headers = {"Authorization": f"Bearer {token()}"} if api and token else {}
            response = client.open(url, method=method, headers=headers, json={} if api and
                                   method != "GET" else None)
            calls += 1
            status = response.status_code
            response.close()  # a streamed answer (CSV) ends here
            # (/readyz answers 503 by design: no broker runs for these tests.)
            if status >= 500 and not (rule.endpoint == "public.readyz" and status == 503):
                problems.append(f"{method} {url} as {role}: {status}")
                continue
            if permission == "public" or (role is not None and role in permission):
                continue
            expected = (401,) if api and role is None else (403,) if api else \
                (302,) if role is None else (404,)
            if not api and method != "GET":
                expected += (400,)  # the form's CSRF token is checked before anything
            if status not in expected:
                problems.append(f"{method} {url} as {role}: {status}, expected {expected}")
    assert calls > 500
    assert problems == [], "\n".join(problems[:40])
