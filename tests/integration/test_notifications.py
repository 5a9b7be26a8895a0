"""Emails reach a real SMTP server, once per event, even when the task runs twice or the
mail server fails first; travelers choose which ones they get, except decisions."""
import time
from datetime import date, timedelta

import sqlalchemy as sa

from tests.integration.test_api_journey import file_tn_to_blaine, upload, wait_for_status
from tests.live import outbox_settled, run_task_again, wait_for
from traveler_portal.domain import notifications, petitions
from traveler_portal.extensions import db
from traveler_portal.models import Notification, User


def wait_for_mail(smtp_server, address, count, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mails = smtp_server.to(address)
        if len(mails) >= count:
            return mails
        time.sleep(0.2)
    raise AssertionError(f"{len(smtp_server.to(address))} emails to {address}, not {count}")


def queued_petition(api, traveler):
    receipt = file_tn_to_blaine(traveler)["receipt_number"]
    upload(traveler, receipt, "passport")
    upload(traveler, receipt, "employer_letter")
    traveler.post(f"/petitions/{receipt}/submit")
    wait_for_status(traveler, receipt, "queued")
    return receipt


def test_each_public_event_is_emailed_once(app, api, smtp_server, live_server):
    traveler, officer = api("traveler"), api("officer", country="US")
    receipt = queued_petition(api, traveler)
    officer.post("/queues/US-BLAINE/claim")
    officer.post(f"/petitions/{receipt}/notes", json={"note": "internal only"})
    officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "denied", "reason_codes": ["CREDENTIALS_INSUFFICIENT"],
        "message": "The licence is from another profession."})
    assert api("supervisor", country="US").post(  # four eyes: only now is the traveler told
        f"/petitions/{receipt}/denial-review", json={"action": "approve"}).status_code == 200
    wait_for_mail(smtp_server, traveler.email, 4)
    outbox_settled(app)  # every email task has run to its end: no copy is still to come
    mails = smtp_server.to(traveler.email)
    subjects = [m["Subject"] for m in mails]
    assert sorted(subjects) == sorted(f"{receipt}: {title}" for title in [
        "Case was received", "Case is waiting for an officer",
        "Case is being actively reviewed", "Case was denied"])
    denial = next(m for m in mails if m["Subject"].endswith("denied"))
    text = denial.get_payload(decode=True).decode()
    assert "CREDENTIALS_INSUFFICIENT" in text and "another profession" in text
    assert all("internal only" not in m.get_payload(decode=True).decode() for m in mails)


def test_a_second_run_of_the_task_sends_nothing(app, api, smtp_server, live_server,
                                                broker_url):
    traveler = api("traveler")
    receipt = file_tn_to_blaine(traveler)["receipt_number"]
    upload(traveler, receipt, "passport")
    upload(traveler, receipt, "employer_letter")
    traveler.post(f"/petitions/{receipt}/submit")
    wait_for_mail(smtp_server, traveler.email, 1)

    def first_sent():  # the worker records it just after the mail server took it
        with app.app_context():
            first = db.session.scalars(sa.select(Notification).order_by(Notification.id)).first()
            return first if first.email_state == "sent" else None
    first = wait_for(first_sent, 30, "the first email recorded as sent")
    assert run_task_again(live_server, broker_url, "notifications.send_email", [first.id],
                          "notifications") == "False"
    received = [m for m in smtp_server.to(traveler.email)
                if m["Subject"] == f"{receipt}: Case was received"]
    assert len(received) == 1


def test_a_failing_mail_server_is_retried_and_delivers_once(app, api, smtp_server,
                                                            live_server):
    traveler = api("traveler")
    receipt = file_tn_to_blaine(traveler)["receipt_number"]
    upload(traveler, receipt, "passport")
    upload(traveler, receipt, "employer_letter")
    refused_before = smtp_server.refused
    smtp_server.refuse = 1
    traveler.post(f"/petitions/{receipt}/submit")
    mails = wait_for_mail(smtp_server, traveler.email, 2, timeout=45)
    assert smtp_server.refused == refused_before + 1
    subjects = [m["Subject"] for m in mails]
    assert subjects.count(f"{receipt}: Case was received") == 1

    def all_sent():  # the worker records "sent" just after the mail server took the mail
        with app.app_context():
            rows = db.session.execute(
                sa.select(Notification.email_state, Notification.email_attempts)).all()
            return rows if all(state == "sent" for state, _ in rows) else None
    rows = wait_for(all_sent, 30, "every email recorded as sent")
    assert max(attempts for _, attempts in rows) >= 1


def test_opted_out_kinds_are_not_emailed_but_decisions_are(app, api, smtp_server, live_server):
    traveler, officer = api("traveler"), api("officer", country="US")
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == traveler.email)).one()
        notifications.set_preferences(user, wanted_kinds=set())
    receipt = queued_petition(api, traveler)
    officer.post("/queues/US-BLAINE/claim")
    officer.post(f"/petitions/{receipt}/decision", json={
        "outcome": "approved", "valid_until": (date.today() + timedelta(days=200)).isoformat()})
    [decision] = wait_for_mail(smtp_server, traveler.email, 1)
    assert decision["Subject"] == f"{receipt}: Case was approved"
    with app.app_context():
        listed = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
        assert listed == 4  # every event is still in the in-app list


def test_reminders_are_created_once_per_deadline(make):
    traveler = make.user("traveler")
    soon = make.submitted(traveler, days_ahead=5)
    later = make.submitted(traveler, days_ahead=60)
    assert notifications.send_reminders() == 1
    assert notifications.send_reminders() == 0
    [reminder] = db.session.scalars(sa.select(Notification).where(
        Notification.kind == "reminder")).all()
    assert reminder.petition_id == soon.id and later.id != soon.id
    assert "no decision yet" in reminder.subject
    petitions.withdraw(traveler, soon.receipt_number)
    assert notifications.send_reminders() == 0
