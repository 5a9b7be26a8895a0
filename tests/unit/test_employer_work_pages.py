"""The employer's pages redesigned for issue 17 (Flask test client): the dashboard's table
first with filters folded and removable tags, empty panels left out; Employees searchable
and paginated with the invitation at the top and a confirmation step before ending a
link; a prepared draft that waits on the employer says so; an approval is not described
to the employer as something to carry."""
import re

import sqlalchemy as sa

from tests import factories
from tests.unit.test_web_auth import csrf_token, sign_in
from traveler_portal.domain import organizations, status
from traveler_portal.extensions import db
from traveler_portal.models import Petition, User


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True)).replace("&#39;", "'")


def org_with_travelers(app, n: int) -> tuple[str, list[str]]:
    with app.app_context():
        owner = factories.user("employer")
        emails = []
        for i in range(n):
            traveler = factories.user("traveler", name=f"Traveler {i:03d}")
            organizations.link_traveler(traveler, owner.organization_id)
            emails.append(traveler.email)
        db.session.commit()
        return owner.email, emails


def test_employees_are_searchable_paginated_and_unlinked_after_a_confirmation(app):
    owner, travelers = org_with_travelers(app, 30)
    client = app.test_client()
    assert sign_in(client, owner).status_code == 302
    page = text(client.get("/employer/organization/employees"))
    # The invitation first, then the list: 25 a page, with the way to the next.
    assert page.index("Invite a traveler") < page.index("Travelers linked to")
    assert "30 in all, page 1 of 2" in page
    assert "Traveler 000" in page and "Traveler 029" not in page
    # The next page continues after the last name shown (a keyset cursor, no OFFSET).
    next_url = re.search(r'<a href="([^"]+)" rel="next">', page).group(1).replace("&amp;", "&")
    second = text(client.get(next_url))
    assert "page 2 of 2" in second and 'rel="next"' not in second
    assert "Traveler 029" in second and "Traveler 000" not in second
    assert "Traveler 024" not in second and "Traveler 025" in second  # no gap, no repeat

    found = text(client.get("/employer/organization/employees?q=traveler 01"))
    assert "10 matching" in found and "Traveler 015" in found and "Traveler 020" not in found

    with app.app_context():
        target = db.session.scalars(sa.select(User).where(User.email == travelers[0])).one().id
    # "End the link" opens a confirmation page; nothing changes until it is confirmed.
    assert f'href="/employer/organization/employees/{target}/unlink"' in page
    confirm = client.get(f"/employer/organization/employees/{target}/unlink")
    assert confirm.status_code == 200
    assert "End the link with Traveler 000?" in text(confirm)
    assert "Yes, end the link" in text(confirm)
    with app.app_context():
        assert db.session.get(User, target).organization_id is not None
    done = client.post(f"/employer/organization/employees/{target}/unlink", data={
        "csrf_token": csrf_token(client, f"/employer/organization/employees/{target}/unlink")})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(User, target).organization_id is None


def test_the_employees_page_lists_the_newest_pending_invitations_and_finds_the_others(app):
    """An import that invited thousands leaves them pending: the page counts them all,
    lists the newest few, and its search finds any other by email."""
    from traveler_portal.domain import invitations
    owner, _travelers = org_with_travelers(app, 1)
    shown = invitations.PENDING_SHOWN
    with app.app_context():
        actor = db.session.scalars(sa.select(User).where(User.email == owner)).one()
        for i in range(shown + 5):
            invitations.invite(actor, "traveler", f"invitee{i:03d}@example.org")
        db.session.commit()
    client = app.test_client()
    assert sign_in(client, owner).status_code == 302
    page = text(client.get("/employer/organization/employees"))
    assert f"Pending invitations ({shown + 5})" in page
    assert f"The {shown} most recent are listed" in page
    assert page.count("the invitation to invitee") == shown
    assert f"invitee{shown + 4:03d}@example.org" in page  # the newest
    assert "invitee000@example.org" not in page  # the oldest: found by a search
    found = text(client.get("/employer/organization/employees?q=invitee000"))
    assert "Pending invitations matching “invitee000” (1)" in found
    assert "invitee000@example.org" in found and "most recent are listed" not in found


def test_the_dashboard_puts_the_table_first_with_filters_as_tags(app):
    owner, travelers = org_with_travelers(app, 1)
    with app.app_context():
        traveler = db.session.scalars(sa.select(User).where(User.email == travelers[0])).one()
        factories.submitted(traveler)
        db.session.commit()
    client = app.test_client()
    assert sign_in(client, owner).status_code == 302
    page = text(client.get("/employer/"))
    assert page.index('id="dashboard-petitions"') < page.index("Invite your travelers")
    assert '<details class="filters-disclosure">' in page  # folded while unused
    assert "Filtered by:" not in page
    # No panel says "None.": panels show only when they hold something.
    assert "None." not in page and "Requests for evidence open" not in page
    filtered = text(client.get("/employer/?country=US&traveler=Traveler"))
    assert "Filtered by:" in filtered
    assert "Destination: United States" in filtered
    # Each tag links to the same view without its own filter.
    assert 'href="/employer/?traveler=Traveler"' in filtered


