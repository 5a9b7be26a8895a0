"""The whole petition over the API (issue 13, item 2): job details and each category's
answers on create and PATCH, validated exactly as the browser's guided steps validate
them (same messages, under job.* / answers.* names), listed per category, described in
the OpenAPI document; submit refuses while any is missing."""
import html
import re
from datetime import date, timedelta

import pytest

from tests.unit.conftest import assert_error
from tests.unit.test_filing import JOB, post, row, start
from tests.unit.test_web_auth import sign_in

TODAY = date.today()


def day(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


def tn(**job_changes) -> dict:
    job = {"occupation": "Engineer", "duties": "Designs conveyor systems.",
           "worksite": "100 Pine St, Seattle WA", "salary": {"amount": 95000, "currency": "USD"},
           "start_date": day(21), "end_date": day(200)}
    job.update(job_changes)
    return {"destination_country": "US", "category": "TN", "port_of_entry": "BLAINE",
            "travel_date": day(20), "job_title": "Mechanical engineer",
            "employer_name": "Cascade Systems Inc.", "job": job,
            "answers": {"usmca_profession": "Engineer"}}


def browser_errors(page: str) -> dict:
    """Field id → message, as the page shows them beside each field."""
    found = re.findall(r'<p class="error-message" id="([\w-]+)-error">'
                       r'<span class="visually-hidden">[^<]*</span>\s*([^<]*)</p>', page)
    return {name: html.unescape(message.strip()) for name, message in found}


def test_categories_list_their_questions(api):
    items = {c["code"]: c for c in api("traveler").get("/countries/US/categories")
             .get_json()["items"]}
    [question] = items["TN"]["questions"]
    assert question["code"] == "usmca_profession" and question["required"] is True
    assert question["type"] == "text" and question["choices"] is None
    assert question["label"].startswith("USMCA profession")
    l1b = {q["code"]: q["required"] for q in items["L1B"]["questions"]}
    assert l1b == {"qualifying_employer": True, "qualifying_employment_from": True,
                   "qualifying_employment_to": False, "new_office": False}
    ca = {c["code"]: c for c in api("traveler").get("/countries/CA/categories")
          .get_json()["items"]}
    assert "offer_of_employment_number" in {q["code"] for q in ca["CUSMA_PRO"]["questions"]}


def test_a_tn_is_created_with_its_job_and_answers(api):
    traveler = api("traveler")
    created = traveler.post("/petitions", json=tn())
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["job"] == {"occupation": "Engineer", "duties": "Designs conveyor systems.",
                           "worksite": "100 Pine St, Seattle WA",
                           "salary": {"amount": "95000", "currency": "USD"},
                           "start_date": day(21), "end_date": day(200)}
    assert body["answers"] == {"usmca_profession": "Engineer"}
    assert traveler.get(f"/petitions/{body['receipt_number']}").get_json() == body


@pytest.mark.parametrize("api_changes,browser_changes,api_field,browser_field", [
    ({"duties": ""}, {"duties": ""}, "job.duties", "duties"),
    # (A TN's occupation is its USMCA profession, asked once as an answer: below.)
    ({"salary": {"amount": "lots", "currency": "USD"}}, {"salary": "lots"},
     "job.salary.amount", "salary"),
    ({"salary": {"amount": "95000", "currency": "EUR"}}, {"salary_currency": "EUR"},
     "job.salary.currency", "salary_currency"),
    ({"worksite": "x" * 301}, {"worksite": "x" * 301}, "job.worksite", "worksite"),
    ({"answers": {"usmca_profession": ""}}, {"x_usmca_profession": ""},
     "answers.usmca_profession", "x_usmca_profession"),
])
def test_the_api_gives_the_browsers_field_errors(app, api, client, seed, api_changes,
                                                  browser_changes, api_field, browser_field):
    traveler = api("traveler")
    body = tn()
    if "answers" in api_changes:
        body["answers"] = api_changes["answers"]
    else:
        body["job"].update(api_changes)
    error = assert_error(traveler.post("/petitions", json=body), 422, "validation_failed")

    sign_in(client, seed.user("traveler"))
    receipt = start(client)
    page = post(client, f"/my/filing/{receipt}/job",
                {**JOB, "version": row(app, receipt)["version"], **browser_changes})
    assert page.status_code == 422
    shown = browser_errors(page.get_data(as_text=True))
    assert error["fields"] == {api_field: shown[browser_field]}, (error, shown)


def test_the_dates_are_checked_as_the_trip_step_checks_them(api):
    traveler = api("traveler")
    error = assert_error(traveler.post("/petitions", json=tn(start_date=day(30),
                                                               end_date=day(10))), 422)
    assert error["fields"] == {"job.end_date": "The end date must be after the start date."}
    error = assert_error(traveler.post("/petitions", json=tn(end_date=day(30 + 1200))), 422)
    assert error["fields"] == {"job.end_date": "This category allows a stay of at most 1095 days."}
    error = assert_error(traveler.post("/petitions", json=tn(start_date="soon")), 422)
    assert set(error["fields"]) == {"job.start_date"}


def test_unknown_answers_and_fields_are_named(api):
    body = tn()
    body["answers"]["favourite_colour"] = "blue"
    body["job"]["shoe_size"] = 44
    error = assert_error(api("traveler").post("/petitions", json=body), 422)
    assert set(error["fields"]) == {"answers.favourite_colour", "job.shoe_size"}


def test_a_draft_is_completed_by_patch_and_then_submits(api, seed):
    traveler = api("traveler")
    minimal = {k: v for k, v in tn().items() if k not in ("job", "answers")}
    receipt = traveler.post("/petitions", json=minimal).get_json()["receipt_number"]
    traveler.upload(receipt, "passport")
    traveler.upload(receipt, "employer_letter")
    # Submit names everything still missing, as the guided steps would.
    error = assert_error(traveler.post(f"/petitions/{receipt}/submit"), 422)
    assert set(error["fields"]) == {"job.occupation", "job.duties", "job.worksite",
                                    "job.salary.amount", "job.salary.currency",
                                    "job.start_date", "job.end_date",
                                    "answers.usmca_profession"}
    # A PATCH is merged over what is stored and validated whole, like the job step.
    partial = traveler.call("PATCH", f"/petitions/{receipt}",
                            json={"job": {"duties": "Designs conveyor systems."}})
    error = assert_error(partial, 422)
    assert "job.worksite" in error["fields"] and "job.duties" not in error["fields"]
    done = traveler.call("PATCH", f"/petitions/{receipt}", json={
        "job": tn()["job"], "answers": {"usmca_profession": "Engineer"}})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["job"]["occupation"] == "Engineer"
    seen = done.get_json()["version"]
    changed = traveler.call("PATCH", f"/petitions/{receipt}", json={
        "answers": {"usmca_profession": "Computer Systems Analyst"}, "version": seen})
    assert changed.status_code == 200, changed.get_json()
    # A change made from the version read before that one is refused, not saved over it.
    stale = traveler.call("PATCH", f"/petitions/{receipt}", json={
        "answers": {"usmca_profession": "Engineer"}, "version": seen})
    assert_error(stale, 409, "conflict")
    assert changed.get_json()["answers"] == {"usmca_profession": "Computer Systems Analyst"}
    assert changed.get_json()["job"]["duties"] == "Designs conveyor systems."
    submitted = traveler.post(f"/petitions/{receipt}/submit")
    assert submitted.status_code == 200, submitted.get_json()
    assert_error(traveler.call("PATCH", f"/petitions/{receipt}", json={"job": tn()["job"]}),
                 409, "conflict")


def test_a_stranger_cannot_patch(api, seed):
    owner = api("traveler")
    receipt = owner.post("/petitions", json=tn()).get_json()["receipt_number"]
    assert_error(api("traveler").call("PATCH", f"/petitions/{receipt}", json={}), 404)
    assert_error(api("officer", country="US").call("PATCH", f"/petitions/{receipt}",
                                                   json={}), 403, "forbidden")


def test_the_openapi_document_describes_job_answers_per_category_and_verification(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    assert schemas["Answers_US_TN"]["required"] == ["usmca_profession"]
    assert set(schemas["Answers_CA_CUSMA_PRO"]["properties"]) == {
        "cusma_profession", "offer_of_employment_number"}
    assert {"$ref": "#/components/schemas/Answers_US_L1B"} in schemas["Answers"]["anyOf"]
    assert schemas["NewPetition"]["properties"]["job"] == {"$ref": "#/components/schemas/Job"}
    assert "patch" in doc["paths"]["/petitions/{receipt_number}"]
    assert "get" in doc["paths"]["/petitions/{receipt_number}"]
    assert doc["paths"]["/verify/{code}"]["get"]["security"] == []
    assert set(doc["paths"]["/me/profile"]) == {"get", "put"}
