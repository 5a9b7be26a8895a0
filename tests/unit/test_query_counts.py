"""Every list page and the case view cost a constant number of SQL statements whatever
the rows: each page is counted with 3 rows of everything it lists, then again with 12;
the two counts must be equal (a per-row query shows up as +9)."""
import sqlalchemy as sa

from tests import factories
from tests.statements import counted
from tests.unit.test_status import decide_directly, queued
from tests.unit.test_web_auth import sign_in
from traveler_portal.domain import accounts, adjudication
from traveler_portal.extensions import db
from traveler_portal.models import User

ORG = "Counted Pages Ltd."


def _user(email):
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


class World:
    """People, and a case load grown in steps: queued, decided and claimed petitions of
    one traveler of one organization in the US-BLAINE queue, and earlier petitions of the
    claimed case's traveler (the case view lists them)."""

    def __init__(self, app):
        self.app = app
        with app.app_context():
            self.traveler = factories.user("traveler", organization=ORG).email
            self.employer = factories.user("employer", organization=ORG).email
            self.officer = factories.user("officer", country="US").email
            self.supervisor = factories.user("supervisor", country="US").email
            token, _row = accounts.issue_token(_user(self.employer))
            self.employer_token = token
            self.officer_token = accounts.issue_token(_user(self.officer))[0]
            self.traveler_token = accounts.issue_token(_user(self.traveler))[0]
            self.case = None
        self.size = 0

    def grow(self, size):
        with self.app.app_context():
            traveler, officer = _user(self.traveler), _user(self.officer)
            for _ in range(size - self.size):
                queued(traveler, days_ahead=40)
                decide_directly(queued(traveler, days_ahead=50).id, 3)
                factories.draft(traveler)
                claimed = adjudication.claim_next(_user(self.officer), "US-BLAINE")
                if self.case is None:
                    self.case = claimed.receipt_number
                adjudication.add_note(officer, self.case, "Checked the employer letter.")
            self.size = size


def _pages(world):
    case = world.case
    return [
        ("officer", "/officer/"),
        ("officer", "/officer/cases"),
        ("officer", "/officer/queues/US-BLAINE"),
        ("officer", f"/officer/cases/{case}"),
        ("supervisor", "/supervisor/"),
        ("employer", "/employer/"),
        ("traveler", "/my/"),
        ("traveler", f"/my/petitions/{case}"),
        ("traveler", f"/api/v1/petitions/{case}"),
        ("traveler", "/api/v1/petitions?limit=100"),
        ("employer", "/api/v1/petitions?limit=100"),
        ("officer", "/api/v1/petitions?limit=100"),
    ]


def test_every_list_page_and_the_case_view_cost_as_many_statements_at_12_rows_as_at_3(app):
    world = World(app)
    world.grow(3)
    with app.app_context():
        engine = db.engine
    clients = {}
    for role in ("officer", "supervisor", "employer", "traveler"):
        clients[role] = app.test_client()
        assert sign_in(clients[role], getattr(world, role)).status_code == 302
    tokens = {"traveler": world.traveler_token, "employer": world.employer_token,
              "officer": world.officer_token}
    def count(role, path):
        headers = {"Authorization": f"Bearer {tokens[role]}"} if path.startswith("/api") else {}
        client = app.test_client() if headers else clients[role]
        assert client.get(path, headers=headers).status_code == 200, path  # warm
        with counted(engine) as statements:
            response = client.get(path, headers=headers)
        assert response.status_code == 200, path
        return len(statements)

    small = {(role, path): count(role, path) for role, path in _pages(world)}
    world.grow(12)
    large = {(role, path): count(role, path) for role, path in _pages(world)}
    print({p: (small[p], large[p]) for p in small})
    assert large == small


def test_the_csv_export_reads_plain_columns_in_batches_and_keeps_no_rows(app):
    """The export's rows equal the dashboard's pages, read in keyset batches without
    loading a petition object, so memory stays flat however many rows are exported."""
    from traveler_portal.domain import employer_dashboard as board
    from traveler_portal.models import Petition
    world = World(app)
    world.grow(6)
    with app.app_context():
        employer = _user(world.employer)
        exported = [(r.petition.receipt_number, r.status, r.valid_until, r.waiting_on)
                    for r in board.every_row(employer, board.Filters(), batch=5)]
        paged, after = [], ""
        while True:
            rows, after = board.page(employer, board.Filters(after=after), size=7)
            paged += [(r.petition.receipt_number, r.status, r.valid_until, r.waiting_on)
                      for r in rows]
            if not after:
                break
        assert exported == paged and len(exported) == 18
        db.session.expunge_all()
        list(board.every_row(employer, board.Filters(), batch=5))
        assert not [o for o in db.session.identity_map.values() if isinstance(o, Petition)]
