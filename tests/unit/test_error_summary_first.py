"""One error pattern everywhere (issue 17): a page whose form failed shows the error
summary as the first thing in <main>, focusable (static/forms.js moves the focus to it),
each of its messages linked to the field it is about.

Two checks. The templates, read as Jinja syntax trees: every error summary a page renders
(the error_summary, problem_summary and country_error macros, the filing's blockers, a
literal ``class="error-summary"``) opens its ``content`` block (or the filing steps'
``summary`` block, which opens theirs), and every page that shows field errors has one.
And the forms themselves, driven through the Flask test client: every form each role can
reach by following links (and the pages reached by emailed links or half-way through
signing in) is sent back empty — or, for a search form, with values no field accepts —
and wherever the answer shows a field error, the summary is the first element in <main>,
it lists that error, and each of its links points to an input, a select, a text area or a
group of them that exists on the page.
"""
import re
from datetime import date, timedelta
from fnmatch import fnmatch
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from jinja2 import nodes

from tests import factories
from tests.unit.conftest import Seed
from tests.unit.test_fuzz_forms import SKIP_ACTIONS, _forms_of
from tests.unit.test_web_auth import csrf_token, sign_in
from traveler_portal.domain import accounts, adjudication, invitations, password_reset
from traveler_portal.domain.adjudication import DecisionInput
from traveler_portal.extensions import db
from traveler_portal.models import Petition, Role, User

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SUMMARY_MACROS = {"error_summary", "problem_summary", "country_error"}
SUMMARY_INCLUDES = {"traveler/filing/_blockers.html"}
# Where the summary macros are defined, and the filing's blockers (itself a summary).
DEFINITIONS = {"macros/forms.html", "partials/petition.html", "partials/filing_parts.html",
               "traveler/filing/_blockers.html"}


# -- the templates --------------------------------------------------------------------

def _parse(name: str) -> nodes.Template:
    from traveler_portal import create_app  # noqa: PLC0415 - the app's own Jinja environment
    env = _parse.env = getattr(_parse, "env", None) or create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://"}).jinja_env
    return env.parse((TEMPLATES / name).read_text(), name=name)


def _is_summary_call(node) -> bool:
    return isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) \
        and node.node.name in SUMMARY_MACROS


def _blank(node) -> bool:
    return isinstance(node, nodes.TemplateData) and not node.data.strip()


def _inline_summary(node) -> bool:
    return isinstance(node, nodes.TemplateData) and \
        node.data.lstrip().startswith('<div class="error-summary"')


def _items(body) -> list:
    """A block's body as the page reads it: an {{ output }} split into its pieces, the
    statements as they are; imports, sets and white space left out."""
    items = []
    for node in body:
        if isinstance(node, (nodes.Assign, nodes.FromImport, nodes.Import)):
            continue
        if isinstance(node, nodes.Output):
            items += [n for n in node.nodes if not _blank(n)]
        else:
            items.append(node)
    return items


def _closes(item) -> bool:
    return isinstance(item, nodes.TemplateData) and item.data.rstrip().endswith("</div>")


def _all_summary(body) -> bool:
    """A branch that shows a summary and nothing else."""
    items = _items(body)
    if items and _inline_summary(items[0]):
        return _closes(items[-1])  # a literal summary: its own words and links within
    return bool(items) and all(_is_summary(i) for i in items)


def _is_summary(item) -> bool:
    """A piece of the page that is nothing but an error summary (maybe under an if)."""
    if _is_summary_call(item):
        return True
    if _inline_summary(item):
        return _closes(item)
    if isinstance(item, nodes.If):
        branches = [item.body, *(e.body for e in item.elif_)]
        return all(_all_summary(b) for b in branches) and \
            (not item.else_ or _all_summary(item.else_))
    if isinstance(item, nodes.Include):
        return isinstance(item.template, nodes.Const) and item.template.value in SUMMARY_INCLUDES
    return isinstance(item, nodes.Block) and item.name == "summary"


