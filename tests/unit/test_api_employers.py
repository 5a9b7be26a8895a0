"""The employer's side through the JSON API: the dashboard's filters on GET /petitions, the
organization's details, its linked travelers and its invitations; for owners, admins,
viewers and API keys of either scope, never reaching into another organization."""
from datetime import timedelta
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from tests.unit.conftest import ApiClient, assert_error
from traveler_portal.domain import integrations, invitations, outbox
from traveler_portal.extensions import db
from traveler_portal.models import Invitation, Organization, OutboxMessage, Petition, User
from traveler_portal.models.users import utcnow

ORG = "Cascade Systems Inc."
OTHER = "Maple Robotics Ltd."


@pytest.fixture
def people(app, api, seed):
    """An organization's owner, admin, viewer and API keys (read, read-write, both made
    by the admin), and the owner of another organization."""
    owner = api("employer", organization=ORG)  # whoever creates an organization owns it
    admin = api("employer", organization=ORG)
    viewer = api("employer", organization=ORG)
    seed.execute(sa.update(User).where(User.email == viewer.email).values(org_role="viewer"))
    with app.app_context():
        maker = db.session.scalars(sa.select(User).where(User.email == admin.email)).one()
        read_key, _row = integrations.create_key(maker, "HR (read)", "read")
        write_key, _row = integrations.create_key(maker, "HR (read-write)", "read_write")
    return {"owner": owner, "admin": admin, "viewer": viewer,
            "read_key": ApiClient(app.test_client(), admin.email, read_key),
            "write_key": ApiClient(app.test_client(), admin.email, write_key),
            "other": api("employer", organization=OTHER)}


def patch(client, path, **kw):
    return client.call("PATCH", path, **kw)


def organization_row(app, name=ORG) -> dict:
    with app.app_context():
        org = db.session.scalars(sa.select(Organization).where(Organization.name == name)).one()
        return {"name": org.name, "business_number": org.business_number,
                "address": org.address, "contact_email": org.contact_email,
                "contact_phone": org.contact_phone, "digest_enabled": org.digest_enabled}


def every_page(client, path: str, limit: int = 2) -> list:
    """Follow next_cursor to the end; returns every item, in order."""
    items, joiner = [], "&" if "?" in path else "?"
    url = f"{path}{joiner}limit={limit}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert set(body) == {"items", "next_cursor"}
        assert len(body["items"]) <= limit
        items += body["items"]
        url = (f"{path}{joiner}limit={limit}&cursor={body['next_cursor']}"
               if body["next_cursor"] else None)
    return items


# --- GET /petitions with the dashboard's filters --------------------------------------

TRAVELERS = [("Alice Martin", "alice.martin"), ("Bruno Tremblay", "bruno.t"),
             ("Chloe MARTINEZ", "chloe")]
TRIPS = [  # (traveler index, country, category, port, days ahead)
    (0, "US", "TN", "BLAINE", 10), (0, "CA", "CUSMA_PRO", "DOUGLAS", 40),
    (1, "US", "L1A", "BLAINE", 20), (1, "US", "TN", "BLAINE", 70),
    (2, "CA", "BV", "YVR", 15), (2, "US", "TN", "BLAINE", 45)]


@pytest.fixture
def filed(app, seed, people):
    """Drafts of the organization's travelers, and one of another organization's."""
    emails = [seed.user("traveler", organization=ORG, name=name,
                        address=f"{local}@example.test") for name, local in TRAVELERS]
    for who, country, category, port, days in TRIPS:
        seed.draft(emails[who], country=country, category=category, port=port,
                   days_ahead=days)
    outsider = seed.user("traveler", organization=OTHER, name="Alice Martin")
    seed.draft(outsider, days_ahead=10)
    return emails


def database_view(app, org_name=ORG) -> list[dict]:
    """Every petition of the organization as the database holds it."""
    with app.app_context():
        rows = db.session.scalars(sa.select(Petition).join(Organization).where(
            Organization.name == org_name)).all()
        return [{"receipt": p.receipt_number, "country": p.destination_country.value,
                 "category": p.category.code, "email": p.traveler.email,
                 "name": p.traveler.name, "travel_date": p.travel_date} for p in rows]


