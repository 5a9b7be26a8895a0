"""Notices on the live stack (gunicorn, the real Celery worker routing the petition): a
confirmed denial's PDF carries the receipt number and the reason's plain words, is the
same bytes for the traveler and the employer every time, matches the stored sha256, and is
not found for anyone else."""
import hashlib
import io

import sqlalchemy as sa
from pypdf import PdfReader

from tests.integration.web_helpers import Web, queued_tn
from traveler_portal.extensions import db
from traveler_portal.models import Notice, Petition

ORG = "Laurentian Devices Inc."
DENY = {"outcome": "denied", "reason_codes": ["CREDENTIALS_INSUFFICIENT"],
        "message": "The licence is from another profession."}


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_a_confirmed_denial_notice_is_served_unchanged_to_traveler_and_employer(
        app, api, create_user, live_server):
    email, password = create_user("traveler", organization=ORG)
    from tests.live import Api
    traveler = Api(live_server.url).login(email, password)
    employer_email, employer_password = create_user("employer", organization=ORG)
    employer = Api(live_server.url).login(employer_email, employer_password)
    officer, supervisor = api("officer", country="US"), api("supervisor", country="US")
    receipt = queued_tn(traveler)
    assert officer.post("/queues/US-BLAINE/claim").json()["receipt_number"] == receipt
    assert officer.post(f"/petitions/{receipt}/decision", json=DENY).status_code == 200
    assert traveler.get(f"/petitions/{receipt}").json()["notices"] == []
    assert supervisor.post(f"/petitions/{receipt}/denial-review",
                           json={"action": "approve"}).status_code == 200

    [notice] = traveler.get(f"/petitions/{receipt}").json()["notices"]
    assert notice["kind"] == "decision"
    path = notice["url"].removeprefix("/api/v1")
    bodies = []
    for caller in (traveler, traveler, employer, employer):
        response = caller.get(path)
        assert response.status_code == 200, response.text[:300]
        assert response.headers["Content-Type"] == "application/pdf"
        bodies.append(response.content)
    assert len(set(bodies)) == 1 and bodies[0].startswith(b"%PDF")
    text = text_of(bodies[0])
    assert receipt in text and "CREDENTIALS_INSUFFICIENT" in text
    assert "8 CFR 214.6(c)" in text and "another profession" in text
    with app.app_context():
        rows = db.session.scalars(sa.select(Notice).join(Petition).where(
            Petition.receipt_number == receipt)).all()
        assert len(rows) == 1  # one notice, however often it is downloaded
        assert rows[0].sha256 == hashlib.sha256(bodies[0]).hexdigest()
        explanation = db.session.execute(sa.text(
            "SELECT explanation FROM reason_codes WHERE code = 'CREDENTIALS_INSUFFICIENT'"
        )).scalar()
    assert " ".join(explanation.split()) in text

    web = Web(live_server.url, employer_email, employer_password)
    href = f"/petitions/{receipt}/notices/{notice['id']}"
    assert f'href="{href}"' in web.get(f"/employer/petitions/{receipt}").text
    assert web.get(href).content == bodies[0]
    assert api("traveler").get(path).status_code == 404
    assert api("officer", country="CA").get(path).status_code == 404