def test_a_prepared_draft_waits_on_the_employer_until_its_documents_are_in(app):
    owner, travelers = org_with_travelers(app, 1)
    with app.app_context():
        boss = db.session.scalars(sa.select(User).where(User.email == owner)).one()
        traveler = db.session.scalars(sa.select(User).where(User.email == travelers[0])).one()
        draft = factories.draft(traveler, actor=boss)
        receipt = draft.receipt_number
        assert status.waiting_on(draft) == "employer"
    client = app.test_client()
    assert sign_in(client, owner).status_code == 302
    page = text(client.get(f"/employer/petitions/{receipt}"))
    assert "Waiting on you: upload the required documents" in page
    assert page.count("Waiting on") == 1  # said once, not again in the progress panel
    with app.app_context():
        draft = db.session.scalars(sa.select(Petition).where(
            Petition.receipt_number == receipt)).one()
        boss = db.session.scalars(sa.select(User).where(User.email == owner)).one()
        for kind in ("passport", "employer_letter"):
            factories.upload(boss, draft, kind)
        assert status.waiting_on(draft) == "applicant"


def test_an_admin_chooses_emails_about_their_people_immediate_or_daily(app):
    from datetime import timedelta

    from traveler_portal.domain import people_updates
    from traveler_portal.models import Event, Notification
    from traveler_portal.models.users import utcnow

    owner, travelers = org_with_travelers(app, 1)
    client = app.test_client()
    assert sign_in(client, owner).status_code == 302
    settings = text(client.get("/notifications/settings"))
    assert "Emails when your people's petitions change status" in settings
    saved = client.post("/notifications/people", data={
        "csrf_token": csrf_token(client, "/notifications/settings"),
        "people_emails": "immediate"})
    assert saved.status_code == 302
    with app.app_context():
        traveler = db.session.scalars(sa.select(User).where(User.email == travelers[0])).one()
        petition = factories.submitted(traveler)  # a public event: "Case was received"
        db.session.commit()
        factories.fan_out_events()  # its task, as the notifications worker runs it
        boss = db.session.scalars(sa.select(User).where(User.email == owner)).one()
        sent = db.session.scalars(sa.select(Notification).where(
            Notification.user_id == boss.id)).all()
        assert [(n.kind, n.email_state) for n in sent] == [("people_status", "pending")]
        assert petition.receipt_number in sent[0].subject
        assert f"/employer/petitions/{petition.receipt_number}" in sent[0].body
        receipt = petition.receipt_number
    # The notification's title links to the case, on the reader's side of the portal.
    inbox = client.get("/notifications/").get_data(as_text=True)
    assert f'<a href="/employer/petitions/{receipt}">' in inbox
    with app.app_context():
        boss = db.session.scalars(sa.select(User).where(User.email == owner)).one()
        petition = db.session.scalars(sa.select(Petition).where(
            Petition.receipt_number == receipt)).one()

        # Daily: one summary of yesterday's changes, none when nothing changed.
        people_updates.set_choice(boss, "daily")
        db.session.execute(sa.update(Event).values(at=utcnow() - timedelta(days=1)))
        db.session.commit()
        messages = people_updates.daily_messages(utcnow().date())
        assert len(messages) == 1
        _key, message = messages[0]
        assert message["To"] == owner and petition.receipt_number in message.get_content()
        assert people_updates.daily_messages(utcnow().date() + timedelta(days=5)) == []
    # A traveler has no such choice.
    other = app.test_client()
    assert sign_in(other, travelers[0]).status_code == 302
    assert "people's petitions" not in text(other.get("/notifications/settings"))
    assert other.post("/notifications/people", data={
        "csrf_token": csrf_token(other, "/notifications/settings"),
        "people_emails": "daily"}).status_code in (403, 404)


def test_an_approval_is_worded_for_the_reader(app):
    from tests.unit.test_status import decide_directly

    owner, travelers = org_with_travelers(app, 1)
    with app.app_context():
        traveler = db.session.scalars(sa.select(User).where(User.email == travelers[0])).one()
        petition = factories.submitted(traveler)
        receipt = petition.receipt_number
        decide_directly(petition.id, 3)
    employer = app.test_client()
    assert sign_in(employer, owner).status_code == 302
    page = text(employer.get(f"/employer/petitions/{receipt}"))
    assert "Carry the approval when you travel" not in page
    assert "The traveler carries the approval when travelling" in page
    mine = app.test_client()
    assert sign_in(mine, travelers[0]).status_code == 302
    assert "Carry the approval when you travel" in text(mine.get(f"/my/petitions/{receipt}"))
