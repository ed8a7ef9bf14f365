"""The store from the command line: YAML import → export → import, APIOps import (the corpus
samples), `cert` and `api` commands, `rotate-master-key` then `serve`, and `serve --config` applying
its file to the store. Every accepted input has its refused twin, which stores nothing."""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from certgate.cli import main
from certgate.config import Config
from certgate.core.certs import load_certificate
from certgate.snapshot import build_snapshot
from certgate.store import Store, crypto
from certgate.store_cli import open_serving
from tests.conftest import Pki
from tests.harness import free_port
from tests.validation_certs import crl

CERTGATE = [sys.executable, "-m", "certgate.cli"]
CORPUS = (
    Path(__file__).resolve().parents[3] / "shared" / "corpus" / "azure-apiops" / "SampleArtifacts"
)
if not CORPUS.is_dir():
    CORPUS = Path(__file__).resolve().parents[3] / "shared/corpus/azure-apiops/SampleArtifacts"

POLICY = """<policies>
  <inbound>
    <base />
    <choose>
      <when condition="@(context.Request.Certificate == null || context.Request.Certificate.Thumbprint != "{{partner-thumbprint}}")">
        <return-response><set-status code="401" reason="Invalid client certificate" /></return-response>
      </when>
    </choose>
  </inbound>
</policies>
"""

CONFIG = """
hostnames:
  - hostName: localhost
    listen: 127.0.0.1:{port}
    certificateId: gateway-tls
    negotiateClientCertificate: true
    defaultSslBinding: true
certificates:
  gateway-tls: {{file: gw.pfx, passwordEnv: GW_PFX_PASSWORD}}
  client-01: {{file: {pki}/client.crt}}
caCertificates:
  - {{file: {pki}/root.crt, storeName: Root}}
  - {{file: {pki}/intermediate.crt, storeName: CertificateAuthority}}
crls:
  - {{file: root.crl}}
backends:
  orders-backend:
    url: https://127.0.0.1:9/v1
    credentials: {{certificateIds: [gateway-tls]}}
    tls: {{validateCertificateName: false}}
policy: <policies><inbound /><backend><forward-request /></backend></policies>
apis:
  orders:
    path: orders
    serviceUrl: http://127.0.0.1:9
    displayName: Orders
    policy: orders.xml
    operations:
      get-order:
        method: GET
        urlTemplate: /{{id}}
        policy: <policies><inbound><base /><set-header name="x-op" exists-action="override"><value>get</value></set-header></inbound></policies>
namedValues:
  partner-thumbprint: 0123456789ABCDEF0123456789ABCDEF01234567
  api-key: {{value: s3cret-named-value, secret: true}}
"""


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (crypto.ENV_KEY, crypto.ENV_KEY_FILE, "CERTGATE_DB_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GW_PFX_PASSWORD", "gw-pass")


def write_config(tmp_path: Path, pki: Pki, port: int = 0, text: str = CONFIG) -> Path:
    (tmp_path / "gw.pfx").write_bytes(pki.demo.gateway.pfx(b"gw-pass"))
    (tmp_path / "orders.xml").write_text(POLICY)
    (tmp_path / "root.crl").write_bytes(crl(pki.demo.root))
    path = tmp_path / "config.yaml"
    path.write_text(text.format(port=port or free_port(), pki=pki.folder))
    return path


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def opened(data: Path) -> Store:
    return Store.open(data)


def summary(config: Config) -> dict[str, Any]:
    """What must survive an export and re-import (ids may be renamed, content not)."""
    certificates = {}
    for cert_id, cert in config.certificates.items():
        loaded = load_certificate(base64.b64decode(cert.data or ""))
        certificates[cert_id] = (loaded.der, loaded.chain_der, loaded.key_pem)
    return {
        "hostnames": config.hostnames,
        "certificates": certificates,
        "cas": [
            (ca.store_name, load_certificate(base64.b64decode(ca.data or "")).der)
            for ca in config.ca_certificates
        ],
        "policy": config.policy,
        "apis": config.apis,
        "named_values": config.named_values,
        "backends": config.backends,
        "crls": [base64.b64decode(c.data or "") for c in config.crls],
    }


# --- YAML import / export ------------------------------------------------------------------------


