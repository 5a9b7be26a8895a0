"""The guided filing's steps, driven in Chromium by role and label (shared by the browser
journeys)."""
import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from tests.factories import PDF_BYTES
from traveler_portal.models.users import utcnow

TODAY = utcnow().date()


def day(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def step_heading(page: Page, name: str):
    return page.get_by_role("heading", level=1, name=name, exact=True)


def fill_trip(page: Page, category="TN", port="BLAINE", travel=20, start=21, end=200) -> str:
    """The trip step (the destination chosen before); returns the draft's receipt number."""
    expect(step_heading(page, "Trip")).to_be_visible()
    page.get_by_label("Category", exact=True).select_option(category)
    page.get_by_label("Port of entry").select_option(port)
    page.get_by_label("Travel date").fill(day(travel))
    page.get_by_label("Work starts on").fill(day(start))
    page.get_by_label("Work ends on").fill(day(end))
    page.get_by_role("button", name="Save and continue").click()
    expect(step_heading(page, "Job")).to_be_visible()
    return re.search(r"Petition (\S+) \(draft\)", page.locator(".caption").inner_text()).group(1)


def fill_job(page: Page, job_title="Mechanical engineer", employer="Cascade Systems Inc.",
             profession="Engineer") -> None:
    page.get_by_label("Job title").fill(job_title)
    page.get_by_label("Employer name").fill(employer)
    occupation = page.get_by_label("Occupation", exact=True)
    if occupation.count():  # not asked again where the profession is the occupation
        occupation.fill("Engineer")
    page.get_by_label("Duties").fill("Designs and commissions conveyor systems.")
    page.get_by_label("Worksite address").fill("100 Pine St, Seattle WA")
    page.get_by_label("Salary per year").fill("95,000")
    page.get_by_label("Currency").select_option("USD")
    page.get_by_label(re.compile("^USMCA profession")).select_option(profession)
    page.get_by_role("button", name="Save and continue").click()
    expect(step_heading(page, "Documents")).to_be_visible()


def upload_slot(page: Page, name: str, file: dict) -> None:
    page.get_by_label(f"File for: {name}", exact=True).set_input_files(file)
    page.get_by_role("button", name=f"Upload {name}", exact=True).click()
    expect(page.get_by_text(f"{file['name']} was uploaded.")).to_be_visible()


def attest_and_submit(page: Page, receipt: str) -> None:
    page.get_by_role("link", name="Continue to attest and submit").click()
    expect(step_heading(page, "Attest and submit")).to_be_visible()
    page.get_by_label(re.compile("^I attest that")).check()
    page.get_by_role("button", name="Submit petition").click()
    expect(page.get_by_text(f"Petition {receipt} was submitted.")).to_be_visible()


def fill_profile(page: Page, passport="GA 123 4567", expiry_days=3000) -> None:
    """The identity on the profile page (opened before), saved."""
    expect(page.get_by_role("heading", level=1, name="My profile")).to_be_visible()
    page.get_by_label("Given names").fill("Amélie Marie")
    page.get_by_label("Family name").fill("Tremblay")
    page.get_by_label("Date of birth").fill("1986-03-14")
    page.get_by_label("Citizenship", exact=True).select_option("CA")
    page.get_by_label("Passport number").fill(passport)
    page.get_by_label("Country that issued the passport").select_option("CA")
    page.get_by_label("Passport expiry date").fill(day(expiry_days))
    page.get_by_label("Country of residence").select_option("CA")
    refused = page.get_by_role("group", name=re.compile("^Have you ever been refused"))
    refused.get_by_label("No", exact=True).check()  # never pre-answered
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_text("Your profile was saved.")).to_be_visible()
