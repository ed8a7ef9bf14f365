"""`certgate serve` as a user runs it: starts on a good configuration, refuses a bad one with a
precise one-line error (file, element or key, line, column) and no traceback."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import Pki
from tests.harness import SERVED_LISTENER, free_port

CERTGATE = [sys.executable, "-m", "certgate.cli"]

CONFIG = (
    SERVED_LISTENER
    + """\
apis:
  echo:
    path: echo
    serviceUrl: http://127.0.0.1:9
    policy: policy.xml
"""
)

GOOD = """<policies>
  <inbound>
    <choose>
      <when condition="@(context.Request.Certificate == null)">
        <return-response><set-status code="401" reason="Invalid client certificate" /></return-response>
      </when>
    </choose>
  </inbound>
</policies>"""


def write(tmp_path: Path, pki: Pki, policy: str, config: str = CONFIG) -> tuple[Path, int]:
    port = free_port()
    (tmp_path / "policy.xml").write_text(policy)
    path = tmp_path / "config.yaml"
    path.write_text(config.format(port=port, pki=pki.folder))
    return path, port


def serve_args(config: Path) -> list[str]:
    return [*CERTGATE, "serve", "--config", str(config), "--data", str(config.parent / "data")]


def refuse(config: Path) -> str:
    proc = subprocess.run(serve_args(config), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    return proc.stderr.strip()


def test_serve_starts_answers_and_stops_on_sigterm(tmp_path: Path, pki: Pki) -> None:
    config, port = write(tmp_path, pki, GOOD)
    proc = subprocess.Popen(serve_args(config), stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        from tests.harness import Client

        reply = Client(port, pki.folder / "root.crt").request("/echo/x")
        assert (reply.status, reply.reason) == (401, "Invalid client certificate")
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "Traceback" not in stderr


def test_malformed_policy_refuses_to_start_with_position(tmp_path: Path, pki: Pki) -> None:
    bad = GOOD.replace("== null)", "== null || || true)")
    config, _ = write(tmp_path, pki, bad)
    message = refuse(config)
    assert str(tmp_path / "policy.xml") in message
    assert "element 'when'" in message
    assert "line 4" in message and "column" in message


def test_unclosed_element_refuses_to_start(tmp_path: Path, pki: Pki) -> None:
    config, _ = write(tmp_path, pki, GOOD.replace("</choose>", ""))
    message = refuse(config)
    assert "policy.xml" in message and "line" in message and "column" in message


def test_unknown_policy_is_refused_by_name(tmp_path: Path, pki: Pki) -> None:
    config, _ = write(
        tmp_path,
        pki,
        "<policies><inbound><rate-limit calls='1' renewal-period='1'/></inbound></policies>",
    )
    message = refuse(config)
    assert "not supported yet: policy 'rate-limit'" in message
    assert "line 1" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("certificateId: gateway-tls", "certificateId: nope"), "hostnames.0.certificateId"),
        (("serviceUrl: http://127.0.0.1:9", "serviceUrl: ftp://x"), "apis.echo.serviceUrl"),
        (("    path: echo", "    path: echo\n    colour: blue"), "apis.echo.colour"),
        (("listen: 127.0.0.1", "listen: nowhere"), "hostnames.0.listen"),
        (("gateway.pem", "missing.pem"), "certificates.gateway-tls.file"),
    ],
)
def test_bad_config_names_file_and_key(
    tmp_path: Path, pki: Pki, change: tuple[str, str], expected: str
) -> None:
    config, _ = write(tmp_path, pki, GOOD, CONFIG.replace(*change))
    message = refuse(config)
    assert str(config) in message
    assert f"key '{expected}'" in message


def test_invalid_yaml_names_line_and_column(tmp_path: Path, pki: Pki) -> None:
    config, _ = write(tmp_path, pki, GOOD, CONFIG + "\n  bad: [unclosed\n")
    message = refuse(config)
    assert str(config) in message and "line" in message and "invalid YAML" in message


def test_version_and_help() -> None:
    version = subprocess.run([*CERTGATE, "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("certgate ")
    helped = subprocess.run(
        [*CERTGATE, "serve", "--help"], capture_output=True, text=True, check=True
    )
    assert "--config" in helped.stdout and "--workers" in helped.stdout


def test_pfx_certificate_with_password_from_environment(tmp_path: Path, pki: Pki) -> None:
    import os

    from certgate.snapshot import load_snapshot

    (tmp_path / "gw.pfx").write_bytes(pki.demo.gateway.pfx(b"s3cret"))
    config, _ = write(
        tmp_path,
        pki,
        GOOD,
        CONFIG.replace(
            "gateway-tls: {{file: {pki}/gateway.pem}}",
            "gateway-tls: {{file: gw.pfx, passwordEnv: GW_PFX_PASSWORD}}",
        ),
    )
    os.environ["GW_PFX_PASSWORD"] = "s3cret"
    try:
        snapshot = load_snapshot(config)
        assert pki.demo.gateway.thumbprint in snapshot.deployment.Certificates.Keys
    finally:
        del os.environ["GW_PFX_PASSWORD"]
    proc = subprocess.run(
        serve_args(config),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "GW_PFX_PASSWORD": "wrong"},
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "key 'certificates.gateway-tls.file'" in proc.stderr
    assert "wrong password" in proc.stderr
    missing = refuse(config)  # variable not set at all
    assert "GW_PFX_PASSWORD is not set" in missing
