"""Configuration: certificate material by file or inline, and errors that name the key."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from certgate.errors import ConfigError
from certgate.snapshot import load_snapshot
from certgate.testing.pki import issue

BASE = """
hostnames:
  - {{hostName: localhost, listen: "127.0.0.1:0", certificateId: tls}}
certificates:
  tls: {source}
"""


def snapshot(tmp_path: Path, source: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "c.yaml"
    path.write_text(BASE.format(source=source))
    return load_snapshot(path)


def test_inline_base64_certificate_data(tmp_path: Path) -> None:
    leaf = issue("localhost", dns_names=("localhost",))
    data = base64.b64encode(leaf.cert_pem() + leaf.key_pem()).decode()
    snap = snapshot(tmp_path, f"{{data: {data}}}")
    assert leaf.thumbprint in snap.deployment.Certificates.Keys


@pytest.mark.parametrize(
    ("source", "key", "message"),
    [
        ("{data: '!!!'}", "certificates.tls.data", "not valid base64"),
        ("{file: a.pem, data: QQ==}", "certificates.tls", "exactly one of 'file' and 'data'"),
        ("{}", "certificates.tls", "exactly one of 'file' and 'data'"),
        ("{data: QUFBQQ==}", "certificates.tls.data", "inline data"),
    ],
)
def test_bad_certificate_sources_name_the_key(
    tmp_path: Path, source: str, key: str, message: str
) -> None:
    with pytest.raises(ConfigError) as info:
        snapshot(tmp_path, source)
    assert info.value.element == key
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://a b/", "'a b' is not a host name"),
        ("http://h:99999/", "Port out of range"),
        ("http://h:x/", "Port could not be cast"),
    ],
)
def test_service_url_with_a_bad_host_or_port_is_a_config_error(
    tmp_path: Path, url: str, message: str
) -> None:
    leaf = issue("localhost", dns_names=("localhost",))
    (tmp_path / "tls.pem").write_bytes(leaf.cert_pem() + leaf.key_pem())
    path = tmp_path / "c.yaml"
    path.write_text(
        BASE.format(source="{file: tls.pem}") + f"apis:\n  a: {{path: a, serviceUrl: '{url}'}}\n"
    )
    with pytest.raises(ConfigError) as info:
        load_snapshot(path)
    assert info.value.element == "apis.a.serviceUrl"
    assert message in str(info.value)
