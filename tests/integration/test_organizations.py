"""Organizations (Flask test client and the domain): details with a validated business
number; colleague and traveler invitations accepted, expired, reused and revoked; roles
set and colleagues removed; a viewer refused on every write path with nothing saved;
travelers linked and unlinked from either side; an employer-prepared draft that waits on
the employee's attestation; and one invitation email end to end on the live stack."""
import re
import time
from datetime import timedelta
from io import BytesIO

import pytest
import requests
import sqlalchemy as sa

from tests import factories
from tests.integration.web_helpers import hidden_inputs
from tests.live import run_task_again
from tests.unit.test_web_auth import csrf_token, sign_in, where
from traveler_portal.domain import integrations, invitations, organizations, petitions
from traveler_portal.domain.errors import Conflict, ValidationFailed
from traveler_portal.domain.status import waiting_on as status_of
from traveler_portal.extensions import db
from traveler_portal.models import (
    ApiKey,
    Document,
    Invitation,
    Organization,
    OutboxMessage,
    Petition,
    Role,
    Status,
    User,
    WebhookEndpoint,
)
from traveler_portal.models.users import utcnow

TODAY = utcnow().date()


def _user(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


@pytest.fixture
def run(app):
    """Run ``fn`` in a short app context of its own (requests have theirs)."""
    def call(fn, *args, **kwargs):
        with app.app_context():
            return fn(*args, **kwargs)
    return call


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True)).replace("&#39;", "'")


def browser(app, email=None):
    client = app.test_client()
    if email:
        assert sign_in(client, email).status_code == 302
    return client


def post(client, path, data=None, page="/", **kwargs):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **(data or {})},
                       **kwargs)


def new_org(run):
    """An organization with its owner (who registered it); returns the owner's email."""
    return run(lambda: factories.user("employer").email)


def invite(run, inviter: str, kind: str, email: str, role=None) -> str:
    """An invitation made through the domain; returns the link's token."""
    def make():
        invitation = invitations.invite(_user(inviter), kind, email, org_role=role)
        return invitations.token_for(invitation)
    return run(make)


def member(run, owner: str, kind: str, role=None) -> str:
    """A colleague (with ``role``) or traveler who accepted an invitation; their email."""
    email = factories.email(kind)
    token = invite(run, owner, kind, email, role)
    run(lambda: invitations.accept_with_new_account(token, kind.title(), factories.PASSWORD))
    if kind == "traveler":  # the identity filing needs, as the traveler would give it
        run(lambda: factories.give_identity(_user(email)))
    return email


def column(run, email, name):
    return run(lambda: getattr(_user(email), name))


def count(run, model, *where) -> int:
    return run(lambda: db.session.scalar(
        sa.select(sa.func.count()).select_from(model).where(*where)))


# --- Details --------------------------------------------------------------------------

@pytest.mark.parametrize("kind,typed,stored", [
    ("us_fein", "04-2103594", "04-2103594"), ("us_fein", "042103594", "04-2103594"),
    ("ca_bn", "123456782", "123456782"), ("ca_bn", "123456782 RT 0001", "123456782RT0001")])
def test_valid_business_numbers_are_stored_normalised(app, run, kind, typed, stored):
    owner = new_org(run)
    client = browser(app, owner)
    response = post(client, "/employer/organization/", {
        "name": "Cascade Systems Inc.", "number_kind": kind, "business_number": typed,
        "address": "100 Pine St\nSeattle WA", "contact_name": "Ada Admin",
        "contact_email": "hr@cascade.test", "contact_phone": "+1 206 555 0100",
        "digest_enabled": "y"}, page="/employer/organization/")
    assert where(response) == "/employer/organization/"
    org = run(lambda: db.session.get(Organization, _user(owner).organization_id).__dict__.copy())
    assert (org["name"], org["business_number"], org["contact_email"]) == \
        ("Cascade Systems Inc.", stored, "hr@cascade.test")
    assert org["address"] == "100 Pine St\nSeattle WA" and org["digest_enabled"] is True
    page = text(client.get("/employer/organization/"))
    assert f'value="{stored}"' in page


@pytest.mark.parametrize("kind,typed,message", [
    ("us_fein", "12345", "A US FEIN has 9 digits"),
    ("us_fein", "07-1234567", "A US FEIN has 9 digits and starts with a valid IRS prefix"),
    ("ca_bn", "123456789", "A Canadian business number has 9 digits with a valid check digit"),
    ("ca_bn", "123456782XX99", "A Canadian business number has 9 digits"),
    ("", "042103594", "Choose a US FEIN or a Canadian business number")])
