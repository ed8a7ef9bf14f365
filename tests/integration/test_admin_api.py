"""The admin API end to end: `start_admin` on a real TLS listener (both TLS backends) over the
real SQLite store, certificates made at test time. Bearer tokens and admin client certificates
with their rejecting twins, every bad input of issue #5, ETag/If-Match, paging, 201 vs 200, the
audit log, the OpenAPI document and the Prometheus text."""

from __future__ import annotations

import base64
import json
import os
import socket
import ssl
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from certgate.admin.asgi_host import AsgiServer
from certgate.admin.listener import start_admin
from certgate.config import Config
from certgate.errors import ConfigError
from certgate.io.tls import get_backend
from certgate.metrics import Metrics
from certgate.store import Store
from certgate.testing.pki import Issued
from tests.conftest import TLS_BACKENDS, Pki
from tests.harness import LoopThread
from tests.unit.admin.promtext import parse

TOKEN_DEFAULT = "default-admin-token-0123456789"
TOKEN_CI = "ci-admin-token-0123456789abcdef"
ENV = {"CG_ADMIN_TOKEN": TOKEN_DEFAULT, "CG_CI_TOKEN": TOKEN_CI}


@dataclass
class Admin:
    loop: LoopThread
    server: AsgiServer
    store: Store
    metrics: Metrics
    pki: Pki
    folder: Path
    port: int

    def client(
        self, token: str | None = TOKEN_CI, cert: Issued | None = None, **kwargs: Any
    ) -> httpx.Client:
        ctx = ssl.create_default_context(cafile=str(self.pki.folder / "root.crt"))
        ctx.check_hostname = False  # 127.0.0.1; the chain is still verified
        if cert is not None:
            path = self.folder / f"{cert.thumbprint}.pem"
            if not path.exists():
                cert.write_pem(path)
            ctx.load_cert_chain(str(path))
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(
            base_url=f"https://127.0.0.1:{self.port}",
            verify=ctx,
            headers=headers,
            timeout=20,
            **kwargs,
        )

    def audit(self, path: str) -> list[Any]:
        return self.store.audit_log(path=path)[0]


def config(pki: Pki, **admin: Any) -> Config:
    return Config.model_validate(
        {
            "hostnames": [
                {"hostName": "localhost", "listen": "127.0.0.1:0", "certificateId": "gw"}
            ],
            "certificates": {
                "gw": {"file": str(pki.folder / "gateway.pem")},
                "public": {"file": str(pki.folder / "client.crt")},
            },
            "admin": admin,
        }
    )


@pytest.fixture(scope="module", params=TLS_BACKENDS)
def admin(
    request: pytest.FixtureRequest,
    loop_thread: LoopThread,
    pki: Pki,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Admin]:
    folder = tmp_path_factory.mktemp(f"admin-{request.param}")
    store = Store.open(folder / "data", master_key=os.urandom(32))
    metrics = Metrics()
    cfg = config(
        pki,
        listen="127.0.0.1:0",
        certificateId="gw",
        tokenEnv="CG_ADMIN_TOKEN",
        tokens={"ci": {"env": "CG_CI_TOKEN"}},
        clientCertificateThumbprints={"ops": pki.client.thumbprint},
        maxRequestBodyBytes=1024 * 1024,
    )
    backend = get_backend(request.param)
    server = loop_thread.run(
        start_admin(cfg, store, backend, metrics=metrics, base_dir=folder, environ=ENV)
    )
    yield Admin(loop_thread, server, store, metrics, pki, folder, server.address[1])
    loop_thread.call(server.close)
    loop_thread.run(server.wait_closed())
    store.close()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def api_body(path: str = "orders", **extra: Any) -> dict[str, Any]:
    props = {"path": path, "serviceUrl": "http://127.0.0.1:9", "subscriptionRequired": False}
    return {"properties": {**props, **extra}}


