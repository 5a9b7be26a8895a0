"""Routing rules and queues as data, managed by the admin in the browser: a rule change
routes the next petition to a new queue and leaves routed ones where they are; the dry run
explains its choice; overlapping rules and categories left to triage are warned about
before anything is saved; queues take officers of their own country only."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests import factories
from tests.integration.workspace_helpers import (
    FROZEN,
    Client,
    petition_row,
    queued,
    reference_cleanup,
    text,
    user_row,
)
from traveler_portal.domain import routing_admin
from traveler_portal.extensions import db
from traveler_portal.models import AdjudicationQueue, AuditEntry, RoutingRule
from traveler_portal.models.users import utcnow

pytestmark = pytest.mark.usefixtures("reference_cleanup")
assert reference_cleanup  # the fixture, imported for pytestmark

RULE = {"name": "BLAINE-TN-SPECIAL", "country": "US", "queue_code": "US-BLAINE-TN",
        "category_code": "TN", "port_code": "BLAINE", "authority": "", "position": "10",
        "effective_from": "", "effective_to": ""}


@pytest.fixture
def admin(app):
    return Client(app, "admin")


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def new_queue(admin, code="US-BLAINE-TN", officers=()):
    return admin.post("/admin/queues/new", "/admin/queues/new", {
        "code": code, "name": "Blaine, TN professionals", "country": "US",
        "sla_business_days": "3", "officer_ids": list(officers)})


def test_a_rule_change_routes_the_next_petition_to_the_new_queue_not_the_old_ones(app, admin):
    with app.app_context():
        traveler = factories.user("traveler")
        traveler_email = traveler.email
        before = queued(traveler, category="TN", port="BLAINE").receipt_number
        assert petition_row(before).queue.code == "US-BLAINE"

    assert new_queue(admin).status_code == 302
    saved = admin.post("/admin/rules/new", "/admin/rules/new", RULE)
    assert saved.status_code == 302, text(saved)
    assert "applies to petitions routed from now on" in text(admin.get("/admin/"))

    with app.app_context():
        after = queued(user_row(traveler_email), category="TN", port="BLAINE")
        assert after.queue.code == "US-BLAINE-TN"
        assert after.routing_reason == "Rule BLAINE-TN-SPECIAL"
        assert after.due_date == FROZEN + timedelta(days=5)  # 3 business days from a Wednesday
        assert petition_row(before).queue.code == "US-BLAINE"  # the routed one stays
        b1 = queued(user_row(traveler_email), category="B1", port="BLAINE")
        assert b1.queue.code == "US-BLAINE"  # the rule names TN only
        actions = set(db.session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.actor_email == admin.email)))
        assert {"queue.create", "rule.create"} <= actions


def test_the_dry_run_shows_the_queue_and_why(app, admin):
    page = text(admin.get("/admin/dry-run?country=US&category_code=TN&port_code=BLAINE"))
    assert '<span id="dry-run-queue">US-BLAINE</span>' in page
    assert "Rule US-BLAINE (the most specific matching rule" in page

    consulate = text(admin.get("/admin/dry-run?country=US&category_code=E1E2&port_code=BLAINE"))
    assert '<span id="dry-run-queue">US-TRIAGE</span>' in consulate
    assert "Triage: WRONG_CHANNEL: E1E2 is decided by a US consulate" in consulate

    # A rule not yet in force is not used for an earlier date, and is for a later one.
    with app.app_context():
        queue = AdjudicationQueue(code="US-LATER", name="Later", country="US")
        db.session.add(queue)
        db.session.flush()
        db.session.add(RoutingRule(name="LATER", country="US", port_code="BLAINE",
                                   category_code="TN", queue_id=queue.id,
                                   effective_from=FROZEN))
        db.session.commit()
        assert routing_admin.dry_run("US", "TN", "BLAINE", FROZEN - timedelta(days=1)) \
            .choice.queue.code == "US-BLAINE"
        result = routing_admin.dry_run("US", "TN", "BLAINE", FROZEN)
        assert result.choice.queue.code == "US-LATER"
        assert [r.name for r in result.matches] == ["LATER", "US-BLAINE"]

    refused = admin.get("/admin/dry-run?country=US&category_code=NOPE&port_code=BLAINE")
    assert "Choose a category of that country." in text(refused)


def test_an_overlapping_rule_is_shown_as_a_warning_and_saved_only_when_confirmed(app, admin):
    new_queue(admin)
    assert admin.post("/admin/rules/new", "/admin/rules/new", RULE).status_code == 302
    overlapping = {**RULE, "name": "BLAINE-TN-AGAIN", "position": "20",
                   "effective_from": FROZEN.isoformat()}

    warned = admin.post("/admin/rules/new", "/admin/rules/new", overlapping)
    page = text(warned)
    assert warned.status_code == 200
    assert "Overlaps rule BLAINE-TN-SPECIAL: same country, port, category and authority" in page
    assert '<input name="confirmed" type="hidden" value="yes">' in page
    with app.app_context():
        assert count(RoutingRule, RoutingRule.name == "BLAINE-TN-AGAIN") == 0

    confirmed = admin.post("/admin/rules/new", "/admin/rules/new",
                           {**overlapping, "confirmed": "yes"})
    assert confirmed.status_code == 302
    with app.app_context():
        assert count(RoutingRule, RoutingRule.name == "BLAINE-TN-AGAIN") == 1
        # Dates that do not overlap are no warning.
        rule = db.session.scalars(sa.select(RoutingRule).where(
            RoutingRule.name == "BLAINE-TN-SPECIAL")).one()
        rule.effective_to = FROZEN - timedelta(days=1)
        db.session.commit()
        later = routing_admin._from_input(routing_admin.RuleInput(
            name="X", country="US", queue_code="US-BLAINE-TN", category_code="TN",
            port_code="BLAINE", effective_from=FROZEN + timedelta(days=400)))
        found = routing_admin.warnings(later, None, "US", FROZEN)
        assert [w for w in found if "BLAINE-TN-SPECIAL" in w] == []
        assert any("BLAINE-TN-AGAIN" in w for w in found)


def test_retiring_a_rule_that_leaves_a_category_to_triage_warns_first(app, admin):
    with app.app_context():
        blaine = db.session.scalars(sa.select(RoutingRule).where(
            RoutingRule.name == "US-BLAINE")).one()
        rule_id, until = blaine.id, blaine.effective_to
    retire = f"/admin/rules/{rule_id}/retire"

    warned = text(admin.post("/admin/", retire, {}))
    assert "no rule takes category TN at BLAINE: those petitions would go to triage" in warned
    assert "no rule takes category B1 at BLAINE" in warned
    with app.app_context():
        assert db.session.get(RoutingRule, rule_id).effective_to == until  # unchanged

    # An edit that narrows the rule to one category warns about the others, too.
    narrowed = admin.post(f"/admin/rules/{rule_id}", f"/admin/rules/{rule_id}", {
        "name": "US-BLAINE", "country": "US", "queue_code": "US-BLAINE",
        "category_code": "TN", "port_code": "BLAINE", "authority": "", "position": "100"})
    page = text(narrowed)
    assert "no rule takes category B1 at BLAINE" in page
    assert "category TN at BLAINE" not in page
    with app.app_context():
        assert db.session.get(RoutingRule, rule_id).category_code is None


def test_a_test_rule_can_be_retired_and_stops_routing(app, admin):
    new_queue(admin)
    admin.post("/admin/rules/new", "/admin/rules/new", RULE)
    with app.app_context():
        rule_id = db.session.scalar(sa.select(RoutingRule.id).where(
            RoutingRule.name == RULE["name"]))
    done = admin.post("/admin/", f"/admin/rules/{rule_id}/retire", {})
    assert done.status_code == 302  # no warning: the port rule still takes TN at Blaine
    with app.app_context():
        traveler = factories.user("traveler")
        assert queued(traveler, today=utcnow().date(), category="TN",
                      port="BLAINE").queue.code == "US-BLAINE"
        assert count(AuditEntry, AuditEntry.action == "rule.retire") == 1


def test_queues_take_officers_of_their_country_only(app, admin):
    with app.app_context():
        us_officer = factories.user("officer", country="US")
        ca_officer = factories.user("officer", country="CA")
        us_id, ca_id, us_email = us_officer.id, ca_officer.id, us_officer.email
        ca_email = ca_officer.email

    page = text(admin.get("/admin/queues/new"))
    assert us_email in page and ca_email not in page
    refused = new_queue(admin, officers=[ca_id])
    assert refused.status_code == 422
    assert "Choose officers of the queue&#39;s country." in text(refused)

    assert new_queue(admin, officers=[us_id]).status_code == 302
    with app.app_context():
        queue = db.session.scalars(sa.select(AdjudicationQueue).where(
            AdjudicationQueue.code == "US-BLAINE-TN")).one()
        assert [u.email for u in queue.officers] == [us_email]
        queue_id = queue.id
    edited = admin.post(f"/admin/queues/{queue_id}", f"/admin/queues/{queue_id}", {
        "name": "Blaine TN", "sla_business_days": "7", "officer_ids": []})
    assert edited.status_code == 302
    with app.app_context():
        queue = db.session.get(AdjudicationQueue, queue_id)
        assert (queue.name, queue.sla_business_days, queue.officers) == ("Blaine TN", 7, [])
        entry = db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "queue.update")).one()
        assert entry.details["officers_removed"] == [us_email]

    bad = admin.post("/admin/queues/new", "/admin/queues/new", {
        "code": "x", "name": "", "country": "US", "sla_business_days": "0"})
    assert bad.status_code == 422 and "There is a problem" in text(bad)


def test_the_admin_pages_show_the_rules_and_queues_to_edit(app, admin):
    with app.app_context():
        rule_id = db.session.scalar(sa.select(RoutingRule.id).where(
            RoutingRule.name == "US-BLAINE"))
        queue_id = db.session.scalar(sa.select(AdjudicationQueue.id).where(
            AdjudicationQueue.code == "US-BLAINE"))
    home = text(admin.get("/admin/"))
    assert f'href="/admin/rules/{rule_id}"' in home and f'href="/admin/queues/{queue_id}"' in home
    rule_page = admin.get(f"/admin/rules/{rule_id}").get_data(as_text=True)
    assert rule_page.count("<h1") == 1
    assert 'value="US-BLAINE"' in rule_page and '<option selected value="US-BLAINE">' in rule_page
    queue_page = text(admin.get(f"/admin/queues/{queue_id}"))
    assert "Edit queue US-BLAINE" in queue_page and 'value="Blaine Peace Arch, WA"' in queue_page
    assert Client(app, "officer", country="US").get("/admin/rules/new").status_code == 404
