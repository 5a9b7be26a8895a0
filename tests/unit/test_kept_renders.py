"""What the request path keeps between requests to render faster (issue 16) shows each
reader what it showed before: a moment in their own zone and language, the case page's
evidence rows as typed after a refused decision, in the page's language."""
from datetime import UTC, datetime
from types import SimpleNamespace

from flask_babel import force_locale

from tests.unit.test_case_decision_page import claimed
from tests.unit.test_web_auth import csrf_token, sign_in
from traveler_portal import i18n


def _reader(zone):
    return SimpleNamespace(time_zone=zone, is_authenticated=False)


def test_the_same_moment_is_written_in_each_readers_zone(app):
    moment = datetime(2026, 7, 1, 16, 5, tzinfo=UTC)
    with app.test_request_context():
        with i18n.writing_for(_reader("America/Toronto")):
            toronto = i18n.when(moment)
        with i18n.writing_for(_reader("America/Vancouver")):
            vancouver = i18n.when(moment)
        with i18n.writing_for(_reader("America/Toronto")):
            assert i18n.when(moment) == toronto
    assert toronto == "July 1, 2026, 12:05\u202fPM EDT"
    assert vancouver == "July 1, 2026, 9:05\u202fAM PDT"


def test_a_moment_and_a_day_follow_the_language_chosen_mid_request(app):
    moment = datetime(2026, 7, 1, 16, 5, tzinfo=UTC)
    with app.test_request_context():
        with i18n.writing_for(_reader("America/Toronto")):
            english = (i18n.when(moment), i18n.day(moment.date()))
        with i18n.writing_for(_reader("America/Toronto")), force_locale("fr"):
            french = (i18n.when(moment), i18n.day(moment.date()))
    assert english == ("July 1, 2026, 12:05\u202fPM EDT", "July 1, 2026")
    assert french[1] == "1 juillet 2026" and french[0].startswith("1 juillet 2026, 12 h 05")


def test_typed_evidence_rows_come_back_as_typed_after_a_refusal(api, seed, app):
    _traveler, officer, receipt = claimed(api, seed)
    web = app.test_client()
    sign_in(web, officer.email)
    path = f"/officer/cases/{receipt}"
    blank = web.get(f"{path}?outcome=evidence_requested").get_data(as_text=True)
    assert 'name="item2_requirement" type="text" value=""' in blank
    assert "<details class=\"more-items\">" in blank
    refused = web.post(f"{path}/decision", data={
        "csrf_token": csrf_token(web, path), "outcome": "evidence_requested",
        "item2_requirement": "Pay slips", "item2_reason": "x" * 2001})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert 'value="Pay slips"' in html and "<details class=\"more-items\" open>" in html
    # and the untouched rows of the next page are blank again, in the page's language
    again = web.get(f"{path}?outcome=evidence_requested").get_data(as_text=True)
    assert 'value="Pay slips"' not in again and blank.count("evidence-row") == \
        again.count("evidence-row") == 5
    french = web.get(f"{path}?outcome=evidence_requested",
                     headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Élément 1" in french and "Item 1<" not in french
