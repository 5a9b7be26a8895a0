"""The officer's queue workspace (Flask test client and domain calls): depth, oldest and
breaches per queue; claim-next order (priority, then due date, then age); the queue's list
sorted, filtered and paged; claiming a picked case, with a conflict for the second officer;
a hold that leaves the queue and returns on its date (frozen time); a hold in the past
refused; due dates in business days."""
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.integration.workspace_helpers import FROZEN, Client, petition_row, queued, text, user_row
from traveler_portal.domain import adjudication, routing, schedules, workflow, workspace
from traveler_portal.domain.errors import Conflict, ValidationFailed
from traveler_portal.extensions import db
from traveler_portal.models import AuditEntry, Petition, Status
from traveler_portal.models.users import utcnow


def set_fields(receipt: str, **values):
    db.session.execute(sa.update(Petition).where(Petition.receipt_number == receipt)
                       .values(**values))
    db.session.commit()


@pytest.fixture
def traveler(make):
    return make.user("traveler")


@pytest.fixture
def officer(make):
    return make.user("officer", country="US")


def test_claim_next_takes_priority_then_due_date_then_age(make, traveler, officer):
    base = datetime(2031, 6, 1, 9, tzinfo=UTC)
    cases = {}
    for name, priority, due, age_hours in [
            ("old_low", 10, date(2031, 6, 5), 50),
            ("young_urgent", 90, date(2031, 6, 20), 1),
            ("urgent_due_sooner_younger", 90, date(2031, 6, 10), 0),
            ("urgent_due_sooner_older", 90, date(2031, 6, 10), 5)]:
        receipt = queued(traveler, category="TN", port="BLAINE").receipt_number
        set_fields(receipt, priority=priority, due_date=due,
                   submitted_at=base - timedelta(hours=age_hours))
        cases[name] = receipt

    order = [adjudication.claim_next(officer, "US-BLAINE").receipt_number for _ in cases]
    assert order == [cases["urgent_due_sooner_older"], cases["urgent_due_sooner_younger"],
                     cases["young_urgent"], cases["old_low"]]
    assert adjudication.claim_next(officer, "US-BLAINE") is None


def test_due_dates_count_business_days_from_the_queues_target(make, traveler):
    friday = date(2031, 6, 6)
    petition = make.submitted(traveler, category="TN", port="BLAINE")
    assert routing.route(petition.id, today=friday)
    petition = petition_row(petition.receipt_number)
    assert petition.queue.sla_business_days == 5
    assert petition.due_date == date(2031, 6, 13)  # Mon..Fri of the next week
    assert routing.add_business_days(friday, 1) == date(2031, 6, 9)


def test_queue_summaries_count_depth_oldest_breaches_and_holds(make, traveler, officer):
    waiting = [queued(traveler, category="TN", port="BLAINE").receipt_number for _ in range(3)]
    set_fields(waiting[0], submitted_at=datetime(2031, 5, 1, tzinfo=UTC))
    set_fields(waiting[1], due_date=FROZEN - timedelta(days=1))
    taken = workspace.claim(officer, waiting[2])
    workspace.hold(officer, taken.receipt_number, FROZEN + timedelta(days=3), "Waiting for "
                   "the employer's registry", today=FROZEN)

    [blaine] = [s for s in workspace.summaries(officer, today=FROZEN)
                if s.queue.code == "US-BLAINE"]
    assert (blaine.depth, blaine.breaches, blaine.on_hold) == (2, 1, 1)
    assert blaine.oldest == min(petition_row(r).submitted_at for r in waiting
                                if petition_row(r).status == Status.QUEUED)


def test_the_queue_list_sorts_filters_and_pages(app, make, traveler, monkeypatch):
    receipts = []
    for days_ahead, category, priority, due in [(40, "TN", 5, date(2031, 6, 9)),
                                                 (10, "B1", 50, date(2031, 6, 3)),
                                                 (20, "TN", 20, date(2031, 6, 11))]:
        receipt = queued(traveler, category=category, port="BLAINE",
                         days_ahead=days_ahead).receipt_number
        set_fields(receipt, priority=priority, due_date=due)
        receipts.append(receipt)
    a, b, c = receipts
    officer = make.user("officer", country="US")

    def listed(**options):
        _q, rows, cursor = workspace.waiting_cases(officer, "US-BLAINE",
                                                   workspace.ListFilter(**options), FROZEN)
        return [p.receipt_number for p in rows], cursor

    assert listed()[0] == [b, c, a]
    assert listed(sort="due")[0] == [b, a, c]
    assert listed(sort="travel")[0] == [b, c, a]
    assert listed(category="TN")[0] == [c, a]
    assert listed(breached_only=True)[0] == [b]
    assert listed(port="DOUGLAS")[0] == []

    monkeypatch.setattr(workspace, "PAGE_SIZE", 2)
    first, cursor = listed(sort="due")
    assert first == [b, a] and cursor
    assert listed(sort="due", after=cursor) == ([c], None)
    assert listed(sort="due", after="garbage")[0] == [b, a]  # a bad cursor: first page

    # The same page in the browser, with the filters.
    db.session.rollback()  # SQLite: no open transaction of this context while requests run
    client = Client(app, "officer", country="US")
    page = text(client.get("/officer/queues/US-BLAINE?sort=due&category=TN"))
    assert page.index(a) < page.index(c) and b not in page
    assert "Cases waiting in" in page
    assert client.get("/officer/queues/CA-DOUGLAS").status_code == 404  # another country


