"""Two-step sign-in in a real browser: an officer's first sign-in sets up the
authenticator (QR code, key as text, recovery codes shown once), then signs in with a
recovery code and with a code from the app."""
import re
import time

import pyotp
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_journey import sign_in, sign_out
from traveler_portal.domain import accounts
from traveler_portal.models import Role


def test_an_officer_enrols_then_signs_in_with_a_recovery_code_and_a_code(
        app, live_server, browser_page):
    page, base = browser_page, live_server.url
    with app.app_context():  # not enrolled: as the command line creates an officer
        email = accounts.create_user(factories.email("officer"), factories.PASSWORD,
                                     Role.OFFICER, country="CA", name="Olive Officer").email

    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Set up two-step sign-in")).to_be_visible()
    expect(page.locator(".qr-code svg")).to_be_visible()
    secret = page.locator("#totp-secret").get_attribute("data-secret")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    expect(page.locator("#totp-secret")).to_have_text(" ".join(re.findall(".{4}", secret)))
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)  # not signed in yet

    step = int(time.time() // 30)
    page.get_by_label("The 6-digit code your authenticator app shows").fill(
        pyotp.TOTP(secret).at(step * 30))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", level=1, name="Your recovery codes")).to_be_visible()
    codes = page.get_by_role("list", name="Recovery codes").get_by_role(
        "listitem").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", c)
                                    for c in codes)
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    sign_out(page)

    # A lost phone: a recovery code instead, once.
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1, name="Two-step sign-in")).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You signed in with a recovery code; 9 left.")).to_be_visible()
    sign_out(page)

    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code from your authenticator app").fill(codes[0])  # spent
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("The code is not right, or was already used.").first).to_be_visible()

    # The app's code works (the shared helper computes it, from the next time step).
    factories._secrets[email], factories._last_step[secret] = secret, step
    sign_in(page, base, email, factories.PASSWORD)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
