"""The core loop in Debian's Chromium against the live stack (gunicorn, a real Celery worker
and broker): a traveler files a TN petition for Blaine, a US officer asks for evidence, the
traveler answers, the officer approves; the traveler and the employer admin see the
approval, and a Canadian officer never sees the case.

Locators go by role and label on purpose: if a label or a button name goes missing, the
journey fails, which is the accessibility check this test doubles as.
"""
import re
import secrets
import time
from datetime import timedelta

from babel.dates import format_date
from playwright.sync_api import Page, expect

from tests import factories
from tests.browser import filing_steps
from tests.factories import PDF_BYTES
from tests.live import wait_for
from traveler_portal.models.users import utcnow

ROUTING_TIMEOUT_S = 30


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def sign_in(page: Page, base: str, email: str, password: str) -> None:
    """Sign in; an agency account also types the code of its authenticator (the code
    ``factories.otp`` computes from the secret it was enrolled with)."""
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    code = factories.otp(email)
    if code:
        expect(page.get_by_role("heading", level=1, name="Two-step sign-in")).to_be_visible()
        page.get_by_label("Code from your authenticator app").fill(code)
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1, name="Sign in")).to_be_visible()


def upload(page: Page, kind: str, file: dict) -> None:
    page.get_by_label("What is this document?").select_option(kind)
    page.get_by_label("File", exact=True).set_input_files(file)
    page.get_by_role("button", name="Upload document").click()
    expect(page.get_by_text(f"{file['name']} was uploaded.")).to_be_visible()


def status_shown(page: Page, label: str):
    return page.get_by_role("definition").filter(has_text=re.compile(f"^{re.escape(label)}$"))


def waiting_counts(page: Page, caption: re.Pattern) -> dict[str, int]:
    """Queue name → petitions waiting (the column before the claim button), read from the
    officer's queue table."""
    counts = {}
    rows = page.get_by_role("table", name=caption).get_by_role("row")
    for i in range(1, rows.count()):  # row 0 holds the column headers
        row = rows.nth(i)
        cells = row.get_by_role("cell")
        name = row.get_by_role("rowheader").inner_text().splitlines()[0].strip()
        counts[name] = int(cells.nth(cells.count() - 2).inner_text())
    return counts


def registration_link(smtp_server, address: str) -> str:
    """The path of the link in the email that finishes a registration (the worker sends
    it)."""
    [message] = wait_for(lambda: smtp_server.to(address), 60, "the registration email")
    body = message.get_payload(decode=True).decode()
    return re.search(r"https?://[^/\s]+(/register/confirm/\S+)", body).group(1)