def test_yaml_import_export_import_round_trip(
    tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path, pki)
    code, out, _ = cli(capsys, "import", str(config), "--data", str(tmp_path / "a"))
    assert code == 0 and "applied" in out
    code, out, _ = cli(capsys, "import", str(config), "--data", str(tmp_path / "a"))
    assert code == 0 and "nothing changed" in out  # importing again is idempotent

    monkeypatch.setenv("EXPORT_PW", "export-pass")
    exported = tmp_path / "export.yaml"
    code, _, _ = cli(
        capsys,
        "export",
        "--data",
        str(tmp_path / "a"),
        "--out",
        str(exported),
        "--password-env",
        "EXPORT_PW",
        "--include-secrets",
    )
    assert code == 0
    text = exported.read_bytes()
    key = pki.demo.gateway.key_pem()
    assert b"PRIVATE KEY" not in text and key.splitlines()[1] not in text
    assert b"PRIVATE KEY" not in base64.b64decode(text.split(b"data: ")[1].split()[0])
    assert oct(exported.stat().st_mode & 0o777) == "0o600"

    code, _, _ = cli(capsys, "import", str(exported), "--data", str(tmp_path / "b"))
    assert code == 0
    with opened(tmp_path / "a") as a, opened(tmp_path / "b") as b:
        first, second = a.to_config(), b.to_config()
        assert summary(first) == summary(second)
        assert second.certificates  # and the copy serves
        assert second.backends["orders-backend"].tls.validate_certificate_name is False
        assert len(second.crls) == 1
        build_snapshot(second, tmp_path)


def test_export_refuses_to_write_a_key_or_secret_in_plaintext(
    tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path, pki)
    data = str(tmp_path / "a")
    assert cli(capsys, "import", str(config), "--data", data)[0] == 0
    out = tmp_path / "export.yaml"
    code, stdout, err = cli(capsys, "export", "--data", data, "--out", str(out))
    assert code == 1 and "never exported in plaintext" in err
    assert not out.exists() and "PRIVATE" not in stdout
    monkeypatch.setenv("EXPORT_PW", "x")
    code, _, err = cli(capsys, "export", "--data", data, "--password-env", "EXPORT_PW")
    assert code == 1 and "--include-secrets" in err and "api-key" in err


def test_import_of_an_invalid_file_stores_nothing(
    tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path, pki)
    (tmp_path / "orders.xml").write_text(POLICY.replace("</choose>", ""))
    data = tmp_path / "a"
    code, _, err = cli(capsys, "import", str(config), "--data", str(data))
    assert code == 1
    assert "apis/orders/policies/policy" in err and "line" in err and "column" in err
    assert f"(from {config})" in err
    with opened(data) as store:
        assert store.version() == 0
    monkeypatch.delenv("GW_PFX_PASSWORD")
    code, _, err = cli(capsys, "import", str(config), "--data", str(data))
    assert code == 2 and "certificates.gateway-tls.passwordEnv" in err
    monkeypatch.setenv("GW_PFX_PASSWORD", "wrong")
    (tmp_path / "orders.xml").write_text(POLICY)
    code, _, err = cli(capsys, "import", str(config), "--data", str(data))
    assert code == 1 and "certificates/gateway-tls" in err and "wrong password" in err
    with opened(data) as store:
        assert store.version() == 0


# --- serve --config applies the file to the store ------------------------------------------------


def test_serve_applies_the_file_and_keeps_what_was_added_elsewhere(
    tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, pki)
    data = tmp_path / "data"
    store, snapshot = open_serving(config, data)
    version = store.version()
    store.close()
    assert snapshot.router.match("orders/1") is not None
    assert (
        cli(
            capsys,
            "api",
            "put",
            "extra",
            "--path",
            "extra",
            "--service-url",
            "http://127.0.0.1:9",
            "--data",
            str(data),
        )[0]
        == 0
    )
    store, _ = open_serving(config, data)  # the same file again: nothing to change
    assert store.version() == version + 1
    store.close()
    config.write_text(
        config.read_text()
        .replace("  orders:\n", "  renamed:\n")
        .replace("path: orders", "path: renamed")
    )
    store, snapshot = open_serving(config, data)
    names = sorted(r.name for r in store.list("apis")[0])
    store.close()
    assert names == ["extra", "renamed"]  # the file's old API went; the CLI's stayed
    assert snapshot.router.match("orders/1") is None


def test_serve_refuses_a_store_with_nothing_to_serve(tmp_path: Path) -> None:
    from certgate.errors import StoreError

    with pytest.raises(StoreError, match="nothing to serve"):
        open_serving(None, tmp_path / "empty")