def error_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    return body["error"]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- authentication: tokens ------------------------------------------------------------------------


def test_named_token_creates_and_is_the_audited_actor(admin: Admin) -> None:
    name = unique("api")
    with admin.client() as c:
        response = c.put(f"/apis/{name}?api-version=2024-05-01", json=api_body(name))
    assert response.status_code == 201, response.text
    entry = admin.audit(f"apis/{name}")[0]
    assert (entry.actor, entry.method, entry.status) == ("token:ci", "PUT", 201)
    assert entry.etag_before is None
    assert f'"{entry.etag_after}"' == response.headers["etag"]


def test_token_from_token_env_is_named_default(admin: Admin) -> None:
    name = unique("api")
    with admin.client(TOKEN_DEFAULT) as c:
        assert c.put(f"/apis/{name}", json=api_body(name)).status_code == 201
    assert admin.audit(f"apis/{name}")[0].actor == "token:default"


@pytest.mark.parametrize("token", [None, "wrong-token-0123456789abcdef", TOKEN_CI[:-1]])
def test_missing_or_wrong_token_is_401_and_changes_nothing(admin: Admin, token: str | None) -> None:
    name = unique("api")
    version = admin.store.version()
    with admin.client(token) as c:
        for method in ("PUT", "PATCH", "DELETE", "GET"):
            response = c.request(method, f"/apis/{name}", json=api_body(name))
            assert response.status_code == 401
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert error_of(response)["code"] in (
                "AuthenticationFailed",
                "InvalidAuthenticationToken",
            )
        assert c.get("/metrics").status_code == 401
        assert c.get("/openapi.json").status_code == 401
    assert admin.store.get(f"apis/{name}") is None
    assert admin.store.version() == version
    assert admin.audit(f"apis/{name}") == []


# --- authentication: admin client certificates -------------------------------------------------------


def test_admin_certificate_authenticates_without_a_token(admin: Admin) -> None:
    name = unique("api")
    with admin.client(token=None, cert=admin.pki.client) as c:
        assert c.put(f"/apis/{name}", json=api_body(name)).status_code == 201
        assert c.get(f"/apis/{name}").status_code == 200
    assert admin.audit(f"apis/{name}")[0].actor == "certificate:ops"


@pytest.mark.parametrize("which", ["second", "stranger", "foreign", "expired"])
def test_other_certificates_are_401_and_change_nothing(admin: Admin, which: str) -> None:
    cert = getattr(admin.pki, which)
    name = unique("api")
    version = admin.store.version()
    with admin.client(token=None, cert=cert) as c:
        response = c.put(f"/apis/{name}", json=api_body(name))
    assert response.status_code == 401
    assert error_of(response)["code"] == "InvalidClientCertificate"
    assert admin.store.version() == version


def test_a_wrong_token_is_refused_even_with_the_admin_certificate(admin: Admin) -> None:
    with admin.client(token="wrong-token-0123456789abcdef", cert=admin.pki.client) as c:
        assert c.get("/apis").status_code == 401


def test_plain_http_to_the_tls_listener_gets_nothing(admin: Admin) -> None:
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"http://127.0.0.1:{admin.port}/apis", timeout=5)


# --- create, replace, read, ETags --------------------------------------------------------------------


def test_put_201_then_200_and_same_body_keeps_the_etag(admin: Admin) -> None:
    name = unique("api")
    with admin.client() as c:
        created = c.put(f"/apis/{name}", json=api_body(name))
        again = c.put(f"/apis/{name}", json=api_body(name))
        changed = c.put(f"/apis/{name}", json=api_body(name, displayName="Orders"))
    assert created.status_code == 201
    assert again.status_code == 200
    assert again.headers["etag"] == created.headers["etag"]  # nothing changed
    assert changed.status_code == 200
    assert changed.headers["etag"] != created.headers["etag"]
    assert changed.json()["properties"]["displayName"] == "Orders"


