"""An officer's day in Debian's Chromium against the live stack: claim the next case, read
a document inline, tick the category checklist, add a note, approve with the category's
default validity and conditions prefilled from the petition; every step lands in the audit
trail, which the supervisor reads."""
import re
from datetime import date, timedelta

import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.test_journey import sign_in, sign_out
from tests.integration.web_helpers import queued_tn
from traveler_portal.extensions import db
from traveler_portal.models import AuditEntry


def test_an_officers_day(api, app, create_user, live_server, browser_page):
    page, base = browser_page, live_server.url
    traveler = api("traveler")
    receipt = queued_tn(traveler)
    officer_email, officer_pw = create_user("officer", country="US", name="Olivia Officer")
    supervisor_email, supervisor_pw = create_user("supervisor", country="US")

    sign_in(page, base, officer_email, officer_pw)
    page.goto(f"{base}/officer/")
    blaine = page.get_by_role("row", name=re.compile("Blaine Peace Arch, WA"))
    blaine.get_by_role("button", name=re.compile("^Claim next")).click()
    expect(page.get_by_role("heading", level=1, name=f"Case {receipt}")).to_be_visible()
    expect(page.get_by_text(f"You claimed {receipt}.")).to_be_visible()

    # What the traveler filed, and documents downloaded.
    expect(page.get_by_role("heading", name="What the traveler filed")).to_be_visible()
    expect(page.get_by_role("heading", name="The traveler's other petitions")).to_be_visible()
    link = page.get_by_role("link", name="doc.pdf").first
    opened = page.request.get(base + link.get_attribute("href"))
    assert opened.status == 200 and opened.headers["content-type"] == "application/pdf"
    assert opened.headers["content-disposition"].startswith("attachment")

    # The category checklist, ticked and saved.
    passport = page.get_by_label("Passport valid for the whole stay; citizenship (not "
                                 "residence) shown")
    passport.check()
    page.get_by_label("Employer letter names the profession, duties, duration and pay").check()
    page.get_by_role("button", name="Save checklist").click()
    expect(page.get_by_text("The checklist was saved.")).to_be_visible()
    expect(page.get_by_label("Passport valid for the whole stay; citizenship (not residence) "
                             "shown")).to_be_checked()
    expect(page.get_by_label("Temporary intent shown")).not_to_be_checked()

    page.get_by_label("Internal note", exact=True).fill("Licence checked with the state board.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("The note was added to the case history.")).to_be_visible()

    # Approve: validity defaults to the period the traveler asked for (issue 17), never
    # beyond TN's 1095 days; conditions come from the petition.
    page.get_by_label("Approve", exact=True).check()
    valid_until = date.fromisoformat(page.get_by_label("Valid until").input_value())
    assert date.today() < valid_until <= date.today() + timedelta(days=1095)
    # The conditions sit in a disclosure under the date (issue 17: the decision fits the
    # first screen).
    page.get_by_text("Conditions printed on the approval").click()
    expect(page.get_by_label("Condition: employer")).to_have_value("Cascade Bridges Inc.")
    page.get_by_label("Condition: location").fill("Seattle, WA")
    page.get_by_label("Message to the traveler").fill("Welcome to the United States.")
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text(f"Petition {receipt} was approved.")).to_be_visible()
    final = traveler.get(f"/petitions/{receipt}").json()
    assert final["status"] == "approved"
    assert final["decision"]["conditions"]["location"] == "Seattle, WA"
    sign_out(page)

    # The supervisor reads the day in the audit trail.
    sign_in(page, base, supervisor_email, supervisor_pw)
    page.goto(f"{base}/supervisor/audit?receipt_number={receipt}")
    expect(page.get_by_role("heading", level=1, name=re.compile("^Audit trail"))).to_be_visible()
    table = page.get_by_role("table", name=re.compile("^Audit entries"))
    for action in ("case.claim", "case.view", "document.view", "case.checklist", "case.note",
                   "decision.approved"):
        # in words, the code beside them (issue 17)
        expect(table.get_by_role("cell", name=re.compile(rf"\({re.escape(action)}\)$")).first
               ).to_be_visible()
    with app.app_context():
        views = db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "document.view")).all()
        assert [v.actor_email for v in views] == [officer_email]
