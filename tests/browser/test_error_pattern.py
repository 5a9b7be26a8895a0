"""One error pattern everywhere (issue 17), in Debian's Chromium against the live stack, at
1280 and 390 px: forms of every audience sent with bad input come back with the error
summary as the first thing in <main>, holding the focus, each of its links pointing to a
field of the page (following one puts the focus in that field); and the officer's case
page at 390 px shows the decision first, right under the sticky action bar. axe-core
(vendored) finds nothing serious or critical on any of these pages. Screenshots go to
test-artifacts/issue17-errors-*.png."""
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_french_walk import AXE, SERIOUS
from tests.browser.test_journey import sign_in, sign_out
from tests.factories import PASSWORD
from tests.integration.web_helpers import queued_tn
from tests.live import ROOT

ARTIFACTS = ROOT / "test-artifacts"
WIDTHS = {"1280": {"width": 1280, "height": 720}, "390": {"width": 390, "height": 844}}

SUMMARY_STATE = """() => {
  const main = document.querySelector('main');
  const summary = main.querySelector('.error-summary');
  if (!summary) { return null; }
  const links = [...summary.querySelectorAll('a')].map(a => a.getAttribute('href'));
  return {
    first: main.firstElementChild === summary,
    focused: document.activeElement === summary,
    onScreen: summary.getBoundingClientRect().top < window.innerHeight,
    links: links,
    dangling: links.filter(h => !h.startsWith('#') || !document.getElementById(h.slice(1))),
  };
}"""
FOCUSED_FIELD = """(id) => {
  const target = document.getElementById(id), active = document.activeElement;
  return /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName) &&
         (active === target || target.contains(active));
}"""


@pytest.fixture
def page(browser):
    # The CSP allows scripts from 'self' only: axe is injected with it bypassed for the
    # test's own script (the page's own scripts still run as in production).
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def shot(page: Page, name: str, full_page: bool = True) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"issue17-errors-{name}.png"), full_page=full_page)


def no_serious_axe_findings(page: Page) -> None:
    page.add_script_tag(path=str(AXE))
    assert page.evaluate(SERIOUS) == [], page.url


def sent_wrong(page: Page, url: str, button: str, name: str, fill=None) -> None:
    """At each width: open the page, fill what ``fill`` says, send, and check the summary
    is first in <main>, focused, and links to the page's fields; its first link moves
    the focus to its field."""
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.goto(url)
        if fill:
            fill(page)
        page.locator("main form").get_by_role("button", name=button, exact=True).click()
        summary = page.locator("main .error-summary")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()
        state = page.evaluate(SUMMARY_STATE)
        assert state and state["first"], (url, width, state)
        assert state["onScreen"] and state["links"] and not state["dangling"], (url, state)
        shot(page, f"{name}-{width}")
        no_serious_axe_findings(page)
        target = state["links"][0][1:]
        summary.get_by_role("link").first.click()
        assert page.evaluate(FOCUSED_FIELD, target), (url, width, target)


def test_forms_sent_wrong_show_the_summary_first_focused_and_linked(
        api, create_user, live_server, page):
    base = live_server.url
    # Signed out: sign-in and registration.
    sent_wrong(page, f"{base}/login", "Sign in", "login")
    sent_wrong(page, f"{base}/register", "Create account", "register",
               fill=lambda p: p.get_by_label("Email address").fill("not an address"))

    # A traveler: the password change and joining an employer.
    traveler, _pw = create_user("traveler")
    sign_in(page, base, traveler, PASSWORD)
    sent_wrong(page, f"{base}/password/change", "Change the password", "change-password",
               fill=lambda p: p.get_by_label(re.compile("^New password")).fill("short"))
    sent_wrong(page, f"{base}/my/organization", "Join", "join",
               fill=lambda p: p.get_by_label("Invitation code").fill("NOPE"))
    sign_out(page)

    # An employer: the organization's details without a name.
    employer, _pw = create_user("employer")
    sign_in(page, base, employer, PASSWORD)
    sent_wrong(page, f"{base}/employer/organization/", "Save the details", "org-details",
               fill=lambda p: p.get_by_label("Legal name").fill(""))
    sign_out(page)

    # An administrator: a routing rule with nothing in it.
    admin, _pw = create_user("admin")
    sign_in(page, base, admin, PASSWORD)
    sent_wrong(page, f"{base}/admin/rules/new", "Save rule", "admin-rule",
               fill=lambda p: p.get_by_label("Rule name").fill(""))
    sign_out(page)

    # A port officer: a lookup with neither a receipt nor a passport.
    port, _pw = create_user("port_officer", country="US")
    sign_in(page, base, port, PASSWORD)
    sent_wrong(page, f"{base}/port/", "Look up", "port-lookup")
    sign_out(page)


def test_the_officer_sees_the_decision_first_at_390_px(api, live_server, page):
    base = live_server.url
    receipt = queued_tn(api("traveler"))
    officer = api("officer", country="US")
    assert officer.post("/queues/US-BLAINE/claim").json()["receipt_number"] == receipt
    case = f"{base}/officer/cases/{receipt}"
    sign_in(page, base, officer.email, PASSWORD)

    # Putting it on hold with no date or reason: the same error pattern.
    sent_wrong(page, f"{case}/hold", "Put on hold", "officer-hold")

    page.set_viewport_size(WIDTHS["390"])
    page.goto(case)
    decide = page.get_by_role("region", name="Decide")
    details = page.get_by_role("heading", level=2, name="Petition", exact=True)
    bar = page.get_by_role("region", name="Status and next action")
    # In the page's order too (keyboard, screen reader): the decision before the details.
    assert page.evaluate("""() => !!(document.getElementById('decide').compareDocumentPosition(
        document.querySelector('.case-details')) & Node.DOCUMENT_POSITION_FOLLOWING)""")
    top, below = decide.bounding_box(), details.bounding_box()
    assert top["y"] < below["y"], (top, below)
    assert bar.bounding_box()["y"] < top["y"]
    # The choice of outcome is in the first screen, under the action bar.
    deny = page.get_by_label("Deny", exact=True)
    box = deny.bounding_box()
    assert box["y"] + box["height"] <= WIDTHS["390"]["height"], box
    no_sideways = page.evaluate("document.documentElement.scrollWidth")
    assert no_sideways <= WIDTHS["390"]["width"], no_sideways
    shot(page, "officer-case-390")
    shot(page, "officer-case-390-first-screen", full_page=False)
    no_serious_axe_findings(page)

    # Sent without reasons at 390 px: the summary first and focused, its links to fields.
    deny.check()
    page.get_by_role("button", name="Record decision").click()
    expect(page.locator("main .error-summary")).to_be_focused()
    state = page.evaluate(SUMMARY_STATE)
    assert state["first"] and state["links"] and not state["dangling"], state
    shot(page, "officer-case-390-denial-errors")
    no_serious_axe_findings(page)

    # 1280 px: the same order in the page, the decision in the right column at the top.
    page.set_viewport_size(WIDTHS["1280"])
    page.goto(case)
    top = decide.bounding_box()
    left = page.locator(".case-details").bounding_box()
    assert top["x"] > left["x"] + left["width"] and abs(top["y"] - left["y"]) < 40, (top, left)
    box = page.get_by_label("Deny", exact=True).bounding_box()
    assert box["y"] + box["height"] <= WIDTHS["1280"]["height"], box
    shot(page, "officer-case-1280")
    no_serious_axe_findings(page)