def test_unknown_properties_are_ignored_known_ones_strict(admin: Admin) -> None:
    name = unique("api")
    with admin.client() as c:
        ok = c.put(f"/apis/{name}", json=api_body(name, somethingNew={"x": 1}))
        strict = c.put(f"/apis/{name}", json=api_body(name, subscriptionRequired="false"))
    assert ok.status_code == 201
    assert "somethingNew" not in ok.json()["properties"]
    assert strict.status_code == 400
    assert error_of(strict)["details"][0]["target"] == "subscriptionRequired"


def test_if_match_412_on_stale_etag_and_success_on_current(admin: Admin) -> None:
    name = unique("api")
    with admin.client() as c:
        etag = c.put(f"/apis/{name}", json=api_body(name)).headers["etag"]
        assert c.head(f"/apis/{name}").headers["etag"] == etag
        assert c.get(f"/apis/{name}").headers["etag"] == etag
        newer = c.put(
            f"/apis/{name}", json=api_body(name, displayName="A"), headers={"If-Match": etag}
        )
        assert newer.status_code == 200
        for method in ("PUT", "PATCH", "DELETE"):
            stale = c.request(
                method,
                f"/apis/{name}",
                json=api_body(name, displayName="B"),
                headers={"If-Match": etag},
            )
            assert stale.status_code == 412, method
            assert error_of(stale)["code"] == "PreconditionFailed"
        assert c.get(f"/apis/{name}").json()["properties"]["displayName"] == "A"
        deleted = c.delete(f"/apis/{name}", headers={"If-Match": newer.headers["etag"]})
        assert deleted.status_code == 200
        assert c.delete(f"/apis/{name}").status_code == 204
        assert c.get(f"/apis/{name}").status_code == 404
    refused = [e for e in admin.audit(f"apis/{name}") if e.status == 412]
    assert len(refused) == 3
    assert {e.actor for e in refused} == {"token:ci"}


def test_patch_merges_properties(admin: Admin) -> None:
    name = unique("api")
    with admin.client() as c:
        c.put(f"/apis/{name}", json=api_body(name, displayName="X"))
        patched = c.patch(f"/apis/{name}", json={"properties": {"description": "d"}})
        missing = c.patch(f"/apis/{unique('none')}", json={"properties": {}})
    assert patched.status_code == 200
    assert patched.json()["properties"]["displayName"] == "X"
    assert patched.json()["properties"]["description"] == "d"
    assert missing.status_code == 404
    assert error_of(missing)["code"] == "ResourceNotFound"


def test_operations_and_policies_at_every_scope(admin: Admin) -> None:
    name = unique("api")
    op = {"properties": {"displayName": "Get", "method": "GET", "urlTemplate": "/items/{id}"}}
    policy = {
        "properties": {
            "format": "rawxml",
            "value": '<policies><inbound><base /><set-header name="x" exists-action="override">'
            "<value>@(context.Request.Method)</value></set-header></inbound><backend><base />"
            "</backend><outbound><base /></outbound><on-error><base /></on-error></policies>",
        }
    }
    with admin.client() as c:
        assert c.put(f"/apis/{name}", json=api_body(name)).status_code == 201
        assert c.put(f"/apis/{name}/operations/get", json=op).status_code == 201
        assert c.put(f"/apis/{name}/policies/policy", json=policy).status_code == 201
        assert c.put(f"/apis/{name}/operations/get/policies/policy", json=policy).status_code == 201
        raw = c.get(f"/apis/{name}/policies/policy?format=rawxml").json()["properties"]
        xml = c.get(f"/apis/{name}/policies/policy").json()["properties"]
        ops = c.get(f"/apis/{name}/operations").json()
    assert "=>" not in raw["value"] and "@(context.Request.Method)" in raw["value"]
    assert xml["format"] == "xml"
    assert [o["name"] for o in ops["value"]] == ["get"]


