"""Issue 13 in Chromium against the live stack (gunicorn, a real Celery worker and
broker): a traveler with no identity on file is stopped at the review, completes the
identity from the blocker and files a TN; a US officer sees the identity panel and
approves; the traveler downloads the notice; the verification code read from the PDF opens
the public verification page, which says the approval is valid; an altered code is
rejected; a port officer finds the case from that code and records the admission, which
the traveler then reads on the case."""
import io
import re
import time

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests import factories
from tests.browser import filing_steps as steps
from tests.browser.test_journey import sign_in, sign_out, status_shown
from traveler_portal.extensions import db

ROUTING_TIMEOUT_S = 30


def wait_until_queued(page: Page) -> None:
    deadline = time.monotonic() + ROUTING_TIMEOUT_S
    while not status_shown(page, "Waiting for an officer").count():
        assert time.monotonic() < deadline, "the petition was not routed in time"
        time.sleep(0.5)
        page.reload()


def test_identity_approval_notice_and_its_verification(live_server, create_user,
                                                       browser_page, app):
    page, base = browser_page, live_server.url
    email, password = create_user("traveler", name="Amélie Tremblay", identity=False)
    officer, officer_pw = create_user("officer", country="US")

    # Filing without an identity: the review says so and offers no submission.
    sign_in(page, base, email, password)
    page.get_by_role("link", name="File a petition").first.click()
    page.get_by_label("United States").check()
    page.get_by_role("button", name="Continue").click()
    receipt = steps.fill_trip(page)
    steps.fill_job(page)
    steps.upload_slot(page, "Passport", steps.pdf("passport.pdf"))
    steps.upload_slot(page, "Employer letter", steps.pdf("employer-letter.pdf"))
    page.get_by_role("link", name="Continue to the review").click()
    blockers = page.get_by_role("alert").filter(has_text="You cannot submit yet")
    expect(blockers.get_by_text(re.compile("^Your identity is not filled in"))).to_be_visible()
    expect(page.get_by_role("link", name="Continue to attest and submit")).to_have_count(0)

    # The blocker leads to the profile, and saving it comes back to the review.
    blockers.get_by_role("link", name="Complete your identity in your profile:").click()
    steps.fill_profile(page, passport="GA 765 4321")
    expect(steps.step_heading(page, "Review")).to_be_visible()
    expect(page.get_by_text("You cannot submit yet")).to_have_count(0)
    steps.attest_and_submit(page, receipt)
    wait_until_queued(page)
    sign_out(page)

    # The US officer sees who the traveler is before deciding, then approves.
    sign_in(page, base, officer, officer_pw)
    blaine = page.get_by_role("row", name=re.compile("Blaine Peace Arch, WA"))
    blaine.get_by_role("button", name=re.compile("^Claim next")).click()
    expect(page.get_by_role("heading", level=1, name=f"Case {receipt}")).to_be_visible()
    identity = page.get_by_role("region", name="Identity")
    expect(identity.get_by_text("GA7654321")).to_be_visible()
    expect(identity.get_by_text("Amélie Marie")).to_be_visible()
    expect(identity.get_by_text("Canada (CA)")).to_be_visible()
    expect(identity.get_by_text("No earlier approval or denial for this traveler.")) \
        .to_be_visible()
    page.get_by_label("Approve").check()
    page.get_by_label("Valid until").fill(steps.day(365))
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text(f"Petition {receipt} was approved.")).to_be_visible()
    sign_out(page)

    # The traveler downloads the notice; its text carries the identity and the code.
    sign_in(page, base, email, password)
    page.get_by_role("link", name=receipt).click()
    expect(status_shown(page, "Approved")).to_be_visible()
    link = page.get_by_role("link", name=re.compile("^Notice of decision"))
    downloaded = page.request.get(base + link.get_attribute("href"))
    assert downloaded.status == 200 and downloaded.body().startswith(b"%PDF")
    text = " ".join(PdfReader(io.BytesIO(downloaded.body())).pages[0].extract_text().split())
    assert "U.S. Customs and Border Protection (CBP)" in text
    assert "Amélie Marie Tremblay" in text and "ending in 4321" in text
    code = re.search(r"Verification code: ([0-9A-Z-]+)", text).group(1)
    assert f"/verify/{code}" in text.replace(" ", "")  # the URL the QR code holds
    sign_out(page)

    # Anyone, signed out, checks the code: valid, with initials only.
    page.goto(f"{base}/verify/{code}")
    expect(page.get_by_role("heading", level=1, name="Verification of a decision notice")) \
        .to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Valid")
    expect(page.get_by_text("A. M. T.")).to_be_visible()
    expect(page.get_by_text("Tremblay")).to_have_count(0)

    # One character changed: rejected.
    position = len(code) - 3
    wrong = code[:position] + ("7" if code[position] != "7" else "8") + code[position + 1:]
    answer = page.goto(f"{base}/verify/{wrong}")
    assert answer.status == 404
    expect(page.get_by_role("heading", level=1, name="Unknown verification code")) \
        .to_be_visible()
    # The form takes a typed code to the same answer.
    page.goto(f"{base}/verify")
    page.get_by_label("Verification code").fill(code)
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_contain_text("Valid")

    # At the border: a Blaine port officer types the code the QR holds, sees the decision
    # and the identity, and records the admission; the traveler then reads it on the case.
    with app.app_context():
        port_email = factories.user("port_officer", country="US", port="BLAINE").email
        db.session.commit()
    sign_in(page, base, port_email, factories.PASSWORD)
    page.get_by_label("Receipt number or code from the notice's QR code").fill(code)
    page.get_by_role("button", name="Look up").click()
    expect(page.get_by_role("heading", level=1, name=f"Arrival: {receipt}")).to_be_visible()
    expect(page.get_by_role("heading", name="Identity")).to_be_visible()
    expect(page.get_by_role("heading", name="Decision: approved")).to_be_visible()
    page.get_by_label("Admitted under the approved category").check()
    page.get_by_role("button", name="Record the arrival").click()
    expect(page.get_by_text(re.compile("^Recorded: Admitted at Blaine"))).to_be_visible()
    sign_out(page)
    sign_in(page, base, email, password)
    page.goto(f"{base}/my/petitions/{receipt}")
    expect(page.get_by_role("region", name="At the border").get_by_text(
        re.compile("Admitted at Blaine Peace Arch, WA on"))).to_be_visible()
