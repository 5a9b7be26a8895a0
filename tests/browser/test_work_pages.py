"""Issue 17 in Debian's Chromium against the live stack, at 1280 and 390 px: the officer's
case page (the outcome first and only its fields, with and without JavaScript; the error
summary first in <main> with the focus; the validity default from the requested period
and the difference spelled out; the decision within the first screen; the sticky action
bar), and a request for evidence answered in one place by the traveler (each item its own
answer, the count answered / left, no generic upload, the status said once) that goes back
to the officer who asked. Screenshots go to test-artifacts/issue17-*.png."""
import re
from datetime import date, timedelta

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.test_journey import pdf, sign_in, sign_out
from tests.factories import PASSWORD
from tests.integration.web_helpers import queued_tn
from tests.live import ROOT
from traveler_portal.extensions import db
from traveler_portal.models import Petition

ARTIFACTS = ROOT / "test-artifacts"
WIDE, NARROW = {"width": 1280, "height": 720}, {"width": 390, "height": 844}
TODAY = date.today()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"issue17-{name}.png"), full_page=True)


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def summary_first_and_focused(page: Page) -> None:
    summary = page.locator("main .error-summary")
    expect(summary).to_be_focused()
    # before the page's heading: the first thing in <main> after any flash message
    assert page.evaluate("""() => {
        const s = document.querySelector('main .error-summary');
        const h = document.querySelector('main h1');
        return !!(s.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")


def set_requested_end(app, receipt: str, end: date) -> None:
    with app.app_context():
        db.session.execute(sa.update(Petition).where(Petition.receipt_number == receipt)
                           .values(requested_end=end))
        db.session.commit()


def test_the_officer_decides_outcome_first(app, api, create_user, live_server, browser,
                                           browser_page):
    page, base = browser_page, live_server.url
    traveler = api("traveler")
    receipt = queued_tn(traveler)
    asked = TODAY + timedelta(days=212)  # seven months: far less than TN's 1,095 days
    set_requested_end(app, receipt, asked)
    officer = api("officer", country="US")
    assert officer.post("/queues/US-BLAINE/claim").json()["receipt_number"] == receipt
    case = f"{base}/officer/cases/{receipt}"

    page.set_viewport_size(WIDE)
    sign_in(page, base, officer.email, PASSWORD)
    page.goto(case)
    # The decision is in the first screen, and shows nothing but the choice.
    deny = page.get_by_label("Deny", exact=True)
    box = deny.bounding_box()
    assert box and box["y"] + box["height"] <= WIDE["height"], box
    expect(page.get_by_label("Valid until")).to_be_hidden()
    expect(page.get_by_label("Respond by")).to_be_hidden()
    expect(page.get_by_role("button", name="Record decision")).to_be_hidden()
    expect(page.get_by_role("button", name="Continue")).to_be_hidden()  # JavaScript is on
    bar = page.get_by_role("region", name="Status and next action")
    expect(bar.get_by_role("link", name="Record your decision")).to_be_visible()
    shot(page, "officer-1280-start")

    # Deny: only the denial's fields; recorded empty, the summary comes first, focused.
    deny.check()
    expect(page.get_by_label("Not eligible for the category", exact=False).first).to_be_visible()
    expect(page.get_by_label("Valid until")).to_be_hidden()
    expect(page.get_by_label("Item 1: what is needed")).to_be_hidden()
    page.get_by_role("button", name="Record decision").click()
    summary_first_and_focused(page)
    expect(page.get_by_role("link", name="Choose at least one reason code.")).to_be_visible()
    expect(page.get_by_label("Valid until")).to_be_hidden()
    shot(page, "officer-1280-denial-errors")

    # Approve: the validity is the requested period, and a change is spelled out.
    page.get_by_label("Approve", exact=True).check()
    expect(page.get_by_label("Reasons for the denial (one or more)")).to_have_count(0)
    expect(page.get_by_label("Valid until")).to_have_value(asked.isoformat())
    expect(page.get_by_text(re.compile("The traveler asked to work until"))).to_be_visible()
    page.get_by_label("Valid until").fill((asked + timedelta(days=30)).isoformat())
    page.get_by_label("Valid until").dispatch_event("change")
    expect(page.get_by_text("30 days longer than the traveler asked for")).to_be_visible()
    shot(page, "officer-1280-approve")

    # The action bar stays on screen at the foot of the page.
    page.keyboard.press("End")
    page.mouse.wheel(0, 20000)
    expect(bar).to_be_in_viewport()

    # 390 px: the same page reflows, nothing scrolls sideways.
    page.set_viewport_size(NARROW)
    page.goto(case)
    no_sideways_scroll(page)
    page.get_by_label("Request more evidence").check()
    expect(page.get_by_label("Item 1: what is needed")).to_be_visible()
    expect(page.get_by_label("Valid until")).to_be_hidden()
    shot(page, "officer-390-evidence")

    # Without JavaScript: choose, "Continue", and the chosen outcome's fields come back.
    context = browser.new_context(java_script_enabled=False, viewport=WIDE)
    try:
        plain = context.new_page()
        plain.set_default_timeout(15_000)
        sign_in(plain, base, officer.email, PASSWORD)
        plain.goto(case)
        expect(plain.get_by_label("Valid until")).to_be_hidden()
        plain.get_by_label("Approve", exact=True).check()
        plain.get_by_role("button", name="Continue").click()
        expect(plain.get_by_label("Valid until")).to_have_value(asked.isoformat())
        expect(plain.get_by_label("Item 1: what is needed")).to_be_hidden()
        shot(plain, "officer-1280-nojs-approve")
        plain.get_by_role("button", name="Record decision").click()
        expect(plain.get_by_text(f"Petition {receipt} was approved.")).to_be_visible()
    finally:
        context.close()
    assert traveler.get(f"/petitions/{receipt}").json()["status"] == "approved"


def test_the_traveler_answers_in_one_place_and_the_case_goes_back(api, live_server,
                                                                   browser_page):
    page, base = browser_page, live_server.url
    traveler = api("traveler")
    receipt = queued_tn(traveler)
    officer = api("officer", country="US")
    assert officer.post("/queues/US-BLAINE/claim").json()["receipt_number"] == receipt
    asked = officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "evidence_requested", "message": "Two things, please.",
        "respond_by": (TODAY + timedelta(days=20)).isoformat(), "evidence_items": [
            {"requirement": "Engineering degree", "kind": "credentials",
             "reason": "TN engineers need a degree; none is on file."},
            {"requirement": "Employer letter", "kind": "employer_letter",
             "reason": "Please confirm the letter on file states the salary and duration."}]})
    assert asked.status_code == 200, asked.text

    page.set_viewport_size(NARROW)
    sign_in(page, base, traveler.email, PASSWORD)
    page.goto(f"{base}/my/petitions/{receipt}")
    answer = page.get_by_role("region", name="Request for evidence: your answer")
    expect(answer).to_be_visible()
    # One answer path: no generic upload while the request is open.
    expect(page.get_by_role("button", name="Upload document")).to_have_count(0)
    expect(page.get_by_label("What is this document?")).to_have_count(0)
    # The status once; no decision estimate while the officer waits on the traveler.
    expect(page.get_by_text("More evidence needed from you", exact=True)).to_have_count(1)
    expect(page.get_by_role("heading", name="When to expect a decision")).to_have_count(0)
    # The letter on file is preselected for the item asking for it: 1 of 2 answered.
    letter = page.get_by_role("group", name="Item 2: Employer letter")
    expect(letter.get_by_label("Or choose a document already on file")).not_to_have_value("")
    expect(answer.get_by_text("1 of 2 items answered, 1 left.")).to_be_visible()
    expect(answer.get_by_text(re.compile("Respond by"))).to_be_visible()
    no_sideways_scroll(page)
    shot(page, "traveler-390-answer")

    # Sent with the degree missing: the summary first, focused, naming the item.
    page.get_by_role("button", name="Send my response").click()
    summary_first_and_focused(page)
    expect(page.get_by_role("link", name=re.compile("Engineering degree"))).to_be_visible()
    # The summary's link takes the focus to the item's own upload, where its message is.
    page.get_by_role("link", name=re.compile("Engineering degree")).click()
    degree = page.get_by_role("group", name="Item 1: Engineering degree")
    expect(degree.get_by_label("Upload a new file")).to_be_focused()
    no_sideways_scroll(page)
    shot(page, "traveler-390-answer-errors")

    page.set_viewport_size(WIDE)
    degree = page.get_by_role("group", name="Item 1: Engineering degree")
    degree.get_by_label("Upload a new file").set_input_files(pdf("degree.pdf"))
    expect(answer.get_by_text("2 of 2 items answered, 0 left.")).to_be_visible()
    shot(page, "traveler-1280-answer-ready")
    page.get_by_role("button", name="Send my response").click()
    expect(page.get_by_text("Your response was sent.")).to_be_visible()
    sign_out(page)

    # Back to the officer who asked: "My cases", marked "Evidence received".
    sign_in(page, base, officer.email, PASSWORD)
    page.goto(f"{base}/officer/cases")
    row = page.get_by_role("row", name=re.compile(re.escape(receipt)))
    expect(row.get_by_text("Evidence received")).to_be_visible()
    shot(page, "officer-1280-my-cases")
    row.get_by_role("button", name=f"Claim {receipt}").click()
    expect(page.get_by_role("heading", level=1, name=f"Case {receipt}")).to_be_visible()
    expect(page.locator(".evidence-received")).to_contain_text("Evidence received")
    sign_out(page)

    # Another officer's "Claim next" does not take a case kept for its officer.
    other = api("officer", country="US")
    assert other.post("/queues/US-BLAINE/claim").status_code == 204


def test_the_employer_pages_table_first_paginated_and_confirmed(app, create_user, live_server,
                                                                browser_page):
    from tests import factories
    from traveler_portal.domain import organizations
    from traveler_portal.models import User

    page, base = browser_page, live_server.url
    owner_email, owner_pw = create_user("employer", name="Erin Employer")
    with app.app_context():
        owner = db.session.scalars(sa.select(User).where(User.email == owner_email)).one()
        for i in range(30):
            traveler = factories.user("traveler", name=f"Traveler {i:03d}")
            organizations.link_traveler(traveler, owner.organization_id)
            if i == 0:
                db.session.flush()
                factories.submitted(traveler)
        db.session.commit()

    page.set_viewport_size(WIDE)
    sign_in(page, base, owner_email, owner_pw)
    # The dashboard: the table first, filters folded; a filter shows as a removable tag.
    table = page.get_by_role("table", name=re.compile("^Petitions of"))
    expect(table).to_be_visible()
    invite = page.get_by_role("heading", level=2, name="Invite your travelers")
    assert table.bounding_box()["y"] < invite.bounding_box()["y"]
    expect(page.get_by_label("Destination")).to_be_hidden()
    page.get_by_text("Filter and sort").click()
    page.get_by_label("Destination").select_option("US")
    page.get_by_role("button", name="Show").click()
    tag = page.get_by_role("link", name=re.compile("^Destination: United States"))
    expect(tag).to_be_visible()
    shot(page, "employer-1280-dashboard-filtered")
    tag.click()
    expect(page.get_by_role("link", name=re.compile("^Destination:"))).to_have_count(0)

    # Employees: the invitation at the top, 25 a page, searchable.
    page.goto(f"{base}/employer/organization/employees")
    expect(page.get_by_role("heading", name="Invite a traveler")).to_be_visible()
    people = page.get_by_role("table", name=re.compile("^Travelers linked to"))
    expect(people).to_contain_text("30 in all, page 1 of 2")
    expect(people.get_by_role("row")).to_have_count(26)  # the header and 25 people
    shot(page, "employer-1280-employees")
    page.get_by_role("link", name="Next page").click()
    expect(people.get_by_role("rowheader", name="Traveler 029")).to_be_visible()
    page.get_by_label("Search by name or email").fill("Traveler 007")
    page.get_by_role("button", name="Search").click()
    expect(people.get_by_role("row")).to_have_count(2)

    # Ending a link asks first; "Cancel" changes nothing.
    page.get_by_role("link", name="End the link with Traveler 007").click()
    expect(page.get_by_role("heading", level=1, name="End the link with Traveler 007?")
           ).to_be_visible()
    shot(page, "employer-1280-confirm-unlink")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("rowheader", name="Traveler 007")).to_be_visible()
    page.get_by_role("link", name="End the link with Traveler 007").click()
    page.get_by_role("button", name="Yes, end the link").click()
    expect(page.get_by_text("The link was ended.")).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("^Travelers linked to"))
           ).to_contain_text("29 in all")

    # 390 px: both pages reflow.
    page.set_viewport_size(NARROW)
    page.goto(f"{base}/employer/organization/employees")
    no_sideways_scroll(page)
    shot(page, "employer-390-employees")
    page.goto(f"{base}/employer/")
    no_sideways_scroll(page)
    shot(page, "employer-390-dashboard")