TODAY = utcnow().date()
FILTERS = [
    {"country": "CA"},
    {"country": "US", "category": "TN"},
    {"category": "CUSMA_PRO"},
    {"traveler": "martin"},  # Alice Martin and Chloe MARTINEZ, any case
    {"traveler": "BRUNO.T@"},  # part of an email
    {"travel_from": (TODAY + timedelta(days=15)).isoformat(),
     "travel_to": (TODAY + timedelta(days=45)).isoformat()},  # both ends included
    {"travel_to": (TODAY + timedelta(days=14)).isoformat()},
    {"country": "US", "traveler": "alice", "travel_from": TODAY.isoformat()},
    {"traveler": "nobody"},
]


def expected(rows, filters) -> set:
    def keep(row):
        needle = filters.get("traveler", "").lower()
        return ((not filters.get("country") or row["country"] == filters["country"])
                and (not filters.get("category") or row["category"] == filters["category"])
                and (needle in row["email"].lower() or needle in row["name"].lower())
                and (not filters.get("travel_from")
                     or row["travel_date"].isoformat() >= filters["travel_from"])
                and (not filters.get("travel_to")
                     or row["travel_date"].isoformat() <= filters["travel_to"]))
    return {row["receipt"] for row in rows if keep(row)}


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: "&".join(f"{k}={v}" for k, v in
                                                                     f.items()))
def test_the_filters_return_what_the_database_holds(app, people, filed, filters):
    rows = database_view(app)
    assert len(rows) == len(TRIPS)
    query = "&".join(f"{k}={quote(v)}" for k, v in filters.items())
    want = expected(rows, filters)
    for who in ("admin", "viewer", "read_key"):
        got = [p["receipt_number"] for p in every_page(people[who], f"/petitions?{query}", 1)]
        assert len(got) == len(set(got)), "a petition on two pages"
        assert set(got) == want, (who, filters)
    theirs = {r["receipt"] for r in database_view(app, OTHER)}
    assert {p["receipt_number"] for p in
            every_page(people["other"], f"/petitions?{query}")} <= theirs


def test_the_filters_never_reach_another_organization(app, people, filed):
    mine = {r["receipt"] for r in database_view(app)}
    theirs = {r["receipt"] for r in database_view(app, OTHER)}
    assert len(theirs) == 1
    got = {p["receipt_number"] for p in
           people["other"].get("/petitions?traveler=alice&country=US").get_json()["items"]}
    assert got == theirs
    got = {p["receipt_number"] for p in
           people["admin"].get("/petitions?traveler=alice&country=US").get_json()["items"]}
    assert got and got <= mine


def test_the_filters_combine_with_the_status_filter(app, seed, people, filed):
    queued = seed.queued(filed[0], days_ahead=12)
    body = people["admin"].get("/petitions?status=queued&traveler=alice").get_json()
    assert [p["receipt_number"] for p in body["items"]] == [queued]
    body = people["admin"].get("/petitions?status=draft&traveler=alice").get_json()
    assert len(body["items"]) == 2 and queued not in {p["receipt_number"]
                                                     for p in body["items"]}


@pytest.mark.parametrize("query,field", [
    ("country=MX", "country"), ("country=us", "country"),
    ("category=H1B", "category"), ("category=TN&country=CA", "category"),
    ("traveler=" + "x" * 201, "traveler"),
    ("travel_from=2026-13-01", "travel_from"), ("travel_from=20260101", "travel_from"),
    ("travel_from=tomorrow", "travel_from"), ("travel_to=2026-02-30", "travel_to"),
    ("travel_from=2026-05-02&travel_to=2026-05-01", "travel_to"),
])
def test_bad_filters_are_refused_naming_the_parameter(people, query, field):
    error = assert_error(people["admin"].get(f"/petitions?{query}"), 422, "validation_failed")
    assert list(error["fields"]) == [field]


def test_other_roles_keep_the_list_they_had(api, seed):
    """The filters are the employer's: a traveler's list ignores them, as before."""
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    body = traveler.get("/petitions?country=MX&travel_from=soon").get_json()
    assert [p["receipt_number"] for p in body["items"]] == [receipt]


def test_the_documented_filters_are_the_ones_the_server_checks(client, people):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/petitions"]["get"]
    documented = {p["name"] for p in operation["parameters"]}
    assert documented >= {"country", "category", "traveler", "travel_from", "travel_to"}
    for name in ("country", "category", "travel_from", "travel_to"):
        error = assert_error(people["admin"].get(f"/petitions?{name}=zz"), 422)
        assert list(error["fields"]) == [name]


# --- The organization's details -------------------------------------------------------

