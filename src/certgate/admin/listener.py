"""Starts the admin API next to the gateway, on its own address: `start_admin(config, store, tls)`.

Over TLS (`admin.certificateId`, a certificate with its key from `certificates`) the listener runs
on the gateway's own `TlsBackend`, and asks for a client certificate when admin certificates are
configured (any certificate is accepted at the handshake; `auth.py` pins it by thumbprint).
Without TLS it listens on loopback only (the config model refuses anything else). It never
starts without credentials unless `insecureLocalOnly: true` on loopback (`AdminAuth.from_config`).
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Mapping
from pathlib import Path

from certgate.admin.app import create_app
from certgate.admin.asgi_host import AsgiServer, HostLimits, serve
from certgate.admin.auth import AdminAuth
from certgate.admin.routes import StoreLike
from certgate.config import Config, parse_listen
from certgate.core.certs import load_certificate
from certgate.errors import CertificateLoadError, ConfigError
from certgate.io.tls.base import TlsBackend, TlsHostname
from certgate.metrics import Metrics

log = logging.getLogger("certgate.admin")


async def start_admin(
    config: Config,
    store: StoreLike,
    tls_backend: TlsBackend,
    *,
    metrics: Metrics | None = None,
    base_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> AsgiServer:
    """Listen for the admin API as `config.admin` says; ConfigError when it is unsafe or wrong.

    `metrics` is the process's registry (the data plane feeds the same one); `base_dir` is the
    folder relative certificate files are read from (the config file's folder).
    """
    admin = config.admin
    if admin is None:
        raise ConfigError("no admin section", element="admin")
    env = os.environ if environ is None else environ
    auth = AdminAuth.from_config(admin, env)
    app = create_app(store, auth, metrics or Metrics())
    host, port = parse_listen(admin.listen)
    limits = HostLimits(max_body=admin.max_request_body_bytes)
    if admin.certificate_id is None:
        server = await serve(app, host, port, limits=limits)
    else:
        hostname = admin_hostname(
            config,
            admin.certificate_id,
            base_dir or Path(),
            env,
            client_certificates=auth.wants_client_certificates,
        )
        server = await serve(app, host, port, tls=tls_backend, hostnames=[hostname], limits=limits)
    bound = server.address
    log.info(
        "admin API on %s://%s:%s (tokens: %s; client certificates: %s)",
        "https" if admin.certificate_id else "http",
        bound[0],
        bound[1],
        ", ".join(auth.token_names) or "none",
        "yes" if auth.wants_client_certificates else "no",
    )
    return server


def admin_hostname(
    config: Config,
    certificate_id: str,
    base_dir: Path,
    environ: Mapping[str, str],
    *,
    client_certificates: bool,
) -> TlsHostname:
    """The admin listener's TLS settings from a certificate of the configuration."""
    key = "admin.certificateId"
    cert = config.certificates.get(certificate_id)
    if cert is None:
        raise ConfigError(f"no certificate '{certificate_id}' in certificates", element=key)
    password: bytes | None = None
    if cert.password_env is not None:
        value = environ.get(cert.password_env)
        if value is None:
            raise ConfigError(
                f"environment variable {cert.password_env} is not set",
                element=f"certificates.{certificate_id}.passwordEnv",
            )
        password = value.encode()
    try:
        if cert.data is not None:
            data = base64.b64decode(cert.data, validate=True)
        else:
            data = (base_dir / (cert.file or "")).read_bytes()
        loaded = load_certificate(data, password=password)
    except (ValueError, OSError, CertificateLoadError) as exc:
        raise ConfigError(
            f"certificate '{certificate_id}' cannot be read: {exc}", element=key
        ) from None
    if loaded.key_pem is None:
        raise ConfigError(
            f"certificate '{certificate_id}' has no private key; the admin listener needs one",
            element=key,
        )
    return TlsHostname(
        name="certgate-admin",
        cert_chain_pem=loaded.chain_pem(),
        key_pem=loaded.key_pem,
        negotiate_client_certificate=client_certificates,
        default_ssl_binding=True,
    )