# --- bad input -------------------------------------------------------------------------------------


def assert_validation(response: httpx.Response, target: str | None = None) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["code"] == "ValidationError"
    assert error["message"] == "One or more fields contain incorrect values:"
    detail = error["details"][0]
    assert detail["code"] == "ValidationError"
    if target is not None:
        assert detail["target"] == target
    return detail


def test_wrong_pfx_password_is_400_and_stores_nothing(admin: Admin) -> None:
    name = unique("cert")
    data = b64(admin.pki.client.pfx(b"right"))
    with admin.client() as c:
        response = c.put(
            f"/certificates/{name}", json={"properties": {"data": data, "password": "not-it-4711"}}
        )
    detail = assert_validation(response, "password")
    assert "not-it-4711" not in json.dumps(detail)
    assert admin.store.get(f"certificates/{name}") is None
    assert admin.audit(f"certificates/{name}")[0].status == 400


def test_truncated_base64_is_400(admin: Admin) -> None:
    name = unique("cert")
    data = b64(admin.pki.client.pfx(b"pw"))[:-5]
    with admin.client() as c:
        response = c.put(
            f"/certificates/{name}", json={"properties": {"data": data, "password": "pw"}}
        )
    assert_validation(response, "data")
    assert admin.store.get(f"certificates/{name}") is None


def test_certificate_without_its_key_where_one_is_required_is_400(admin: Admin) -> None:
    cert, gateway = unique("pub"), unique("gw")
    public = b64(admin.pki.client.der)
    hostname = {
        "properties": {
            "hostname": "admin-test.localhost",
            "certificateId": cert,
            "listen": "127.0.0.1:0",
        }
    }
    with admin.client() as c:
        assert (
            c.put(f"/certificates/{cert}", json={"properties": {"data": public}}).status_code == 201
        )
        assert c.put(f"/gateways/{gateway}", json={"properties": {}}).status_code == 201
        response = c.put(f"/gateways/{gateway}/hostnameConfigurations/h1", json=hostname)
    detail = assert_validation(response)
    assert "private key" in detail["message"]
    assert detail["element"] == "certificateId"
    assert admin.store.get(f"gateways/{gateway}/hostnameConfigurations/h1") is None


def test_pfx_upload_never_returns_key_material_or_password(admin: Admin) -> None:
    name = unique("cert")
    data = b64(admin.pki.client.pfx(b"s3cret-pw"))
    with admin.client() as c:
        created = c.put(
            f"/certificates/{name}", json={"properties": {"data": data, "password": "s3cret-pw"}}
        )
        got = c.get(f"/certificates/{name}")
        listed = c.get("/certificates?$top=1000")
    assert created.status_code == 201
    props = got.json()["properties"]
    assert props["thumbprint"] == admin.pki.client.thumbprint
    assert props["hasPrivateKey"] is True
    for response in (created, got, listed):
        assert "s3cret-pw" not in response.text
        assert data[:40] not in response.text
        assert "PRIVATE KEY" not in response.text
    assert all("data" not in e["properties"] for e in listed.json()["value"])


def test_secret_named_values_are_never_returned(admin: Admin) -> None:
    name = unique("nv")
    body = {"properties": {"displayName": name, "value": "hush-hush-value", "secret": True}}
    with admin.client() as c:
        created = c.put(f"/namedValues/{name}", json=body)
        got = c.get(f"/namedValues/{name}")
        listed = c.get("/namedValues?$top=1000")
    assert created.status_code == 201
    for response in (created, got, listed):
        assert "hush-hush-value" not in response.text
    assert "value" not in got.json()["properties"]