def test_every_member_reads_the_details_and_no_one_else_does(app, api, people):
    for who in ("owner", "admin", "viewer", "read_key", "write_key"):
        response = people[who].get("/organization")
        assert response.status_code == 200, who
        body = response.get_json()
        assert body["name"] == ORG
        assert set(body) == {"id", "name", "number_kind", "business_number", "address",
                             "contact", "digest_enabled"}
        assert set(body["contact"]) == {"name", "email", "phone"}
        assert body["digest_enabled"] is True
    assert people["other"].get("/organization").get_json()["name"] == OTHER
    assert_error(api("traveler", organization=ORG).get("/organization"), 403, "forbidden")


def test_an_admin_changes_some_details_and_the_rest_stays(app, people):
    admin = people["admin"]
    response = patch(admin, "/organization", json={
        "number_kind": "us_fein", "business_number": "123456789",
        "address": "1 Main St\nSeattle, WA", "contact": {"email": "HR@Cascade.example"},
        "digest_enabled": False})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["business_number"] == "12-3456789" and body["number_kind"] == "us_fein"
    assert body["contact"]["email"] == "hr@cascade.example"
    stored = organization_row(app)
    assert stored == {"name": ORG, "business_number": "12-3456789",
                      "address": "1 Main St\nSeattle, WA", "contact_email": "hr@cascade.example",
                      "contact_phone": "", "digest_enabled": False}
    assert admin.get("/organization").get_json() == body

    # Only the phone now: the number (kept as it is) still validates; the rest stays.
    body = patch(people["write_key"], "/organization",
                 json={"contact": {"phone": "+1 206 555 0100"}, "id": "ignored"}).get_json()
    assert body["contact"] == {"name": "", "email": "hr@cascade.example",
                               "phone": "+1 206 555 0100"}
    assert body["business_number"] == "12-3456789" and body["digest_enabled"] is False

    # A Canadian business number: the kind changes with it.
    body = patch(admin, "/organization", json={
        "number_kind": "ca_bn", "business_number": "123456782 RT0001"}).get_json()
    assert body["business_number"] == "123456782RT0001" and body["number_kind"] == "ca_bn"


@pytest.mark.parametrize("payload,field", [
    ({"number_kind": "us_fein", "business_number": "00-1234567"}, "business_number"),
    ({"number_kind": "ca_bn", "business_number": "123456789"}, "business_number"),
    ({"number_kind": "mx_rfc", "business_number": "123456789"}, "number_kind"),
    ({"business_number": "123456789"}, "number_kind"),  # no number on file: say its kind
    ({"number_kind": "us_fein", "business_number": "12-3456789", "name": "  "}, "name"),
    ({"number_kind": "us_fein", "business_number": "12-3456789",
      "name": "maple ROBOTICS ltd."}, "name"),  # another organization's, whatever the case
    ({"number_kind": "us_fein", "business_number": "12-3456789",
      "contact": {"email": "x" * 250 + "@example.test"}}, "contact.email"),
    ({"contact": "hr@example.test"}, "contact"),
    ({"contact": {"fax": "555"}}, "contact.fax"),
    ({"digest_enabled": "false"}, "digest_enabled"),
    ({"name": 42}, "name"),
    ({"invite_code": "ABC"}, "invite_code"),
])
def test_bad_details_are_refused_naming_the_field_and_nothing_is_saved(app, people, payload,
                                                                       field):
    before = organization_row(app)
    error = assert_error(patch(people["admin"], "/organization", json=payload), 422,
                         "validation_failed")
    assert field in error["fields"], error
    assert organization_row(app) == before


def test_a_body_that_is_not_an_object_is_refused(people):
    error = assert_error(patch(people["admin"], "/organization", data="name=x",
                               content_type="application/x-www-form-urlencoded"), 422)
    assert "body" in error["fields"]


@pytest.mark.parametrize("who", ["viewer", "read_key"])
def test_a_viewer_or_a_read_only_key_changes_nothing(app, people, who):
    before = organization_row(app)
    assert_error(patch(people[who], "/organization", json={
        "number_kind": "us_fein", "business_number": "12-3456789"}), 403, "forbidden")
    assert_error(patch(people[who], "/organization", json={"name": ""}), 403, "forbidden")
    assert organization_row(app) == before


def test_each_organization_edits_only_its_own(app, people):
    other_before = organization_row(app, OTHER)
    response = patch(people["other"], "/organization", json={
        "number_kind": "ca_bn", "business_number": "123456782", "address": "Montréal"})
    assert response.status_code == 200
    assert organization_row(app, OTHER)["address"] == "Montréal" != other_before["address"]
    assert organization_row(app)["address"] == ""


