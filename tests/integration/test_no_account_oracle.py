"""No account oracle through invitations (issue 14, item 3): an employer's invitation
answers the same whatever the address; the owner of an account that cannot accept gets a
notice instead of the link; invitations and imports are capped per organization per day;
the invitation email carries no text typed by the inviter."""
import pytest
import sqlalchemy as sa
from flask import render_template

from tests import factories
from tests.integration.test_organizations import _user, browser, post, text
from traveler_portal.domain import employee_imports, invitations
from traveler_portal.extensions import db
from traveler_portal.models import Invitation, OutboxMessage


@pytest.fixture
def run(app):
    def call(fn, *args, **kwargs):
        with app.app_context():
            return fn(*args, **kwargs)
    return call


def queued(run, task):
    return run(lambda: [row.args for row in db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.task_name == task)
        .order_by(OutboxMessage.id))])


@pytest.mark.parametrize("kind,role", [("traveler", None), ("colleague", "viewer")])
def test_an_invitation_answers_the_same_for_an_agency_account(app, run, kind, role):
    owner = run(lambda: factories.user("employer").email)
    officer = run(lambda: factories.user("officer", country="US").email)
    client = browser(app, owner)
    page = "/employer/organization/" + ("people" if kind == "colleague" else "employees")
    action = page + "/invite"
    data = {"email": officer, "name": "Any Text The Inviter Likes", "org_role": role or "viewer"}
    to_agency = post(client, action, data, page=page)
    to_nobody = post(client, action, {**data, "email": "nobody@example.test"}, page=page)
    assert to_agency.status_code == to_nobody.status_code == 302, to_agency.status_code
    shown = text(client.get(to_agency.headers["Location"]))
    assert "not a traveler account" not in shown and "not an employer account" not in shown
    # Both appear as pending invitations; the agency account's owner gets a notice, not a link.
    assert run(lambda: db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)
                                         .where(Invitation.kind == kind))) == 2
    links = queued(run, invitations.SEND_TASK)
    notices = queued(run, "accounts.send_security_notice")
    assert len(links) == 1
    officer_id = run(lambda: _user(officer).id)
    assert [(args[0], args[1]) for args in notices] == [(officer_id, "invitation")]


def test_the_invitation_email_carries_no_text_typed_by_the_inviter(app, run):
    owner = run(lambda: factories.user("employer", name="Click http://evil.example now").email)

    def body():
        invitation = invitations.invite(_user(owner), "traveler", "new@example.test",
                                        name="Your account is locked, call +1 555 0100")
        return render_template("emails/invitation.txt", invitation=invitation,
                               url=invitations.accept_url(invitation))
    with app.test_request_context():
        email = body()
    assert "evil.example" not in email and "555 0100" not in email
    assert "/invitations/" in email


def test_invitations_one_by_one_are_capped_per_organization_per_day(app, run):
    app.config["INVITATIONS_PER_ORG_PER_DAY"] = 3
    try:
        owner = run(lambda: factories.user("employer").email)
        for i in range(3):
            run(lambda: invitations.invite(_user(owner), "traveler", f"t{i}@example.test"))
        with pytest.raises(invitations.DailyCapReached):
            run(lambda: invitations.invite(_user(owner), "traveler", "t9@example.test"))
        other = run(lambda: factories.user("employer").email)  # another organization: free
        run(lambda: invitations.invite(_user(other), "traveler", "t9@example.test"))
    finally:
        app.config["INVITATIONS_PER_ORG_PER_DAY"] = 100


def test_imports_are_capped_per_organization_per_day(app, run):
    app.config["IMPORTS_PER_ORG_PER_DAY"] = 2
    try:
        owner = run(lambda: factories.user("employer").email)

        def start(n):
            data = f"email,name\nperson{n}@example.test,Person {n}\n".encode()
            return employee_imports.start(_user(owner), "people.csv", data)
        run(start, 1)
        run(start, 2)
        with pytest.raises(invitations.DailyCapReached):
            run(start, 3)
        job, new = run(lambda: (lambda j: (j[0].id, j[1]))(start(1)))
        assert new is False  # the same file again is the earlier import, not a new one
    finally:
        app.config["IMPORTS_PER_ORG_PER_DAY"] = 5


def test_the_owner_of_an_address_is_told_by_email_on_the_live_stack(
        app, live_server, smtp_server, create_user):
    """Registration and invitation for an address that has an account: the same answers as
    for a free address, and the worker emails the owner what happened (no link)."""
    import requests

    from tests.integration.web_helpers import Web, hidden_inputs
    from tests.live import wait_for

    base = live_server.url
    officer, _pw = create_user("officer", country="US")
    guest = requests.Session()
    form = guest.get(base + "/register", timeout=15)
    answer = guest.post(base + "/register", timeout=15, data={
        "csrf_token": hidden_inputs(form.text)["csrf_token"], "account_type": "traveler",
        "name": "Mallory", "email": officer, "organization": "",
        "password": factories.PASSWORD, "confirm": factories.PASSWORD})
    assert answer.status_code == 200 and "Check your inbox" in answer.text
    [notice] = wait_for(lambda: smtp_server.to(officer), 60, "the registration notice")
    body = notice.get_payload(decode=True).decode()
    assert "already has an account" in body and "/register/confirm/" not in body

    owner, password = create_user("employer")
    web = Web(base, owner, password)
    invited = web.post_form("/employer/organization/employees",
                            "/employer/organization/employees/invite",
                            {"email": officer, "name": "Free text", "org_role": "viewer"})
    assert invited.status_code == 200 and f"An invitation was sent to {officer}" in invited.text
    wait_for(lambda: len(smtp_server.to(officer)) == 2, 60, "the invitation notice")
    body = smtp_server.to(officer)[1].get_payload(decode=True).decode()
    assert "cannot accept" in body and "/invitations/" not in body and "Free text" not in body
