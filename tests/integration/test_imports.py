"""Bulk import of employees on the live stack (gunicorn, the real Celery worker on the
"imports" queue): a 5,000-row file with 100 bad rows finishes with the right counts while
the progress endpoint is seen part way; the rejected rows' report gives the reason per
row; the same file again, or the same people in another file, creates nothing new;
malformed files are refused with a clear message and nothing is stored.

The live stack runs with IMPORT_SEND_INVITATIONS=0 (tests/live.py): the invitations are
created, not emailed, so 4,900 messages do not flood the mail sink."""
import csv
import io
import re
import time
from pathlib import Path

import sqlalchemy as sa

from tests.integration.test_schedules import twice_at_once
from tests.integration.web_helpers import Web, hidden_inputs
from traveler_portal.domain import employee_imports
from traveler_portal.extensions import db
from traveler_portal.models import EmployeeImport, Invitation, OutboxMessage

ORG = "Maple Robotics Ltd."


def employer_web(live_server, create_user) -> Web:
    email, password = create_user("employer", organization=ORG)
    return Web(live_server.url, email, password)


def upload(web: Web, data: bytes, filename="employees.csv"):
    token = hidden_inputs(web.get("/employer/imports/").text)["csrf_token"]
    return web.http.post(web.base + "/employer/imports/", data={"csrf_token": token},
                         files={"file": (filename, data, "text/csv")}, timeout=30,
                         allow_redirects=False)


def big_file() -> tuple[bytes, dict]:
    """5,000 rows: 4,900 good ones and 100 bad ones (bad email, no email, no name, an
    email repeated from an earlier row), with the expected reason per bad row number."""
    out, bad = io.StringIO(), {}
    writer = csv.writer(out)
    writer.writerow(["Name", "Email", "Department"])  # header in another order and case
    good = 0
    for row in range(2, 5002):
        if row % 50 == 0:  # 100 bad rows: rows 50, 100, ... 5000
            kind = (row // 50) % 4
            if kind == 0:
                writer.writerow([f"Bad {row}", f"not-an-email-{row}", "R&D"])
                bad[row] = "The email address is not valid."
            elif kind == 1:
                writer.writerow([f"Bad {row}", "", "R&D"])
                bad[row] = "The email address is missing."
            elif kind == 2:
                writer.writerow(["", f"noname{row}@maple-robotics.com", "R&D"])
                bad[row] = "The name is missing."
            else:
                writer.writerow([f"Again {row}", "employee1@maple-robotics.com", "R&D"])
                bad[row] = "The same email is on row 2 of the file."
            continue
        good += 1
        writer.writerow([f"Employée {good}", f"Employee{good}@Maple-Robotics.com", "R&D"])
    assert good == 4900 and len(bad) == 100
    return out.getvalue().encode("utf-8-sig"), bad


def progress(web: Web, import_id: int) -> dict:
    response = web.get(f"/employer/imports/{import_id}/progress")
    assert response.status_code == 200
    return response.json()


def wait_done(web: Web, import_id: int, seen: list, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = progress(web, import_id)
        seen.append(state["processed_rows"])
        if state["done"]:
            return state
        time.sleep(0.02)
    raise AssertionError(f"the import did not finish; last seen {seen[-3:]}")


def invitations_of(app, import_id=None) -> list[Invitation]:
    with app.app_context():
        query = sa.select(Invitation)
        if import_id is not None:
            query = query.where(Invitation.import_id == import_id)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def test_a_5000_row_import_with_100_bad_rows(app, live_server, create_user):
    web = employer_web(live_server, create_user)
    data, bad = big_file()
    started = upload(web, data)
    assert started.status_code == 303, started.text[-2000:]
    import_id = int(re.search(r"/employer/imports/(\d+)$", started.headers["Location"]).group(1))
    seen = []
    final = wait_done(web, import_id, seen)  # polled from the moment it is queued
    assert final["state"] == "finished", final
    assert (final["total_rows"], final["processed_rows"], final["accepted_rows"],
            final["duplicate_rows"], final["rejected_rows"]) == (5000, 5000, 4900, 0, 100)
    assert any(0 < value < 5000 for value in seen), seen  # the bar moved
    assert seen == sorted(seen)  # and never went back

    invited = invitations_of(app, import_id)
    assert len(invited) == 4900
    assert len({i.email for i in invited}) == 4900
    assert all(i.kind == "traveler" and not i.token_hash.startswith("pending")
               for i in invited)
    assert "employee17@maple-robotics.com" in {i.email for i in invited}  # normalised

    report = web.get(f"/employer/imports/{import_id}/rejected.csv")
    assert report.status_code == 200
    assert report.headers["Content-Disposition"].startswith("attachment;")
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert lines[0] == ["Row", "Email", "Reason"]
    assert {int(r[0]): r[2] for r in lines[1:]} == bad
    page = web.get(f"/employer/imports/{import_id}")
    assert page.status_code == 200 and "Finished: 5000 rows checked." in page.text
    assert "<progress" in page.text and 'src="/static/imports.js"' in page.text
    assert "<script>" not in page.text  # the CSP allows no inline script
    assert web.get("/static/imports.js").status_code == 200

    # The same file again: the earlier import, nothing new.
    again = upload(web, data, filename="copy.csv")
    assert again.status_code == 303
    assert again.headers["Location"].endswith(f"/employer/imports/{import_id}")
    assert "already imported" in web.get(again.headers["Location"]).text
    # The same people in another file (reordered, one new): only the new one is invited.
    text = data.decode("utf-8-sig").splitlines()
    reordered = "\n".join([text[0], *reversed(text[1:]), "New Person,new@maple-robotics.com,Ops"])
    second = upload(web, reordered.encode())
    second_id = int(second.headers["Location"].rsplit("/", 1)[1])
    assert second_id != import_id
    final = wait_done(web, second_id, [])
    assert (final["accepted_rows"], final["duplicate_rows"], final["rejected_rows"]) == \
        (1, 4900, 100)
    assert len(invitations_of(app)) == 4901
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EmployeeImport)) == 2