def test_tn_petition_from_filing_to_approval(live_server, create_user, browser_page,
                                             smtp_server):
    page, base = browser_page, live_server.url
    today = utcnow().date()
    tag = secrets.token_hex(4)
    employer_email, employer_pw = create_user("employer", organization=f"Maple Robotics {tag}")
    us_email, us_pw = create_user("officer", country="US")
    ca_email, ca_pw = create_user("officer", country="CA")

    # The employer admin reads the organization's invitation code off the dashboard.
    sign_in(page, base, employer_email, employer_pw)
    expect(page.get_by_role("heading", level=2, name="Invite your travelers")).to_be_visible()
    code = page.locator(".invite-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{10}", code)
    sign_out(page)

    # A traveler registers, joins the employer and files a TN petition for Blaine.
    traveler_email, traveler_pw = f"traveler-{tag}@example.com", f"pw-{secrets.token_hex(8)}"
    page.goto(f"{base}/register")
    page.get_by_label("A business traveler filing for myself").check()
    page.get_by_label("Full name").fill("Amélie Tremblay")
    page.get_by_label("Email address").fill(traveler_email)
    page.get_by_label("Password (at least 12 characters)").fill(traveler_pw)
    page.get_by_label("Confirm password").fill(traveler_pw)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1, name="Check your inbox")).to_be_visible()
    page.goto(base + registration_link(smtp_server, traveler_email))
    expect(page.get_by_role("heading", level=1, name="My petitions")).to_be_visible()
    page.get_by_role("link", name="Join your employer").first.click()
    page.get_by_label("Invitation code").fill(code)
    page.get_by_role("button", name="Join").click()
    expect(page.get_by_text("You joined Maple Robotics")).to_be_visible()
    page.get_by_role("link", name="My profile").click()  # the identity filing needs
    filing_steps.fill_profile(page)

    page.get_by_role("link", name="File a petition").first.click()
    page.get_by_label("United States").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Traveler's email")).to_have_count(0)  # not asked of travelers
    receipt = filing_steps.fill_trip(page)
    filing_steps.fill_job(page)

    # The review names the missing documents and offers no submission; with them it goes.
    page.get_by_role("link", name="Continue to the review").click()
    expect(page.get_by_role("link", name="Passport is required before you submit.")).to_be_visible()
    expect(page.get_by_role("link", name="Continue to attest and submit")).to_have_count(0)
    page.get_by_role("link", name="Passport is required before you submit.").click()
    filing_steps.upload_slot(page, "Passport", pdf("passport.pdf"))
    filing_steps.upload_slot(page, "Employer letter", pdf("employer-letter.pdf"))
    page.get_by_role("link", name="Continue to the review").click()
    filing_steps.attest_and_submit(page, receipt)

    # The worker routes it to the Blaine queue: reload until the page says so.
    deadline = time.monotonic() + ROUTING_TIMEOUT_S
    while not status_shown(page, "Waiting for an officer").count():
        assert time.monotonic() < deadline, "the petition was not routed in time"
        time.sleep(0.5)
        page.reload()
    expect(page.get_by_text("in the queue for Blaine Peace Arch, WA")).to_be_visible()
    sign_out(page)

    # A Canadian officer: no such case, nothing waiting in any Canadian queue.
    sign_in(page, base, ca_email, ca_pw)
    assert sum(waiting_counts(page, re.compile("^Queues of Canada")).values()) == 0
    assert page.goto(f"{base}/officer/cases/{receipt}").status == 404
    sign_out(page)

    # A US officer claims it from US-BLAINE and requests evidence.
    sign_in(page, base, us_email, us_pw)
    assert waiting_counts(page, re.compile("^Queues of United States"))[
        "Blaine Peace Arch, WA"] == 1
    blaine = page.get_by_role("row", name=re.compile("Blaine Peace Arch, WA"))
    blaine.get_by_role("button", name=re.compile("^Claim next")).click()
    expect(page.get_by_role("heading", level=1, name=f"Case {receipt}")).to_be_visible()
    document_url = base + page.get_by_role("link", name="passport.pdf").get_attribute("href")
    opened = page.request.get(document_url)
    assert opened.status == 200 and opened.headers["content-type"] == "application/pdf"
    assert opened.headers["content-disposition"].startswith("attachment")
    assert opened.headers["x-content-type-options"] == "nosniff"

    page.get_by_label("Internal note", exact=True).fill("Letter fine; degree not on file.")
    page.get_by_role("button", name="Add note").click()
    page.get_by_label("Deny").check()
    page.get_by_role("button", name="Record decision").click()  # incomplete on purpose
    expect(page.get_by_role("link", name="Choose at least one reason code.")).to_be_visible()
    page.get_by_label("Request more evidence").check()
    page.get_by_label("Message to the traveler").fill("Please send your engineering degree.")
    page.get_by_label("Item 1: what is needed").fill("Degree certificate")
    page.get_by_label("Item 1: why the evidence on file falls short").fill(
        "TN engineers need a degree; none is on file.")
    page.get_by_label("Item 1: document expected (optional)").select_option("credentials")
    page.get_by_text("Ask for more items").click()  # items 2-5 wait in a disclosure
    page.get_by_label("Item 2: what is needed").fill("Signed employer letter")
    page.get_by_label("Item 2: why the evidence on file falls short").fill(
        "Please confirm the letter on file; it must state the salary.")
    page.get_by_label("Respond by").fill((today + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text(f"A request for evidence was sent for {receipt}.")).to_be_visible()
    sign_out(page)

    # The traveler uploads the item and sends the response.
    sign_in(page, base, traveler_email, traveler_pw)
    page.get_by_role("link", name=receipt).click()
    expect(status_shown(page, "More evidence needed from you")).to_be_visible()
    expect(page.get_by_role("heading", name="Request for evidence")).to_be_visible()
    expect(page.get_by_text("TN engineers need a degree; none is on file.")).to_be_visible()
    degree = page.get_by_role("group", name="Item 1: Degree certificate")
    letter = page.get_by_role("group", name="Item 2: Signed employer letter")
    degree.get_by_label("Upload a new file").set_input_files(pdf("degree.pdf"))
    page.get_by_role("button", name="Send my response").click()  # item 2 unanswered
    expect(page.get_by_role("link", name=re.compile("Signed employer letter"))).to_be_visible()
    degree = page.get_by_role("group", name="Item 1: Degree certificate")
    letter = page.get_by_role("group", name="Item 2: Signed employer letter")
    degree.get_by_label("Upload a new file").set_input_files(pdf("degree.pdf"))
    on_file = letter.locator("option", has_text="employer-letter.pdf").get_attribute("value")
    letter.get_by_label("Or choose a document already on file").select_option(on_file)
    letter.get_by_label("Note about this item (optional)").fill("Salary is on page 2.")
    page.get_by_label("Message to the officer (optional)").fill("My degree is attached.")
    page.get_by_role("button", name="Send my response").click()
    expect(page.get_by_text("Your response was sent.")).to_be_visible()
    sign_out(page)

    # The answer went back to the officer who asked: in "My cases", claimed from there.
    valid_until = today + timedelta(days=365)
    sign_in(page, base, us_email, us_pw)
    page.goto(f"{base}/officer/cases")
    row = page.get_by_role("row", name=re.compile(re.escape(receipt)))
    expect(row.get_by_text("Evidence received")).to_be_visible()
    row.get_by_role("button", name=f"Claim {receipt}").click()
    expect(page.get_by_role("heading", level=1, name=f"Case {receipt}")).to_be_visible()
    page.get_by_label("Approve").check()
    page.get_by_label("Valid until").fill(valid_until.isoformat())
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text(f"Petition {receipt} was approved.")).to_be_visible()
    sign_out(page)

    # The traveler sees the approval, its validity and the public timeline only.
    shown_until = format_date(valid_until, "long", locale="en")
    sign_in(page, base, traveler_email, traveler_pw)
    page.get_by_role("link", name=receipt).click()
    expect(status_shown(page, "Approved")).to_be_visible()
    expect(page.get_by_role("heading", name="Decision: approved")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text=shown_until)).to_be_visible()
    timeline = page.get_by_role("region", name="Timeline").get_by_role("listitem")
    expect(timeline).to_have_count(7)
    for title in ("Case was received", "Request for evidence was sent",
                  "Response to request for evidence was received", "Case was approved"):
        expect(timeline.filter(has_text=title)).to_have_count(1)
    expect(page.get_by_text("Letter fine; degree not on file.")).to_have_count(0)
    sign_out(page)

    # The employer admin sees the same status and validity.
    sign_in(page, base, employer_email, employer_pw)
    row = page.get_by_role("row", name=re.compile(re.escape(receipt)))
    expect(row.get_by_text("Approved", exact=True)).to_be_visible()
    expect(row).to_contain_text(f"Valid until {shown_until}")
    row.get_by_role("link", name=receipt).click()
    expect(status_shown(page, "Approved")).to_be_visible()
    expect(page.get_by_text("Letter fine; degree not on file.")).to_have_count(0)
