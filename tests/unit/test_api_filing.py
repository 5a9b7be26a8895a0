"""Filing a petition through the API, and who may see it (shared/API.md, Petitions)."""
from datetime import date, timedelta

import pytest

from tests.unit.conftest import assert_error
from traveler_portal.models import Petition

REQUIRED = ["destination_country", "category", "port_of_entry", "travel_date", "job_title",
            "employer_name"]


def new_petition(**changes) -> dict:
    body = {"destination_country": "US", "category": "TN", "port_of_entry": "BLAINE",
            "travel_date": (date.today() + timedelta(days=30)).isoformat(),
            "job_title": "Structural engineer", "employer_name": "Cascade Bridges Inc."}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def refused(seed, caller, body, field, **kwargs) -> dict:
    """POST /petitions is refused with 422 naming ``field``, and nothing is saved."""
    before = seed.count(Petition)
    error = assert_error(caller.post("/petitions", json=body, **kwargs) if body is not None
                         else caller.post("/petitions", **kwargs), 422, "validation_failed")
    assert field in error.get("fields", {}), error
    assert seed.count(Petition) == before
    return error


def test_a_traveler_files_a_draft(api):
    traveler = api("traveler", organization="Maple Robotics Ltd.")
    response = traveler.post("/petitions", json=new_petition())
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "draft"
    assert body["receipt_number"].startswith(f"US-{date.today().year}-")
    assert (body["category"], body["port_of_entry"], body["destination_country"]) == (
        "TN", "BLAINE", "US")
    assert body["traveler"]["email"] == traveler.email
    assert body["organization"]["name"] == "Maple Robotics Ltd."
    for empty in ["queue", "submitted_at", "decided_at", "decision", "evidence_request"]:
        assert body[empty] is None, empty
    assert body["documents"] == [] and body["timeline"] == []
    assert traveler.get(f"/petitions/{body['receipt_number']}").get_json() == body


@pytest.mark.parametrize("missing", REQUIRED)
def test_each_missing_field_is_named(api, seed, missing):
    refused(seed, api("traveler"), new_petition(**{missing: None}), missing)


@pytest.mark.parametrize("blank", ["job_title", "employer_name"])
def test_a_blank_text_field_counts_as_missing(api, seed, blank):
    refused(seed, api("traveler"), new_petition(**{blank: "   "}), blank)


@pytest.mark.parametrize("changes,field", [
    ({"category": "H1B"}, "category"),                      # not a category at all
    ({"category": "CUSMA_PRO"}, "category"),                # a CA category sent with US
    ({"port_of_entry": "NOWHERE"}, "port_of_entry"),
    ({"port_of_entry": "DOUGLAS"}, "port_of_entry"),        # a CA port sent with US
    ({"destination_country": "MX"}, "destination_country"),
    ({"travel_date": "2001-01-01"}, "travel_date"),
    ({"travel_date": (date.today() - timedelta(days=1)).isoformat()}, "travel_date"),
    ({"travel_date": "next week"}, "travel_date"),
    ({"job_title": "x" * 201}, "job_title"),
])
def test_invalid_values_are_refused_and_nothing_is_saved(api, seed, changes, field):
    refused(seed, api("traveler"), new_petition(**changes), field)


def test_travel_today_is_accepted(api):
    response = api("traveler").post("/petitions", json=new_petition(
        travel_date=date.today().isoformat()))
    assert response.status_code == 201


@pytest.mark.parametrize("country,category,port", [("US", "E1E2", "BLAINE"),
                                                   ("CA", "CUSMA_TRADER_INVESTOR", "DOUGLAS")])
def test_a_trader_or_investor_category_is_sent_to_its_own_channel(api, seed, country,
                                                                  category, port):
    error = refused(seed, api("traveler"), new_petition(
        destination_country=country, category=category, port_of_entry=port), "category")
    assert "WRONG_CHANNEL" in error["fields"]["category"]


