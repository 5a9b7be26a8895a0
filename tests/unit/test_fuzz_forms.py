"""No 500 from input, browser side (issue 14, item 6): hypothesis fills every form the
portal shows to a signed-in user of each role (and the public ones) with generated text —
NUL bytes, unknown choices, very long and odd Unicode values — and posts it with the
page's CSRF token; GET forms (search boxes, filters) get the same in their query string.
No answer may be a 5xx. The forms are found by following the role's links, so a new page
is fuzzed without being listed here. Examples are few and derandomized: seconds per role.
"""
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.unit.test_web_auth import sign_in
from traveler_portal.domain import adjudication
from traveler_portal.extensions import db
from traveler_portal.models import Petition, User

FUZZ = settings(max_examples=4, deadline=None, derandomize=True, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck))
# Forms that would end the session being fuzzed (the rest of the run needs it).
SKIP_ACTIONS = ("/logout",)
MAX_PAGES = 40
# Streamed CSV downloads: pages, not forms, are crawled here (the live tests read them).
SKIP_DOWNLOADS = (".csv", "/export", "/audit.csv")

VALUE = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(["\x00", "a\x00b", "XX", "-1", "0", "99999999999999999999", "2026-02-30",
                     "9999-12-31", "{\"$ne\": 1}", "' OR 1=1 --", "<script>x</script>",
                     "../../etc/passwd", " ", "US", "CA"]),
)


class _Page(HTMLParser):
    """The page's links and forms (method, action, field names, hidden values)."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self.forms.append({"method": (attrs.get("method") or "get").lower(),
                               "action": attrs.get("action"), "fields": [], "hidden": {}})
        elif tag in ("input", "select", "textarea") and self.forms and attrs.get("name"):
            form = self.forms[-1]
            if tag == "input" and attrs.get("type") == "hidden":
                form["hidden"][attrs["name"]] = attrs.get("value", "")
            elif attrs.get("type") not in ("submit", "button", "file"):
                form["fields"].append(attrs["name"])


def _same_site(url: str) -> bool:
    parts = urlsplit(url)
    return parts.netloc in ("", "localhost") and parts.scheme in ("", "http")


def _forms_of(client, start: str) -> list[tuple[str, dict]]:
    """(page, form) for every form on the pages reachable from ``start`` by GET links."""
    seen, queue, found = set(), [start], []
    while queue and len(seen) < MAX_PAGES:
        path = urlsplit(queue.pop(0)).path
        if path in seen or any(path.endswith(a) for a in SKIP_ACTIONS):
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        if response.mimetype != "text/html":
            continue
        page = _Page()
        page.feed(response.get_data(as_text=True))
        for form in page.forms:
            action = urljoin(path, form["action"] or path)
            if not any(urlsplit(action).path.endswith(a) for a in SKIP_ACTIONS):
                found.append((action, form))
        queue.extend(urljoin(path, link) for link in page.links if _same_site(link)
                     and not urlsplit(link).path.startswith(("/static", "/api"))
                     and not urlsplit(link).path.endswith(SKIP_DOWNLOADS))
    return found


def _logged_error(caplog) -> str:
    """The traceback the app logged for its 500, to show in the failure."""
    import logging  # noqa: PLC0415
    records = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    return logging.Formatter().formatException(records[-1].exc_info) if records else ""


def _fuzz(client, forms, caplog):
    assert forms, "no forms found"
    distinct = {(form["method"], action, tuple(form["fields"])): (action, form)
                for action, form in forms}  # a form repeated on many pages, once
    for action, form in distinct.values():
        @FUZZ
        @given(values=st.fixed_dictionaries(dict.fromkeys(form["fields"], VALUE)))
        def no_5xx(values):
            if form["method"] == "post":
                response = client.post(action, data={**form["hidden"], **values})
            else:
                response = client.get(action, query_string={**form["hidden"], **values})
            assert response.status_code < 500, (action, values, _logged_error(caplog))
        no_5xx()


def test_public_forms_never_answer_5xx(client, caplog):
    _fuzz(client, _forms_of(client, "/") + _forms_of(client, "/login"), caplog)


@pytest.mark.parametrize("role", ["traveler", "employer", "officer", "supervisor", "admin"])
def test_signed_in_forms_never_answer_5xx(client, seed, role, caplog):
    email = seed.user(role)
    receipt = seed.queued(seed.user("traveler"))
    if role == "traveler":  # a draft and a filed petition of their own to reach
        seed.draft(email)
        seed.queued(email)
    if role in ("officer", "supervisor"):  # a claimed case: its decision forms show
        with client.application.app_context():
            petition = db.session.scalars(sa.select(Petition).where(
                Petition.receipt_number == receipt)).one()
            officer = db.session.scalars(sa.select(User).where(User.email == email)).one()
            assert adjudication.claim_next(officer, petition.queue.code) is not None
    assert sign_in(client, email).status_code == 302
    start = {"officer": f"/officer/cases/{receipt}",
             "supervisor": f"/officer/cases/{receipt}"}.get(role, "/")
    forms = _forms_of(client, start) + (_forms_of(client, "/") if start != "/" else [])
    _fuzz(client, forms, caplog)