def test_invalid_business_numbers_are_refused_with_a_clear_message(app, run, kind, typed,
                                                                     message):
    owner = new_org(run)
    client = browser(app, owner)
    before = run(lambda: _user(owner).organization.business_number)
    response = post(client, "/employer/organization/", {
        "name": "Renamed Ltd.", "number_kind": kind, "business_number": typed},
        page="/employer/organization/")
    assert response.status_code == 422
    assert message in text(response)
    assert 'class="error-summary"' in text(response)
    assert run(lambda: (_user(owner).organization.name,
                        _user(owner).organization.business_number))[1] == before
    assert run(lambda: _user(owner).organization.name) != "Renamed Ltd."


# --- Invitations ----------------------------------------------------------------------

def test_a_colleague_invitation_is_accepted_once_with_a_new_account(app, run):
    owner = new_org(run)
    client = browser(app, owner)
    response = post(client, "/employer/organization/people/invite",
                    {"email": "Vera.Viewer@Example.test", "name": "Vera", "org_role": "viewer"},
                    page="/employer/organization/people")
    assert where(response) == "/employer/organization/people"
    assert "vera.viewer@example.test" in text(client.get("/employer/organization/people"))

    def stored():
        invitation = db.session.scalars(sa.select(Invitation)).one()
        message = db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.task_name == "organizations.send_invitation")).one()
        token = invitations.token_for(invitation)
        return token, invitation.token_hash, message.args, invitation.id
    token, token_hash, args, invitation_id = run(stored)
    assert args == [invitation_id]
    assert token_hash != token and len(token_hash) == 64  # only the hash is stored

    guest = app.test_client()
    page = guest.get(f"/invitations/{token}")
    assert page.status_code == 200
    assert "vera.viewer@example.test" in text(page) and "Create your account" in text(page)
    created = post(guest, f"/invitations/{token}", {
        "name": "Vera Viewer", "password": factories.PASSWORD, "confirm": factories.PASSWORD,
        "email": "someone.else@example.test"}, page=f"/invitations/{token}")
    assert created.status_code == 302
    assert "Our travelers" in text(guest.get(where(created), follow_redirects=True))
    vera = run(lambda: (lambda u: (u.role, u.org_role, u.organization_id, u.name))(
        _user("vera.viewer@example.test")))
    assert vera == (Role.EMPLOYER, "viewer", column(run, owner, "organization_id"), "Vera Viewer")
    assert count(run, User, User.email == "someone.else@example.test") == 0

    again = app.test_client().get(f"/invitations/{token}")
    assert again.status_code == 410
    assert "This invitation was already used" in text(again)
    reused = post(app.test_client(), f"/invitations/{token}", {
        "name": "Mallory", "password": factories.PASSWORD, "confirm": factories.PASSWORD},
        page="/login")
    assert reused.status_code == 410
    assert count(run, User) == 2