# --- certificates and APIs from the command line --------------------------------------------------


def test_cert_add_list_show_rm(
    tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = str(tmp_path / "data")
    pfx = tmp_path / "partner.pfx"
    pfx.write_bytes(pki.second.pfx(b"partner-pass"))
    monkeypatch.setenv("PARTNER_PW", "wrong")
    code, _, err = cli(
        capsys, "cert", "add", "partner", str(pfx), "--password-env", "PARTNER_PW", "--data", data
    )
    assert code == 1 and "wrong password" in err
    monkeypatch.setenv("PARTNER_PW", "partner-pass")
    code, out, _ = cli(
        capsys, "cert", "add", "partner", str(pfx), "--password-env", "PARTNER_PW", "--data", data
    )
    assert code == 0 and "added certificates/partner" in out and pki.second.thumbprint in out
    code, out, _ = cli(
        capsys, "cert", "add", "root", str(pki.folder / "root.crt"), "--ca", "--data", data
    )
    assert code == 0
    code, out, _ = cli(capsys, "cert", "list", "--data", data)
    assert code == 0 and "partner" in out and "yes" in out and "root" not in out
    code, out, _ = cli(capsys, "cert", "list", "--ca", "--json", "--data", data)
    assert json.loads(out)[0]["properties"]["storeName"] == "Root"
    code, out, _ = cli(capsys, "cert", "show", "partner", "--data", data)
    shown = json.loads(out)["properties"]
    assert shown["hasPrivateKey"] is True and shown["thumbprint"] == pki.second.thumbprint
    assert "PRIVATE" not in out and "partner-pass" not in out and "data" not in shown
    assert cli(capsys, "cert", "show", "nope", "--data", data)[0] == 1
    code, out, _ = cli(capsys, "cert", "rm", "partner", "--data", data)
    assert code == 0 and "deleted" in out
    assert cli(capsys, "cert", "rm", "partner", "--data", data)[0] == 1


def test_cert_used_by_a_hostname_cannot_be_removed(
    tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, pki)
    data = str(tmp_path / "data")
    assert cli(capsys, "import", str(config), "--data", data)[0] == 0
    code, _, err = cli(capsys, "cert", "rm", "gateway-tls", "--data", data)
    assert code == 1 and "cannot delete certificates/gateway-tls" in err
    with opened(Path(data)) as store:
        assert store.get("certificates/gateway-tls") is not None


def test_api_put_list_show_rm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    policy = tmp_path / "p.xml"
    policy.write_text(
        '<policies><inbound><set-header name="a" exists-action="override"><value>@(context.Request.Method == "GET" ? "g" : "o")</value></set-header></inbound></policies>'
    )
    code, _, err = cli(
        capsys,
        "api",
        "put",
        "orders",
        "--path",
        "orders",
        "--service-url",
        "ftp://x",
        "--data",
        data,
    )
    assert code == 1 and "serviceUrl" in err
    code, _, _ = cli(
        capsys,
        "api",
        "put",
        "orders",
        "--path",
        "orders",
        "--service-url",
        "http://127.0.0.1:9",
        "--policy",
        str(policy),
        "--data",
        data,
    )
    assert code == 0
    code, out, _ = cli(capsys, "api", "list", "--data", data)
    assert "orders" in out and "/orders" in out
    code, out, _ = cli(capsys, "api", "show", "orders", "--data", data)
    shown = json.loads(out)
    assert shown["properties"]["subscriptionRequired"] is False
    assert shown["policy"]["format"] == "rawxml" and '== "GET"' in shown["policy"]["value"]
    bad = tmp_path / "bad.xml"
    bad.write_text("<policies><inbound><nope/></inbound></policies>")
    code, _, err = cli(
        capsys,
        "api",
        "put",
        "orders",
        "--path",
        "o2",
        "--service-url",
        "http://127.0.0.1:9",
        "--policy",
        str(bad),
        "--data",
        data,
    )
    assert code == 1 and "nope" in err
    code, out, _ = cli(capsys, "api", "show", "orders", "--data", data)
    assert json.loads(out)["properties"]["path"] == "orders"  # the refused change left nothing
    assert cli(capsys, "api", "rm", "orders", "--data", data)[0] == 0
    assert cli(capsys, "api", "show", "orders", "--data", data)[0] == 1


# --- rotate-master-key, then serve -----------------------------------------------------------------


@pytest.fixture
def served() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=20)


