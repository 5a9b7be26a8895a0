"""Status, estimate and history over HTTP (Flask test client): the API petition's
waiting_on, queue_position and estimate (detail and list), the petition page's status
panel, the traveler's dashboard filters and filing a new petition like a past one."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.unit.test_status import decide_directly, decided_sample, queued
from tests.unit.test_web_auth import csrf_token, sign_in, where
from traveler_portal.extensions import db
from traveler_portal.models import Petition, Status, User
from traveler_portal.models.users import utcnow


def _user(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


@pytest.fixture
def build(app):
    """Run a test_status helper in its own app context; receipt numbers come back."""
    def run(fn, email, *args, **kwargs):
        with app.app_context():
            result = fn(_user(email), *args, **kwargs)
            return result.receipt_number if isinstance(result, Petition) else result
    return run


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_api_detail_and_list_carry_waiting_on_position_and_estimate(api, build, seed):
    client = api("traveler")
    first = build(queued, client.email, days_ahead=5)
    second = build(queued, client.email, days_ahead=60)
    draft = seed.draft(client.email)

    body = client.get(f"/petitions/{second}").get_json()
    assert (body["waiting_on"], body["queue_position"], body["estimate"]) == \
        ("agency", 2, None)   # an empty queue history: not enough data yet

    build(decided_sample, client.email, [2, 4, 6, 8, 10])
    body = client.get(f"/petitions/{first}").get_json()
    assert body["queue_position"] == 1
    est = body["estimate"]
    assert {k: est[k] for k in ("median_days", "p80_days", "sample_size")} == \
        {"median_days": 6, "p80_days": 9, "sample_size": 5}
    submitted = body["submitted_at"][:10]
    assert est["expected_by"] > submitted and est["after_travel_date"] is True

    items = {p["receipt_number"]: p for p in client.get("/petitions").get_json()["items"]}
    assert items[first]["queue_position"] == 1 and items[second]["queue_position"] == 2
    assert items[second]["estimate"]["sample_size"] == 5
    assert items[second]["estimate"]["after_travel_date"] is False
    assert items[draft]["waiting_on"] == "applicant"
    assert items[draft]["queue_position"] is None
    closed = [p for p in items.values() if p["status"] == "approved"]
    assert len(closed) == 5 and all(p["waiting_on"] is None and p["estimate"] is None
                                    and p["queue_position"] is None for p in closed)


def test_openapi_describes_the_status_fields(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["Petition"]
    for name in ("waiting_on", "queue_position", "estimate"):
        assert name in schema["required"] and name in schema["properties"]
    assert set(schema["properties"]["estimate"]["required"]) == \
        {"median_days", "p80_days", "sample_size", "expected_by"}


def test_petition_page_shows_status_queue_place_and_estimate(client, seed, build):
    email = seed.user("traveler")
    receipt = build(queued, email, days_ahead=4)
    assert sign_in(client, email).status_code == 302
    page = text(client.get(f"/my/petitions/{receipt}"))
    # Who it waits on and the queue, said once (the next step), then the place and estimate.
    assert page.count("Waiting on") == 1
    assert "Waiting on the agency: the petition is in the queue for Blaine Peace Arch, WA" \
        in page and "Number 1 in the queue" in page
    assert "Not enough data yet to estimate" in page
    assert "falls after the travel date" not in page

    build(decided_sample, email, [5, 5, 5, 5, 5, 5])
    page = text(client.get(f"/my/petitions/{receipt}"))
    assert "Most cases like yours are decided within 5 days (80% within 5 days), based " \
           "on 6 decided cases; expected by" in page
    assert "Not enough data yet" not in page
    assert "Warning:" in page and "falls after the travel date" in page


def test_employer_page_says_who_it_waits_on_in_their_words(client, seed, build, app):
    employer = seed.user("employer")
    with app.app_context():
        org_id = _user(employer).organization_id
        from tests import factories
        traveler = factories.user("traveler")
        traveler.organization_id = org_id
        db.session.commit()
        traveler_email = traveler.email
    receipt = seed.draft(traveler_email)
    assert sign_in(client, employer).status_code == 302
    page = text(client.get(f"/employer/petitions/{receipt}"))
    assert "Waiting on the traveler: they review the petition" in page, page[-4000:]
    assert page.count("Waiting on") == 1


def test_dashboard_lists_current_and_past_with_filters(client, seed, build, app):
    email = seed.user("traveler")
    open_us = build(queued, email)
    past_us = build(queued, email)
    past_ca = seed.submitted(email, country="CA", category="CUSMA_PRO", port="DOUGLAS")
    with app.app_context():
        for receipt in (past_us, past_ca):
            pid = db.session.scalar(sa.select(Petition.id)
                                    .where(Petition.receipt_number == receipt))
            decide_directly(pid, 3)
    other = seed.queued(seed.user("traveler"))
    assert sign_in(client, email).status_code == 302

    page = text(client.get("/my/"))
    for receipt in (open_us, past_us, past_ca):
        assert receipt in page
    assert other not in page
    assert "Current petitions" in page and "Past petitions" in page

    approved = text(client.get("/my/?status=approved"))
    assert past_us in approved and past_ca in approved and open_us not in approved
    canada = text(client.get("/my/?status=approved&country=CA"))
    assert past_ca in canada and past_us not in canada and open_us not in canada
    assert 'selected value="CA"' in canada or 'value="CA" selected' in canada
    none = text(client.get("/my/?status=withdrawn"))
    assert "No petition matches these filters." in none and past_us not in none
    assert "File a new petition like this one" in page


def test_file_a_new_petition_like_a_past_one(client, seed, build, app):
    email = seed.user("traveler")
    past = seed.submitted(email, category="B1", port="DERBY-LINE")
    assert sign_in(client, email).status_code == 302
    link = re.search(r'href="([^"]*like=' + past + r'[^"]*)"', client.get("/my/")
                     .get_data(as_text=True))
    assert link is None  # a current petition: not offered for copying in the past list
    with app.app_context():
        pid = db.session.scalar(sa.select(Petition.id).where(Petition.receipt_number == past))
        decide_directly(pid, 2, to=Status.DENIED)
    dashboard = client.get("/my/").get_data(as_text=True)
    href = re.search(r'href="([^"]*like=' + past + r'[^"]*)"', dashboard).group(1)
    href = href.replace("&amp;", "&")

    response = client.get(href)
    assert where(response) == "/my/filing/new"
    trip_url = response.headers["Location"]
    assert "like=" + past in trip_url and "country=US" in trip_url
    form = client.get(trip_url).get_data(as_text=True)
    assert re.search(r'<option selected value="B1">|<option value="B1" selected', form)
    assert re.search(r'<option selected value="DERBY-LINE">|<option value="DERBY-LINE" '
                     r'selected', form)
    assert "like=" + past in form  # the form posts back with the petition to copy

    day = utcnow().date()
    response = client.post(trip_url, data={
        "csrf_token": csrf_token(client, trip_url), "destination_country": "US",
        "category": "B1", "port_of_entry": "DERBY-LINE",
        "travel_date": (day + timedelta(days=25)).isoformat(),
        "requested_start": (day + timedelta(days=26)).isoformat(),
        "requested_end": (day + timedelta(days=40)).isoformat()})
    assert response.status_code == 302, text(response)[-2000:]
    with app.app_context():
        new = db.session.scalars(sa.select(Petition).where(
            Petition.receipt_number != past, Petition.traveler.has(User.email == email))).one()
        assert (new.category.code, new.port.code, new.job_title, new.employer_name) == \
            ("B1", "DERBY-LINE", "Software engineer", "Cascade Systems Inc.")
        assert new.travel_date == day + timedelta(days=25) and new.status == Status.DRAFT


def test_cannot_copy_a_petition_one_may_not_see(client, seed):
    stranger = seed.submitted(seed.user("traveler"))
    email = seed.user("traveler")
    assert sign_in(client, email).status_code == 302
    assert client.get(f"/my/filing/new?country=US&like={stranger}").status_code == 404


def test_the_petition_list_pages_from_newest_to_oldest(client, seed, app, monkeypatch):
    """Keyset pages: every petition once, newest first, the filter kept on every page."""
    from traveler_portal.domain import history
    monkeypatch.setattr(history, "PAGE_SIZE", 3)
    email = seed.user("traveler")
    drafts = [seed.draft(email) for _ in range(7)]  # oldest first
    canada = seed.draft(email, country="CA", category="CUSMA_PRO", port="DOUGLAS")
    assert sign_in(client, email).status_code == 302

    seen, url, pages = [], "/my/?country=US", 0
    while url:
        page = client.get(url).get_data(as_text=True)
        pages += 1
        for receipt in re.findall(r"US-\d{4}-[0-9A-Z]+", page):
            if receipt not in seen:
                seen.append(receipt)
        assert canada not in page
        older = re.search(r'href="([^"]*older_than=[^"]*)" rel="next"', page)
        url = older.group(1).replace("&amp;", "&") if older else None
        if url:
            assert "country=US" in url
    assert pages == 3
    assert seen == list(reversed(drafts))


def test_the_case_page_shows_the_travelers_most_recent_other_petitions(
        client, seed, app, monkeypatch):
    from traveler_portal.domain import casework
    monkeypatch.setattr(casework, "EARLIER_LIMIT", 2)
    email = seed.user("traveler")
    others = [seed.queued(email) for _ in range(4)]  # oldest first
    case = seed.queued(email)
    officer = seed.user("officer", country="US")
    assert sign_in(client, officer).status_code == 302
    page = text(client.get(f"/officer/cases/{case}"))
    assert "the 2 most recent of 4" in page
    assert others[3] in page and others[2] in page
    assert others[1] not in page and others[0] not in page
