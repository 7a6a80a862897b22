"""The OpenAPI document: generated from the code, admin endpoints only, bearer security."""

from __future__ import annotations

import json
from typing import Any

EXPECTED = {
    ("post", "/api/v1/beneficiaries/search"),
    ("get", "/api/v1/beneficiaries/{ref}"),
    ("get", "/api/v1/beneficiaries/{ref}/pin"),
    ("post", "/api/v1/beneficiaries/{ref}/pin/reset"),
    ("post", "/api/v1/rosters"),
    ("get", "/api/v1/rosters/imports"),
    ("post", "/api/v1/cycles"),
    ("get", "/api/v1/cycles"),
    ("get", "/api/v1/cycles/{ref}"),
    ("post", "/api/v1/cycles/{ref}/submit"),
    ("post", "/api/v1/cycles/{ref}/approve"),
    ("post", "/api/v1/cycles/{ref}/release"),
    ("post", "/api/v1/cycles/{ref}/cancel"),
    ("get", "/api/v1/cycles/{ref}/payments"),
    ("get", "/api/v1/cycles/{ref}/report"),
    ("get", "/api/v1/cycles/{ref}/settlement"),
    ("post", "/api/v1/approver/totp"),
    ("post", "/api/v1/approver/totp/confirm"),
    ("post", "/api/v1/budget/allocations"),
    ("get", "/api/v1/programs"),
    ("post", "/api/v1/programs"),
    ("get", "/api/v1/rules"),
    ("post", "/api/v1/rules/levels"),
    ("post", "/api/v1/rules/coefficients"),
    ("get", "/api/v1/audit/verify"),
    ("get", "/api/v1/audit/events"),
    ("get", "/api/v1/complaints"),
    ("post", "/api/v1/complaints/{ticket}/resolve"),
    ("post", "/api/v1/reconciliations"),
    ("get", "/api/v1/reconciliations/{run_id}"),
    ("get", "/api/v1/reconciliations/{run_id}/findings"),
    ("post", "/api/v1/wallet-changes"),
    ("get", "/api/v1/wallet-changes"),
    ("post", "/api/v1/wallet-changes/{ref}/approve"),
    ("post", "/api/v1/wallet-changes/{ref}/reject"),
}


def spec(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return json.loads(response.data)


def refs(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(refs(v) for v in node))
    return set()


def test_document_is_openapi_3_and_lists_the_endpoints(client):
    doc = spec(client)
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] == "ChiTra admin API"
    assert {(m, p) for p, ops in doc["paths"].items() for m in ops} == EXPECTED


def test_only_admin_api_paths_are_documented(client):
    assert client.get("/healthz").status_code == 200  # exists, but is not part of the API
    assert all(path.startswith("/api/v1/") for path in spec(client)["paths"])


def test_every_operation_requires_the_bearer_scheme(client):
    doc = spec(client)
    assert doc["components"]["securitySchemes"]["bearer"]["type"] == "http"
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    for ops in doc["paths"].values():
        for op in ops.values():
            assert list(op["security"][0]) == ["bearer"]
            assert {"401", "403"} <= set(op["responses"])


def test_every_reference_resolves(client):
    doc = spec(client)
    for ref in refs(doc):
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[1] in doc["components"]["schemas"], ref


def test_error_bodies_are_documented_in_our_shape(client):
    schemas = spec(client)["components"]["schemas"]
    for name in ("HTTPError", "ValidationError"):
        assert schemas[name]["properties"]["error"]["required"] == ["code", "message"]


def test_request_schemas_refuse_unknown_fields(client):
    doc = spec(client)
    upload = doc["components"]["schemas"]["RosterUpload"]
    assert upload["additionalProperties"] is False and upload["required"] == ["file"]
    body = doc["components"]["schemas"]["BeneficiarySearch"]
    assert body["additionalProperties"] is False
    assert set(body["properties"]) == {"citizen_id", "phone"}


def test_docs_page_is_served(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and b"/api/v1/openapi.json" in response.data
