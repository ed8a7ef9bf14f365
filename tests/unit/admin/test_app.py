"""The admin app over the generic routes, against an in-memory store: statuses, ETags, paging,
APIM-shaped errors, redaction, actors, and the OpenAPI document."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from certgate.admin.app import create_app
from certgate.admin.auth import AdminAuth
from certgate.admin.kinds import store_kinds
from certgate.metrics import Metrics
from tests.unit.admin.conftest import AUTH, OPS_TOKEN, Serve
from tests.unit.admin.fakestore import FakeStore
from tests.unit.admin.promtext import parse

API = {"properties": {"displayName": "Orders", "path": "orders", "serviceUrl": "http://b"}}


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"])
    return body["error"]


# --- create, replace, read ---------------------------------------------------------------------------


def test_put_creates_201_then_replaces_200(client: httpx.Client, store: FakeStore) -> None:
    first = client.put("/apis/orders?api-version=2024-05-01", json=API, headers=AUTH)
    assert first.status_code == 201
    assert first.json()["name"] == "orders"
    assert first.headers["etag"] == '"e1"'
    second = client.put("/apis/orders", json=API, headers=AUTH)
    assert second.status_code == 200
    assert second.headers["etag"] == '"e2"'
    assert store.items["apis/orders"].properties["path"] == "orders"


def test_get_returns_entity_and_etag(client: httpx.Client) -> None:
    client.put("/apis/orders", json=API, headers=AUTH)
    got = client.get("/apis/orders", headers=AUTH)
    assert got.status_code == 200
    assert got.json() == {
        "id": "/apis/orders",
        "type": "apis",
        "name": "orders",
        "properties": API["properties"],
    }
    assert got.headers["etag"] == '"e1"'


def test_head_returns_etag_without_body(client: httpx.Client) -> None:
    client.put("/apis/orders", json=API, headers=AUTH)
    head = client.head("/apis/orders", headers=AUTH)
    assert head.status_code == 200
    assert head.headers["etag"] == '"e1"'
    assert head.content == b""
    assert client.head("/apis/other", headers=AUTH).status_code == 404


def test_get_missing_is_404_resource_not_found(client: httpx.Client) -> None:
    response = client.get("/apis/nothing", headers=AUTH)
    assert response.status_code == 404
    assert error_of(response)["code"] == "ResourceNotFound"


def test_nested_and_singleton_paths_reach_the_store(client: httpx.Client, store: FakeStore) -> None:
    client.put("/apis/orders", json=API, headers=AUTH)
    op = {"properties": {"displayName": "Get", "method": "GET", "urlTemplate": "/x"}}
    assert client.put("/apis/orders/operations/get", json=op, headers=AUTH).status_code == 201
    policy = {"properties": {"value": "<policies/>", "format": "rawxml"}}
    for path in (
        "/policies/policy",
        "/apis/orders/policies/policy",
        "/apis/orders/operations/get/policies/policy",
        "/products/gold/policies/policy",
    ):
        assert client.put(path, json=policy, headers=AUTH).status_code == 201, path
    assert "apis/orders/operations/get/policies/policy" in store.items
    assert "policies/policy" in store.items


# --- PATCH and DELETE --------------------------------------------------------------------------------


def test_patch_merges_and_404s_when_missing(client: httpx.Client) -> None:
    assert client.patch("/apis/orders", json={"properties": {}}, headers=AUTH).status_code == 404
    client.put("/apis/orders", json=API, headers=AUTH)
    patched = client.patch("/apis/orders", json={"properties": {"path": "o2"}}, headers=AUTH)
    assert patched.status_code == 200
    assert patched.json()["properties"]["path"] == "o2"
    assert patched.json()["properties"]["displayName"] == "Orders"


def test_delete_200_then_204(client: httpx.Client, store: FakeStore) -> None:
    client.put("/apis/orders", json=API, headers=AUTH)
    assert client.delete("/apis/orders", headers=AUTH).status_code == 200
    assert "apis/orders" not in store.items
    again = client.delete("/apis/orders", headers=AUTH)
    assert again.status_code == 204
    assert again.content == b""


# --- ETag / If-Match ---------------------------------------------------------------------------------


def test_if_match_mismatch_is_412_and_changes_nothing(
    client: httpx.Client, store: FakeStore
) -> None:
    client.put("/apis/orders", json=API, headers=AUTH)
    stale = {**AUTH, "If-Match": '"e999"'}
    changed = {"properties": {**API["properties"], "path": "changed"}}
    for method, kwargs in (
        ("PUT", {"json": changed}),
        ("PATCH", {"json": changed}),
        ("DELETE", {}),
    ):
        response = client.request(method, "/apis/orders", headers=stale, **kwargs)
        assert response.status_code == 412, method
        assert error_of(response)["code"] == "PreconditionFailed"
    assert store.items["apis/orders"].properties["path"] == "orders"


def test_if_match_current_etag_and_star_succeed(client: httpx.Client) -> None:
    etag = client.put("/apis/orders", json=API, headers=AUTH).headers["etag"]
    ok = client.put("/apis/orders", json=API, headers={**AUTH, "If-Match": etag})
    assert ok.status_code == 200
    weak = client.put(
        "/apis/orders", json=API, headers={**AUTH, "If-Match": "W/" + ok.headers["etag"]}
    )
    assert weak.status_code == 200
    assert (
        client.put("/apis/orders", json=API, headers={**AUTH, "If-Match": "*"}).status_code == 200
    )


def test_if_match_with_several_tags_is_400(client: httpx.Client) -> None:
    response = client.put("/apis/orders", json=API, headers={**AUTH, "If-Match": '"a", "b"'})
    assert response.status_code == 400
    assert error_of(response)["details"][0]["target"] == "If-Match"


# --- listing and paging ------------------------------------------------------------------------------


def test_list_pages_with_top_skip_and_next_link(client: httpx.Client) -> None:
    for i in range(5):
        client.put(f"/apis/a{i}", json=API, headers=AUTH)
    page = client.get("/apis?$top=2", headers=AUTH).json()
    assert [e["name"] for e in page["value"]] == ["a0", "a1"]
    assert page["count"] == 5
    assert "%24skip=2" in page["nextLink"] or "$skip=2" in page["nextLink"]
    names = [e["name"] for e in page["value"]]
    link = page["nextLink"]
    while link:
        page = client.get(link, headers=AUTH).json()
        names += [e["name"] for e in page["value"]]
        link = page.get("nextLink")
    assert names == [f"a{i}" for i in range(5)]


def test_list_last_page_has_no_next_link(client: httpx.Client) -> None:
    client.put("/apis/a", json=API, headers=AUTH)
    page = client.get("/apis?$skip=0&$top=10", headers=AUTH).json()
    assert "nextLink" not in page
    assert client.get("/apis?$skip=5", headers=AUTH).json() == {"value": [], "count": 1}


@pytest.mark.parametrize("query", ["$top=0", "$top=5000", "$skip=-1", "$top=x"])
def test_bad_paging_is_400(client: httpx.Client, query: str) -> None:
    response = client.get(f"/apis?{query}", headers=AUTH)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "ValidationError"
    assert error["details"][0]["target"] in ("$top", "$skip")


def test_list_under_missing_parent_is_404(client: httpx.Client) -> None:
    assert client.get("/apis/none/operations", headers=AUTH).status_code == 404
    client.put("/apis/orders", json=API, headers=AUTH)
    assert client.get("/apis/orders/operations", headers=AUTH).json() == {"value": [], "count": 0}


# --- bad input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "target"),
    [
        (b"{not json", "body"),
        (b"[1, 2]", "body"),
        (b'{"properties": [1]}', "properties"),
        (b"", "body"),
    ],
)
def test_malformed_bodies_are_400_and_store_nothing(
    client: httpx.Client, store: FakeStore, body: bytes, target: str
) -> None:
    response = client.put(
        "/apis/orders", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "ValidationError"
    assert error["message"] == "One or more fields contain incorrect values:"
    assert error["details"][0]["target"] == target
    assert store.items == {}


def test_non_json_content_type_is_415(client: httpx.Client, store: FakeStore) -> None:
    response = client.put(
        "/apis/orders", content=b"path=x", headers={**AUTH, "Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert error_of(response)["code"] == "UnsupportedMediaType"
    assert store.items == {}


def test_store_validation_failure_is_400_with_its_details(
    client: httpx.Client, store: FakeStore
) -> None:
    response = client.put("/apis/orders", json={"properties": {"bad": True}}, headers=AUTH)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "ValidationError"
    assert error["details"] == [
        {"code": "ValidationError", "target": "bad", "message": "bad is bad"}
    ]
    assert store.items == {}


@pytest.mark.parametrize(
    "path",
    [
        "/apis/a%2Fb",
        "/apis/%2E%2E",
        "/apis/a%5Cb",
        "/apis/-x",
        "/apis/a..b",
        "/apis/" + "x" * 81,
        "/apis/a%20b",
        "/apis/orders/operations/%2e%2e",
    ],
)
def test_bad_ids_are_400_and_store_nothing(
    client: httpx.Client, store: FakeStore, path: str
) -> None:
    response = client.put(path, json=API, headers=AUTH)
    assert response.status_code == 400, response.text
    assert error_of(response)["code"] == "ValidationError"
    assert store.items == {}


def test_unknown_path_404_and_wrong_method_405(client: httpx.Client) -> None:
    assert error_of(client.get("/nothing/here", headers=AUTH))["code"] == "ResourceNotFound"
    response = client.post("/apis/orders", json=API, headers=AUTH)
    assert response.status_code == 405
    assert error_of(response)["code"] == "MethodNotAllowed"


def test_store_crash_is_500_without_details(
    store: FakeStore, metrics: Metrics, serve_app: Serve
) -> None:
    def boom(*_: object, **__: object) -> None:
        raise RuntimeError("secret internals")

    store.get = boom  # type: ignore[method-assign,assignment]
    c = serve_app(create_app(store, AdminAuth({"ci": AUTH["Authorization"][7:]}), metrics))
    response = c.get("/apis/orders", headers=AUTH)
    assert response.status_code == 500
    assert error_of(response) == {
        "code": "InternalServerError",
        "message": "Internal server error.",
    }


# --- secrets -----------------------------------------------------------------------------------------


def test_certificate_key_material_and_passwords_never_come_back(client: httpx.Client) -> None:
    body = {"properties": {"data": "QUJD", "password": "hunter2", "subject": "CN=x"}}
    created = client.put("/certificates/c1", json=body, headers=AUTH)
    assert created.status_code == 201
    for response in (created, client.get("/certificates/c1", headers=AUTH)):
        props = response.json()["properties"]
        assert "data" not in props
        assert "password" not in props
        assert props["subject"] == "CN=x"
    listed = client.get("/certificates", headers=AUTH).text
    assert "hunter2" not in listed
    assert "QUJD" not in listed


def test_secret_named_values_are_never_returned(client: httpx.Client) -> None:
    secret = {"properties": {"displayName": "k", "value": "s3cr3t", "secret": True}}
    plain = {"properties": {"displayName": "p", "value": "visible", "secret": False}}
    client.put("/namedValues/k", json=secret, headers=AUTH)
    client.put("/namedValues/p", json=plain, headers=AUTH)
    assert "value" not in client.get("/namedValues/k", headers=AUTH).json()["properties"]
    assert client.get("/namedValues/p", headers=AUTH).json()["properties"]["value"] == "visible"
    assert "s3cr3t" not in client.get("/namedValues", headers=AUTH).text


def test_backend_proxy_password_is_dropped(client: httpx.Client) -> None:
    body = {"properties": {"url": "http://b", "protocol": "http", "proxy": {"password": "p4ss"}}}
    client.put("/backends/b1", json=body, headers=AUTH)
    assert "p4ss" not in client.get("/backends/b1", headers=AUTH).text


# --- authentication and actors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token-0123456789"},
        {"Authorization": "Basic Y2k6dG9rZW4="},
        {"Authorization": "Bearer"},
    ],
)
def test_unauthenticated_requests_are_401_and_change_nothing(
    client: httpx.Client, store: FakeStore, headers: dict[str, str]
) -> None:
    for method, path in (("PUT", "/apis/orders"), ("DELETE", "/apis/x"), ("GET", "/apis")):
        response = client.request(method, path, json=API, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert error_of(response)["code"] in ("AuthenticationFailed", "InvalidAuthenticationToken")
    assert store.items == {}
    assert store.audits == []


def test_metrics_and_openapi_need_credentials_too(client: httpx.Client) -> None:
    assert client.get("/metrics").status_code == 401
    assert client.get("/openapi.json").status_code == 401
    assert client.get("/docs", headers=AUTH).status_code == 404


def test_actor_is_the_token_name(client: httpx.Client, store: FakeStore) -> None:
    client.put("/apis/orders", json=API, headers=AUTH)
    client.delete("/apis/orders", headers={"Authorization": f"Bearer {OPS_TOKEN}"})
    assert [a["actor"] for a in store.audits] == ["token:ci", "token:ops"]


# --- metrics -----------------------------------------------------------------------------------------


def test_metrics_endpoint_serves_exposition_text(client: httpx.Client, metrics: Metrics) -> None:
    metrics.observe_request("orders", "get", 200, 0.003)
    client.get("/apis/nothing", headers=AUTH)
    client.get("/apis")  # a 401
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    families = parse(response.text)
    assert families["certgate_requests_total"]["samples"] == [
        ("certgate_requests_total", {"api": "orders", "operation": "get", "status": "200"}, 1.0)
    ]
    admin = families["certgate_admin_requests_total"]["samples"]
    assert ("certgate_admin_requests_total", {"method": "GET", "status": "404"}, 1.0) in admin
    failures = families["certgate_admin_auth_failures_total"]["samples"]
    assert failures == [("certgate_admin_auth_failures_total", {"reason": "missing"}, 1.0)]


# --- OpenAPI -----------------------------------------------------------------------------------------


def test_openapi_document_covers_every_kind(client: httpx.Client) -> None:
    doc = client.get("/openapi.json", headers=AUTH).json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    for kind in store_kinds():
        item = paths["/" + kind.template]
        assert set(item) == {"get", "head", "put", "patch", "delete"}, kind.template
        assert "get" in paths["/" + kind.collection_route]
        put = item["put"]
        assert set(put["responses"]) >= {"200", "201", "400", "401", "412", "413"}
        assert put["requestBody"]["content"]["application/json"]["schema"]["$ref"] == kind.body_ref
    assert "/metrics" in paths
    assert "/openapi.json" not in paths


def test_openapi_document_has_no_422_and_declares_security(client: httpx.Client) -> None:
    doc = client.get("/openapi.json", headers=AUTH).json()
    for item in doc["paths"].values():
        for operation in item.values():
            assert "422" not in operation["responses"]
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["adminCertificate"]["type"] == "mutualTLS"
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    refs = {kind.schema_ref.rsplit("/", 1)[1] for kind in store_kinds()}
    assert refs <= set(doc["components"]["schemas"])


def test_operation_ids_are_unique(client: httpx.Client) -> None:
    doc = client.get("/openapi.json", headers=AUTH).json()
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))
