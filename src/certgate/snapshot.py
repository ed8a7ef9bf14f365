"""Configuration → one immutable, compiled snapshot that requests only read.

Everything a request needs is resolved here, once: certificate files read and parsed, policies
parsed and their expressions compiled, scopes composed, the router built. A snapshot that fails to
build raises a LoadError naming file, key or element; nothing is half-applied.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from certgate.config import ApiConfig, Config, GatewayConfig, parse_listen, read_config
from certgate.core.certs import LoadedCertificate, X509Certificate2, load_certificate
from certgate.core.context import ApiInfo, DeploymentInfo
from certgate.core.policy.document import EffectivePolicy, PolicyDocument, load_document
from certgate.core.routing import Router
from certgate.errors import CertificateLoadError, ConfigError, LoadError
from certgate.io.tls.base import TlsHostname

# The platform's own defaults: what a scope's `<base/>` reaches beyond the global scope. The backend
# section forwards the request (spec §5.9: "global scope has it by default").
DEFAULT_POLICY = """<policies><inbound/><backend><forward-request/></backend><outbound/>
<on-error/></policies>"""


@dataclass(frozen=True, slots=True)
class Backend:
    scheme: str
    host: str
    port: int
    base_path: str  # serviceUrl path without trailing '/'


@dataclass(frozen=True, slots=True)
class ApiRuntime:
    api_id: str
    api: ApiInfo
    backend: Backend
    policy: EffectivePolicy


@dataclass(frozen=True, slots=True)
class Snapshot:
    router: Router[ApiRuntime]
    deployment: DeploymentInfo
    listeners: dict[tuple[str, int], tuple[TlsHostname, ...]]
    hostnames: dict[str, TlsHostname]  # lower-cased name → settings
    ca_certificates: tuple[tuple[str, X509Certificate2], ...]  # (storeName, certificate)
    settings: GatewayConfig


def build_snapshot(config: Config, base_dir: Path) -> Snapshot:
    certificates = _load_certificates(config, base_dir)
    deployment = DeploymentInfo(
        {c.view().Thumbprint: c.view() for c in certificates.values()},
        config.gateway.service_name,
        config.gateway.region,
    )
    root = load_document(DEFAULT_POLICY, source="(platform default)", scope="global")
    global_doc = _load_policy(config.policy, base_dir, "policy", "global")
    apis = [
        _api_runtime(api_id, api, base_dir, [root, global_doc])
        for api_id, api in config.apis.items()
    ]
    router = Router((rt.api.Path, rt) for rt in apis)
    listeners, hostnames = _hostnames(config, certificates)
    cas = tuple(
        (ca.store_name, _read_cert(base_dir, ca.file, None, f"caCertificates.{i}").view())
        for i, ca in enumerate(config.ca_certificates)
    )
    return Snapshot(router, deployment, listeners, hostnames, cas, config.gateway)


def _load_certificates(config: Config, base_dir: Path) -> dict[str, LoadedCertificate]:
    loaded = {}
    for cert_id, cert in config.certificates.items():
        password = None
        if cert.password_env is not None:
            value = os.environ.get(cert.password_env)
            if value is None:
                raise ConfigError(
                    f"environment variable {cert.password_env} is not set",
                    element=f"certificates.{cert_id}.passwordEnv",
                )
            password = value.encode()
        loaded[cert_id] = _read_cert(base_dir, cert.file, password, f"certificates.{cert_id}")
    return loaded


def _read_cert(base_dir: Path, file: str, password: bytes | None, key: str) -> LoadedCertificate:
    path = base_dir / file
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}", element=f"{key}.file") from None
    try:
        return load_certificate(data, password=password)
    except CertificateLoadError as exc:
        raise ConfigError(f"{path}: {exc.message}", element=f"{key}.file") from None


def _load_policy(value: str | None, base_dir: Path, key: str, scope: str) -> PolicyDocument | None:
    if value is None:
        return None
    if value.lstrip().startswith("<"):
        return load_document(value, source=f"{key} (inline)", scope=scope)
    path = base_dir / value
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read policy file {path}: {exc}", element=key) from None
    return load_document(text, source=str(path), scope=scope)


def _api_runtime(
    api_id: str, api: ApiConfig, base_dir: Path, parents: list[PolicyDocument | None]
) -> ApiRuntime:
    doc = _load_policy(api.policy, base_dir, f"apis.{api_id}.policy", "api")
    url = urlsplit(api.service_url)
    backend = Backend(
        url.scheme,
        url.hostname or "",
        url.port or (443 if url.scheme == "https" else 80),
        url.path.rstrip("/"),
    )
    return ApiRuntime(
        api_id,
        ApiInfo(api_id, api.path.strip("/"), api.service_url),
        backend,
        EffectivePolicy.compose([*parents, doc]),
    )


def _hostnames(
    config: Config, certificates: dict[str, LoadedCertificate]
) -> tuple[dict[tuple[str, int], tuple[TlsHostname, ...]], dict[str, TlsHostname]]:
    listeners: dict[tuple[str, int], list[TlsHostname]] = {}
    by_name: dict[str, TlsHostname] = {}
    for i, host in enumerate(config.hostnames):
        key = f"hostnames.{i}.certificateId"
        cert = certificates.get(host.certificate_id)
        if cert is None:
            raise ConfigError(
                f"no certificate '{host.certificate_id}' in certificates", element=key
            )
        if cert.key_pem is None:
            raise ConfigError(
                f"certificate '{host.certificate_id}' has no private key; a hostname needs one",
                element=key,
            )
        settings = TlsHostname(
            name=host.host_name.lower(),
            cert_chain_pem=cert.chain_pem(),
            key_pem=cert.key_pem,
            negotiate_client_certificate=host.negotiate_client_certificate,
            default_ssl_binding=host.default_ssl_binding,
        )
        if settings.name in by_name:
            raise ConfigError(f"hostname '{host.host_name}' is configured twice", element=key)
        by_name[settings.name] = settings
        listeners.setdefault(parse_listen(host.listen), []).append(settings)
    return {k: tuple(v) for k, v in listeners.items()}, by_name


def load_snapshot(config_path: Path) -> Snapshot:
    """Read the YAML file and build its snapshot; LoadErrors name the config file if no other."""
    config = read_config(config_path)
    try:
        return build_snapshot(config, config_path.parent)
    except LoadError as exc:
        raise exc.located(source=str(config_path)) from None
