"""Validation settings in the configuration: skew, revocation, per-API override, uploaded CRLs."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pytest

from certgate.core.validation.validator import WhenUnknown
from certgate.errors import ConfigError
from certgate.snapshot import load_snapshot
from certgate.testing.pki import issue
from tests.validation_certs import crl, make

BASE = """
hostnames:
  - {{hostName: localhost, listen: "127.0.0.1:0", certificateId: tls}}
certificates:
  tls: {{file: tls.pem}}
  ca-entity: {{file: ca.crt}}
caCertificates:
  - {{file: ca.crt, storeName: Root}}
apis:
  a: {{path: a, serviceUrl: "http://127.0.0.1:1", revocation: {{whenUnknown: allow}}}}
  b: {{path: b, serviceUrl: "http://127.0.0.1:1"}}
{extra}
"""

CA = make("Test Root CA", ca=True)


def snapshot(tmp_path: Path, extra: str = ""):  # type: ignore[no-untyped-def]
    tls = issue("localhost", dns_names=("localhost",))
    (tmp_path / "tls.pem").write_bytes(tls.cert_pem() + tls.key_pem())
    (tmp_path / "ca.crt").write_bytes(CA.cert_pem())
    (tmp_path / "root.crl").write_bytes(crl(CA))
    path = tmp_path / "c.yaml"
    path.write_text(BASE.format(extra=extra))
    return load_snapshot(path)


def test_defaults(tmp_path: Path) -> None:
    v = snapshot(tmp_path).validator
    assert v.settings.clock_skew == dt.timedelta(0)
    assert v.settings.unknown_policy("b") is WhenUnknown.FAIL
    assert v.settings.unknown_policy("a") is WhenUnknown.ALLOW
    assert v.crls == () and len(v.store.roots) == 1
    assert set(v.certificates) == {"tls", "ca-entity"}


def test_settings_and_crls(tmp_path: Path) -> None:
    data = base64.b64encode(crl(CA)).decode()
    v = snapshot(
        tmp_path,
        "gateway:\n  clockSkewSeconds: 90\n  revocation: {whenUnknown: allow, fetchTimeoutSeconds: 2,"
        " maxResponseBytes: 1000, allowPrivateNetworks: true}\n"
        f"crls:\n  - {{file: root.crl}}\n  - {{data: {data}}}\n",
    ).validator
    assert v.settings.clock_skew == dt.timedelta(seconds=90)
    assert v.settings.unknown_policy("b") is WhenUnknown.ALLOW
    assert [c.source for c in v.crls] == ["root.crl", "crls.1.data"]


@pytest.mark.parametrize(
    ("extra", "key", "message"),
    [
        ("gateway: {revocation: {whenUnknown: maybe}}", "gateway.revocation.whenUnknown", ""),
        ("gateway: {clockSkewSeconds: -1}", "gateway.clockSkewSeconds", ""),
        (
            "gateway: {revocation: {fetchTimeoutSeconds: 0}}",
            "gateway.revocation.fetchTimeoutSeconds",
            "",
        ),
        ("gateway: {revocation: {colour: red}}", "gateway.revocation.colour", "unknown key"),
        ("crls: [{file: missing.crl}]", "crls.0.file", "cannot read"),
        ("crls: [{file: ca.crt}]", "crls.0.file", "not a CRL"),
        ("crls: [{data: '!!'}]", "crls.0.data", "not valid base64"),
    ],
)
def test_bad_settings_name_their_key(tmp_path: Path, extra: str, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        snapshot(tmp_path, extra)
    assert info.value.element == key
    assert message in info.value.message
