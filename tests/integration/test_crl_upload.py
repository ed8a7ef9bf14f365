"""CRLs uploaded through the admin API (certgate's own `crls/{id}`, beyond APIM) and from the
YAML file, checked by validate-client-certificate in a running `certgate serve`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Pki
from tests.serve_proc import CONFIG, Served, b64, prepare
from tests.validation_certs import crl

POLICY = """<policies>
  <inbound>
    <validate-client-certificate validate-revocation="true" validate-trust="true"
        validate-not-before="true" validate-not-after="true" ignore-error="false" />
  </inbound>
  <backend><forward-request /></backend>
</policies>"""

# The demo root and intermediate as CA certificates, and the root's CRL from the file.
TRUST = """
caCertificates:
  - {{file: {pki}/root.crt, storeName: Root}}
  - {{file: {pki}/intermediate.crt, storeName: CertificateAuthority}}
crls:
  - {{file: {folder}/root.crl}}
"""


@pytest.fixture
def served(tmp_path: Path, pki: Pki, backend: tuple[int, list[object]]) -> Iterator[Served]:
    (tmp_path / "root.crl").write_bytes(crl(pki.demo.root))
    node = prepare(tmp_path, pki, backend[0], config=CONFIG + TRUST, policy=POLICY).start()
    try:
        yield node
    finally:
        assert node.stop() == 0, node.log()
        assert "Traceback" not in node.log()


def test_a_crl_uploaded_through_the_admin_api_applies_at_once(served: Served, pki: Pki) -> None:
    # Only the root's CRL (from the file): the client's own status is unknown, so fail closed.
    assert served.request(cert=pki.client).status == 401
    with served.admin() as admin:
        good = admin.put(
            "/crls/intermediate", json={"properties": {"data": b64(crl(pki.demo.intermediate))}}
        )
        assert good.status_code == 201, good.text
        shown = admin.get("/crls/intermediate").json()["properties"]
        assert shown["issuer"] == "CN=certgate Demo Intermediate CA"
        assert "data" not in shown and shown["nextUpdate"].endswith("Z")
    assert served.request(cert=pki.client).status == 200
    revoking = crl(pki.demo.intermediate, (pki.client,))
    with served.admin() as admin:
        changed = admin.put("/crls/intermediate", json={"properties": {"data": b64(revoking)}})
        assert changed.status_code == 200, changed.text
    assert served.request(cert=pki.client).status == 401
    assert served.request(cert=pki.second).status == 200  # same issuer, not revoked


def test_a_malformed_crl_is_refused_and_changes_nothing(served: Served, pki: Pki) -> None:
    with served.admin() as admin:
        good = admin.put(
            "/crls/intermediate", json={"properties": {"data": b64(crl(pki.demo.intermediate))}}
        )
        assert good.status_code == 201
        before = admin.get("/crls/intermediate").json()
        bad = admin.put("/crls/intermediate", json={"properties": {"data": b64(b"not a crl")}})
        assert bad.status_code == 400
        assert "not a CRL" in bad.text
        assert admin.get("/crls/intermediate").json() == before
    assert served.request(cert=pki.client).status == 200
