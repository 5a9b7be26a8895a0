"""The supervisor's dashboard: its numbers match the database; charts are accessible images
with their numbers as tables; reassigning, unclaiming and reviewing denials in the browser."""
import re
from datetime import date, timedelta

import sqlalchemy as sa

from tests.integration.web_helpers import Web, queued_tn
from tests.live import Api
from traveler_portal.extensions import db
from traveler_portal.models import Petition, Status

DENY = {"outcome": "denied", "reason_codes": ["CREDENTIALS_INSUFFICIENT"],
        "message": "The licence is from another profession."}


def row(html: str, header: str) -> list[str]:
    """The cells of the table row headed ``header``."""
    match = re.search(r'<tr><th scope="row">' + re.escape(header) + r'(?: <span[^>]*>[^<]*'
                      r'</span>)?</th>(.*?)</tr>', html, re.S)
    assert match, header
    return [re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<td[^>]*>(.*?)</td>", match.group(1), re.S)]


def test_dashboard_numbers_match_the_database(api, app, create_user, live_server):
    traveler = api("traveler")
    o_email, o_password = create_user("officer", country="US", name="Olivia Officer")
    s_email, s_password = create_user("supervisor", country="US", name="Sam Supervisor")
    officer = Api(live_server.url).login(o_email, o_password)
    supervisor = Api(live_server.url).login(s_email, s_password)
    approved, denied, in_review, waiting = (queued_tn(traveler) for _ in range(4))
    for receipt in (approved, denied, in_review):  # oldest first
        assert officer.post("/queues/US-BLAINE/claim").json()["receipt_number"] == receipt
    officer.post(f"/petitions/{approved}/decision", json={
        "outcome": "approved", "valid_until": (date.today() + timedelta(days=90)).isoformat()})
    officer.post(f"/petitions/{denied}/decision", json=DENY)
    pending_page = Web(live_server.url, s_email, s_password).get("/supervisor/").text
    assert row(pending_page, "TN")[:3] == ["1", "0", "100 %"]  # a pending denial is not final
    assert supervisor.post(f"/petitions/{denied}/denial-review",
                           json={"action": "approve"}).status_code == 200
    with app.app_context():  # one case past due
        db.session.execute(sa.update(Petition).where(Petition.receipt_number == waiting)
                           .values(due_date=date.today() - timedelta(days=1)))
        db.session.commit()
        queued = db.session.scalar(sa.select(sa.func.count()).where(
            Petition.status == Status.QUEUED, Petition.queue.has(code="US-BLAINE")))
        reviewing = db.session.scalar(sa.select(sa.func.count()).where(
            Petition.status == Status.IN_REVIEW, Petition.assigned_officer.has(email=o_email)))

    web = Web(live_server.url, s_email, s_password)
    page = web.get("/supervisor/").text
    blaine = next(h for h in re.findall(r'<th scope="row">([^<]*) <span class="code">'
                                         r'\(US-BLAINE\)', page))
    cells = row(page, blaine)
    assert cells[0] == str(queued) == "1" and cells[2] == "1" and cells[1] != "–"
    assert row(page, "TN")[:3] == ["1", "1", "50 %"]
    assert row(page, f"Olivia Officer ({o_email})") == [str(reviewing)] == ["1"]
    today_cells = row(page, f'<time datetime="{date.today().isoformat()}">'
                      + re.search(r'<time datetime="' + date.today().isoformat()
                                  + r'">([^<]*)</time>', page).group(1) + "</time>")
    assert today_cells == ["1", "1"]
    assert page.count('role="img"') == 3 and '<title id="chart-days-title">' in page
    assert 'aria-labelledby="chart-rates-title"' in page

    # Reassign the case in review to the supervisor, then unclaim it.
    moved = web.post_form("/supervisor/", f"/supervisor/cases/{in_review}/reassign",
                          {"officer": s_email, "version": officer.get(
                              f"/petitions/{in_review}").json()["agency"]["version"]})
    assert moved.status_code == 200 and "is now with" in moved.text
    assert officer.get(f"/petitions/{in_review}").json()["agency"]["assigned_officer"] == s_email
    version = officer.get(f"/petitions/{in_review}").json()["agency"]["version"]
    stale = web.post_form("/supervisor/", f"/supervisor/cases/{in_review}/unclaim",
                          {"version": version - 1})
    assert "Someone else changed this case" in stale.text
    freed = web.post_form("/supervisor/", f"/supervisor/cases/{in_review}/unclaim",
                          {"version": version})
    assert "is back in its queue" in freed.text
    body = officer.get(f"/petitions/{in_review}").json()
    assert body["status"] == "queued" and body["agency"]["assigned_officer"] is None
    assert web.get("/supervisor/").status_code == 200
    assert Web(live_server.url, o_email, o_password).get("/supervisor/").status_code == 404


def test_denials_are_reviewed_in_the_browser(api, create_user, live_server):
    traveler = api("traveler")
    officer = api("officer", country="US")
    s_email, s_password = create_user("supervisor", country="US")
    first, second = queued_tn(traveler), queued_tn(traveler)
    for receipt in (first, second):
        officer.post("/queues/US-BLAINE/claim")
        assert officer.post(f"/petitions/{receipt}/decision", json=DENY).status_code == 200
    web = Web(live_server.url, s_email, s_password)
    page = web.get("/supervisor/denials").text
    assert first in page and second in page and "another profession" in page
    refused = web.post_form("/supervisor/denials", f"/supervisor/denials/{first}",
                            {"action": "return", "note": ""})
    assert refused.status_code == 422 and "Say what the officer" in refused.text
    # Issue 17: the reasons by title, and the missing note said inline (with the summary
    # that links to it), not again in a flash message.
    assert "Credentials insufficient" in page
    assert 'class="error-message" id="note-' in refused.text
    assert "notice-error" not in refused.text
    web.post_form("/supervisor/denials", f"/supervisor/denials/{first}",
                  {"action": "return", "note": "Ask for the licence first."})
    web.post_form("/supervisor/denials", f"/supervisor/denials/{second}", {"action": "approve"})
    assert traveler.get(f"/petitions/{first}").json()["status"] == "in_review"
    assert officer.get(f"/petitions/{first}").json()["status"] == "in_review"
    assert traveler.get(f"/petitions/{second}").json()["status"] == "denied"
    assert first not in web.get("/supervisor/denials").text
