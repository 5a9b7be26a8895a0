"""Decisions on the live stack: a denial stays invisible to the traveler (API, page, email)
until a supervisor confirms it, or goes back to the officer; two officers acting on the same
case; validity limits and conditions; referral to another queue."""
import re
from datetime import date, timedelta

import sqlalchemy as sa

from tests.integration.test_notifications import wait_for_mail
from tests.integration.web_helpers import Web, queued_tn
from tests.live import outbox_settled
from traveler_portal.domain import casework
from traveler_portal.extensions import db
from traveler_portal.models import Decision, Notification, Petition, User

DENY = {"outcome": "denied", "reason_codes": ["CREDENTIALS_INSUFFICIENT"],
        "message": "The licence is from another profession."}


def day(offset):
    return (date.today() + timedelta(days=offset)).isoformat()


def claimed(api, traveler, officer):
    receipt = queued_tn(traveler)
    assert officer.post("/queues/US-BLAINE/claim").json()["receipt_number"] == receipt
    return receipt


def test_a_denial_is_invisible_to_the_traveler_until_a_supervisor_confirms_it(
        app, api, create_user, live_server, smtp_server):
    email, password = create_user("traveler")
    from tests.live import Api
    traveler = Api(live_server.url).login(email, password)
    officer, supervisor = api("officer", country="US"), api("supervisor", country="US")
    receipt = claimed(api, traveler, officer)

    denied = officer.post(f"/petitions/{receipt}/decision", json=DENY)
    assert denied.status_code == 200, denied.text
    assert denied.json()["status"] == "denial_pending"
    assert denied.json()["agency"]["pending_denial"]["reason_codes"] == DENY["reason_codes"]

    seen = traveler.get(f"/petitions/{receipt}").json()
    assert seen["status"] == "in_review" and seen["decision"] is None
    assert seen["decided_at"] is None
    assert not [e for e in seen["timeline"] if e["status"] in ("denied", "denial_pending")]
    listed = traveler.get("/petitions?status=in_review").json()["items"]
    assert [p["receipt_number"] for p in listed] == [receipt]
    page = Web(live_server.url, email, password).get(f"/my/petitions/{receipt}").text
    assert "Being reviewed by an officer" in page
    assert "another profession" not in page and "CREDENTIALS_INSUFFICIENT" not in page
    wait_for_mail(smtp_server, email, 3)  # received, waiting, in review
    outbox_settled(app)  # every email the product sent so far has been through the worker
    assert not [m for m in smtp_server.to(email) if "denied" in m["Subject"]]
    with app.app_context():  # nor is one waiting to be sent
        assert not db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                                     .where(Notification.subject.contains("denied")))

    # The officer cannot confirm their own denial; an officer is not a supervisor.
    assert officer.post(f"/petitions/{receipt}/denial-review",
                        json={"action": "approve"}).status_code in (403, 404)
    confirmed = supervisor.post(f"/petitions/{receipt}/denial-review",
                                json={"action": "approve", "note": "Agreed."})
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "denied"

    seen = traveler.get(f"/petitions/{receipt}").json()
    assert seen["status"] == "denied" and seen["decided_at"]
    assert seen["decision"]["reason_codes"] == DENY["reason_codes"]
    assert seen["decision"]["message"] == DENY["message"]
    mails = wait_for_mail(smtp_server, email, 4)
    [notice] = [m for m in mails if m["Subject"] == f"{receipt}: Case was denied"]
    assert "CREDENTIALS_INSUFFICIENT" in notice.get_payload(decode=True).decode()
    page = Web(live_server.url, email, password).get(f"/my/petitions/{receipt}").text
    assert "another profession" in page


def test_a_supervisor_can_return_a_denial_to_its_officer(api, app, live_server):
    traveler = api("traveler")
    officer, supervisor = api("officer", country="US"), api("supervisor", country="US")
    receipt = claimed(api, traveler, officer)
    assert officer.post(f"/petitions/{receipt}/decision", json=DENY).status_code == 200

    no_note = supervisor.post(f"/petitions/{receipt}/denial-review", json={"action": "return"})
    assert no_note.status_code == 422 and "note" in no_note.json()["error"]["fields"]
    returned = supervisor.post(f"/petitions/{receipt}/denial-review", json={
        "action": "return", "note": "Check the licence against Appendix 1603.D.1 again."})
    assert returned.status_code == 200, returned.text
    body = returned.json()
    assert body["status"] == "in_review" and body["agency"]["assigned_officer"] == officer.email
    assert body["agency"]["pending_denial"] is None
    assert "Appendix 1603.D.1" in body["agency"]["history"][-1]["message"]
    seen = traveler.get(f"/petitions/{receipt}").json()
    assert seen["status"] == "in_review" and seen["decision"] is None
    with app.app_context():
        [decision] = db.session.scalars(sa.select(Decision).join(Petition).where(
            Petition.receipt_number == receipt)).all()
        assert decision.review_state == "returned" and decision.reviewed_by_id is not None

    # The officer decides again; the returned denial never reaches the traveler.
    approved = officer.post(f"/petitions/{receipt}/decision",
                            json={"outcome": "approved", "valid_until": day(365)})
    assert approved.status_code == 200, approved.text
    assert traveler.get(f"/petitions/{receipt}").json()["decision"]["outcome"] == "approved"