def test_an_expired_invitation_says_so_and_creates_nothing(app, run):
    owner = new_org(run)
    token = invite(run, owner, "colleague", "late@example.test", "admin")

    def expire():
        db.session.execute(sa.update(Invitation).values(
            expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    run(expire)
    guest = app.test_client()
    page = guest.get(f"/invitations/{token}")
    assert page.status_code == 410
    assert "This invitation has expired" in text(page)
    assert "Ask the organization to send you a new one" in text(page)
    response = post(guest, f"/invitations/{token}", {
        "name": "Late", "password": factories.PASSWORD, "confirm": factories.PASSWORD},
        page="/login")
    assert response.status_code == 410
    assert count(run, User, User.email == "late@example.test") == 0
    assert "expired" in text(browser(app, owner).get("/employer/organization/people"))


def test_a_revoked_invitation_says_so_and_inviting_again_replaces_the_link(app, run):
    owner = new_org(run)
    token = invite(run, owner, "traveler", "tom@example.test")
    invitation_id = run(lambda: db.session.scalars(sa.select(Invitation.id)).one())
    client = browser(app, owner)
    revoked = post(client, f"/employer/organization/invitations/{invitation_id}/revoke",
                   page="/employer/organization/employees")
    assert where(revoked) == "/employer/organization/employees"
    page = app.test_client().get(f"/invitations/{token}")
    assert page.status_code == 410 and "This invitation was withdrawn" in text(page)

    second = invite(run, owner, "traveler", "tom@example.test")
    third = invite(run, owner, "traveler", "tom@example.test")
    assert app.test_client().get(f"/invitations/{second}").status_code == 410
    assert app.test_client().get(f"/invitations/{third}").status_code == 200
    assert app.test_client().get("/invitations/not-a-real-token").status_code == 404
    forged = third[:-2] + ("AA" if not third.endswith("AA") else "BB")
    assert app.test_client().get(f"/invitations/{forged}").status_code == 404


def test_an_existing_traveler_signs_in_and_accepts(app, run):
    owner = new_org(run)
    traveler = run(lambda: factories.user("traveler").email)
    token = invite(run, owner, "traveler", traveler)
    page = app.test_client().get(f"/invitations/{token}")
    assert page.status_code == 200 and "Sign in to accept" in text(page)
    assert 'name="password"' not in text(page)

    stranger = browser(app, run(lambda: factories.user("traveler").email))
    wrong = stranger.get(f"/invitations/{token}")
    assert "this invitation was sent to" in text(wrong)
    assert post(stranger, f"/invitations/{token}", page="/my/").status_code == 403

    client = browser(app, traveler)
    accepted = post(client, f"/invitations/{token}", page=f"/invitations/{token}")
    assert accepted.status_code == 302
    assert column(run, traveler, "organization_id") == column(run, owner, "organization_id")
    assert traveler in text(browser(app, owner).get("/employer/organization/employees"))
    assert post(client, f"/invitations/{token}", page="/my/").status_code == 410


def test_invitations_refuse_bad_addresses_and_existing_members(run):
    owner = new_org(run)
    colleague = member(run, owner, "colleague", "admin")
    traveler = member(run, owner, "traveler")
    cases = [("colleague", "not-an-email", "viewer", "Enter a valid email address"),
             ("colleague", colleague, "viewer", "already a colleague"),
             ("colleague", "new@example.test", "owner", "Choose admin or viewer"),
             ("traveler", traveler, None, "already linked to your organization")]
    for kind, email, role, message in cases:
        with pytest.raises(ValidationFailed) as caught:
            run(lambda: invitations.invite(_user(owner), kind, email, org_role=role))
        assert any(message in m for m in caught.value.fields.values()), (email, caught.value.fields)
    assert count(run, Invitation, Invitation.accepted_at.is_(None)) == 0


# --- Roles ----------------------------------------------------------------------------

def test_the_owner_sets_roles_and_removes_colleagues_but_keeps_an_owner(app, run):
    owner = new_org(run)
    admin = member(run, owner, "colleague", "admin")
    other = member(run, owner, "colleague", "viewer")
    ids = {e: column(run, e, "id") for e in (owner, admin, other)}
    client = browser(app, owner)
    people = "/employer/organization/people"
    assert where(post(client, f"{people}/{ids[admin]}/role", {"role": "viewer"},
                      page=people)) == people
    assert column(run, admin, "org_role") == "viewer"

    refused = post(client, f"{people}/{ids[owner]}/role", {"role": "admin"}, page=people)
    assert "make someone else an owner first" in text(client.get(where(refused))).lower()
    assert column(run, owner, "org_role") == "owner"
    refused = post(client, f"{people}/{ids[owner]}/remove", page=people)
    assert column(run, owner, "organization_id") is not None

    post(client, f"{people}/{ids[other]}/role", {"role": "owner"}, page=people)
    post(client, f"{people}/{ids[owner]}/role", {"role": "admin"}, page=people)
    assert (column(run, other, "org_role"), column(run, owner, "org_role")) == ("owner", "admin")
    # Now an admin, the former owner manages no colleagues.
    assert post(client, f"{people}/{ids[admin]}/remove", page=people).status_code == 403

    new_owner = browser(app, other)
    assert where(post(new_owner, f"{people}/{ids[admin]}/remove", page=people)) == people
    assert (column(run, admin, "organization_id"), column(run, admin, "org_role")) == (None, None)
    assert admin not in text(new_owner.get(people))
    assert browser(app, admin).get("/employer/organization/people").status_code == 403


# --- Viewers --------------------------------------------------------------------------

def test_a_viewer_can_read_everything_and_change_nothing(app, run):
    owner = new_org(run)
    viewer = member(run, owner, "colleague", "viewer")
    colleague = member(run, owner, "colleague", "admin")
    traveler = member(run, owner, "traveler")

    def setup():
        boss = _user(owner)
        draft = factories.draft(_user(traveler), actor=boss)
        factories.upload(boss, draft, "passport")
        integrations.create_key(boss, "HR sync", "read")
        integrations.add_endpoint(boss, "http://127.0.0.1:9/portal")
        invitations.invite(boss, "traveler", "pending@example.test")
        return (draft.receipt_number, db.session.scalars(sa.select(ApiKey.id)).one(),
                db.session.scalars(sa.select(WebhookEndpoint.id)).one(),
                db.session.scalars(sa.select(Invitation.id).where(
                    Invitation.accepted_at.is_(None))).one())
    receipt, key_id, endpoint_id, invitation_id = run(setup)
    client = browser(app, viewer)

    def snapshot():
        org = _user(owner).organization
        return (org.name, org.business_number,
                sorted((u.email, u.org_role, u.organization_id) for u in
                       db.session.scalars(sa.select(User))),
                db.session.scalar(sa.select(sa.func.count()).select_from(Petition)),
                [(p.status, p.attested_at) for p in db.session.scalars(sa.select(Petition))],
                db.session.scalar(sa.select(sa.func.count()).select_from(Document)),
                [(k.revoked_at, k.name) for k in db.session.scalars(sa.select(ApiKey))],
                [(e.active, e.url) for e in db.session.scalars(sa.select(WebhookEndpoint))],
                [(i.revoked_at, i.email) for i in db.session.scalars(sa.select(Invitation))],
                db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)))
    before = run(snapshot)

    pages = {"/employer/organization/": "Save the details",
             "/employer/organization/people": "Send the invitation",
             "/employer/organization/employees": "End the link",
             "/employer/integrations/": "Create key", f"/employer/petitions/{receipt}": None}
    for path, button in pages.items():
        page = client.get(path)
        assert page.status_code == 200, path
        if button:
            assert button not in text(page), path
    assert "File for a traveler" not in text(client.get("/employer/organization/"))
    assert "File for a traveler" in text(browser(app, owner).get("/employer/organization/"))
    assert "Withdraw" not in text(client.get("/employer/organization/employees"))
    assert traveler in text(client.get("/employer/organization/employees"))
    assert 'name="file"' not in text(client.get(f"/employer/petitions/{receipt}"))

    ids = {e: column(run, e, "id") for e in (colleague, traveler)}
    writes = [
        ("/employer/organization/", {"name": "Hijacked", "number_kind": "us_fein",
                                     "business_number": "04-2103594"}),
        ("/employer/organization/people/invite", {"email": "x@example.test", "org_role": "admin"}),
        (f"/employer/organization/people/{ids[colleague]}/role", {"role": "viewer"}),
        (f"/employer/organization/people/{ids[colleague]}/remove", {}),
        ("/employer/organization/employees/invite", {"email": "y@example.test"}),
        (f"/employer/organization/employees/{ids[traveler]}/unlink", {}),
        (f"/employer/organization/invitations/{invitation_id}/revoke", {}),
        ("/employer/petitions/new?country=US", {
            "destination_country": "US", "category": "TN", "port_of_entry": "BLAINE",
            "travel_date": (TODAY + timedelta(days=20)).isoformat(), "job_title": "Engineer",
            "employer_name": "Cascade", "traveler_email": traveler}),
        (f"/employer/petitions/{receipt}/submit", {}),
        ("/employer/integrations/keys", {"name": "Sneaky", "scope": "read_write"}),
        (f"/employer/integrations/keys/{key_id}/revoke", {}),
        ("/employer/integrations/webhooks", {"url": "http://127.0.0.1:9/evil"}),
        (f"/employer/integrations/webhooks/{endpoint_id}/test", {}),
        (f"/employer/integrations/webhooks/{endpoint_id}/remove", {}),
    ]
    for path, data in writes:
        response = post(client, path, data, page="/employer/organization/")
        assert response.status_code == 403, (path, response.status_code)
    upload = client.post(f"/employer/petitions/{receipt}/documents", data={
        "csrf_token": csrf_token(client, "/employer/organization/"), "kind": "employer_letter",
        "file": (BytesIO(factories.PDF_BYTES), "letter.pdf")}, content_type="multipart/form-data")
    assert upload.status_code == 403
    assert run(snapshot) == before

    # The domain refuses too, whatever calls it.
    for number, call in enumerate((lambda u: petitions.submit(u, receipt),
                 lambda u: factories.upload(u, db.session.scalars(sa.select(Petition)).one()),
                 lambda u: factories.draft(_user(traveler), actor=u),
                 lambda u: organizations.end_link(u, ids[traveler]),
                 lambda u: integrations.create_key(u, "k", "read"))):
        with pytest.raises(Exception) as caught:
            run(lambda: call(_user(viewer)))
        assert getattr(caught.value, "http_status", None) == 403, (number, caught.value)
    assert run(snapshot) == before