def _leading(body) -> list:
    """The pieces that open a block and are summaries."""
    lead = []
    for item in _items(body):
        if isinstance(item, nodes.If) and not _is_summary(item):
            # a page of two kinds ({% if step == ... %}): each opens with its summary
            for branch in [item.body, *(e.body for e in item.elif_), item.else_]:
                lead += _leading(branch)
            break
        if not _is_summary(item):
            break
        lead.append(item)
    return lead


def _occurrences(node) -> list:
    """Every error summary under ``node`` (a macro defining one is not an occurrence)."""
    if isinstance(node, nodes.Macro) and node.name in SUMMARY_MACROS:
        return []
    if _is_summary_call(node) or _inline_summary(node) or (
            isinstance(node, nodes.Include) and _is_summary(node)):
        return [node]
    found = [node] if isinstance(node, nodes.Block) and node.name == "summary" else []
    for child in node.iter_child_nodes():
        found += _occurrences(child)
    return found


def _page_templates() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html")
                  if not str(p.relative_to(TEMPLATES)).startswith(("emails/", "macros/")))


def _summary_block_opens_content(name: str) -> bool:
    """The layout a template extends opens its content with the summary block."""
    for parent in _parents(name)[1:]:
        for block in _parse(parent).find_all(nodes.Block):
            if block.name == "content" and any(
                    isinstance(i, nodes.Block) and i.name == "summary"
                    for i in _leading(block.body)):
                return True
    return False


def _misplaced(name: str) -> list[str]:
    tree = _parse(name)
    problems = []
    placed = []
    for block in tree.find_all(nodes.Block):
        if block.name == "content":
            for node in _leading(block.body):
                placed += _occurrences(node)
        elif block.name == "summary":
            if _items(block.body) and not all(_is_summary(i) for i in _items(block.body)):
                problems.append(f"{name}: its summary block holds more than summaries")
            if _summary_block_opens_content(name):
                placed.append(block)
                for node in block.body:
                    placed += _occurrences(node)
    if name in DEFINITIONS:
        return problems
    for node in _occurrences(tree):
        if not any(node is p for p in placed):
            problems.append(f"{name}, line {node.lineno}: an error summary that does not "
                            "open the page's content")
    return problems


def test_every_error_summary_opens_the_content_of_its_page():
    problems = [p for name in _page_templates() for p in _misplaced(name)]
    assert not problems, "\n".join(problems)


def _parents(name: str) -> list[str]:
    chain = []
    while name:
        chain.append(name)
        extends = next(_parse(name).find_all(nodes.Extends), None)
        name = extends.template.value if extends is not None else None
    return chain


def _shows_field_errors(name: str) -> bool:
    tree = _parse(name)
    calls = any(isinstance(c.node, nodes.Name) and c.node.name == "field"
                for c in tree.find_all(nodes.Call))
    return calls or 'class="error-message"' in (TEMPLATES / name).read_text()


# Pages that show fields or a message styled as an error, yet never a field's error.
NEVER_FIELD_ERRORS = {
    "account/settings.html": "the people-emails choice posts to its own view, which "
                             "redirects back with a message",
    "officer/queue.html": "its filters are never validated: an unknown value filters nothing",
    "traveler/dashboard.html": "its filters are never validated: an unknown value filters "
                               "nothing",
    "public/reset_gone.html": "asks for a new link on the forgotten-password page, which "
                              "shows the errors",
    "public/verify.html": "a code that finds no decision: the page's answer, not a form's",
}


def test_every_page_that_shows_field_errors_has_a_summary():
    """Fragments (a leading underscore) are shown inside pages that summarise for them;
    the test client checks below see them in place."""
    missing = []
    for name in _page_templates():
        if Path(name).name.startswith("_") or name in DEFINITIONS or \
                name in NEVER_FIELD_ERRORS or not _shows_field_errors(name):
            continue
        if not any(_occurrences(_parse(t)) for t in _parents(name)):
            missing.append(name)
    assert not missing, missing


