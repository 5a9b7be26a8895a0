"""What leaves the portal in French: API answers (Accept-Language wins, else the caller's
language; Content-Language names it; codes never translated), the decision email and the
PDF notice in the traveler's language whoever decided, times in the reader's zone."""
from datetime import UTC, date, timedelta

import sqlalchemy as sa
from babel.dates import format_date

from tests.unit.conftest import assert_error
from tests.unit.test_notices import download, pdf_text
from tests.unit.test_notification_text import _email_of, _prefers
from traveler_portal.domain import languages
from traveler_portal.extensions import db
from traveler_portal.models import User

TODAY = date.today()


def test_an_api_error_is_in_french_when_asked(api):
    caller = api("traveler")
    french = assert_error(caller.get("/petitions/US-2026-NOPE00",
                                     headers={"Accept-Language": "fr-CA,fr;q=0.9"}),
                          404, "not_found")
    english = assert_error(caller.get("/petitions/US-2026-NOPE00",
                                      headers={"Accept-Language": "en"}), 404, "not_found")
    assert french["message"] != english["message"]
    response = caller.get("/countries/MX/categories", headers={"Accept-Language": "fr"})
    assert response.headers["Content-Language"] == "fr"
    assert assert_error(response, 404, "not_found")["message"] == \
        "Les pays possibles sont US et CA."  # the code stays "not_found": never translated


def test_the_api_answers_in_the_callers_language_unless_asked_otherwise(app, api):
    caller = api("officer", country="US")
    with app.app_context():
        languages.set_language(db.session.scalars(
            sa.select(User).where(User.email == caller.email)).one(), "fr")
    mine = caller.get("/reason-codes")
    assert mine.headers["Content-Language"] == "fr"
    reason = {r["code"]: r for r in mine.get_json()["items"]}["NOT_ELIGIBLE_CATEGORY"]
    assert reason["title"] == "Non admissible à la catégorie"
    assert reason["explanation"].startswith("L'activité ou l'emploi décrit")
    asked = caller.get("/reason-codes", headers={"Accept-Language": "en"})
    assert asked.headers["Content-Language"] == "en"
    reason = {r["code"]: r for r in asked.get_json()["items"]}["NOT_ELIGIBLE_CATEGORY"]
    assert reason["title"] == "Not eligible for the category"


def test_reference_data_is_served_in_french(api):
    caller = api("traveler")
    french = caller.get("/countries/US/categories", headers={"Accept-Language": "fr"})
    tn = {c["code"]: c for c in french.get_json()["items"]}["TN"]
    assert tn["name"] == "Professionnel de l'ACEUM (TN-1)"
    assert {d["kind"]: d["name"] for d in tn["required_documents"]}["passport"] == "Passeport"
    ports = caller.get("/countries/US/ports", headers={"Accept-Language": "fr"}).get_json()
    names = {p["code"]: p["name"] for p in ports["items"]}
    assert names["YUL-PRECLEARANCE"] == \
        "Aéroport international Montréal-Trudeau (précontrôle américain)"
    english = caller.get("/countries/US/ports", headers={"Accept-Language": "en"}).get_json()
    assert {p["code"] for p in english["items"]} == set(names)  # codes are the same


def _decided_in_french(api, seed, decision: dict):
    traveler, officer = api("traveler", name="Amélie Tremblay"), api("officer", country="US")
    _prefers(seed.app, traveler.email, "fr")
    receipt = seed.queued(traveler.email)
    # The officer works in English: the traveler still reads French.
    assert officer.post("/queues/US-BLAINE/claim", headers={"Accept-Language": "en"}) \
        .get_json()["receipt_number"] == receipt
    response = officer.post(f"/petitions/{receipt}/decision", json=decision,
                            headers={"Accept-Language": "en"})
    assert response.status_code == 200, response.get_json()
    return traveler, receipt


def test_the_decision_email_and_notice_are_in_the_travelers_french(api, seed):
    until = TODAY + timedelta(days=365)
    traveler, receipt = _decided_in_french(api, seed, {
        "outcome": "approved", "valid_until": until.isoformat(), "message": "Bon voyage."})
    email = _email_of(seed.app, traveler.email, "decision")
    assert email.subject == f"{receipt}\u00a0: Dossier approuvé"
    for expected in ("Bonjour Amélie Tremblay", "Professionnel de l'ACEUM (TN-1)",
                     "Arche de la Paix de Blaine (Washington)",
                     f"Valide du {format_date(TODAY, 'long', locale='fr')} "
                     f"au {format_date(until, 'long', locale='fr')}."):
        assert expected in email.body, (expected, email.body)
    assert "Valid from" not in email.body and "Hello" not in email.body

    [notice] = traveler.get(f"/petitions/{receipt}").get_json()["notices"]
    text = pdf_text(download(traveler, notice["url"]).data)
    for expected in ("Avis de décision", f"Notice of decision – {receipt}",  # other language
                     "Numéro de reçu", "Professionnel de l'ACEUM (TN-1)",
                     "Arche de la Paix de Blaine (Washington)", "Approbation",
                     format_date(until, "long", locale="fr_CA"), "Bon voyage."):
        assert expected in text, (expected, text)
    assert "Receipt number" not in text and "Approved" not in text


