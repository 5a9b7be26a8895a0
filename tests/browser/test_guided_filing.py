"""The guided filing in Chromium against the live stack: a traveler fills the profile,
files step by step, signs out, signs back in, resumes the draft from the dashboard, is
blocked by the missing-document list, uploads, attests, submits and sees the petition
submitted. Each step is screenshotted into test-artifacts/ for review."""
import re

from playwright.sync_api import Page, expect

from tests.browser import filing_steps as steps
from tests.browser.test_journey import sign_in, sign_out, status_shown
from tests.live import ROOT

ROOT_ARTIFACTS = ROOT / "test-artifacts"


def shot(page: Page, name: str) -> None:
    ROOT_ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT_ARTIFACTS / f"guided-filing-{name}.png"), full_page=True)


def test_a_traveler_files_step_by_step_and_resumes_after_signing_out(
        live_server, create_user, browser_page):
    page, base = browser_page, live_server.url
    # A new traveler: nothing on the profile yet (the identity is filled in below).
    email, password = create_user("traveler", name="Amélie Tremblay", identity=False)
    sign_in(page, base, email, password)

    # The profile, kept once: the passport number comes back masked only.
    page.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", level=1, name="My profile")).to_be_visible()
    page.get_by_label("Given names").fill("Amélie Marie")
    page.get_by_label("Family name").fill("Tremblay")
    page.get_by_label("Date of birth").fill("1986-03-14")
    # Issue 17: one searchable choice, and an optional second.
    page.get_by_label("Search for your country of citizenship").fill("canad")
    expect(page.get_by_label("Citizenship", exact=True).locator("option:not([hidden])")
           ).to_have_count(2)  # "Choose a country" and Canada
    page.get_by_label("Citizenship", exact=True).select_option("CA")
    page.get_by_label("Second citizenship (optional)").select_option("FR")
    page.get_by_label("Passport number").fill("GA 123 4567")
    page.get_by_label("Country that issued the passport").select_option("CA")
    page.get_by_label("Passport expiry date").fill(steps.day(150))  # before the stay ends
    page.get_by_label("Country of residence").select_option("CA")
    page.get_by_label("Home address (optional)").fill("12 rue Sainte-Anne, Québec QC")
    refused = page.get_by_role("group", name=re.compile("^Have you ever been refused"))
    expect(refused.get_by_label("No", exact=True)).not_to_be_checked()  # not pre-answered
    refused.get_by_label("No", exact=True).check()
    shot(page, "0-profile")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_text("Your profile was saved.")).to_be_visible()
    expect(page.get_by_text("On file: ••••4567.")).to_be_visible()
    expect(page.get_by_label("Passport number")).to_have_value("")

    # Trip (with a wrong end date first), job, then one of two documents.
    page.get_by_role("link", name="File a petition").first.click()
    page.get_by_label("United States").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Work starts on").fill(steps.day(30))
    page.get_by_label("Work ends on").fill(steps.day(10))
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("link", name="The end date must be after the start date.")) \
        .to_be_visible()
    shot(page, "1-trip-errors")
    receipt = steps.fill_trip(page)
    shot(page, "2-job")
    steps.fill_job(page)
    steps.upload_slot(page, "Passport", steps.pdf("passport.pdf"))
    shot(page, "3-documents")
    sign_out(page)

    # Back the next day: the dashboard offers the draft; it opens where filing stopped.
    sign_in(page, base, email, password)
    page.get_by_role("link", name=f"Continue filing {receipt}").click()
    expect(steps.step_heading(page, "Documents")).to_be_visible()
    page.get_by_role("link", name="Continue to the review").click()
    expect(steps.step_heading(page, "Review")).to_be_visible()
    blockers = page.get_by_role("alert").filter(has_text="You cannot submit yet")
    expect(blockers.get_by_role("link", name="Employer letter is required before you submit.")) \
        .to_be_visible()
    expect(page.get_by_role("link", name="Continue to attest and submit")).to_have_count(0)
    expect(page.get_by_text(re.compile("Your passport expires on .* before the end of the stay")))\
        .to_be_visible()
    expect(page.get_by_text("••••4567")).to_be_visible()
    expect(page.get_by_text("Cascade Systems Inc.")).to_be_visible()
    shot(page, "4-review-blocked")

    # The attest step refuses too while a document is missing.
    page.get_by_role("navigation", name="Filing steps").get_by_role(
        "link", name="Attest and submit").click()
    expect(page.get_by_role("button", name="Submit petition")).to_have_count(0)
    page.get_by_role("link", name="Employer letter is required before you submit.").click()
    steps.upload_slot(page, "Employer letter", steps.pdf("employer-letter.pdf"))
    page.get_by_role("link", name="Continue to the review").click()
    # The passport must cover the stay: the blocker leads to the profile and back.
    page.get_by_role("link", name="Complete your identity in your profile:").click()
    page.get_by_label("Passport expiry date").fill(steps.day(3000))
    page.get_by_role("button", name="Save my profile").click()
    expect(steps.step_heading(page, "Review")).to_be_visible()
    expect(page.get_by_text("You cannot submit yet")).to_have_count(0)
    shot(page, "5-review-ready")

    # The attestation is required, then the petition is submitted.
    page.get_by_role("link", name="Continue to attest and submit").click()
    page.get_by_role("button", name="Submit petition").click()
    expect(page.get_by_role("link", name="Tick the box to attest before you submit.")) \
        .to_be_visible()
    shot(page, "6-attest-error")
    page.get_by_label(re.compile("^I attest that")).check()
    page.get_by_role("button", name="Submit petition").click()
    expect(page.get_by_text(f"Petition {receipt} was submitted.")).to_be_visible()
    expect(page.get_by_role("heading", level=1, name=f"Petition {receipt}")).to_be_visible()
    expect(status_shown(page, "Received").or_(status_shown(page, "Waiting for an officer"))
           .first).to_be_visible()
    shot(page, "7-submitted")
    page.goto(f"{base}/my/")
    expect(page.get_by_role("link", name=f"Continue filing {receipt}")).to_have_count(0)
