"""The audit trail: agency staff's views of cases and documents, claims, notes and
decisions are recorded with who, when and from where; supervisors filter it and export it
as CSV; nothing in the application updates or deletes an entry."""
import csv
import io
import re
from pathlib import Path

from tests.integration.web_helpers import Web, queued_tn
from tests.live import Api

ROOT = Path(__file__).resolve().parents[2]


def test_the_trail_lists_case_and_document_views_and_exports_csv(api, create_user,
                                                                 live_server):
    traveler = api("traveler")
    o_email, o_password = create_user("officer", country="US")
    s_email, s_password = create_user("supervisor", country="US")
    receipt = queued_tn(traveler)
    officer = Api(live_server.url).login(o_email, o_password)
    assert officer.post("/queues/US-BLAINE/claim").status_code == 200
    document_id = officer.get(f"/petitions/{receipt}").json()["documents"][0]["id"]
    assert officer.post(f"/petitions/{receipt}/notes", json={"note": "Looks fine."}) \
        .status_code == 204

    web = Web(live_server.url, o_email, o_password)
    assert web.get(f"/officer/cases/{receipt}").status_code == 200
    shown = web.get(f"/officer/cases/{receipt}/documents/{document_id}")
    assert shown.status_code == 200 and shown.headers["Content-Type"] == "application/pdf"
    assert web.get(f"/officer/cases/{receipt}/documents/no-such-document").status_code == 404

    supervisor = Web(live_server.url, s_email, s_password)
    page = supervisor.get("/supervisor/audit", params={"receipt_number": receipt}).text
    for action in ("case.claim", "case.note", "case.view", "document.view"):
        assert action in page, action
    assert document_id in page and o_email in page
    only_docs = supervisor.get("/supervisor/audit", params={"action": "document.view"}).text
    assert "document.view" in only_docs and "case.claim</td>" not in only_docs

    export = supervisor.get("/supervisor/audit.csv", params={"receipt_number": receipt})
    assert export.status_code == 200 and export.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    actions = [r["action"] for r in rows]
    assert actions.count("document.view") == 1  # the refused 404 view is not recorded
    assert {"case.claim", "case.note", "case.view", "document.view"} <= set(actions)
    view = next(r for r in rows if r["action"] == "document.view")
    assert view["actor_email"] == o_email and view["object_id"] == document_id
    assert view["receipt_number"] == receipt and view["ip_address"]
    assert "python-requests" in view["user_agent"] and view["country"] == "US"
    # Not for officers, travelers or the other country's supervisors.
    assert web.get("/supervisor/audit").status_code == 404
    c_email, c_password = create_user("supervisor", country="CA")
    other = Web(live_server.url, c_email, c_password).get("/supervisor/audit.csv").text
    assert receipt not in other


def test_the_application_has_no_path_that_changes_or_removes_an_audit_entry():
    """Append-only: no update or delete of audit_entries anywhere in the application."""
    pattern = re.compile(r"(sa\.)?(update|delete)\(\s*AuditEntry|audit_entries.*\b(UPDATE|"
                         r"DELETE)\b|\b(UPDATE|DELETE FROM)\s+audit_entries", re.I)
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "traveler_portal").rglob("*.py")
                 if pattern.search(path.read_text())]
    assert offenders == []
    source = (ROOT / "traveler_portal" / "domain" / "audit.py").read_text()
    assert "session.delete" not in source and ".update(" not in source