def test_a_french_denial_gives_reasons_in_french_on_the_notice(api, seed):
    traveler, receipt = _decided_in_french(api, seed, {
        "outcome": "denied", "reason_codes": ["TEMPORARY_INTENT_NOT_SHOWN"],
        "message": "Vos liens au Canada ne sont pas démontrés."})
    supervisor = api("supervisor", country="US")
    assert supervisor.post(f"/petitions/{receipt}/denial-review",
                           json={"action": "approve"}).status_code == 200
    [notice] = traveler.get(f"/petitions/{receipt}").get_json()["notices"]
    text = pdf_text(download(traveler, notice["url"]).data)
    for expected in ("Intention de séjour temporaire non démontrée",
                     "(TEMPORARY_INTENT_NOT_SHOWN)",
                     "Vous n'avez pas démontré votre intention de séjourner temporairement."):
        assert expected in text, (expected, text)
    body = _email_of(seed.app, traveler.email, "decision").body
    assert "Intention de séjour temporaire non démontrée (TEMPORARY_INTENT_NOT_SHOWN)" in body


def test_times_are_shown_in_the_readers_zone_with_the_zone_named(app):
    from datetime import datetime  # noqa: PLC0415

    from traveler_portal import i18n  # noqa: PLC0415
    moment = datetime(2026, 7, 1, 16, 5, tzinfo=UTC)
    with app.test_request_context("/"):
        app.config["DEFAULT_TIME_ZONE"] = "America/Vancouver"
        try:
            from flask_babel import force_locale, refresh  # noqa: PLC0415
            refresh()
            with force_locale("en"):
                english = i18n.when(moment)
            with force_locale("fr"):
                french = i18n.when(moment)
        finally:
            app.config["DEFAULT_TIME_ZONE"] = "America/Toronto"
    assert english == "July 1, 2026, 9:05\u202fAM PDT", english
    assert french == "1 juillet 2026, 09 h 05 HAP", french


def test_an_officer_reads_times_in_the_zone_of_their_port_unless_they_choose(app, make):
    from traveler_portal import i18n  # noqa: PLC0415
    from traveler_portal.models import AdjudicationQueue  # noqa: PLC0415
    officer = make.user("officer", country="US")
    assert i18n.time_zone_of(officer) == app.config["DEFAULT_TIME_ZONE"]  # no queue yet
    for code in ("US-TRIAGE", "US-BLAINE"):  # triage has no port: the first port's zone
        queue = db.session.scalars(sa.select(AdjudicationQueue).where(
            AdjudicationQueue.code == code)).one()
        queue.officers.append(officer)
    db.session.commit()
    assert i18n.time_zone_of(officer) == "America/Los_Angeles"
    languages.set_time_zone(officer, "America/Halifax")
    assert i18n.time_zone_of(officer) == "America/Halifax"


def test_numbers_and_money_follow_the_readers_locale(app, client, seed):
    from tests.unit.test_web_auth import sign_in  # noqa: PLC0415
    email = seed.user("traveler")
    receipt = seed.draft(email)
    with app.app_context():
        from traveler_portal.models import Petition  # noqa: PLC0415
        petition = db.session.scalars(sa.select(Petition).where(
            Petition.receipt_number == receipt)).one()
        petition.salary, petition.salary_currency = "95000.50", "CAD"
        db.session.commit()
    assert sign_in(client, email).status_code == 302
    client.get("/language/fr?next=/")
    html = client.get(f"/my/filing/{receipt}/review").get_data(as_text=True)
    assert "95\u202f000,50\u00a0$" in html, html[html.find("Salaire"):][:300]
    client.get("/language/en?next=/")
    html = client.get(f"/my/filing/{receipt}/review").get_data(as_text=True)
    assert "CA$95,000.50" in html


def test_routing_reasons_are_recorded_once_and_read_in_each_language(api, seed):
    traveler, officer = api("traveler"), api("officer", country="US")
    receipt = seed.queued(traveler.email)
    english = officer.get(f"/petitions/{receipt}", headers={"Accept-Language": "en"})
    french = officer.get(f"/petitions/{receipt}", headers={"Accept-Language": "fr"})
    assert english.get_json()["agency"]["routing_reason"] == "Rule US-BLAINE"
    assert french.get_json()["agency"]["routing_reason"] == "Règle US-BLAINE"


def test_the_weekly_digest_goes_to_each_person_in_their_language(app, make):
    from traveler_portal.domain import digest  # noqa: PLC0415
    org_name = "Érable Digest ltée"
    english = make.user("employer", organization=org_name, name="Jordan Lee")
    french = make.user("employer", organization=org_name, name="Sylvie Roy")
    languages.set_language(french, "fr")
    traveler = make.user("traveler", organization=org_name)
    make.submitted(traveler, days_ahead=10)  # travel within 30 days, no decision yet
    messages = dict(digest._messages(english.organization, TODAY))
    assert "Your weekly digest" in messages[english.id].get_content()
    body = messages[french.id].get_content()
    assert "Votre résumé hebdomadaire pour Érable Digest ltée" in body, body
    assert "Voyages dans les 30 prochains jours sans décision (1)" in body, body
    assert "résumé hebdomadaire" in messages[french.id]["Subject"]


def test_a_webhook_names_the_event_in_both_languages_whoever_caused_it(app, make):
    from flask_babel import force_locale  # noqa: PLC0415

    from traveler_portal.models import WebhookDelivery, WebhookEndpoint  # noqa: PLC0415
    org_name = "Érable Webhooks ltée"
    employer = make.user("employer", organization=org_name)
    db.session.add(WebhookEndpoint(organization_id=employer.organization_id,
                                   url="https://hooks.example/x", secret="s" * 32))
    db.session.commit()
    traveler = make.user("traveler", organization=org_name)
    with app.test_request_context("/", headers={"Accept-Language": "fr"}), force_locale("fr"):
        make.submitted(traveler)  # submitted by someone reading French
    make.fan_out_events()
    payload = db.session.scalars(sa.select(WebhookDelivery)).first().payload
    assert payload["data"]["title"] == payload["data"]["titles"]["en"]
    assert payload["data"]["titles"]["en"] != payload["data"]["titles"]["fr"]