def test_two_officers_on_the_same_version_one_wins_the_other_sees_a_conflict(
        api, app, create_user, live_server):
    traveler = api("traveler")
    a_email, a_password = create_user("officer", country="US")
    b_email, b_password = create_user("officer", country="US")
    s_email, _ = create_user("supervisor", country="US")
    from tests.live import Api
    officer_a = Api(live_server.url).login(a_email, a_password)
    receipt = claimed(api, traveler, officer_a)
    web_a = Web(live_server.url, a_email, a_password)
    case_path = f"/officer/cases/{receipt}"
    stale_page = web_a.get(case_path).text  # officer A opens the case (version v)

    # Meanwhile a supervisor hands the case to officer B, who approves it.
    with app.app_context():
        supervisor = db.session.scalars(sa.select(User).where(User.email == s_email)).one()
        casework.reassign(supervisor, receipt, b_email)
    officer_b = Api(live_server.url).login(b_email, b_password)
    version = officer_b.get(f"/petitions/{receipt}").json()["agency"]["version"]
    won = officer_b.post(f"/petitions/{receipt}/decision", json={
        "outcome": "approved", "valid_until": day(365), "version": version})
    assert won.status_code == 200, won.text

    # A submits the form of the page opened before: refused, and A's input is shown again.
    from tests.integration.web_helpers import hidden_inputs
    hidden = hidden_inputs(stale_page)
    lost = web_a.http.post(live_server.url + f"/officer/cases/{receipt}/decision", data={
        "csrf_token": hidden["csrf_token"], "version": hidden["version"],
        "outcome": "denied", "reason_codes": "MISREPRESENTATION",
        "message": "Officer A's careful explanation."}, timeout=15)
    assert lost.status_code == 409
    assert "Someone else changed this case" in lost.text
    assert "Officer A&#39;s careful explanation." in lost.text
    # The API says the same for a stale version.
    api_conflict = officer_b.post(f"/petitions/{receipt}/decision", json={**DENY,
                                                                        "version": version})
    assert api_conflict.status_code == 409
    assert "Someone else changed" in api_conflict.json()["error"]["message"]
    final = traveler.get(f"/petitions/{receipt}").json()
    assert final["status"] == "approved" and final["decision"]["valid_until"] == day(365)


def test_validity_beyond_the_maximum_is_refused_and_conditions_are_kept(api, create_user,
                                                                        live_server):
    traveler = api("traveler")
    o_email, o_password = create_user("officer", country="US")
    from tests.live import Api
    officer = Api(live_server.url).login(o_email, o_password)
    receipt = claimed(api, traveler, officer)
    page = Web(live_server.url, o_email, o_password).get(f"/officer/cases/{receipt}").text
    # The validity defaults to the period the traveler asked for, within TN's 3 years.
    shown = re.search(r'name="valid_until"[^>]*value="([0-9-]+)"', page) or \
        re.search(r'value="([0-9-]+)"[^>]*name="valid_until"', page)
    assert shown and day(0) < shown.group(1) <= day(1095)
    assert 'value="Cascade Bridges Inc."' in page  # the employer condition, prefilled

    too_long = officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "approved", "valid_until": day(1096)})
    assert too_long.status_code == 422
    assert "1095 days" in too_long.json()["error"]["fields"]["valid_until"]
    conditions = {"employer": "Cascade Bridges Inc.", "occupation": "Engineer",
                  "location": "Seattle, WA"}
    approved = officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "approved", "valid_until": day(1095), "conditions": conditions})
    assert approved.status_code == 200, approved.text
    assert traveler.get(f"/petitions/{receipt}").json()["decision"]["conditions"] == conditions
    page = Web(live_server.url, o_email, o_password).get(f"/officer/cases/{receipt}").text
    assert "location: Seattle, WA" in page


def test_a_referral_moves_the_case_to_another_queue_of_the_country(api, live_server):
    traveler = api("traveler")
    officer = api("officer", country="US")
    receipt = claimed(api, traveler, officer)
    refused = officer.post(f"/petitions/{receipt}/refer", json={"queue": "CA-DOUGLAS",
                                                                 "reason": "Wrong country"})
    assert refused.status_code == 422 and "queue" in refused.json()["error"]["fields"]
    assert officer.post(f"/petitions/{receipt}/refer", json={
        "queue": "US-TRIAGE"}).status_code == 422  # no reason
    referred = officer.post(f"/petitions/{receipt}/refer", json={
        "queue": "US-TRIAGE", "reason": "The port cannot verify the licence; triage."})
    assert referred.status_code == 200, referred.text
    body = referred.json()
    assert body["status"] == "queued" and body["queue"]["code"] == "US-TRIAGE"
    assert body["agency"]["assigned_officer"] is None
    assert "triage" in body["agency"]["routing_reason"]
    assert traveler.get(f"/petitions/{receipt}").json()["status"] == "queued"
    assert officer.post("/queues/US-BLAINE/claim").status_code == 204
    assert officer.post("/queues/US-TRIAGE/claim").json()["receipt_number"] == receipt
