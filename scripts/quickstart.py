"""`make run`: a demo PKI, a demo backend and the gateway with both seed policies, on loopback.

Creates (once) under the data folder: pki/ (root CA, intermediate, gateway certificate, a trusted
client certificate, a stranger's self-signed one), policies/, config.yaml. Then starts the echo
backend and `certgate serve`, and prints curl commands to try.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from certgate.testing.pki import DemoPki

GATEWAY = "127.0.0.1:8443"
BACKEND_PORT = 9080

THUMBPRINT_POLICY = """<policies>
  <inbound>
    <base />
    <choose>
      <when condition="@(context.Request.Certificate == null || context.Request.Certificate.Thumbprint != "{thumbprint}")">
        <return-response><set-status code="401" reason="Invalid client certificate" /></return-response>
      </when>
    </choose>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>
"""

UPLOADED_POLICY = """<policies>
  <inbound>
    <base />
    <choose>
      <when condition="@(context.Request.Certificate == null || !context.Deployment.Certificates.Any(c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))">
        <return-response><set-status code="401" reason="Invalid client certificate" /></return-response>
      </when>
    </choose>
  </inbound>
  <backend><base /></backend>
  <outbound><base /></outbound>
  <on-error><base /></on-error>
</policies>
"""

CONFIG = f"""# certgate demo configuration (written by `make run`)
hostnames:
  - hostName: localhost
    listen: {GATEWAY}
    certificateId: gateway-tls
    negotiateClientCertificate: true
    defaultSslBinding: true
certificates:
  gateway-tls: {{file: pki/gateway.pem}}
  client-01: {{file: pki/client.crt}}       # uploaded: context.Deployment.Certificates
caCertificates:
  - {{file: pki/root.crt, storeName: Root}}
  - {{file: pki/intermediate.crt, storeName: CertificateAuthority}}
apis:
  thumbprint:
    path: thumbprint
    serviceUrl: http://127.0.0.1:{BACKEND_PORT}
    policy: policies/thumbprint.xml
  uploaded:
    path: uploaded
    serviceUrl: http://127.0.0.1:{BACKEND_PORT}
    policy: policies/uploaded.xml
"""


def prepare(data: Path) -> Path:
    """Write the demo files unless they exist; return the config path."""
    pki = data / "pki"
    config = data / "config.yaml"
    if not (pki / "client.pem").exists():
        DemoPki.create().write(pki)
    thumbprint = _thumbprint(pki / "client.crt")
    policies = data / "policies"
    policies.mkdir(parents=True, exist_ok=True)
    (policies / "thumbprint.xml").write_text(THUMBPRINT_POLICY.format(thumbprint=thumbprint))
    (policies / "uploaded.xml").write_text(UPLOADED_POLICY)
    config.write_text(CONFIG)
    return config


def _thumbprint(path: Path) -> str:
    from certgate.core.certs import load_certificate

    return load_certificate(path.read_bytes()).view().Thumbprint


def banner(data: Path) -> str:
    pki = data / "pki"
    base = "https://localhost:8443"
    ca = f"--cacert {pki / 'root.crt'}"
    return f"""
certgate demo: gateway on {base} (backend 127.0.0.1:{BACKEND_PORT}); Ctrl-C stops both.

  # trusted client certificate -> 200 backend-ok
  curl {ca} --cert {pki / "client.pem"} {base}/thumbprint/hello
  curl {ca} --cert {pki / "client.pem"} {base}/uploaded/hello
  # no certificate -> 401 Invalid client certificate
  curl -i {ca} {base}/thumbprint/hello
  # a stranger's self-signed certificate: the handshake succeeds, the policy answers 401
  curl -i {ca} --cert {pki / "stranger.pem"} {base}/uploaded/hello
  # no API at that path -> 404
  curl -i {ca} --cert {pki / "client.pem"} {base}/nothing-here
"""


def main() -> int:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--data", type=Path, default=Path(".certgate"))
    data = args.parse_args().data.resolve()
    config = prepare(data)
    bindir = Path(sys.executable).parent
    backend = subprocess.Popen(
        [sys.executable, "-m", "certgate.testing.backend", str(BACKEND_PORT)]
    )
    try:
        time.sleep(0.3)
        if backend.poll() is not None:
            print(f"demo backend could not start on port {BACKEND_PORT}", file=sys.stderr)
            return 1
        print(banner(data), flush=True)
        gateway = subprocess.run(
            [str(bindir / "certgate"), "serve", "--config", str(config)],
            env=os.environ.copy(),
            check=False,
        )
        return gateway.returncode
    except KeyboardInterrupt:
        return 0
    finally:
        backend.terminate()
        backend.wait()


if __name__ == "__main__":
    sys.exit(main())