def test_the_content_block_is_the_first_thing_in_main_after_flash_messages():
    base = (TEMPLATES / "base.html").read_text()
    main = base[base.index('<main id="main"'):base.index("</main>")]
    before = main[:main.index("{% block content %}")]
    assert "get_flashed_messages" in before
    assert before.count("<div") == 1 and "notice notice-" in before  # the flashes only


# -- the forms, through the test client ------------------------------------------------

class _Main(HTMLParser):
    """<main>'s first element, the ids on the page (and what carries them), the summary's
    links and the field error messages."""

    def __init__(self):
        super().__init__()
        self.depth, self.in_main, self.first = 0, False, None
        self.ids, self.links, self.errors = {}, [], []
        self._in_summary = self._in_error = self._hidden = None
        self._summaries = 0
        self.summary_text = []

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "wbr", "col"}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] = tag
        if tag == "main":
            self.in_main, self.depth = True, 0
            return
        if not self.in_main:
            return
        if self.depth == 0 and self.first is None:
            self.first = (tag, attrs)
        classes = (attrs.get("class") or "").split()
        if "error-summary" in classes and not self._summaries:
            self._in_summary, self._summaries = self.depth, 1  # the first summary only
        if "error-message" in classes:
            self._in_error = self.depth
            self.errors.append("")
        if "visually-hidden" in classes and self._in_error is not None and self._hidden is None:
            self._hidden = self.depth  # "Error:" said to screen readers, not the message
        if tag == "a" and self._in_summary is not None:
            self.links.append(attrs.get("href", ""))
        if tag not in self.VOID:
            self.depth += 1

    def handle_endtag(self, tag):
        if not self.in_main or tag in self.VOID:
            return
        if tag == "main":
            self.in_main = False
            return
        self.depth -= 1
        if self._in_summary is not None and self.depth == self._in_summary:
            self._in_summary = None
        if self._in_error is not None and self.depth == self._in_error:
            self._in_error = None
        if self._hidden is not None and self.depth == self._hidden:
            self._hidden = None

    def handle_data(self, data):
        if self._in_summary is not None:
            self.summary_text.append(data)
        if self._in_error is not None and self._hidden is None:
            self.errors[-1] += data


def check_error_page(html: str, where: str) -> bool:
    """When the page shows a field error: the summary first in <main>, naming each error,
    each link to a control or a group of controls on the page. False if no field error."""
    page = _Main()
    page.feed(html)
    if not page.errors:
        return False
    tag, attrs = page.first
    assert "error-summary" in (attrs.get("class") or "").split(), \
        f"{where}: <main> starts with <{tag} {attrs}>, not the error summary"
    assert attrs.get("tabindex") == "-1" and attrs.get("role") == "alert", (where, attrs)
    summary = " ".join(" ".join(page.summary_text).split())
    for error in page.errors:
        message = " ".join(error.split()).removeprefix("Error:").strip()
        assert message in summary, f"{where}: {message!r} is not in the summary"
    assert page.links, f"{where}: the summary links to nothing"
    for href in page.links:
        parts = urlsplit(href)
        target = parts.fragment
        assert target, f"{where}: the summary's link {href!r} names no field"
        if parts.path:  # another page (the filing's blockers: the step that fixes it)
            continue
        assert page.ids.get(target) in ("input", "select", "textarea", "fieldset", "section"), \
            f"{where}: the summary's link #{target} points to {page.ids.get(target)!r}"
    return True


BAD_QUERY = "not a date"


