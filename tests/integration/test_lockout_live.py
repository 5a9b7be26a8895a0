"""The sign-in lockout holds on the real stack: gunicorn with two worker processes, the
counters in the broker's Redis, the owner's email through the worker and SMTP."""
import requests

from tests.integration.web_helpers import hidden_inputs
from tests.live import wait_for


def _token(base, email, password):
    # A new connection each time ("Connection: close"), so the two workers take turns.
    return requests.post(f"{base}/api/v1/auth/token", json={"email": email, "password": password},
                         headers={"Connection": "close"}, timeout=15)


def _form(base, email, password):
    web = requests.Session()
    page = web.get(f"{base}/login", timeout=15, headers={"Connection": "close"})
    return web.post(f"{base}/login", timeout=15, headers={"Connection": "close"}, data={
        "csrf_token": hidden_inputs(page.text)["csrf_token"], "email": email,
        "password": password})


def test_the_lockout_holds_across_two_web_processes(live_server, create_user, smtp_server):
    base = live_server.url
    email, password = create_user("traveler")
    for attempt in range(5):  # one budget: the browser's and the API's failures add up
        wrong = (_token if attempt % 2 else _form)(base, email, "not the password!!")
        assert wrong.status_code in (401, 422), wrong.status_code
    # Whichever process answers, the right password is refused now, through both doors.
    for _ in range(4):
        refused = _token(base, email, password)
        assert refused.status_code == 429, refused.text
        assert refused.json()["error"]["code"] == "rate_limited"
        assert int(refused.headers["Retry-After"]) > 0
    page = _form(base, email, password)
    assert page.status_code == 429 and "Too many failed attempts" in page.text
    # The owner is told by email.
    [message] = wait_for(lambda: smtp_server.to(email), 60, "the lockout email")
    assert "paused" in message["Subject"]
    assert "/password/forgot" in message.get_payload(decode=True).decode()
