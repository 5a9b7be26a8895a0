"""The port officer's pages, the supervisor's view of the ports and the public processing
times, through the Flask client (rendered HTML, by endpoint)."""
import html
from datetime import date, timedelta

import sqlalchemy as sa

from tests.unit.arrival_helpers import BORN, PASSPORT, approved, inspection, with_identity
from tests.unit.test_web_auth import csrf_token, sign_in, where
from traveler_portal.domain import processing_times
from traveler_portal.extensions import db
from traveler_portal.models import Arrival

ORG = "Maple Robotics Ltd."


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _signed_in(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code in (302, 303)
    return client


def _case(api, seed, app):
    employer = seed.user("employer", organization=ORG)
    traveler = seed.user("traveler", organization=ORG)
    with_identity(app, traveler)
    return employer, traveler, approved(api, seed, traveler)


def _record_form(client, receipt, **fields):
    token = csrf_token(client, f"/port/cases/{receipt}")
    now = date.today()
    data = {"csrf_token": token, "outcome": "admitted", "port_of_entry": "BLAINE",
            "admitted_until": (now + timedelta(days=200)).isoformat(),
            "inspection_started_at": f"{now.isoformat()}T00:00", "reason_code": ""}
    data.update(fields)
    return client.post(f"/port/cases/{receipt}/arrivals", data=data)


def test_the_port_officer_looks_up_by_receipt_and_records_an_admission(api, seed, app):
    employer, traveler, receipt = _case(api, seed, app)
    port = _signed_in(app, seed.user("port_officer", country="US", port="BLAINE"))
    assert port.get("/").headers["Location"].endswith("/port/")
    token = csrf_token(port, "/port/")
    found = port.post("/port/lookup", data={"csrf_token": token, "receipt_number": receipt})
    assert where(found) == f"/port/cases/{receipt}"
    page = text(port.get(f"/port/cases/{receipt}"))
    assert "Identity" in page and PASSPORT in page and "Decision: approved" in page
    assert "Check before recording" not in page  # no warnings
    recorded = _record_form(port, receipt)
    assert where(recorded) == f"/port/cases/{receipt}", text(recorded)[:3000]
    for email, path in ((traveler, f"/my/petitions/{receipt}"),
                        (employer, f"/employer/petitions/{receipt}")):
        shown = text(_signed_in(app, email).get(path))
        assert "At the border" in shown
        assert shown.count("Admitted at Blaine Peace Arch, WA on ") == 2  # panel, timeline


def test_warnings_are_acknowledged_before_recording(api, seed, app):
    _employer, _traveler, receipt = _case(api, seed, app)
    port = _signed_in(app, seed.user("port_officer", country="US", port="BUFFALO-PEACE"))
    page = text(port.get(f"/port/cases/{receipt}"))
    assert "Check before recording" in page and "another port of entry" in page
    refused = _record_form(port, receipt, port_of_entry="BUFFALO-PEACE")
    assert refused.status_code == 422
    assert "tick this box" in text(refused)
    assert _record_form(port, receipt, port_of_entry="BUFFALO-PEACE",
                        checked_warnings="y").status_code == 302
    again = _record_form(port, receipt, port_of_entry="BUFFALO-PEACE", checked_warnings="y")
    assert again.status_code == 422 and "record another crossing" in text(again)
    assert _record_form(port, receipt, port_of_entry="BUFFALO-PEACE", checked_warnings="y",
                        another_crossing="y").status_code == 302


def test_a_passport_lookup_miss_reads_like_no_match(api, seed, app):
    _employer, _traveler, receipt = _case(api, seed, app)
    port = _signed_in(app, seed.user("port_officer", country="US"))
    token = csrf_token(port, "/port/")
    miss = port.post("/port/lookup", data={"csrf_token": token, "passport_number": PASSPORT,
                                           "date_of_birth": "1999-01-01"})
    assert miss.status_code == 200 and "No case matches" in text(miss)
    hit = port.post("/port/lookup", data={"csrf_token": token, "passport_number": PASSPORT,
                                          "date_of_birth": BORN.isoformat()})
    assert where(hit) == f"/port/cases/{receipt}"
    other = _signed_in(app, seed.user("port_officer", country="CA"))
    assert other.get(f"/port/cases/{receipt}").status_code == 404


def test_only_port_officers_open_the_port_pages(app, seed):
    for role in ("traveler", "officer", "supervisor"):
        client = _signed_in(app, seed.user(role))
        assert client.get("/port/").status_code == 404


def test_quick_entries_and_the_supervisors_view_of_the_ports(api, seed, app):
    _employer, _traveler, receipt = _case(api, seed, app)
    port_api = api("port_officer", country="US", port="BLAINE")
    assert port_api.post(f"/petitions/{receipt}/arrivals",
                         json=inspection(minutes=3)).status_code == 201
    port = _signed_in(app, seed.user("port_officer", country="US", port="BLAINE"))
    token = csrf_token(port, "/port/no-pre-adjudication")
    day = (date.today() - timedelta(days=1)).isoformat()  # wholly past, whatever the hour
    quick = port.post("/port/no-pre-adjudication", data={
        "csrf_token": token, "outcome": "secondary", "category": "TN",
        "port_of_entry": "BLAINE", "inspection_started_at": f"{day}T10:00",
        "inspection_ended_at": f"{day}T10:25", "reason_code": ""})
    assert where(quick) == "/port/", text(quick)[:2000]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Arrival).where(
            Arrival.petition_id.is_(None))) == 1

    supervisor = _signed_in(app, seed.user("supervisor", country="US"))
    response = supervisor.get("/supervisor/ports?port=BLAINE")
    page = text(response)
    assert response.status_code == 200, page[page.find("<main"):][:1500]
    assert "Blaine Peace Arch, WA" in page and 'id="chart-minutes"' in page
    row = page.split('id="ports-table"')[1].split("</tr>")[1]
    assert ">2<" in row and ">3.0<" in row and ">25.0<" in row  # arrivals; minutes
    assert 'id="categories-table"' in page
    csv = supervisor.get("/supervisor/ports.csv?port=BLAINE")
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).strip().splitlines()
    assert lines[0].startswith("inspection_started_at,") and len(lines) == 3
    assert any(receipt in line for line in lines) and PASSPORT not in csv.get_data(as_text=True)
    assert _signed_in(app, seed.user("supervisor", country="CA")).get(
        "/supervisor/ports.csv").get_data(as_text=True).count("\n") == 1