# --- Travelers ------------------------------------------------------------------------

def _file(run, traveler: str) -> str:
    return run(lambda: factories.submitted(_user(traveler)).receipt_number)


@pytest.mark.parametrize("side", ["employer", "traveler", "another organization"])
def test_after_the_link_ends_the_employer_no_longer_sees_new_petitions(app, run, side):
    owner = new_org(run)
    traveler = member(run, owner, "traveler")
    org_id = column(run, owner, "organization_id")
    filed = _file(run, traveler)
    prepared = run(lambda: factories.draft(_user(traveler), actor=_user(owner)).receipt_number)
    employer = browser(app, owner)
    assert employer.get(f"/employer/petitions/{filed}").status_code == 200
    assert employer.get(f"/employer/petitions/{prepared}").status_code == 200

    if side == "employer":
        path = f"/employer/organization/employees/{column(run, traveler, 'id')}/unlink"
        response = post(employer, path, page="/employer/organization/employees")
        assert where(response) == "/employer/organization/employees"
    elif side == "traveler":
        client = browser(app, traveler)
        assert "Leave this organization" in text(client.get("/my/organization"))
        response = post(client, "/my/organization/leave", page="/my/organization")
        assert where(response) == "/my/organization"
        assert "Leave this organization" not in text(client.get("/my/organization"))
    new_org_id = None
    if side == "another organization":  # an invitation from elsewhere, accepted
        other = new_org(run)
        token = invite(run, other, "traveler", traveler)
        run(lambda: invitations.accept(token, _user(traveler)))
        new_org_id = column(run, other, "organization_id")
    assert column(run, traveler, "organization_id") == new_org_id
    assert traveler not in text(employer.get("/employer/organization/employees"))

    later = _file(run, traveler)
    assert run(lambda: db.session.scalars(sa.select(Petition.organization_id).where(
        Petition.receipt_number == later)).one()) == new_org_id
    assert employer.get(f"/employer/petitions/{later}").status_code == 404
    assert employer.get(f"/employer/petitions/{prepared}").status_code == 404  # not filed
    assert employer.get(f"/employer/petitions/{filed}").status_code == 200   # filed with it
    assert run(lambda: db.session.scalars(sa.select(Petition.organization_id).where(
        Petition.receipt_number == filed)).one()) == org_id