def test_malformed_files_are_refused_with_a_clear_message(app, live_server, create_user):
    web = employer_web(live_server, create_user)
    folder = Path(app.config["UPLOAD_DIR"]) / "imports"
    before = set(folder.iterdir()) if folder.exists() else set()
    cases = {
        "not UTF-8": ("name,email\nJosé,jose@maple-robotics.com\n".encode("latin-1"),
                      "not encoded in UTF-8"),
        "no header": (b"Jose,jose@maple-robotics.com\nAna,ana@maple-robotics.com\n",
                      "must be a header naming the columns email and name"),
        "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        "too large": (b"name,email\n" + b"Ana,ana@maple-robotics.com\n" * 300_000,
                      "larger than 5.0 MB"),
        "header only": (b"email,name\n", "no rows of employees"),
    }
    for label, (data, message) in cases.items():
        refused = upload(web, data)
        assert refused.status_code == 422, label
        assert message in refused.text, (label, refused.text[-1500:])
        assert 'class="error-summary"' in refused.text, label
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(EmployeeImport)) == 0
    assert (set(folder.iterdir()) if folder.exists() else set()) == before
    assert invitations_of(app) == []


def test_a_viewer_cannot_import_and_another_org_cannot_see_an_import(app, live_server,
                                                                      create_user):
    web = employer_web(live_server, create_user)
    started = upload(web, b"email,name\nana@maple-robotics.com,Ana\n")
    import_id = int(started.headers["Location"].rsplit("/", 1)[1])
    assert wait_done(web, import_id, [])["accepted_rows"] == 1
    email, password = create_user("employer", organization="Other Corp.")
    other = Web(live_server.url, email, password)
    assert other.get(f"/employer/imports/{import_id}/progress").status_code == 404
    assert other.get(f"/employer/imports/{import_id}/rejected.csv").status_code == 404
    with app.app_context():
        from traveler_portal.models import User  # noqa: PLC0415
        viewer = db.session.scalars(sa.select(User).where(User.email == email)).one()
        viewer.org_role = "viewer"
        db.session.commit()
    assert upload(other, b"email,name\nbo@other-corp.com,Bo\n").status_code == 403


# --- In-process: the task's domain function (emails on, reruns) -----------------------

def _invited(import_id) -> list[Invitation]:
    return db.session.scalars(sa.select(Invitation).where(
        Invitation.import_id == import_id)).all()


def _small_import(make, monkeypatch, app):
    monkeypatch.setitem(app.config, "IMPORT_BATCH_SIZE", 2)
    monkeypatch.setitem(app.config, "IMPORT_SEND_INVITATIONS", True)
    employer = make.user("employer", organization=ORG)
    make.user("traveler", organization=ORG, address="linked@maple-robotics.com")
    data = (b"email,name\nlinked@maple-robotics.com,Linked\na@maple-robotics.com,A\n"
            b"b@maple-robotics.com,B\nbad,C\nc@maple-robotics.com,\n"
            b"d@maple-robotics.com,D\n")
    job, new = employee_imports.start(employer, "small.csv", data)
    assert new and job.state == "queued" and job.total_rows == 6
    return job.id


def test_accepted_rows_are_queued_for_their_invitation_email(app, make, monkeypatch):
    import_id = _small_import(make, monkeypatch, app)
    assert employee_imports.run(import_id) == "finished"
    job = db.session.get(EmployeeImport, import_id)
    assert (job.accepted_rows, job.duplicate_rows, job.rejected_rows) == (3, 1, 2)
    assert [r["row"] for r in job.rejections] == [5, 6]
    ids = {i.id for i in _invited(import_id)}
    queued = db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.task_name == "organizations.send_invitation")).all()
    assert {m.args[0] for m in queued} == ids and len(queued) == 3
    assert [m.queue for m in db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.task_name == "employers.import_employees"))] == ["imports"]


def test_a_rerun_or_two_runs_at_once_create_each_invitation_once(app, make, monkeypatch):
    import_id = _small_import(make, monkeypatch, app)
    db.session.commit()
    results = twice_at_once(app, lambda: employee_imports.run(import_id))
    assert set(results) <= {"finished"}
    db.session.expire_all()
    assert len(_invited(import_id)) == 3
    # The worker died after its last batch, before marking the import finished.
    db.session.execute(sa.update(EmployeeImport).where(EmployeeImport.id == import_id)
                       .values(state="running", finished_at=None))
    db.session.commit()
    assert employee_imports.run(import_id) == "finished"
    job = db.session.get(EmployeeImport, import_id)
    assert (job.processed_rows, job.accepted_rows, job.rejected_rows) == (6, 3, 2)
    assert len(_invited(import_id)) == 3
