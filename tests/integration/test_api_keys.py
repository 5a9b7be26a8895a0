"""API keys act for their organization, within their scope, until revoked."""
import re
from datetime import date, timedelta

from tests import factories
from tests.factories import PASSWORD
from traveler_portal.domain import integrations
from traveler_portal.extensions import db


def bearer(key):
    return {"Authorization": f"Bearer {key}"}


def new_petition(traveler_email):
    return {"destination_country": "US", "category": "TN", "port_of_entry": "BLAINE",
            "travel_date": (date.today() + timedelta(days=20)).isoformat(),
            "job_title": "Analyst", "employer_name": "Maple Robotics Ltd.",
            "traveler_email": traveler_email}


def test_keys_read_or_write_for_the_organization_until_revoked(client, make):
    admin = make.user("employer", organization="Maple Robotics Ltd.")
    traveler = make.user("traveler", organization="Maple Robotics Ltd.")
    stranger = make.user("traveler")
    mine = make.draft(traveler).receipt_number
    theirs = make.draft(stranger).receipt_number
    read_key, read_row = integrations.create_key(admin, "Dashboard", "read")
    write_key, write_row = integrations.create_key(admin, "Workday sync", "read_write")
    assert read_row.key_hash != read_key and read_key not in str(read_row.__dict__)
    db.session.commit()  # end this context's transaction: the client's requests come next

    listed = client.get("/api/v1/petitions", headers=bearer(read_key))
    assert [p["receipt_number"] for p in listed.json["items"]] == [mine]
    assert client.get(f"/api/v1/petitions/{theirs}", headers=bearer(read_key)).status_code == 404
    refused = client.post("/api/v1/petitions", json=new_petition(traveler.email),
                          headers=bearer(read_key))
    assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden"

    filed = client.post("/api/v1/petitions", json=new_petition(traveler.email),
                        headers=bearer(write_key))
    assert filed.status_code == 201, filed.json
    assert filed.json["organization"]["name"] == "Maple Robotics Ltd."

    integrations.revoke_key(admin, write_row.id)
    gone = client.get("/api/v1/petitions", headers=bearer(write_key))
    assert gone.status_code == 401 and gone.json["error"]["code"] == "unauthenticated"
    db.session.refresh(read_row)
    assert read_row.last_used_at is not None


def test_the_key_page_shows_a_new_key_once(app, client):
    # The user is made in a context of its own: the client's requests then run as in
    # production, each with its own context (no shared login state or session).
    with app.app_context():
        admin_email = factories.user("employer").email
    login = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login.text).group(1)
    client.post("/login", data={"email": admin_email, "password": PASSWORD, "csrf_token": token})
    page = client.get("/employer/integrations/")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    created = client.post("/employer/integrations/keys",
                          data={"name": "Workday", "scope": "read", "csrf_token": token})
    key = re.search(r'value="(bbt_[^"]+)"', created.text).group(1)
    assert client.get("/api/v1/me", headers=bearer(key)).json["email"] == admin_email
    again = client.get("/employer/integrations/")
    assert "Workday" in again.text and key not in again.text
    empty = client.post("/employer/integrations/keys", data={"name": "", "scope": "read",
                                                             "csrf_token": token})
    assert empty.status_code == 422 and "Name the key" in empty.text