# --- Employer-prepared petitions ------------------------------------------------------

def test_an_employer_prepared_draft_waits_on_the_employee_who_attests_and_submits(app, run):
    owner = new_org(run)
    traveler = member(run, owner, "traveler")

    def prepare():
        boss = _user(owner)
        draft = factories.draft(_user(traveler), actor=boss)
        for kind in ("passport", "employer_letter"):
            factories.upload(boss, draft, kind)
        return draft.receipt_number
    receipt = run(prepare)
    employer = browser(app, owner)
    page = text(employer.get(f"/employer/petitions/{receipt}"))
    assert "Waiting on the traveler" in page and "Submit petition" not in page
    refused = post(employer, f"/employer/petitions/{receipt}/submit",
                   page="/employer/organization/")
    assert where(refused) == f"/employer/petitions/{receipt}"
    assert "The employee must review and attest" in text(employer.get(where(refused)))
    with pytest.raises(Conflict):
        run(lambda: petitions.submit(_user(owner), receipt))
    assert run(lambda: db.session.scalars(sa.select(Petition.status).where(
        Petition.receipt_number == receipt)).one()) == Status.DRAFT

    client = browser(app, traveler)
    dashboard = text(client.get("/my/"))
    assert f"Continue filing {receipt}" in dashboard
    assert "prepared by your employer, waiting on you to review and attest" in dashboard
    review = client.get(f"/my/filing/{receipt}/review")
    assert review.status_code == 200
    assert "Waiting on: you." in text(review)
    assert "prepared this petition for you" in text(review)
    api = client.get(f"/my/petitions/{receipt}")
    assert where(api) == f"/my/filing/{receipt}/review"
    assert run(lambda: status_of(db.session.scalars(sa.select(Petition).where(
        Petition.receipt_number == receipt)).one())) == "applicant"

    def version():
        return db.session.scalars(sa.select(Petition.version).where(
            Petition.receipt_number == receipt)).one()
    job = {"job_title": "Mechanical engineer", "employer_name": "Cascade Systems Inc.",
           "occupation": "Engineer", "duties": "Designs conveyor systems.",
           "worksite": "100 Pine St, Seattle WA", "salary": "95000", "salary_currency": "USD",
           "x_usmca_profession": "Engineer"}
    trip = {"destination_country": "US", "category": "TN", "port_of_entry": "BLAINE",
            "travel_date": (TODAY + timedelta(days=30)).isoformat(),
            "requested_start": (TODAY + timedelta(days=31)).isoformat(),
            "requested_end": (TODAY + timedelta(days=200)).isoformat()}
    saved = post(client, f"/my/filing/{receipt}/trip", {**trip, "version": run(version)},
                 page="/my/")
    assert saved.status_code == 302, text(saved)[-2000:]
    saved = post(client, f"/my/filing/{receipt}/job", {**job, "version": run(version)},
                 page="/my/")
    assert saved.status_code == 302, text(saved)[-2000:]
    attested = post(client, f"/my/filing/{receipt}/submit",
                    {"attest": "y", "version": run(version)}, page="/my/")
    assert attested.status_code == 302, text(attested)[-2000:]
    status, attested_at = run(lambda: db.session.execute(sa.select(
        Petition.status, Petition.attested_at).where(Petition.receipt_number == receipt)).one())
    assert status == Status.SUBMITTED and attested_at is not None