def _drive(client, forms) -> set[str]:
    """Send each distinct form back empty (a GET form: with a value no date accepts);
    returns the paths whose answer showed field errors, each checked."""
    failed = set()
    distinct = {(f["method"], action, tuple(f["fields"])): (action, f) for action, f in forms}
    for action, form in distinct.values():
        if not form["fields"] or any(urlsplit(action).path.endswith(a) for a in SKIP_ACTIONS):
            continue  # a button alone (claim, release, sign out): nothing to get wrong
        # Redirects followed, as a browser does: a message flashed on the way is read there.
        if form["method"] == "post":
            response = client.post(action, data={**form["hidden"],
                                                 **dict.fromkeys(form["fields"], "")},
                                   follow_redirects=True)
        else:
            response = client.get(action, query_string={
                **form["hidden"], **dict.fromkeys(form["fields"], BAD_QUERY)},
                follow_redirects=True)
        if response.mimetype == "text/html" and check_error_page(
                response.get_data(as_text=True), f"{form['method'].upper()} {action}"):
            failed.add(urlsplit(action).path)
    return failed


def _claimed_case(client, email: str) -> str:
    receipt = _queued(client)
    with client.application.app_context():
        petition = db.session.scalars(sa.select(Petition).where(
            Petition.receipt_number == receipt)).one()
        officer = db.session.scalars(sa.select(User).where(User.email == email)).one()
        assert adjudication.claim_next(officer, petition.queue.code) is not None
        db.session.commit()
    return receipt


def _queued(client) -> str:
    seed = Seed(client.application)
    return seed.queued(seed.user("traveler"))


def _approved_case(client, country="US") -> str:
    seed = Seed(client.application)
    traveler = seed.user("traveler")
    receipt = seed.queued(traveler)
    officer = seed.user("officer", country=country)
    with client.application.app_context():
        who = db.session.scalars(sa.select(User).where(User.email == officer)).one()
        petition = db.session.scalars(sa.select(Petition).where(
            Petition.receipt_number == receipt)).one()
        adjudication.claim_next(who, petition.queue.code)
        adjudication.decide(who, receipt, DecisionInput(
            outcome="approved", message="Fine.", valid_until=date.today() + timedelta(days=90)))
        db.session.commit()
    return receipt


# The forms each role must have shown with errors (the crawl found and checked them),
# * standing for a receipt number: the pages issue 17 names and those fixed before it, so
# the crawl cannot silently miss them. Forms with a file to upload are sent below.
EXPECTED = {
    None: {"/login", "/register", "/password/forgot"},
    "traveler": {"/password/change", "/account/language", "/my/organization", "/my/profile",
                 "/my/filing/new", "/my/filing/*/trip", "/my/filing/*/job"},
    "employer": {"/employer/organization/", "/employer/petitions/new",
                 "/employer/organization/employees/invite",
                 "/employer/organization/people/invite", "/employer/integrations/keys",
                 "/employer/integrations/webhooks", "/employer/"},
    "officer": {"/account/second-factor/confirm", "/officer/cases/*/decision",
                "/officer/cases/*/hold", "/officer/cases/*/notes", "/officer/cases/*/refer"},
    "supervisor": {"/supervisor/audit", "/officer/cases/*/decision"},
    "admin": {"/admin/rules/new", "/admin/rules/*", "/admin/queues/new", "/admin/queues/*",
              "/admin/dry-run"},
    "port_officer": {"/port/lookup", "/port/no-pre-adjudication", "/port/cases/*/arrivals"},
}


def _missed(expected: set[str], failed: set[str]) -> list[str]:
    return sorted(e for e in expected if not any(fnmatch(f, e) for f in failed))


@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_reachable_form_sent_wrong_shows_the_summary_first(client, seed, role):
    if role is None:
        starts = ["/", "/login", "/register", "/password/forgot"]
    else:
        email = seed.user(role)
        starts = ["/", "/password/change", "/account/language"]
        if role == "traveler":
            seed.draft(email)
            seed.queued(email)
        assert sign_in(client, email).status_code == 302
        if role in ("officer", "supervisor"):
            starts.insert(0, f"/officer/cases/{_claimed_case(client, email)}")
            starts.append("/account/second-factor/confirm")
        if role == "port_officer":
            starts.append(f"/port/cases/{_approved_case(client)}")
        if role == "traveler":
            starts.append("/my/petitions/new?country=US")
        if role == "employer":
            starts.append("/employer/petitions/new?country=US")
    forms = [f for start in starts for f in _forms_of(client, start)]
    failed = _drive(client, forms)
    assert not _missed(EXPECTED[role], failed), (_missed(EXPECTED[role], failed), failed)


