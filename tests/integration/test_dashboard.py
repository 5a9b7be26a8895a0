"""The employer dashboard (domain/employer_dashboard.py, employers.py): filters, sorts and
keyset pages read back against the database, the CSV export equal to the filtered view,
the panels' contents, and the weekly digest through the real SMTP sink (once per
organization, person and ISO week; opt-out for the organization and per person)."""
import csv
import io
import re
from datetime import timedelta

import pytest
import redis
import sqlalchemy as sa

from tests import factories
from tests.integration.workspace_helpers import queued, text
from tests.unit.test_web_auth import csrf_token, sign_in
from traveler_portal import locks
from traveler_portal.domain import adjudication, digest, workspace
from traveler_portal.domain import employer_dashboard as board
from traveler_portal.domain.adjudication import DecisionInput
from traveler_portal.extensions import db
from traveler_portal.models import Decision, Organization, Outcome, Petition, User
from traveler_portal.models.users import utcnow
from traveler_portal.web.employer.dashboard import safe_cell

ORG = "Maple Robotics Ltd."
TODAY = utcnow().date()


def _approve(officer, traveler, valid_days):
    receipt = queued(traveler, category="TN", port="BLAINE", today=TODAY).receipt_number
    workspace.claim(officer, receipt)
    adjudication.decide(officer, receipt, DecisionInput(
        outcome="approved", valid_until=TODAY + timedelta(days=valid_days)))
    return receipt


@pytest.fixture
def org_data(make):
    """An organization with drafts, queued cases, an open request for evidence and
    approvals expiring in 20, 50, 80 and 200 days; another organization's petitions."""
    employer = make.user("employer", organization=ORG, name="Erin Employer")
    officer = make.user("officer", country="US")
    ana = make.user("traveler", organization=ORG, name="Ana Zúñiga", address="ana@maple.test")
    bob = make.user("traveler", organization=ORG, name="Bob Lee", address="bob@maple.test")
    drafts = [make.draft(ana, days_ahead=d).receipt_number for d in (5, 12, 40)]
    drafts += [make.draft(bob, country="CA", category="CUSMA_PRO", port="DOUGLAS",
                          days_ahead=d).receipt_number for d in (12, 70)]
    waiting = [queued(bob, category="TN", port="BLAINE", days_ahead=d, today=TODAY)
               .receipt_number for d in (9, 45)]
    asked = queued(ana, category="TN", port="BLAINE", days_ahead=20, today=TODAY).receipt_number
    workspace.claim(officer, asked)
    adjudication.decide(officer, asked, DecisionInput(
        outcome="evidence_requested", respond_by=TODAY + timedelta(days=10),
        evidence_items=[{"requirement": "Engineering degree", "kind": "credentials",
                         "reason": "TN engineers need a degree; none is on file."}]))
    approvals = {days: _approve(officer, ana if days % 20 == 0 else bob, days)
                 for days in (20, 50, 80, 200)}
    stranger = make.user("traveler", organization="Other Corp.", name="Ana Other")
    make.draft(stranger, days_ahead=5)
    db.session.commit()
    return {"employer": employer, "drafts": drafts, "waiting": waiting, "asked": asked,
            "approvals": approvals, "ana": ana, "bob": bob}


def _expected(employer, where=(), order=None):
    """The filtered view straight from the database (its own query, not the module's)."""
    valid = sa.select(sa.func.max(Decision.valid_until)).where(
        Decision.petition_id == Petition.id, Decision.outcome == Outcome.APPROVED
    ).correlate(Petition).scalar_subquery()
    rows = db.session.execute(sa.select(Petition, valid).where(
        Petition.organization_id == employer.organization_id, *where)).all()
    return rows


def _all_pages(employer, filters, size):
    seen, after = [], ""
    for _ in range(100):
        filters.after = after
        rows, after = board.page(employer, filters, size=size)
        seen += [r.petition.receipt_number for r in rows]
        if after is None:
            return seen
    raise AssertionError("the pages never ended")


@pytest.mark.parametrize("sort", ["travel", "status", "receipt", "validity"])
@pytest.mark.parametrize("descending", [False, True])
def test_keyset_pages_have_no_duplicates_or_gaps_in_every_sort(org_data, sort, descending):
    employer = org_data["employer"]
    rows = _expected(employer)
    key = {"travel": lambda p, v: p.travel_date, "receipt": lambda p, v: p.receipt_number,
           "status": lambda p, v: board.workflow.public_status(p.status).value,
           "validity": lambda p, v: v or board.FAR_FUTURE}[sort]
    expected = [p.receipt_number for p, v in sorted(
        rows, key=lambda r: (key(*r), r[0].id), reverse=descending)]
    for size in (1, 3, 4, 50):
        paged = _all_pages(employer, board.Filters(sort=sort, descending=descending), size)
        assert paged == expected, (sort, descending, size)
    assert len(expected) == 12  # 5 drafts, 2 queued, 1 asked, 4 approved