# --- End to end: the email --------------------------------------------------------------

def test_an_invitation_email_is_sent_once_and_its_link_works(app, live_server, smtp_server,
                                                               broker_url, create_user):
    owner_email, password = create_user("employer")
    web, base = requests.Session(), live_server.url
    signed = web.post(base + "/login", timeout=15, allow_redirects=False, data={
        "csrf_token": hidden_inputs(web.get(base + "/login", timeout=15).text)["csrf_token"],
        "email": owner_email, "password": password})
    assert signed.status_code == 302
    people = web.get(base + "/employer/organization/people", timeout=15)
    invited = factories.email("emailed")
    response = web.post(base + "/employer/organization/people/invite", timeout=15, data={
        "csrf_token": hidden_inputs(people.text)["csrf_token"], "email": invited,
        "org_role": "admin", "name": "Ed"})
    assert response.status_code == 200 and invited in response.text

    deadline = time.monotonic() + 30
    while not smtp_server.to(invited) and time.monotonic() < deadline:
        time.sleep(0.2)
    mails = smtp_server.to(invited)
    assert len(mails) == 1, len(mails)
    body = mails[0].get_payload(decode=True).decode()
    assert "as an admin" in body and "works once" in body
    path = re.search(r"https?://[^/\s]+(/invitations/\S+)", body).group(1)

    # The task published again (at-least-once delivery): no second email.
    with app.app_context():
        invitation_id = db.session.scalars(sa.select(Invitation.id).where(
            Invitation.email == invited)).one()
    assert run_task_again(live_server, broker_url, "organizations.send_invitation",
                          [invitation_id], "notifications") == "False"
    assert len(smtp_server.to(invited)) == 1

    guest = requests.Session()
    page = guest.get(live_server.url + path, timeout=15)
    assert page.status_code == 200 and invited in page.text
    created = guest.post(live_server.url + path, timeout=15, allow_redirects=False, data={
        "csrf_token": hidden_inputs(page.text)["csrf_token"], "name": "Ed Admin",
        "password": factories.PASSWORD, "confirm": factories.PASSWORD})
    assert created.status_code == 302
    people = live_server.url + "/employer/organization/people"
    assert guest.get(people, timeout=15).status_code == 200
    assert requests.get(live_server.url + path, timeout=15).status_code == 410
