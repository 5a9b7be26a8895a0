"""Every page of every role, read in French through the Flask test client: the page says it
is French (<html lang="fr">, Content-Language: fr) and no visible sentence is English
(proper names, receipt numbers and codes aside; a phrase deliberately in English carries
lang="en"). Plus the language switch, signed out and signed in."""
import re

import pytest
import sqlalchemy as sa
from flask import url_for

from tests.french_scenario import build, user
from tests.integration.workspace_helpers import reference_cleanup
from tests.language_checks import english_sentences
from tests.unit.test_web_auth import sign_in
from traveler_portal.extensions import db
from traveler_portal.models import AdjudicationQueue, RoutingRule

assert reference_cleanup  # the fixture, imported for usefixtures

# Pages that are not HTML pages for a reader, or that act rather than show.
NOT_PAGES = {"public.language", "public.healthz", "public.accept_invitation",
             "public.reset_password", "account.notice", "traveler.document",
             "officer.document", "employer.document", "employer.export_csv",
             "employer.import_rejected", "employer.import_progress", "supervisor.audit_csv",
             "employer.deliveries", "employer.show_import",
             # files and machine answers, not pages
             "supervisor.ports_csv", "public.readyz", "public.favicon"}
AUDIENCE = {"traveler": ("public", "account", "traveler"),
            "employer": ("public", "account", "employer"),
            "officer": ("public", "account", "officer"),
            "supervisor": ("public", "account", "officer", "supervisor"),
            "admin": ("public", "account", "admin")}


@pytest.fixture
def scenario(app):
    return build(app)


def _urls(app, scenario, role) -> list[str]:
    """Each GET page of the role's blueprints, with its arguments filled from the scenario
    (a petition page once per kind of petition)."""
    with app.app_context():
        args = {"queue_id": db.session.scalars(sa.select(AdjudicationQueue.id)).first(),
                "rule_id": db.session.scalars(sa.select(RoutingRule.id)).first(),
                "code": scenario.queue}
    receipts = list(scenario.receipts.values())
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            blueprint = rule.endpoint.split(".")[0]
            if "GET" not in rule.methods or blueprint not in AUDIENCE[role] \
                    or rule.endpoint in NOT_PAGES:
                continue
            if rule.arguments - {"receipt_number"} - set(args):
                continue  # reached only from a link carrying a token or a code: own tests
            if "receipt_number" in rule.arguments:
                urls += [url_for(rule.endpoint, receipt_number=r, **{
                    k: args[k] for k in rule.arguments - {"receipt_number"}}) for r in receipts]
            else:
                urls.append(url_for(rule.endpoint, **{k: args[k] for k in rule.arguments}))
    return urls


def _check_french(response, url) -> str:
    html = response.get_data(as_text=True)
    assert '<html lang="fr">' in html, url
    assert response.headers["Content-Language"] == "fr", url
    english = english_sentences(html)
    assert not english, f"{url}: English on a French page: {english}"
    return html


@pytest.mark.parametrize("role", list(AUDIENCE))
def test_every_page_of_every_role_reads_in_french(app, client, scenario, role):
    assert sign_in(client, scenario.emails[role]).status_code == 302
    checked = 0
    for url in _urls(app, scenario, role):
        response = client.get(url)
        if response.status_code in (302, 404) or response.mimetype != "text/html":
            continue  # a step not open for this petition, or not this person's to see
        assert response.status_code == 200, (url, response.status_code)
        _check_french(response, url)
        checked += 1
    assert checked >= 10, (role, checked)


