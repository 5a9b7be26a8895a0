"""Every page of every role in French, in Debian's Chromium against the live stack: each says
lang="fr", shows no English sentence, and axe-core (vendored, tests/browser/vendor) finds no
serious or critical violation. Screenshots of the traveler's status page and the officer's
case page in French go to test-artifacts/. The language switch is clicked signed out and
signed in."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.french_scenario import build
from tests.language_checks import english_sentences
from tests.unit.test_french_pages import AUDIENCE, _urls

HERE = Path(__file__).resolve().parent
AXE = HERE / "vendor" / "axe.min.js"
ARTIFACTS = HERE.parent.parent / "test-artifacts"
SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ` +
              v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
}"""


@pytest.fixture
def french_page(browser):
    # A French-speaking visitor; the CSP forbids inline scripts, so axe is injected with it
    # bypassed for the test's own script only: by Chromium itself into every page loaded
    # (sending axe's 500 kB through Playwright at each page cost a fifth of the walk).
    context = browser.new_context(locale="fr-CA", bypass_csp=True)
    context.add_init_script(path=AXE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def _second_step(page, email):
    """An agency account types its authenticator's code (whatever the page's language)."""
    code = factories.otp(email)
    if code:
        page.locator("input[name=code]").fill(code)
        page.locator("form:has(input[name=code]) [type=submit]").click()


def _sign_in(page, base, email):
    page.goto(f"{base}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(factories.PASSWORD)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    _second_step(page, email)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def _sign_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.locator("input[name=password]")).to_be_visible()


def _check(page, url) -> list[str]:
    problems = []
    if page.locator("html").get_attribute("lang") != "fr":
        problems.append(f"{url}: html lang is not fr")
    problems += [f"{url}: English: {text}" for text in english_sentences(page.content())]
    problems += [f"{url}: axe {v}" for v in page.evaluate(SERIOUS)]
    return problems


SIGNED_OUT = ("/", "/login", "/register", "/password/forgot")
# The signed-out pages, then each role's: one test each, so that pytest-xdist spreads
# them over its workers (all of them in one test was the suite's longest by far).
# The traveler has by far the most pages (68): their walk is dealt out in PARTS, every
# PARTS-th page each, after the same scenario and sign-in.
PARTS = {"traveler": 2}
WALKS = ["signed-out", *(f"{role}-{k + 1}of{PARTS[role]}" if role in PARTS else role
                         for role in AUDIENCE for k in range(PARTS.get(role, 1)))]
SCREENSHOTS = {"traveler": "fr-traveler-status.png", "officer": "fr-officer-case.png"}


def _screenshot_wanted(role, url, scenario) -> bool:
    if role == "traveler":
        return url.endswith(scenario.receipts["evidence"])
    return role == "officer" and url.endswith(f"/officer/cases/{scenario.receipts['in_review']}")


# A role's pages through axe take up to half a minute alone on two cores, several when
# other workers share them; the time limit counts the live stack's start in its setup too.
@pytest.mark.timeout(600)
@pytest.mark.parametrize("walk", WALKS)
def test_every_page_of_every_role_in_french_passes_axe(app, live_server, french_page, walk):
    page, base = french_page, live_server.url
    split = re.fullmatch(r"(.+)-(\d+)of(\d+)", walk)  # "traveler-1of2"; "signed-out"
    role, part, parts = (split[1], int(split[2]), int(split[3])) if split else (walk, 1, 1)
    problems, seen, shot = [], 0, None
    if role == "signed-out":
        for url in SIGNED_OUT:
            page.goto(base + url)
            problems += _check(page, url)
            seen += 1
    else:
        scenario = build(app)
        _sign_in(page, base, scenario.emails[role])
        urls = _urls(app, scenario, role)
        if role in SCREENSHOTS:  # its page is among the role's, whichever part walks it
            assert any(_screenshot_wanted(role, url, scenario) for url in urls)
            if not any(_screenshot_wanted(role, url, scenario) for url in urls[part - 1::parts]):
                shot = False
        for url in urls[part - 1::parts]:
            response = page.goto(base + url)
            if response.status != 200 or "text/html" not in response.headers["content-type"]:
                continue
            problems += _check(page, url)
            seen += 1
            if _screenshot_wanted(role, url, scenario):
                ARTIFACTS.mkdir(exist_ok=True)
                shot = ARTIFACTS / SCREENSHOTS[role]
                page.screenshot(path=str(shot), full_page=True)
        _sign_out(page)
    print(f"{seen} French pages walked ({walk})")
    assert not problems, "\n".join(problems)
    if role in SCREENSHOTS and shot is not False:
        assert shot is not None and shot.exists(), f"no screenshot of the {role}'s page"


def test_the_language_switch_keeps_the_page_signed_out_and_in(browser, live_server, create_user):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/register")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Français").click()
    expect(page).to_have_url(f"{base}/register")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="English")).to_have_attribute("lang", "en")
    page.goto(f"{base}/login")  # the choice is remembered (cookie)
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    email, password = create_user("officer", country="US")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) [type=submit]").click()
    _second_step(page, email)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    page.goto(f"{base}/officer/cases")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/officer/cases$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    # Remembered for the person: another browser signing in reads English, whatever it asks.
    other = browser.new_context(locale="fr-CA").new_page()
    other.goto(f"{base}/login")
    other.locator("input[name=email]").fill(email)
    other.locator("input[name=password]").fill(password)
    other.locator("form:has(input[name=password]) [type=submit]").click()
    _second_step(other, email)
    expect(other.get_by_role("button", name="Sign out")).to_be_visible()
    expect(other.locator("html")).to_have_attribute("lang", "en")
    other.context.close()
    context.close()