def wait_for_port(port: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited: {proc.communicate()[1]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("serve did not listen")


def test_rotate_master_key_then_serve_from_the_store(
    tmp_path: Path,
    pki: Pki,
    capsys: pytest.CaptureFixture[str],
    served: list[subprocess.Popen[str]],
) -> None:
    port = free_port()
    config = write_config(tmp_path, pki, port)
    data = tmp_path / "data"
    assert cli(capsys, "import", str(config), "--data", str(data))[0] == 0
    old_key = (data / "master.key").read_text()
    code, out, _ = cli(capsys, "rotate-master-key", "--data", str(data))
    assert code == 0 and "re-sealed 2 secrets" in out  # the gateway key and the secret value
    assert (data / "master.key").read_text() != old_key
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTGATE_")}
    proc = subprocess.Popen(
        [*CERTGATE, "serve", "--data", str(data)], stderr=subprocess.PIPE, text=True, env=env
    )
    served.append(proc)
    wait_for_port(port, proc)
    from tests.harness import Client

    reply = Client(port, pki.folder / "root.crt").request("/orders/1")
    assert (reply.status, reply.reason) == (401, "Invalid client certificate")


def test_serve_refuses_a_store_whose_key_is_gone(
    tmp_path: Path, pki: Pki, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, pki)
    data = tmp_path / "data"
    assert cli(capsys, "import", str(config), "--data", str(data))[0] == 0
    (data / "master.key").unlink()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTGATE_")}
    proc = subprocess.run(
        [*CERTGATE, "serve", "--data", str(data)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "is not the store's" in proc.stderr


# --- APIOps ------------------------------------------------------------------------------------------

OPENAPI = """openapi: 3.0.1
info: {{title: {title}, version: '1.0'}}
paths:
{paths}
"""


def _info(folder: Path, rel: str, properties: dict[str, Any]) -> None:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"properties": properties}, indent=2))


def apiops_layout(tmp_path: Path, *, subscription_required: bool, whole: bool) -> Path:
    """The corpus's APIOps sample (policies, byte for byte) with the information files the
    extractor writes next to them (the corpus keeps policies only)."""
    folder = tmp_path / "apiops"
    shutil.copytree(CORPUS, folder)
    if not whole:  # only the policies certgate runs today
        for rel in (
            "policy.xml",
            "apis/basic-api/policy.xml",
            "apis/basic-api/operations/create-item/policy.xml",
            "products/product2/policy.xml",
        ):
            (folder / rel).unlink()
    for api, ops in (
        ("basic-api", {"/items": {"get": "get-items", "post": "create-item"}}),
        ("revisioned-api", {"/revision": {"get": "get-revision"}}),
        ("revisioned-api;rev=2", {"/revision": {"get": "get-revision-v2"}}),
    ):
        _info(
            folder,
            f"apis/{api}/apiInformation.json",
            {
                "path": api.split(";")[0],
                "displayName": api,
                "protocols": ["https"],
                "serviceUrl": "https://127.0.0.1:9443",
                "subscriptionRequired": subscription_required,
                "authenticationSettings": {},
            },
        )
        paths = "\n".join(
            f"  {p}:\n"
            + "".join(
                f"    {m}:\n      operationId: {o}\n      summary: {o}\n"
                for m, o in methods.items()
            )
            for p, methods in ops.items()
        )
        (folder / f"apis/{api}/specification.yaml").write_text(
            OPENAPI.format(title=api, paths=paths)
        )
    for name, value in (
        ("environment-name", "scenario"),
        ("allowed-ip-address", "10.0.0.1"),
        ("rewrite-search-term", "legacy"),
        ("intranet-proxy-url", "https://127.0.0.1:9444"),
    ):
        _info(
            folder,
            f"named values/{name}/namedValueInformation.json",
            {"displayName": name, "value": value, "secret": False},
        )
    _info(
        folder,
        "backends/backend1/backendInformation.json",
        {"url": "https://127.0.0.1:9443", "protocol": "http"},
    )
    for product in ("product1", "product2"):
        _info(
            folder,
            f"products/{product}/productInformation.json",
            {"displayName": product, "state": "published", "subscriptionRequired": True},
        )
    (folder / "products/product1/apis.json").write_text(
        json.dumps([{"name": "basic-api"}, {"name": "gone"}])
    )
    return folder


needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="APIOps corpus samples not present")


