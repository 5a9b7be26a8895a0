"""docs/api.md is the API contract in the repository: it names exactly the operations the
served OpenAPI document describes, stands alone, and documents webhook signing the same
way as the OpenAPI document's ``webhooks`` and the employer's integrations page."""
import html
import re
from pathlib import Path

from tests.unit.test_web_auth import sign_in
from traveler_portal.api import webhook_docs

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "api.md").read_text()
METHODS = ("get", "post", "put", "patch", "delete")


def _served(client) -> dict:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_docs_api_md_and_the_openapi_document_name_the_same_operations(client):
    described = {(method.upper(), path) for path, operations in _served(client)["paths"].items()
                 for method in operations if method in METHODS}
    written = set(re.findall(r"`(GET|POST|PUT|PATCH|DELETE) /api/v1(/[^`?\s]*)`", DOC))
    assert written - described == set(), "in docs/api.md, not served"
    assert described - written == set(), "served, not in docs/api.md"


def test_the_contract_stands_alone_in_the_repository():
    readme = (ROOT / "README.md").read_text()
    for text in (DOC, readme):
        assert "shared/" not in text and "API.md" not in text
    assert "(docs/api.md)" in readme


def test_webhook_signing_is_in_the_openapi_document(client):
    webhooks = _served(client)["webhooks"]
    assert set(webhooks) == {"petition.status_changed", "petition.arrival_recorded", "test"}
    for hook in webhooks.values():
        operation = hook["post"]
        assert {p["name"] for p in operation["parameters"]} == set(webhook_docs.HEADERS)
        assert webhook_docs.VERIFY_SNIPPET in operation["description"]
        assert webhook_docs.retry_schedule() in operation["description"]


def test_docs_api_md_documents_signing_with_the_same_snippet():
    snippet = DOC.split("### Verifying a delivery", 1)[1].split("```python\n", 1)[1]
    assert snippet.split("```", 1)[0] == webhook_docs.VERIFY_SNIPPET
    for header in webhook_docs.HEADERS:
        assert f"`{header}`" in DOC
    assert " ".join(webhook_docs.retry_schedule().split()) in " ".join(DOC.split())


def test_the_integrations_page_shows_how_to_verify(client, seed):
    assert sign_in(client, seed.user("employer", organization="Maple Robotics Ltd.")
                   ).status_code in (302, 303)
    page = client.get("/employer/integrations/")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert webhook_docs.VERIFY_SNIPPET in text
    for header in webhook_docs.HEADERS:
        assert header in text
    assert webhook_docs.retry_delays() in text


def test_every_operation_takes_accept_language_and_the_answer_names_its_language(client):
    served = _served(client)
    for path, operations in served["paths"].items():
        for method, operation in operations.items():
            headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
            assert "Accept-Language" in headers, (method, path)
    answer = client.get("/api/v1/processing-times?country=US",
                        headers={"Accept-Language": "fr-CA"})
    assert answer.status_code == 200 and answer.headers["Content-Language"] == "fr"
    for schema in ("WebhookStatusChanged", "WebhookArrivalRecorded"):
        data = served["components"]["schemas"][schema]["properties"]["data"]["properties"]
        assert data["titles"]["required"] == ["en", "fr"]