# --- Linked travelers -----------------------------------------------------------------

def test_linked_travelers_come_in_keyset_pages_without_duplicates(app, seed, people):
    linked = {seed.user("traveler", organization=ORG) for _ in range(5)}
    seed.user("traveler", organization=OTHER)
    seed.user("traveler")  # linked to no one
    for who in ("owner", "viewer", "read_key"):
        items = every_page(people[who], "/organization/travelers")
        emails = [t["email"] for t in items]
        assert len(emails) == len(set(emails)) == 5
        assert set(emails) == linked
        assert all(set(t) == {"id", "email", "name"} for t in items)
    assert every_page(people["other"], "/organization/travelers", limit=100)[0]["email"] \
        not in linked
    assert_error(people["admin"].get("/organization/travelers?cursor=zzz"), 422)


def _linked(app, email) -> str | None:
    with app.app_context():
        return db.session.scalars(sa.select(User).where(User.email == email)).one() \
            .organization_id


def _id(app, email) -> int:
    with app.app_context():
        return db.session.scalars(sa.select(User.id).where(User.email == email)).one()


def test_an_admin_ends_a_link_and_filed_petitions_stay(app, seed, people):
    traveler = seed.user("traveler", organization=ORG)
    draft = seed.draft(traveler)
    filed = seed.submitted(traveler)
    admin = people["admin"]
    listed = {t["email"]: t["id"] for t in every_page(admin, "/organization/travelers")}
    assert listed[traveler] == _id(app, traveler)  # the list gives the id the URL takes
    response = admin.delete(f"/organization/travelers/{listed[traveler]}")
    assert response.status_code == 204 and response.data == b""
    assert _linked(app, traveler) is None
    assert traveler not in {t["email"] for t in every_page(admin, "/organization/travelers")}
    visible = {p["receipt_number"] for p in admin.get("/petitions").get_json()["items"]}
    assert filed in visible and draft not in visible
    assert_error(admin.delete(f"/organization/travelers/{listed[traveler]}"), 404,
                 "not_found")
    # An email in the URL is no longer a way to name anyone.
    assert_error(admin.delete(f"/organization/travelers/{quote(traveler)}"), 404)


@pytest.mark.parametrize("who,status", [("viewer", 403), ("read_key", 403),
                                        ("other", 404)])
def test_a_link_is_ended_only_by_its_organizations_admins(app, seed, people, who, status):
    traveler = seed.user("traveler", organization=ORG)
    assert_error(people[who].delete(f"/organization/travelers/{_id(app, traveler)}"), status)
    assert _linked(app, traveler) is not None
    assert people["write_key"].delete(
        f"/organization/travelers/{_id(app, traveler)}").status_code == 204
    assert _linked(app, traveler) is None


def test_ending_a_link_names_a_traveler_of_the_organization(app, seed, people):
    colleague = people["viewer"].email  # an employer user, not a traveler
    admin = people["admin"]
    assert_error(admin.delete(f"/organization/travelers/{_id(app, colleague)}"), 404)
    assert_error(admin.delete("/organization/travelers/999999"), 404)
    assert_error(admin.delete(f"/organization/travelers/{2**64}"), 404)


# --- Invitations ----------------------------------------------------------------------

@pytest.fixture
def published(monkeypatch):
    """The tasks the outbox publishes after the commit (no broker in the unit tests)."""
    sent = []
    monkeypatch.setattr(outbox, "publish_task",
                        lambda name, args, queue, *_task_id: sent.append((name, list(args), queue)))
    return sent


def invitation_row(app, invitation_id) -> dict:
    with app.app_context():
        row = db.session.get(Invitation, invitation_id)
        return {"email": row.email, "kind": row.kind, "org_role": row.org_role,
                "revoked": row.revoked_at is not None,
                "organization": row.organization.name}