def test_processing_times_are_published_from_the_periodic_computation(api, seed, app, client):
    traveler = seed.user("traveler")
    approved(api, seed, traveler)
    empty = client.get("/api/v1/processing-times?country=US").get_json()
    assert empty == {"items": [], "computed_at": None}  # not computed per request
    with app.app_context():
        assert processing_times.recompute() == 1
        db.session.commit()
    body = client.get("/api/v1/processing-times?country=US").get_json()
    [row] = body["items"]
    assert row["queue"] == "US-BLAINE" and row["category"] == "TN"
    assert row["decisions"] == 1 and row["median_days"] == row["p80_days"] == 1  # within a day
    assert set(row) >= {"queue", "category", "median_days", "p80_days", "decisions",
                        "period_start", "period_end"} and body["computed_at"]
    assert traveler not in str(body)
    assert client.get("/api/v1/processing-times?country=CA").get_json()["items"] == []
    assert client.get("/api/v1/processing-times").status_code == 422
    page = text(client.get("/processing-times"))
    assert "Processing times" in page and "US-BLAINE" not in page
    assert 'id="table-US"' in page and "No decisions in the last 12 weeks yet." in page
    assert "/processing-times" in text(client.get("/"))


def test_the_figures_are_median_and_80th_percentile_rounded_up():
    assert processing_times.figures([1.2]) == (2, 2)
    assert processing_times.figures([0.0, 0.001]) == (1, 1)  # "within a day", not 0
    # 80th percentile: 4 + 0.2 × (10 − 4) = 5.2, rounded up
    assert processing_times.figures([1, 2, 3, 4, 10]) == (3, 6)


def test_who_may_open_what_between_ports_officers_and_supervisors(api, seed, app):
    _employer, _traveler, receipt = _case(api, seed, app)
    port_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("port.")]
    assert {r.endpoint for r in port_rules} >= {"port.lookup", "port.lookup_post", "port.case",
                                                "port.record_arrival", "port.document",
                                                "port.quick_entry"}
    assert all(app.view_functions[r.endpoint].permission == ("port_officer",)
               for r in port_rules)
    port = _signed_in(app, seed.user("port_officer", country="US"))
    for path in ("/officer/", f"/officer/cases/{receipt}", "/supervisor/ports",
                 "/supervisor/ports.csv", "/employer/", "/my/"):
        assert port.get(path).status_code == 404, path
    token = csrf_token(port, "/port/")
    assert port.post(f"/officer/cases/{receipt}/decision",
                     data={"csrf_token": token, "outcome": "denied"}).status_code == 404
    officer = _signed_in(app, seed.user("officer", country="US"))
    for path in ("/port/", f"/port/cases/{receipt}", "/port/no-pre-adjudication"):
        assert officer.get(path).status_code == 404, path


def test_several_cases_are_listed_and_too_many_misses_are_refused(api, seed, app):
    _employer, traveler, first = _case(api, seed, app)
    second = approved(api, seed, traveler)
    port = _signed_in(app, seed.user("port_officer", country="US"))
    token = csrf_token(port, "/port/")
    both = port.post("/port/lookup", data={"csrf_token": token, "passport_number": PASSPORT,
                                           "date_of_birth": BORN.isoformat()})
    assert both.status_code == 200
    table = text(both).split("Cases found, newest first")[1]
    assert first in table and second in table
    for _ in range(5):
        assert port.post("/port/lookup", data={
            "csrf_token": token, "passport_number": "ZZ000000",
            "date_of_birth": "1970-01-01"}).status_code == 200
    refused = port.post("/port/lookup", data={"csrf_token": token, "passport_number": PASSPORT,
                                              "date_of_birth": BORN.isoformat()})
    assert refused.status_code == 429 and "look the traveler up by receipt number" in \
        text(refused)


def test_the_processing_times_page_shows_real_figures_after_seed_demo(app, client):
    """A newcomer's first look: seed-demo decides a case and computes the figures, so the
    public page and API show them at once."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    items = client.get("/api/v1/processing-times?country=US").get_json()["items"]
    assert items and all(i["decisions"] >= 1 and i["median_days"] >= 1 for i in items)
    page = client.get("/processing-times").get_data(as_text=True)
    assert items[0]["category"] in page