@needs_corpus
def test_apiops_api_requiring_subscriptions_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = apiops_layout(tmp_path, subscription_required=True, whole=False)
    data = tmp_path / "data"
    code, _, err = cli(capsys, "import", "--apiops", str(folder), "--data", str(data))
    assert code == 1
    assert "apis/basic-api: subscriptionRequired" in err and "no subscriptions" in err
    assert "(from apis/basic-api/apiInformation.json)" in err
    assert "apis/revisioned-api: subscriptionRequired" in err  # every refusal, not the first only
    assert "(from apis/revisioned-api/apiInformation.json)" in err
    with opened(data) as store:
        assert store.version() == 0 and store.list("apis") == ([], 0)


@needs_corpus
def test_apiops_import_of_the_corpus_sample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = apiops_layout(tmp_path, subscription_required=False, whole=False)
    data = tmp_path / "data"
    code, out, err = cli(capsys, "import", "--apiops", str(folder), "--data", str(data))
    assert code == 0, err
    assert "revisioned-api;rev=2" in err and "policy fragments/" in err  # said, not imported
    assert "not linked: products/product1 → API 'gone'" in err
    with opened(data) as store:
        assert sorted(r.name for r in store.list("apis")[0]) == ["basic-api", "revisioned-api"]
        operations, _ = store.list("apis/basic-api/operations")
        assert {
            (o.name, o.properties["method"], o.properties["urlTemplate"]) for o in operations
        } == {
            ("get-items", "GET", "/items"),
            ("create-item", "POST", "/items"),
        }
        policy = store.get("apis/basic-api/operations/get-items/policies/policy")
        corpus_text = (CORPUS / "apis/basic-api/operations/get-items/policy.xml").read_text()
        assert policy is not None
        assert policy.to_json(policy_format="rawxml")["properties"]["value"] == corpus_text
        assert store.get("products/product1/policies/policy") is not None
        assert store.get("products/product1/apis/basic-api") is not None
        assert store.get("backends/backend1") is not None
        assert store.get("namedValues/allowed-ip-address") is not None
        snapshot = store.snapshot()
        assert snapshot.router.match("basic-api/items") is not None
        version = store.version()
    code, out, _ = cli(capsys, "import", "--apiops", str(folder), "--data", str(data))
    assert code == 0 and "nothing changed" in out
    with opened(data) as store:
        assert store.version() == version


@needs_corpus
def test_apiops_import_of_the_whole_corpus_is_all_or_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sample also uses policies certgate cannot run yet (include-fragment, backend-id,
    find-and-replace): the import is refused by name and location, or, once they are supported,
    accepted; never half done."""
    folder = apiops_layout(tmp_path, subscription_required=False, whole=True)
    data = tmp_path / "data"
    code, _, err = cli(capsys, "import", "--apiops", str(folder), "--data", str(data))
    with opened(data) as store:
        if code == 0:
            assert store.list("apis")[1] == 2
        else:
            assert code == 1 and "not supported yet" in err and "(from " in err
            assert store.version() == 0


@needs_corpus
def test_apiops_operation_policy_without_its_operation_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = apiops_layout(tmp_path, subscription_required=False, whole=False)
    spec = folder / "apis/basic-api/specification.yaml"
    spec.write_text(spec.read_text().replace("get-items", "list-items"))
    code, _, err = cli(capsys, "import", "--apiops", str(folder), "--data", str(tmp_path / "d"))
    assert code == 1 and "apis/basic-api/operations/get-items/policy.xml" in err


@needs_corpus
def test_apiops_invalid_policy_names_its_file_and_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = apiops_layout(tmp_path, subscription_required=False, whole=False)
    policy = folder / "apis/revisioned-api/operations/get-revision/policy.xml"
    policy.write_text(policy.read_text().replace("</set-header>", ""))
    code, _, err = cli(capsys, "import", "--apiops", str(folder), "--data", str(tmp_path / "d"))
    assert code == 1 and "line" in err and "column" in err
    assert "(from apis/revisioned-api/operations/get-revision/policy.xml)" in err


def test_apiops_folder_that_does_not_exist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(
        capsys, "import", "--apiops", str(tmp_path / "nope"), "--data", str(tmp_path / "d")
    )
    assert code == 1 and "is not a folder" in err