def test_the_signed_out_pages_read_in_french_after_the_switch(client):
    switched = client.get("/language/fr?next=/login")
    assert switched.status_code == 302 and switched.headers["Location"] == "/login"
    assert "lang=fr" in switched.headers["Set-Cookie"]
    for url in ("/", "/login", "/register", "/password/forgot"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = _check_french(response, url)
        # The switch offers the same page in English, marked as English.
        assert re.search(r'<a href="/language/en\?next=[^"]*"\s+lang="en"[^>]*>English</a>', html)
    home = client.get("/").get_data(as_text=True)
    # The signed-out home page greets in both languages, each phrase in its own lang.
    assert '<span lang="en">Welcome to Border Business Travel.</span>' in home
    assert '<span lang="fr">Bienvenue' in home
    back = client.get("/language/en?next=/register")
    assert back.headers["Location"] == "/register"
    page = client.get("/register")
    assert '<html lang="en">' in page.get_data(as_text=True)
    assert page.headers["Content-Language"] == "en"


def test_the_switch_keeps_the_page_and_never_leaves_the_site(client):
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.get("/language/fr", query_string={"next": target})
        assert response.headers["Location"] == "/", target
    assert client.get("/language/de?next=/").status_code == 404


def test_the_browser_language_is_used_until_the_visitor_chooses(client):
    page = client.get("/login", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr">' in page.get_data(as_text=True)
    client.get("/language/en?next=/login")
    page = client.get("/login", headers={"Accept-Language": "fr-CA,fr;q=0.9"})
    assert '<html lang="en">' in page.get_data(as_text=True)  # the choice wins


@pytest.mark.parametrize("role", ["traveler", "officer"])
def test_the_switch_is_remembered_for_the_signed_in_person(app, client, seed, role):
    email = seed.user(role)
    assert sign_in(client, email).status_code == 302
    home = "/my/" if role == "traveler" else "/officer/"
    assert '<html lang="en">' in client.get(home).get_data(as_text=True)
    switched = client.get(f"/language/fr?next={home}")
    assert switched.headers["Location"] == home
    assert '<html lang="fr">' in client.get(home).get_data(as_text=True)
    with app.app_context():
        person = user(email)
        assert person.preferred_language == "fr"
        if role == "traveler" and person.profile is not None:
            assert person.profile.preferred_language == "fr"
    # Remembered on the account: a new browser (no cookie) that signs in reads French.
    other = app.test_client()
    assert sign_in(other, email).status_code == 302
    assert '<html lang="fr">' in other.get(home).get_data(as_text=True)


def test_staff_choose_their_language_and_time_zone(app, client, seed):
    from tests.unit.test_web_auth import csrf_token  # noqa: PLC0415
    email = seed.user("supervisor", country="CA")
    assert sign_in(client, email).status_code == 302
    page = client.get("/account/language").get_data(as_text=True)
    assert '<label for="language-1" lang="fr">Français</label>' in page
    saved = client.post("/account/language", data={
        "csrf_token": csrf_token(client, "/account/language"), "language": "fr",
        "time_zone": "America/Vancouver"}, follow_redirects=True)
    html = saved.get_data(as_text=True)
    assert '<html lang="fr">' in html and "Votre langue et votre fuseau horaire" in html
    assert 'value="America/Vancouver" selected' in html or \
        'selected value="America/Vancouver"' in html
    with app.app_context():
        person = user(email)
        assert (person.preferred_language, person.time_zone) == ("fr", "America/Vancouver")
    refused = client.post("/account/language", data={
        "csrf_token": csrf_token(client, "/account/language"), "language": "fr",
        "time_zone": "Mars/Olympus"})
    assert refused.status_code == 200 and "Mars/Olympus" not in refused.get_data(as_text=True)


def test_form_errors_read_in_french(app, client, seed):
    """WTForms' own messages (a choice outside the list) come in French too."""
    from tests.unit.test_web_auth import csrf_token  # noqa: PLC0415
    email = seed.user("officer", country="US")
    assert sign_in(client, email).status_code == 302
    client.get("/language/fr?next=/")
    refused = client.post("/account/language", data={
        "csrf_token": csrf_token(client, "/account/language"), "language": "xx",
        "time_zone": "Mars/Olympus"})
    html = _check_french(refused, "/account/language")
    assert "Il y a un problème" in html and "N&#39;est pas un choix valide." in html


@pytest.mark.usefixtures("reference_cleanup")  # the new queue: reference data is kept
def test_an_admin_names_a_queue_in_both_languages(app, client, seed):
    from tests.unit.test_web_auth import csrf_token  # noqa: PLC0415
    assert sign_in(client, seed.user("admin")).status_code == 302
    client.get("/language/fr?next=/")  # the admin reads French; each name stays in its column
    created = client.post("/admin/queues/new", data={
        "csrf_token": csrf_token(client, "/admin/queues/new"), "code": "US-LATER",
        "name": "Later arrivals", "name_fr": "Arrivées tardives", "country": "US",
        "sla_business_days": "5"})
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    with app.app_context():
        queue = db.session.scalars(sa.select(AdjudicationQueue).where(
            AdjudicationQueue.code == "US-LATER")).one()
        assert (queue.name_en, queue.name_fr) == ("Later arrivals", "Arrivées tardives")
        queue_id = queue.id
    form = client.get(f"/admin/queues/{queue_id}").get_data(as_text=True)
    assert 'value="Later arrivals"' in form and 'value="Arrivées tardives"' in form
    assert "Arrivées tardives" in client.get("/admin/").get_data(as_text=True)
    client.get("/language/en?next=/")
    assert "Later arrivals" in client.get("/admin/").get_data(as_text=True)


def test_a_first_profile_keeps_the_language_being_read(client, seed):
    assert sign_in(client, seed.user("traveler")).status_code == 302
    client.get("/language/fr?next=/")
    html = client.get("/my/profile").get_data(as_text=True)
    assert re.search(r'<input checked[^>]*name="preferred_language"[^>]*value="fr"', html), \
        re.findall(r'<input[^>]*preferred_language[^>]*>', html)


def test_reference_names_on_the_pages_are_the_french_ones(app, scenario):
    """Names read straight from a column (a query of code and name) must be the reader's
    too: the supervisor's queue table, the case page's queue, the traveler's category."""
    pages = {"supervisor": "/supervisor/",
             "officer": f"/officer/cases/{scenario.receipts['in_review']}",
             "traveler": f"/my/petitions/{scenario.receipts['queued']}"}
    for role, url in pages.items():
        client = app.test_client()
        assert sign_in(client, scenario.emails[role]).status_code == 302
        html = client.get(url).get_data(as_text=True)
        assert "Arche de la Paix de Blaine (Washington)" in html, (role, url)
        assert "Blaine Peace Arch, WA" not in html, (role, url)
