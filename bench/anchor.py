"""nginx for the benchmark: the plain-HTTP backend, and the anchor that certgate is judged by.

The anchor does the same work as certgate with the seed thumbprint policy: TLS 1.2/1.3 with a
client certificate requested but not chain-checked (certgate accepts any certificate and lets
the policy decide), a SHA-1 thumbprint comparison per request (401 on mismatch), and a proxy hop to
the backend over a keep-alive upstream pool.

Each instance gets its own prefix folder: config, pid file, error log and temp folders, so nothing
touches /etc/nginx or /var/log/nginx and several benchmarks can run side by side.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from procs import Started, Supervisor, on_cpu, wait_listening

from certgate.testing.nginx import prepare

BACKEND_BODY = "hello from backend\n"  # small and fixed: the bench measures the gateway, not I/O

_BACKEND = """\
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    location / {{ default_type text/plain; return 200 "{body}"; }}
  }}
"""

# `optional_no_ca` asks for a certificate and accepts any, like certgate's accept-any TLS; the
# `if` is the policy. nginx prints $ssl_client_fingerprint as lowercase hex without colons.
_ANCHOR = """\
  upstream backend {{ server 127.0.0.1:{backend_port}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port} ssl backlog=4096;
    ssl_certificate {prefix}/gateway-chain.pem;
    ssl_certificate_key {prefix}/gateway.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_verify_client optional_no_ca;
    location / {{
      if ($ssl_client_fingerprint != "{sha1}") {{ return 401; }}
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
"""


@dataclass(frozen=True)
class NginxSite:
    """One nginx instance to start: name, prefix folder, port and the server blocks."""

    name: str
    prefix: Path
    port: int
    servers: str


def backend_site(prefix: Path, port: int) -> NginxSite:
    body = BACKEND_BODY.replace("\n", "\\n")
    return NginxSite("backend", prefix, port, _BACKEND.format(port=port, body=body))


def anchor_site(
    prefix: Path, port: int, backend_port: int, chain_pem: bytes, key_pem: bytes, sha1_hex: str
) -> NginxSite:
    """The anchor gateway; `sha1_hex` is the client's thumbprint (any case)."""
    prefix.mkdir(parents=True, exist_ok=True)
    (prefix / "gateway-chain.pem").write_bytes(chain_pem)
    key = prefix / "gateway.key"
    key.write_bytes(key_pem)
    key.chmod(0o600)
    servers = _ANCHOR.format(
        prefix=prefix, port=port, backend_port=backend_port, sha1=sha1_hex.lower()
    )
    return NginxSite("nginx", prefix, port, servers)


def start_nginx(sup: Supervisor, site: NginxSite, cpu: int | None) -> Started:
    """Write and test the config, start pinned, wait for the port."""
    argv = prepare(site.prefix, site.servers)
    item = sup.start(site.name, on_cpu(cpu, argv), site.prefix / "stdout.log")
    wait_listening(item, site.port)
    return item


def nginx_version() -> str:
    """'1.22.1' (nginx -v writes to stderr)."""
    if not shutil.which("nginx"):
        return "not installed"
    out = subprocess.run(["nginx", "-v"], capture_output=True, text=True, check=False)
    return out.stderr.strip().rsplit("/", 1)[-1]
