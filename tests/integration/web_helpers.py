"""Browser-less page sessions against the live server (sign in, read hidden inputs)."""
from html.parser import HTMLParser

import requests

from tests import factories
from tests.integration.test_api_journey import file_tn_to_blaine, upload, wait_for_status


class _Hidden(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.values.setdefault(attrs["name"], attrs.get("value", ""))


def hidden_inputs(html: str) -> dict:
    parser = _Hidden()
    parser.feed(html)
    return parser.values


class Web:
    """A signed-in browser session made of plain HTTP requests."""

    def __init__(self, base: str, email: str, password: str):
        self.base, self.http = base, requests.Session()
        page = self.get("/login")
        signed = self.http.post(base + "/login", timeout=15, data={
            "csrf_token": hidden_inputs(page.text)["csrf_token"], "email": email,
            "password": password})
        if signed.url.endswith("/login/code"):  # an agency account: the second factor
            signed = self.http.post(base + "/login/code", timeout=15, data={
                "csrf_token": hidden_inputs(signed.text)["csrf_token"],
                "code": factories.otp(email)})
        assert signed.status_code == 200 and "Sign out" in signed.text, signed.status_code

    def get(self, path, **kw):
        return self.http.get(self.base + path, timeout=15, **kw)

    def post_form(self, page_path: str, action: str, data: dict):
        """Post ``data`` to ``action`` with the CSRF token (and version) of ``page_path``."""
        hidden = hidden_inputs(self.get(page_path).text)
        body = {"csrf_token": hidden["csrf_token"], **data}
        return self.http.post(self.base + action, data=body, timeout=15)


def queued_tn(traveler) -> str:
    """A TN petition to Blaine, submitted and routed by the live worker."""
    receipt = file_tn_to_blaine(traveler)["receipt_number"]
    upload(traveler, receipt, "passport")
    upload(traveler, receipt, "employer_letter")
    assert traveler.post(f"/petitions/{receipt}/submit").status_code == 200
    wait_for_status(traveler, receipt, "queued")
    return receipt