def test_an_invitation_is_sent_listed_and_revoked(app, people, published):
    admin = people["admin"]
    response = admin.post("/organization/invitations", json={
        "kind": "traveler", "email": " Dana.Lee@Example.test ", "name": "Dana Lee"})
    assert response.status_code == 201, response.get_json()
    invitation = response.get_json()
    assert invitation["email"] == "dana.lee@example.test" and invitation["kind"] == "traveler"
    assert invitation["state"] == "open" and invitation["role"] is None
    assert invitation["invited_by"] == admin.email
    assert "token" not in str(invitation) and "/invitations/" not in str(invitation)
    # The email goes out as from the page: the outbox task, published after the commit.
    assert published == [(invitations.SEND_TASK, [invitation["id"]], invitations.QUEUE)]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.task_name == invitations.SEND_TASK)) == 1

    listed = every_page(people["viewer"], "/organization/invitations")
    assert [i["id"] for i in listed] == [invitation["id"]]
    assert listed[0] == invitation
    assert people["other"].get("/organization/invitations").get_json()["items"] == []

    response = admin.delete(f"/organization/invitations/{invitation['id']}")
    assert response.status_code == 204 and response.data == b""
    assert invitation_row(app, invitation["id"])["revoked"] is True
    assert admin.get("/organization/invitations").get_json()["items"] == []
    assert admin.delete(f"/organization/invitations/{invitation['id']}").status_code == 204


def test_inviting_again_replaces_the_pending_invitation(app, people, published):
    first = people["admin"].post("/organization/invitations", json={
        "kind": "traveler", "email": "erin@example.test"}).get_json()
    second = people["admin"].post("/organization/invitations", json={
        "kind": "traveler", "email": "erin@example.test"}).get_json()
    assert second["id"] != first["id"]
    assert invitation_row(app, first["id"])["revoked"] is True
    listed = people["admin"].get("/organization/invitations").get_json()["items"]
    assert [i["id"] for i in listed] == [second["id"]]


def test_invitations_come_in_keyset_pages_newest_first(people, published):
    ids = [people["admin"].post("/organization/invitations", json={
        "kind": "traveler", "email": f"t{n}@example.test"}).get_json()["id"] for n in range(5)]
    ids.append(people["owner"].post("/organization/invitations", json={
        "kind": "colleague", "email": "col@example.test", "role": "viewer"}).get_json()["id"])
    listed = [i["id"] for i in every_page(people["read_key"], "/organization/invitations")]
    assert listed == sorted(ids, reverse=True)
    only = every_page(people["admin"], "/organization/invitations?kind=colleague")
    assert [(i["id"], i["role"]) for i in only] == [(ids[-1], "viewer")]
    assert len(every_page(people["admin"], "/organization/invitations?kind=traveler")) == 5
    error = assert_error(people["admin"].get("/organization/invitations?kind=admin"), 422)
    assert list(error["fields"]) == ["kind"]


def test_an_expired_invitation_is_listed_as_expired(app, seed, people, published):
    made = people["admin"].post("/organization/invitations", json={
        "kind": "traveler", "email": "late@example.test"}).get_json()
    seed.execute(sa.update(Invitation).where(Invitation.id == made["id"]).values(
        expires_at=utcnow() - timedelta(hours=1)))
    [listed] = people["admin"].get("/organization/invitations").get_json()["items"]
    assert listed["state"] == "expired"


def test_colleague_invitations_are_the_owners(app, people, published):
    body = {"kind": "colleague", "email": "vera@example.test", "role": "admin"}
    for who in ("admin", "viewer", "read_key", "write_key"):
        assert_error(people[who].post("/organization/invitations", json=body), 403,
                     "forbidden")
    assert published == []
    made = people["owner"].post("/organization/invitations", json=body)
    assert made.status_code == 201
    invitation = made.get_json()
    assert invitation["role"] == "admin" and invitation["kind"] == "colleague"
    assert invitation_row(app, invitation["id"])["org_role"] == "admin"
    # Withdrawing it is the owners' too.
    for who in ("admin", "write_key", "viewer"):
        assert_error(people[who].delete(f"/organization/invitations/{invitation['id']}"),
                     403, "forbidden")
    assert invitation_row(app, invitation["id"])["revoked"] is False
    assert people["owner"].delete(
        f"/organization/invitations/{invitation['id']}").status_code == 204
    assert invitation_row(app, invitation["id"])["revoked"] is True


def test_traveler_invitations_follow_the_key_and_the_role(app, people, published):
    body = {"kind": "traveler", "email": "sam@example.test"}
    for who in ("viewer", "read_key"):
        assert_error(people[who].post("/organization/invitations", json=body), 403)
    response = people["write_key"].post("/organization/invitations", json=body)
    assert response.status_code == 201
    made = response.get_json()
    assert made["invited_by"] == people["admin"].email  # a key acts as its creator
    for who in ("viewer", "read_key"):
        assert_error(people[who].delete(f"/organization/invitations/{made['id']}"), 403)
    assert invitation_row(app, made["id"])["revoked"] is False
    assert people["write_key"].delete(f"/organization/invitations/{made['id']}"
                                      ).status_code == 204