def test_filters_match_the_database(org_data):
    employer = org_data["employer"]

    def receipts(**kw):
        return sorted(_all_pages(employer, board.Filters(**kw), 4))

    def db_receipts(*where):
        return sorted(p.receipt_number for p, _v in _expected(employer, where))

    assert receipts(country="CA") == db_receipts(Petition.destination_country == "CA")
    assert receipts(category="CUSMA_PRO") == sorted(org_data["drafts"][3:])
    assert receipts(status="draft") == sorted(org_data["drafts"])
    assert receipts(status="evidence_requested") == [org_data["asked"]]
    assert receipts(status="approved") == sorted(org_data["approvals"].values())
    assert receipts(traveler="ZÚÑ") == receipts(traveler="zúñ") == receipts(
        traveler="ana@maple") == db_receipts(Petition.traveler_id == org_data["ana"].id)
    assert receipts(traveler="an_") == receipts(traveler="%") == []  # literal, not wildcards
    window = (TODAY + timedelta(days=10), TODAY + timedelta(days=45))
    assert receipts(travel_from=window[0], travel_to=window[1]) == db_receipts(
        Petition.travel_date.between(*window))
    assert receipts(country="US", status="queued", travel_to=TODAY + timedelta(days=10)) == \
        [org_data["waiting"][0]]
    assert receipts(traveler="Ana Other") == []  # another organization's traveler


def test_the_page_and_the_csv_export_show_exactly_the_filtered_view(app, org_data):
    email = org_data["employer"].email
    wanted = sorted(p.receipt_number for p, _v in _expected(
        org_data["employer"], [Petition.destination_country == "US",
                               Petition.travel_date <= TODAY + timedelta(days=60)]))
    web = app.test_client()
    assert sign_in(web, email).status_code in (302, 303)
    query = f"country=US&travel_to={(TODAY + timedelta(days=60)).isoformat()}&sort=receipt"
    page = web.get(f"/employer/?{query}")
    assert page.status_code == 200
    table = page.get_data(as_text=True).split('id="dashboard-petitions"')[1].split("</table>")[0]
    assert re.findall(r">([A-Z]{2}-\d{4}-[A-Z0-9]+)</a></th>", table) == wanted

    export = web.get(f"/employer/petitions.csv?{query}")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    assert export.headers["Content-Disposition"].startswith('attachment; filename="petitions-')
    raw = export.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for spreadsheet applications
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, body = lines[0], lines[1:]
    assert header[0] == "Receipt number" and header[-1] == "Validity end"
    assert [line[0] for line in body] == wanted  # sorted by receipt: all rows, in order
    db.session.expire_all()
    by_receipt = {p.receipt_number: (p, v) for p, v in _expected(org_data["employer"])}
    for line in body:
        petition, valid = by_receipt[line[0]]
        assert line[1:3] == [petition.traveler.name, petition.traveler.email]
        assert line[4] == petition.category.code and line[7] == petition.travel_date.isoformat()
        assert line[9] == (valid.isoformat() if valid else "")
    assert "Ana Zúñiga" in {line[1] for line in body}


def test_csv_cells_never_start_a_formula():
    assert safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    assert [safe_cell(v) for v in ("+1", "-2", "@SUM", "Ana")] == ["'+1", "'-2", "'@SUM", "Ana"]