@pytest.mark.parametrize("body,content_type", [
    ("destination_country=US&category=TN", "application/x-www-form-urlencoded"),
    ("{not json", "application/json"),
    ('["a", "list"]', "application/json"),
    ("", "application/json"),
])
def test_a_body_that_is_not_a_json_object_is_refused(api, seed, body, content_type):
    refused(seed, api("traveler"), None, "body", data=body, content_type=content_type)


@pytest.mark.parametrize("address", ["ada.lovelace@example.com", "ada.lovelace@example.test"])
def test_an_employer_files_for_a_traveler_of_their_own_organization(api, seed, address):
    employer = api("employer", organization="Maple Robotics Ltd.")
    traveler_email = seed.user("traveler", organization="Maple Robotics Ltd.",
                               address=address)
    response = employer.post("/petitions", json=new_petition(traveler_email=traveler_email))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["traveler"]["email"] == traveler_email
    assert body["organization"]["name"] == "Maple Robotics Ltd."
    assert employer.get(f"/petitions/{body['receipt_number']}").status_code == 200


@pytest.mark.parametrize("whose", ["another organization's", "no one's", "omitted"])
def test_an_employer_cannot_file_for_anyone_else(api, seed, whose):
    employer = api("employer", organization="Maple Robotics Ltd.")
    email = {"another organization's": seed.user("traveler", organization="Other Corp.",
                                                  address="grace.hopper@example.com"),
             "no one's": "ghost@example.com", "omitted": None}[whose]
    refused(seed, employer, new_petition(traveler_email=email), "traveler_email")


def test_a_traveler_cannot_see_or_touch_another_travelers_petition(api, seed):
    owner = api("traveler")
    stranger = api("traveler")
    receipt = seed.draft(owner.email)
    expected = {"GET": stranger.get(f"/petitions/{receipt}")}
    before = seed.petition(receipt)
    expected["upload"] = stranger.upload(receipt)
    expected["submit"] = stranger.post(f"/petitions/{receipt}/submit")
    expected["withdraw"] = stranger.post(f"/petitions/{receipt}/withdraw")
    unknown = stranger.get("/petitions/US-2020-ZZZZZZ")
    for what, response in expected.items():
        error = assert_error(response, 404, "not_found")
        assert error == assert_error(unknown, 404, "not_found"), what  # no existence oracle
    assert seed.petition(receipt) == before
    assert receipt not in str(stranger.get("/petitions").get_json())


def test_an_employer_sees_only_their_organizations_petitions(api, seed):
    employer = api("employer", organization="Maple Robotics Ltd.")
    ours = seed.draft(seed.user("traveler", organization="Maple Robotics Ltd."))
    theirs = seed.draft(seed.user("traveler", organization="Other Corp."))
    assert employer.get(f"/petitions/{ours}").status_code == 200
    assert_error(employer.get(f"/petitions/{theirs}"), 404, "not_found")
    assert_error(employer.upload(theirs), 404, "not_found")
    listed = [p["receipt_number"] for p in employer.get("/petitions").get_json()["items"]]
    assert listed == [ours]


def test_officers_see_only_their_countrys_petitions_and_never_drafts(api, seed):
    traveler = api("traveler")
    us_officer, ca_officer = api("officer", country="US"), api("officer", country="CA")
    us_draft = seed.draft(traveler.email)
    us_queued = seed.queued(traveler.email)
    ca_queued = seed.queued(traveler.email, country="CA", category="BV", port="DOUGLAS")

    assert us_officer.get(f"/petitions/{us_queued}").status_code == 200
    assert ca_officer.get(f"/petitions/{ca_queued}").status_code == 200
    assert_error(ca_officer.get(f"/petitions/{us_queued}"), 404, "not_found")
    assert_error(us_officer.get(f"/petitions/{ca_queued}"), 404, "not_found")
    assert_error(us_officer.get(f"/petitions/{us_draft}"), 404, "not_found")
    listed = [p["receipt_number"] for p in us_officer.get("/petitions").get_json()["items"]]
    assert listed == [us_queued]


def test_receipt_numbers_are_matched_whatever_their_case(api, seed):
    traveler = api("traveler")
    receipt = seed.draft(traveler.email)
    assert traveler.get(f"/petitions/{receipt.lower()}").status_code == 200