def test_claiming_a_picked_case_and_the_second_officer_sees_a_conflict(app):
    with app.app_context():
        traveler = factories.user("traveler")
        receipt = queued(traveler, category="TN", port="BLAINE").receipt_number
    first, second = Client(app, "officer", country="US"), Client(app, "officer", country="US")

    # The list links the case; read first, then claim it from its page.
    assert f'href="/officer/cases/{receipt}"' in text(first.get("/officer/queues/US-BLAINE"))
    assert "Claim this case" in text(first.get(f"/officer/cases/{receipt}"))
    taken = first.post(f"/officer/cases/{receipt}", f"/officer/cases/{receipt}/claim",
                       {"queue": "US-BLAINE"})
    assert taken.status_code == 302 and taken.headers["Location"].endswith(
        f"/officer/cases/{receipt}")
    late = second.post("/officer/queues/US-BLAINE", f"/officer/cases/{receipt}/claim",
                       {"queue": "US-BLAINE"}, follow_redirects=True)
    assert f"{receipt} is no longer waiting in its queue: another officer has claimed it" \
        in text(late)
    with app.app_context():
        petition = petition_row(receipt)
        assert petition.status == Status.IN_REVIEW
        assert petition.assigned_officer.email == first.email
        claims = db.session.scalars(sa.select(AuditEntry.actor_email).where(
            AuditEntry.action == "case.claim")).all()
        assert claims == [first.email]
    assert "Claim this case" not in text(first.get(f"/officer/cases/{receipt}"))


def test_a_hold_leaves_the_queue_and_returns_on_its_date(make, traveler, officer):
    receipt = queued(traveler, category="TN", port="BLAINE").receipt_number
    adjudication.claim_next(officer, "US-BLAINE")
    until = FROZEN + timedelta(days=5)  # a Monday

    workspace.hold(officer, receipt, until, "Waiting for the licensing board", today=FROZEN)
    petition = petition_row(receipt)
    assert (petition.status, petition.hold_until) == (Status.ON_HOLD, until)
    assert workflow.public_status(petition.status) == Status.IN_REVIEW  # the traveler's view
    assert workspace.waiting_cases(officer, "US-BLAINE", workspace.ListFilter(),
                                   FROZEN)[1] == []
    assert adjudication.claim_next(officer, "US-BLAINE") is None

    assert schedules.resume_holds(today=until - timedelta(days=1)) == 0
    assert petition_row(receipt).status == Status.ON_HOLD
    assert schedules.resume_holds(today=until) == 1
    assert schedules.resume_holds(today=until) == 0  # done once
    petition = petition_row(receipt)
    assert (petition.status, petition.assigned_officer_id, petition.hold_until) == \
        (Status.QUEUED, None, None)
    assert petition.due_date == routing.add_business_days(until, petition.queue.sla_business_days)
    assert [e.action for e in petition.events][-2:] == ["hold", "resume"]
    assert adjudication.claim_next(officer, "US-BLAINE").receipt_number == receipt


def test_a_hold_date_in_the_past_or_today_is_refused(app):
    with app.app_context():
        receipt = queued(factories.user("traveler"), category="TN",
                         port="BLAINE").receipt_number
    client = Client(app, "officer", country="US")
    client.post("/officer/", "/officer/queues/US-BLAINE/claim", {})
    with app.app_context():
        version = petition_row(receipt).version
    hold = f"/officer/cases/{receipt}/hold"
    today = utcnow().date()

    for when in (today - timedelta(days=1), today):
        refused = client.post(hold, hold, {"hold_until": when.isoformat(),
                                           "hold_reason": "Waiting", "version": version})
        assert refused.status_code == 422
        assert "The hold must end on a date after today." in text(refused)
        assert 'aria-invalid="true"' in text(refused)
    with app.app_context():
        assert petition_row(receipt).status == Status.IN_REVIEW

    done = client.post(hold, hold, {"hold_until": (today + timedelta(days=2)).isoformat(),
                                    "hold_reason": "Waiting for the registry",
                                    "version": version})
    assert done.status_code == 302
    with app.app_context():
        assert petition_row(receipt).status == Status.ON_HOLD
    blaine = re.search(r"<tr>\s*<th scope=\"row\"><a [^>]*>Blaine Peace Arch, WA</a>.*?</tr>",
                       client.get("/officer/").get_data(as_text=True), re.S).group(0)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                   blaine, re.S)]
    assert cells[2:6] == ["–", "0", "1", "0"]  # oldest, past due, on hold, waiting


def test_only_the_claiming_officer_may_hold_a_case(make, traveler, officer):
    receipt = queued(traveler, category="TN", port="BLAINE").receipt_number
    with pytest.raises(Conflict):
        workspace.hold(officer, receipt, FROZEN + timedelta(days=2), "why", today=FROZEN)
    db.session.rollback()
    adjudication.claim_next(officer, "US-BLAINE")
    with pytest.raises(ValidationFailed) as refused:
        workspace.hold(officer, receipt, None, "", today=FROZEN)
    assert set(refused.value.fields) == {"hold_until", "hold_reason"}
    db.session.rollback()
    other = make.user("officer", country="US")
    with pytest.raises(Conflict):
        workspace.hold(other, receipt, FROZEN + timedelta(days=2), "why", today=FROZEN)
    db.session.rollback()
    assert user_row(officer.email).id == petition_row(receipt).assigned_officer_id
