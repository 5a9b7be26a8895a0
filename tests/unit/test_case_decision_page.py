"""The officer's case page around the decision (issue 17), over HTTP with the Flask test
client: the outcome first with only its fields (the no-JavaScript step included), the
validity default from the requested period capped by the category's maximum, the error
summary first in <main>; and an answered request for evidence kept for the officer who
asked, in their "My cases", claimable by others once EVIDENCE_RETURN_HOURS have passed."""
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import sqlalchemy as sa

from tests.unit.test_web_auth import csrf_token, sign_in
from traveler_portal.models import Petition
from traveler_portal.models.users import utcnow

TODAY = date.today()


class _Outcomes(HTMLParser):
    """The data-outcome blocks of the page and whether each is hidden."""

    def __init__(self):
        super().__init__()
        self.blocks = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-outcome" in attrs:
            self.blocks[attrs["data-outcome"]] = "hidden" in attrs
        if "data-outcome-any" in attrs:
            self.blocks["any"] = "hidden" in attrs


def shown(html: str) -> set:
    parser = _Outcomes()
    parser.feed(html)
    return {name for name, hidden in parser.blocks.items() if not hidden}


def claimed(api, seed):
    """A TN petition to Blaine claimed by a US officer (API clients)."""
    traveler, officer = api("traveler"), api("officer", country="US")
    receipt = seed.queued(traveler.email, category="TN", port="BLAINE")
    assert officer.post("/queues/US-BLAINE/claim").get_json()["receipt_number"] == receipt
    return traveler, officer, receipt


def set_requested_end(seed, receipt, end):
    seed.execute(sa.update(Petition).where(Petition.receipt_number == receipt)
                 .values(requested_end=end))


def valid_until_value(html: str) -> str:
    return re.search(r'<input[^>]*name="valid_until"[^>]*value="([^"]*)"', html).group(1)


def test_outcome_first_then_only_its_fields(api, seed, app):
    _traveler, officer, receipt = claimed(api, seed)
    web = app.test_client()
    sign_in(web, officer.email)
    path = f"/officer/cases/{receipt}"
    page = web.get(path).get_data(as_text=True)
    assert shown(page) == set()  # nothing but the choice until an outcome is chosen
    assert 'name="step" value="choose"' in page

    # Without JavaScript: "Continue" brings the page back with the chosen outcome's fields.
    chosen = web.post(f"{path}/decision", data={
        "csrf_token": csrf_token(web, path), "outcome": "denied", "step": "choose"})
    assert chosen.status_code == 200
    assert shown(chosen.get_data(as_text=True)) == {"denied", "any"}
    nothing = web.post(f"{path}/decision", data={
        "csrf_token": csrf_token(web, path), "step": "choose"})
    assert nothing.status_code == 422
    assert "Choose approve, deny or request evidence." in nothing.get_data(as_text=True)
    # A link may name the outcome too.
    assert shown(web.get(f"{path}?outcome=evidence_requested").get_data(as_text=True)) == \
        {"evidence_requested", "any"}
    assert seed.petition(receipt)["status"] == "in_review"


def test_a_refused_decision_puts_the_error_summary_first_in_main(api, seed, app):
    _traveler, officer, receipt = claimed(api, seed)
    web = app.test_client()
    sign_in(web, officer.email)
    path = f"/officer/cases/{receipt}"
    refused = web.post(f"{path}/decision", data={
        "csrf_token": csrf_token(web, path), "outcome": "denied", "message": ""})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    main = html[html.index('<main id="main"'):]
    # the summary comes before the page's heading, and the denial's fields are shown
    assert main.index('class="error-summary"') < main.index("<h1>")
    assert 'href="#reason_codes"' in main and 'href="#message"' in main
    assert shown(html) == {"denied", "any"}


