"""At the border, in Debian's Chromium against the live stack: a port officer of Blaine
looks the traveler up by receipt number, sees the decision and the identity, and records
the admission; the traveler and the employer admin then read "Admitted at Blaine Peace
Arch, WA on …" on the case (and the traveler gets it by email)."""
import re
from datetime import date, timedelta

from babel.dates import format_date
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_journey import sign_in, sign_out
from tests.integration.web_helpers import queued_tn
from tests.live import wait_for
from tests.unit.arrival_helpers import PASSPORT, with_identity
from traveler_portal.extensions import db

ORG = "Maple Robotics Ltd."


def _approved(api, traveler) -> str:
    receipt = queued_tn(traveler)
    officer = api("officer", country="US")
    assert officer.post("/queues/US-BLAINE/claim").json()["receipt_number"] == receipt
    decided = officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "approved", "message": "Welcome.",
        "valid_until": (date.today() + timedelta(days=365)).isoformat()})
    assert decided.status_code == 200, decided.text
    return receipt


def test_the_port_officer_records_an_admission_the_traveler_and_employer_see(
        api, app, live_server, browser_page, smtp_server):
    page, base = browser_page, live_server.url
    employer = api("employer", organization=ORG)
    traveler = api("traveler", organization=ORG)
    with_identity(app, traveler.email)
    receipt = _approved(api, traveler)
    with app.app_context():
        officer = factories.user("port_officer", country="US", port="BLAINE",
                                 name="Sam Ortiz")
        port_email = officer.email
        db.session.commit()

    sign_in(page, base, port_email, factories.PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Look up a traveler")).to_be_visible()
    page.get_by_label("Receipt number or code from the notice's QR code").fill(receipt)
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_role("heading", level=1, name=f"Arrival: {receipt}")).to_be_visible()
    expect(page.get_by_role("heading", name="Identity")).to_be_visible()
    expect(page.get_by_text(PASSPORT)).to_be_visible()
    expect(page.get_by_role("heading", name="Decision: approved")).to_be_visible()
    expect(page.get_by_text("Check before recording")).to_have_count(0)

    page.get_by_label("Admitted under the approved category").check()
    until = date.today() + timedelta(days=180)
    page.get_by_label("Admitted until (admissions only)").fill(until.isoformat())
    page.get_by_role("button", name="Record the arrival").click()
    sentence = re.compile(r"Admitted at Blaine Peace Arch, WA on .+, until "
                          + re.escape(format_date(until, "long", locale="en")))
    expect(page.get_by_text(re.compile("^Recorded: Admitted at Blaine"))).to_be_visible()
    sign_out(page)

    for email, path in ((traveler.email, f"/my/petitions/{receipt}"),
                        (employer.email, f"/employer/petitions/{receipt}")):
        sign_in(page, base, email, factories.PASSWORD)
        page.goto(base + path)
        border = page.get_by_role("region", name="At the border")
        expect(border.get_by_text(sentence)).to_be_visible()
        timeline = page.get_by_role("region", name="Timeline")
        expect(timeline.get_by_text(sentence)).to_be_visible()
        sign_out(page)

    assert traveler.get(f"/petitions/{receipt}").json()["arrivals"][0]["outcome"] == "admitted"
    wait_for(lambda: any("Admitted at Blaine Peace Arch" in " ".join(str(m["Subject"]).split())
                         for m in smtp_server.to(traveler.email)), 30, "the arrival's email")
