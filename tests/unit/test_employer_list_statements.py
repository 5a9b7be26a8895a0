"""The employer's list pages cost as many SQL statements whatever the rows (issue 16): the
dashboard in each sort with its panels, the employees page, and the API lists, counted
with 3 travelers' worth of cases and again with 10 (drafts, requests for evidence, queued
cases, upcoming travel, approvals expiring in each window, employees); a next page costs
what the first does. And the dashboard's count of travelers comes from the figures a beat
task keeps, live while an organization has none (or just changed)."""
import re
from datetime import timedelta

import sqlalchemy as sa

from tests import factories
from tests.statements import counted
from tests.unit.test_status import queued
from tests.unit.test_web_auth import sign_in
from traveler_portal.domain import accounts, organization_figures, organizations
from traveler_portal.extensions import db
from traveler_portal.models import Decision, Outcome, Status, User
from traveler_portal.models.organizations import OrganizationFigures
from traveler_portal.models.users import utcnow

ORG = "Counted Employer Ltd."
EXPIRING_IN = (10, 40, 70)  # one approval in each of the panel's windows (30/60/90 days)


def _one(email):
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


class Organization:
    def __init__(self, app):
        self.app, self.units = app, 0
        with app.app_context():
            employer = factories.user("employer", organization=ORG)
            self.employer, self.officer_id = employer.email, factories.user("officer").id
            self.token = accounts.issue_token(employer)[0]

    def grow(self, units):
        """Each unit: three employees, one of whom has a draft, a request for evidence,
        a queued case travelling within 30 days and an approval expiring soon, another
        a case travelling in 200 days."""
        with self.app.app_context():
            today = utcnow().date()
            for n in range(self.units, units):
                traveler = factories.user("traveler", organization=ORG, name=f"Worker {n:03d}")
                # one whose case is in no panel (travel in 200 days): the list alone
                # shows it (a traveler no panel loaded is read with the page's rows)
                queued(factories.user("traveler", organization=ORG, name=f"Worker {n:03d}a"),
                       days_ahead=200)
                factories.user("traveler", organization=ORG, identity=False,
                               name=f"Worker {n:03d}b")
                factories.draft(traveler)
                asked = queued(traveler, days_ahead=45)
                asked.status = Status.EVIDENCE_REQUESTED
                queued(traveler, days_ahead=10)
                approved = queued(traveler, days_ahead=60)
                approved.status = Status.APPROVED
                db.session.add(Decision(
                    petition_id=approved.id, outcome=Outcome.APPROVED, officer_id=self.officer_id,
                    valid_from=today,
                    valid_until=today + timedelta(days=EXPIRING_IN[n % len(EXPIRING_IN)])))
                db.session.commit()
            self.units = units


PAGES = ["/employer/", "/employer/?sort=travel&desc=1", "/employer/?sort=validity",
         "/employer/?sort=status&desc=1", "/employer/?sort=receipt",
         "/employer/?status=in_review&country=US",
         "/employer/organization/employees", "/employer/organization/employees?q=worker",
         "/api/v1/petitions?limit=100", "/api/v1/petitions?limit=100&status=approved",
         "/api/v1/organization/travelers?limit=100",
         "/api/v1/organization/invitations?limit=100"]


def test_the_employer_list_pages_cost_as_many_statements_at_10_travelers_as_at_3(app):
    org = Organization(app)
    org.grow(3)
    browser = app.test_client()
    assert sign_in(browser, org.employer).status_code == 302
    with app.app_context():
        engine = db.engine

    def count(path):
        api = path.startswith("/api/")
        client = app.test_client() if api else browser
        headers = {"Authorization": f"Bearer {org.token}"} if api else {}
        assert client.get(path, headers=headers).status_code == 200, path  # warm
        with counted(engine) as statements:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        return len(statements), response.get_data(as_text=True)

    small = {path: count(path)[0] for path in PAGES}
    org.grow(10)
    large = {path: count(path)[0] for path in PAGES}
    assert large == small, {p: (small[p], large[p]) for p in PAGES if small[p] != large[p]}

    # The panels list what grew (so the counts above read real rows), and the next pages
    # of the dashboard and of the employees cost what their first pages do.
    _count, board = count("/employer/")
    for window in (30, 60, 90):
        assert f'id="panel-expiring-{window}"' in board
    assert 'id="panel-drafts"' in board and 'id="panel-evidence"' in board
    for first in ("/employer/", "/employer/organization/employees"):
        statements, page = count(first)
        following = re.search(r'<a href="([^"]+)" rel="next">', page)
        assert following, first  # 60 petitions and 30 employees: more than a page each
        assert count(following.group(1).replace("&amp;", "&"))[0] == statements, first


def test_the_dashboard_counts_travelers_from_the_figures_the_beat_task_keeps(app):
    with app.app_context():
        owner = factories.user("employer", organization=ORG).email
        for n in range(3):
            factories.user("traveler", organization=ORG, identity=False, name=f"Worker {n}")
    client = app.test_client()
    assert sign_in(client, owner).status_code == 302
    with app.app_context():
        assert app.extensions["celery"].conf.beat_schedule["organization-figures"]["task"] \
            == "publishing.organization_figures"
        employer = _one(owner)
        assert organization_figures.travelers(employer) == 3  # no figures yet: counted live
        assert organization_figures.recompute() == 1
        figures = db.session.get(OrganizationFigures, employer.organization_id)
        assert figures.travelers == 3
        # Read from the row: no count of the people on a page view.
        with counted(db.engine) as statements:
            assert organization_figures.travelers(employer) == 3
        assert len(statements) == 1 and "count" not in statements[0].lower()
        # A traveler who leaves makes the organization's figure live until the next run.
        leaving = db.session.scalars(sa.select(User).where(User.name == "Worker 0")).one()
        organizations.end_link(employer, leaving.id)
        db.session.commit()
        assert db.session.get(OrganizationFigures, employer.organization_id) is None
        assert organization_figures.travelers(employer) == 2
    page = client.get("/employer/").get_data(as_text=True)
    assert "2 travelers have joined." in page
    with app.app_context():
        organization_figures.recompute()
        assert db.session.get(OrganizationFigures, _one(owner).organization_id
                              ).travelers == 2