def test_another_organizations_invitation_is_not_found(app, people, published):
    made = people["other"].post("/organization/invitations", json={
        "kind": "traveler", "email": "pat@example.test"}).get_json()
    for who in ("owner", "admin", "write_key"):
        assert_error(people[who].delete(f"/organization/invitations/{made['id']}"), 404,
                     "not_found")
    assert invitation_row(app, made["id"])["revoked"] is False
    assert_error(people["owner"].delete("/organization/invitations/999999"), 404)
    assert_error(people["owner"].delete("/organization/invitations/abc"), 404)


def test_an_accepted_invitation_cannot_be_withdrawn(app, people, published):
    made = people["admin"].post("/organization/invitations", json={
        "kind": "traveler", "email": "quinn@example.test"}).get_json()
    with app.app_context():
        invitation = db.session.get(Invitation, made["id"])
        invitations.accept_with_new_account(invitations.token_for(invitation), "Quinn",
                                            "a long enough password")
    assert_error(people["admin"].delete(f"/organization/invitations/{made['id']}"), 409,
                 "conflict")
    assert invitation_row(app, made["id"])["revoked"] is False
    assert people["admin"].get("/organization/invitations").get_json()["items"] == []
    assert "quinn@example.test" in {
        t["email"] for t in every_page(people["admin"], "/organization/travelers")}


@pytest.mark.parametrize("payload,field", [
    ({"email": "x@example.test"}, "kind"),
    ({"kind": "partner", "email": "x@example.test"}, "kind"),
    ({"kind": "traveler"}, "email"),
    ({"kind": "traveler", "email": "not-an-email"}, "email"),
    ({"kind": "traveler", "email": ["x@example.test"]}, "email"),
    ({"kind": "traveler", "email": "x@example.test", "name": "n" * 201}, "name"),
    ({"kind": "traveler", "email": "x@example.test", "role": "admin"}, "role"),
    ({"kind": "colleague", "email": "x@example.test"}, "role"),
    ({"kind": "colleague", "email": "x@example.test", "role": "owner"}, "role"),
    ({"kind": "traveler", "email": "x@example.test", "org": "Acme"}, "org"),
])
def test_bad_invitations_are_refused_naming_the_field(app, people, published, payload,
                                                      field):
    error = assert_error(people["owner"].post("/organization/invitations", json=payload),
                         422, "validation_failed")
    assert field in error["fields"], error
    assert published == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_who_cannot_join_is_refused_as_on_the_page(seed, people, published):
    linked = seed.user("traveler", organization=ORG)
    error = assert_error(people["admin"].post("/organization/invitations", json={
        "kind": "traveler", "email": linked}), 422)
    assert "already linked" in error["fields"]["email"]
    assert published == []


def test_an_account_that_cannot_accept_gets_the_same_answer_and_a_notice(seed, people,
                                                                           published):
    """No account oracle (issue 14): someone in another organization, or an account of
    another role, is answered like a new address; its owner is told, and gets no link."""
    elsewhere = people["owner"].post("/organization/invitations", json={
        "kind": "colleague", "email": people["other"].email, "role": "viewer"})
    other_role = people["owner"].post("/organization/invitations", json={
        "kind": "traveler", "email": people["viewer"].email})
    fresh = people["owner"].post("/organization/invitations", json={
        "kind": "traveler", "email": "new.person@example.test"})
    assert elsewhere.status_code == other_role.status_code == fresh.status_code == 201
    assert set(elsewhere.get_json()) == set(fresh.get_json())
    assert elsewhere.get_json()["state"] == other_role.get_json()["state"] == "open"
    tasks = [(name, args[1] if name.endswith("notice") else None) for name, args, _q in published]
    assert sorted(tasks, key=str) == sorted([
        ("accounts.send_security_notice", "invitation"),
        ("accounts.send_security_notice", "invitation"),
        ("organizations.send_invitation", None)], key=str)


def test_travelers_and_agency_staff_have_no_organization_api(api):
    for role in ("traveler", "officer"):
        caller = api(role)
        for method, path in (("GET", "/organization"), ("GET", "/organization/travelers"),
                             ("GET", "/organization/invitations"),
                             ("POST", "/organization/invitations")):
            assert_error(caller.call(method, path, json={}), 403, "forbidden")