def test_keyset_pages_in_the_browser_follow_the_next_link(app, make):
    employer = make.user("employer", organization=ORG)
    traveler = make.user("traveler", organization=ORG)
    receipts = [make.draft(traveler, days_ahead=1 + i % 7).receipt_number for i in range(30)]
    email = employer.email
    db.session.commit()
    web = app.test_client()
    assert sign_in(web, email).status_code in (302, 303)
    seen, url = [], "/employer/?sort=travel"
    while url:
        html = web.get(url).get_data(as_text=True)
        table = html.split('id="dashboard-petitions"')[1].split("</table>")[0]
        seen += re.findall(r">([A-Z]{2}-\d{4}-[A-Z0-9]+)</a></th>", table)
        nxt = re.search(r'<a href="([^"]+)" rel="next">', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert len(seen) == 30 and sorted(seen) == sorted(receipts)


def test_panels(org_data):
    panels = board.panels(org_data["employer"], TODAY)
    assert [p.receipt_number for p in panels.evidence_requests] == [org_data["asked"]]
    assert sorted(p.receipt_number for p in panels.drafts) == sorted(org_data["drafts"])
    upcoming = {p.receipt_number for p in panels.upcoming}
    assert upcoming == {*org_data["drafts"][:2], org_data["drafts"][3], org_data["waiting"][0],
                        org_data["asked"]}
    assert {d: [p.receipt_number for p, _v in rows] for d, rows in panels.expiring.items()} \
        == {30: [org_data["approvals"][20]], 60: [org_data["approvals"][50]],
            90: [org_data["approvals"][80]]}


@pytest.fixture
def mail_to_sink(app, smtp_server, broker_url, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_URL", smtp_server.url)
    monkeypatch.setitem(app.config, "LOCK_REDIS_URL", broker_url)
    with app.app_context():
        client = redis.Redis.from_url(locks.redis_url())
    for key in client.scan_iter("portal:employer-digest:*"):
        client.delete(key)
    return smtp_server


def test_the_weekly_digest_goes_once_per_week_and_respects_opt_outs(app, org_data, make,
                                                                     mail_to_sink):
    employer = org_data["employer"]
    viewer = make.user("employer", organization=ORG, name="Vic Viewer")
    quiet = make.user("employer", organization=ORG, name="Quinn Quiet")
    quiet.email_opt_out = ["digest"]
    make.user("employer", organization="Empty Org Inc.")  # nothing in its panels
    opted_out_org = make.user("employer", organization="Silent Corp.")
    silent_traveler = make.user("traveler", organization="Silent Corp.")
    make.draft(silent_traveler)
    db.session.get(Organization, opted_out_org.organization_id).digest_enabled = False
    addresses = {u: u.email for u in (employer, viewer, quiet, opted_out_org)}
    db.session.commit()

    monday = TODAY - timedelta(days=TODAY.weekday())
    assert digest.send_weekly(monday) == 2
    assert digest.send_weekly(monday + timedelta(days=3)) == 0  # same ISO week
    [mail] = mail_to_sink.to(addresses[employer])
    body = mail.get_payload(decode=True).decode()
    assert ORG in mail["Subject"] and org_data["asked"] in body
    assert org_data["approvals"][50] in body and org_data["approvals"][200] not in body
    assert len(mail_to_sink.to(addresses[viewer])) == 1
    assert mail_to_sink.to(addresses[quiet]) == []
    assert mail_to_sink.to(addresses[opted_out_org]) == []

    assert digest.send_weekly(monday + timedelta(days=7)) == 2  # next week
    assert len(mail_to_sink.to(addresses[employer])) == 2


def test_owners_and_admins_switch_the_digest_off_on_the_dashboard(app):
    # No outer app context here: Flask-WTF keeps the CSRF token in ``g``, which an outer
    # context would share across the test client's requests.
    with app.app_context():
        owner = factories.user("employer", organization=ORG)
        viewer = factories.user("employer", organization=ORG)
        viewer.org_role = "viewer"
        org_id, emails = owner.organization_id, (owner.email, viewer.email)
        db.session.commit()
    web = app.test_client()
    assert sign_in(web, emails[1]).status_code in (302, 303)
    assert "Turn off the weekly digest" not in text(web.get("/employer/"))
    refused = web.post("/employer/digest", data={
        "csrf_token": csrf_token(web, "/employer/"), "digest_enabled": "0"})
    assert refused.status_code == 403
    web = app.test_client()
    assert sign_in(web, emails[0]).status_code in (302, 303)
    done = web.post("/employer/digest", data={
        "csrf_token": csrf_token(web, "/employer/"), "digest_enabled": "0"})
    assert done.status_code in (302, 303)
    assert "Turn on the weekly digest" in text(web.get("/employer/"))
    with app.app_context():
        assert db.session.get(Organization, org_id).digest_enabled is False


def test_the_digest_is_scheduled_weekly_on_the_periodic_queue(app):
    schedule = app.extensions["celery"].conf.beat_schedule
    [entry] = [e for e in schedule.values() if e["task"] == "employers.weekly_digest"]
    assert entry["options"]["queue"] == "periodic"
    assert entry["schedule"].day_of_week == {1} and entry["schedule"].hour == {7}


def test_each_employer_can_stop_the_digest_in_their_email_choices(app):
    with app.app_context():
        email = factories.user("employer", organization=ORG).email
        traveler_email = factories.user("traveler").email
        db.session.commit()
    web = app.test_client()
    assert sign_in(web, email).status_code in (302, 303)
    assert "weekly digest" in text(web.get("/notifications/settings"))
    saved = web.post("/notifications/settings", data={
        "csrf_token": csrf_token(web, "/notifications/settings"), "status": "y",
        "evidence_request": "y", "reminder": "y"})
    assert saved.status_code in (302, 303)
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email)).one()
        assert user.email_opt_out == ["digest"]
        assert digest.recipients(user.organization) == []
    web = app.test_client()
    assert sign_in(web, traveler_email).status_code in (302, 303)
    assert "weekly digest" not in text(web.get("/notifications/settings"))