def test_pages_reached_by_a_link_or_half_way_through_signing_in(app, client, seed):
    """The reset and invitation links, the second factor's code and its enrolment."""
    checked = []

    def post(path, **data):
        response = client.post(path, data={"csrf_token": csrf_token(client, path), **data})
        assert response.status_code == 422, (path, response.status_code)
        assert check_error_page(response.get_data(as_text=True), path)
        checked.append(path)

    traveler = seed.user("traveler")
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == traveler)).one()
        token = password_reset.token_for(user)
    post(f"/password/reset/{token}", password="", confirm="")

    employer = seed.user("employer")
    with app.app_context():
        admin = db.session.scalars(sa.select(User).where(User.email == employer)).one()
        invitation = invitations.invite(admin, "traveler", factories.email("new"), "New Person")
        link_token = invitations.token_for(invitation)
        db.session.commit()
    post(f"/invitations/{link_token}", name="", password="", confirm="")

    officer = seed.user("officer")
    response = client.post("/login", data={"csrf_token": csrf_token(client, "/login"),
                                            "email": officer, "password": factories.PASSWORD})
    assert response.headers["Location"].endswith("/login/code")
    post("/login/code", code="")

    with app.app_context():  # an agency account not enrolled yet: its first sign-in
        fresh = accounts.create_user(factories.email("officer"), factories.PASSWORD,
                                     Role.OFFICER, country="CA", name="New Officer").email
    client = app.test_client()
    response = client.post("/login", data={"csrf_token": csrf_token(client, "/login"),
                                            "email": fresh, "password": factories.PASSWORD})
    assert response.headers["Location"].endswith("/login/enrol")
    post("/login/enrol", code="")
    assert len(checked) == 4


def test_a_filing_step_and_the_withdrawal_sent_wrong(client, seed):
    traveler = seed.user("traveler")
    draft = seed.draft(traveler)
    queued = seed.queued(traveler)
    assert sign_in(client, traveler).status_code == 302
    for path, data in [(f"/my/filing/{draft}/trip", {"category": "", "port_of_entry": "",
                                                      "destination_country": "US"}),
                       (f"/my/filing/{draft}/job", {"job_title": ""})]:
        page = client.get(path).get_data(as_text=True)
        version = _hidden(page, "version")
        response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                           "version": version, **data})
        assert response.status_code == 422, path
        assert check_error_page(response.get_data(as_text=True), path)
    path = f"/my/petitions/{queued}/withdraw"
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "reason": "x" * 5000})
    assert response.status_code == 422
    assert check_error_page(response.get_data(as_text=True), path)


def test_forms_with_a_file_sent_without_one(client, seed):
    """The employer's import and a filing step's upload (the crawl sends no files)."""
    employer = seed.user("employer")
    assert sign_in(client, employer).status_code == 302
    path = "/employer/imports/"
    response = client.post(path, data={"csrf_token": csrf_token(client, path),
                                       "file": (BytesIO(b""), "")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert check_error_page(response.get_data(as_text=True), path)

    client = client.application.test_client()
    traveler = seed.user("traveler")
    draft = seed.draft(traveler)
    assert sign_in(client, traveler).status_code == 302
    page = f"/my/filing/{draft}/documents"
    response = client.post(f"{page}?kind=passport", data={
        "csrf_token": csrf_token(client, page), "passport-csrf_token": csrf_token(client, page),
        "passport-file": (BytesIO(b"not a document"), "notes.txt")},
        content_type="multipart/form-data")
    assert response.status_code == 422, response.status_code
    assert check_error_page(response.get_data(as_text=True), page)


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or \
        re.search(rf'value="([^"]*)"[^>]*name="{name}"', html)
    return found.group(1) if found else ""