def test_validity_defaults_to_the_requested_period_capped_by_the_maximum(api, seed, app):
    _traveler, officer, receipt = claimed(api, seed)
    web = app.test_client()
    sign_in(web, officer.email)
    path = f"/officer/cases/{receipt}?outcome=approved"
    asked = TODAY + timedelta(days=212)
    set_requested_end(seed, receipt, asked)
    page = web.get(path).get_data(as_text=True)
    assert valid_until_value(page) == asked.isoformat()
    assert "The traveler asked to work until" in page

    set_requested_end(seed, receipt, TODAY + timedelta(days=2000))  # past TN's 1,095 days
    page = web.get(path).get_data(as_text=True)
    assert valid_until_value(page) == (TODAY + timedelta(days=1095)).isoformat()
    assert "past the TN maximum" in page

    # An officer's other date is spelled out against the request.
    set_requested_end(seed, receipt, asked)
    case = f"/officer/cases/{receipt}"
    later = web.post(f"{case}/decision", data={
        "csrf_token": csrf_token(web, case), "outcome": "approved", "step": "choose",
        "valid_until": (asked + timedelta(days=30)).isoformat()})
    assert "30 days longer than the traveler asked for" in later.get_data(as_text=True)


def ask_and_answer(traveler, officer, receipt):
    sent = officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "evidence_requested", "message": "Please send your degree.",
        "evidence_items": [{"requirement": "Engineering degree", "kind": "credentials",
                            "reason": "TN engineers need a degree; none is on file."}],
        "respond_by": (TODAY + timedelta(days=20)).isoformat()})
    assert sent.status_code == 200, sent.get_json()
    item = traveler.get(f"/petitions/{receipt}").get_json()["evidence_request"]["details"][0]
    new = traveler.upload(receipt, "credentials").get_json()["id"]
    answered = traveler.post(f"/petitions/{receipt}/evidence", json={
        "items": [{"id": item["id"], "document_id": new}]})
    assert answered.status_code == 200, answered.get_json()


def test_an_answered_request_goes_back_to_the_officer_who_asked(api, seed, app):
    traveler, officer, receipt = claimed(api, seed)
    ask_and_answer(traveler, officer, receipt)
    assert seed.petition(receipt)["status"] == "queued"

    # Another officer's "Claim next" passes over it; picking it is refused, for now.
    other = api("officer", country="US")
    assert other.post("/queues/US-BLAINE/claim").status_code == 204
    other_web = app.test_client()
    sign_in(other_web, other.email)
    case = f"/officer/cases/{receipt}"
    page = other_web.get(case).get_data(as_text=True)
    assert "kept for" in page and "Claim this case" not in page
    queue = other_web.get("/officer/queues/US-BLAINE").get_data(as_text=True)
    assert "Kept for" in queue and "Evidence received" in queue
    picked = other_web.post(f"{case}/claim", data={"csrf_token": csrf_token(other_web, case)},
                            follow_redirects=True)
    assert "who asked for the evidence" in picked.get_data(as_text=True)
    assert seed.petition(receipt)["status"] == "queued"

    # The officer who asked finds it in "My cases", marked "Evidence received", and claims it.
    web = app.test_client()
    sign_in(web, officer.email)
    mine = web.get("/officer/cases").get_data(as_text=True)
    assert "Evidence received" in mine and receipt in mine
    claim = web.post(f"{case}/claim", data={"csrf_token": csrf_token(web, "/officer/cases")})
    assert claim.status_code == 302
    assert seed.petition(receipt)["status"] == "in_review"
    page = web.get(case).get_data(as_text=True)
    assert "Evidence received" in page and "Record your decision" in page
    my_list = web.get("/officer/cases").get_data(as_text=True)
    assert "Evidence received" in my_list and "Petitions you have claimed" in my_list


def test_after_the_return_hours_any_officer_may_claim_it(api, seed, app):
    traveler, officer, receipt = claimed(api, seed)
    ask_and_answer(traveler, officer, receipt)
    with app.app_context():
        hours = app.config["EVIDENCE_RETURN_HOURS"]
    seed.execute(sa.update(Petition).where(Petition.receipt_number == receipt)
                 .values(reserved_until=utcnow() - timedelta(minutes=1)))
    assert hours > 0
    other = api("officer", country="US")
    got = other.post("/queues/US-BLAINE/claim")
    assert got.status_code == 200 and got.get_json()["receipt_number"] == receipt
    with app.app_context():
        from traveler_portal.extensions import db
        p = db.session.scalars(sa.select(Petition).where(
            Petition.receipt_number == receipt)).one()
        assert p.reserved_officer_id is None and p.reserved_until is None