def test_invalid_policy_is_400_with_element_line_and_column(admin: Admin) -> None:
    name = unique("api")
    unknown = {
        "properties": {
            "format": "rawxml",
            "value": "<policies>\n  <inbound>\n    <no-such-policy />\n  </inbound>\n</policies>",
        }
    }
    malformed = {"properties": {"value": "<policies>\n<inbound><set-header name='x'></inbound>"}}
    with admin.client() as c:
        c.put(f"/apis/{name}", json=api_body(name))
        first = c.put(f"/apis/{name}/policies/policy", json=unknown)
        second = c.put(f"/apis/{name}/policies/policy", json=malformed)
    detail = assert_validation(first)
    assert detail["element"] == "no-such-policy"
    assert (detail["line"], detail["column"]) == (3, 5)
    detail = assert_validation(second, "value")
    assert detail["line"] == 2
    assert detail["column"] > 0
    assert admin.store.get(f"apis/{name}/policies/policy") is None


def raw_tls_request(admin: Admin, data: bytes) -> tuple[int, dict[str, Any]]:
    ctx = ssl.create_default_context(cafile=str(admin.pki.folder / "root.crt"))
    ctx.check_hostname = False
    with socket.create_connection(("127.0.0.1", admin.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as sock:
            sock.sendall(data)
            buf = b""
            while chunk := sock.recv(65536):
                buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body)


def test_twenty_megabyte_body_is_413_before_it_is_read(admin: Admin) -> None:
    name = unique("api")
    head = (
        f"PUT /apis/{name} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN_CI}\r\n"
        "Content-Type: application/json\r\nContent-Length: 20971520\r\n\r\n"
    )
    status, body = raw_tls_request(admin, head.encode())  # the body is never sent
    assert status == 413
    assert body["error"]["code"] == "RequestEntityTooLarge"
    assert admin.store.get(f"apis/{name}") is None


def test_twenty_megabytes_actually_sent_get_413(admin: Admin) -> None:
    name = unique("cert")
    huge = {"properties": {"data": "A" * (20 * 1024 * 1024)}}
    with admin.client() as c:
        response = c.put(f"/certificates/{name}", json=huge)
    assert response.status_code == 413
    assert error_of(response)["code"] == "RequestEntityTooLarge"
    assert admin.store.get(f"certificates/{name}") is None


@pytest.mark.parametrize(
    "path",
    [
        "/apis/a%2Fb",
        "/apis/..",
        "/apis/%2e%2e",
        "/apis/../certificates/x",
        "/apis/a..b",
        "/apis/-a",
    ],
)
def test_ids_with_slash_or_dot_dot_are_400(admin: Admin, path: str) -> None:
    version = admin.store.version()
    request = (
        f"PUT {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN_CI}\r\n"
        "Content-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
    )
    status, body = raw_tls_request(admin, request.encode())
    assert status == 400
    assert body["error"]["code"] == "ValidationError"
    assert admin.store.version() == version


def test_malformed_json_is_400(admin: Admin) -> None:
    with admin.client() as c:
        response = c.put(
            "/apis/x", content=b'{"properties": ', headers={"Content-Type": "application/json"}
        )
    assert_validation(response, "body")


# --- listing and paging --------------------------------------------------------------------------------


def test_list_pages_with_top_skip_and_next_link(admin: Admin) -> None:
    api = unique("paged")
    with admin.client() as c:
        c.put(f"/apis/{api}", json=api_body(api))
        for i in range(5):
            op = {"properties": {"displayName": f"op{i}", "method": "GET", "urlTemplate": f"/o{i}"}}
            assert c.put(f"/apis/{api}/operations/op{i}", json=op).status_code == 201
        page = c.get(f"/apis/{api}/operations?$top=2")
        body = page.json()
        assert body["count"] == 5
        assert [o["name"] for o in body["value"]] == ["op0", "op1"]
        names = [o["name"] for o in body["value"]]
        while "nextLink" in body:
            assert body["nextLink"].startswith(f"https://127.0.0.1:{admin.port}/")
            body = c.get(body["nextLink"]).json()
            names += [o["name"] for o in body["value"]]
        assert names == [f"op{i}" for i in range(5)]
        assert c.get(f"/apis/{unique('none')}/operations").status_code == 404


# --- OpenAPI and metrics -------------------------------------------------------------------------------


def test_openapi_document_is_served(admin: Admin) -> None:
    with admin.client() as c:
        doc = c.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/apis/{apiId}/operations/{operationId}/policies/policy" in doc["paths"]
    assert "/certificates/{certificateId}" in doc["paths"]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_metrics_parse_and_show_certificate_expiry(admin: Admin) -> None:
    name = unique("cert")
    admin.loop.call(lambda: admin.metrics.observe_request("orders", "get", 200, 0.004))
    admin.loop.call(lambda: admin.metrics.client_certificate("expired"))
    with admin.client() as c:
        c.put(f"/certificates/{name}", json={"properties": {"data": b64(admin.pki.client.der)}})
        c.get("/apis/does-not-exist")
        response = c.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    families = parse(response.text)
    expiry = {s[1]["id"]: s[2] for s in families["certgate_certificate_expiry_days"]["samples"]}
    assert 360 < expiry[name] < 366
    verdicts = families["certgate_client_certificate_verdicts_total"]["samples"]
    assert ("certgate_client_certificate_verdicts_total", {"reason": "expired"}, 1.0) in verdicts
    buckets = [
        s
        for s in families["certgate_request_duration_seconds"]["samples"]
        if s[0].endswith("_bucket")
    ]
    assert buckets[-1][1]["le"] == "+Inf"
    assert families["certgate_config_version"]["samples"][0][2] == admin.store.version()
    assert any(
        s[1] == {"method": "GET", "status": "404"}
        for s in families["certgate_admin_requests_total"]["samples"]
    )


# --- start-up refusals ---------------------------------------------------------------------------------


def test_start_refuses_without_credentials(
    loop_thread: LoopThread, pki: Pki, tmp_path: Path
) -> None:
    store = Store.open(tmp_path / "data", master_key=os.urandom(32))
    try:
        with pytest.raises(ConfigError, match="needs credentials"):
            loop_thread.run(
                start_admin(
                    config(pki, listen="127.0.0.1:0"), store, get_backend("stdlib"), environ={}
                )
            )
        with pytest.raises(ConfigError, match="not set"):
            cfg = config(pki, listen="127.0.0.1:0", tokenEnv="CG_MISSING")
            loop_thread.run(start_admin(cfg, store, get_backend("stdlib"), environ={}))
        with pytest.raises(ConfigError, match="no private key"):
            cfg = config(pki, listen="127.0.0.1:0", tokenEnv="T", certificateId="public")
            loop_thread.run(start_admin(cfg, store, get_backend("stdlib"), environ={"T": TOKEN_CI}))
        with pytest.raises(ConfigError, match="no certificate 'nope'"):
            cfg = config(pki, listen="127.0.0.1:0", tokenEnv="T", certificateId="nope")
            loop_thread.run(start_admin(cfg, store, get_backend("stdlib"), environ={"T": TOKEN_CI}))
    finally:
        store.close()


def test_insecure_local_only_serves_loopback_without_credentials(
    loop_thread: LoopThread, pki: Pki, tmp_path: Path
) -> None:
    store = Store.open(tmp_path / "data", master_key=os.urandom(32))
    cfg = config(pki, listen="127.0.0.1:0", insecureLocalOnly=True)
    server = loop_thread.run(start_admin(cfg, store, get_backend("stdlib"), environ={}))
    try:
        port = server.address[1]
        response = httpx.put(
            f"http://127.0.0.1:{port}/apis/local", json=api_body("local"), timeout=10
        )
        assert response.status_code == 201
        assert store.audit_log(path="apis/local")[0][0].actor == "local:insecure"
    finally:
        loop_thread.call(server.close)
        loop_thread.run(server.wait_closed())
        store.close()
