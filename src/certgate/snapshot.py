"""Configuration → one immutable, compiled snapshot that requests only read.

Everything a request needs is resolved here, once: certificate files read and parsed, policies
parsed and their expressions compiled, scopes composed, the router built. A snapshot that fails to
build raises a LoadError naming file, key or element; nothing is half-applied.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from certgate.config import (
    ApiConfig,
    CertificateSource,
    Config,
    GatewayConfig,
    parse_listen,
    read_config,
)
from certgate.core.backends import EMPTY_DIRECTORY, BackendDirectory, BackendEntity, BackendTls
from certgate.core.certs import LoadedCertificate, X509Certificate2, load_certificate
from certgate.core.context import ApiInfo, DeploymentInfo, OperationInfo
from certgate.core.policy.document import (
    EffectivePolicy,
    PolicyDocument,
    load_document,
    references,
)
from certgate.core.routing import OperationRoute, OperationRouter, Router, UrlTemplate
from certgate.core.validation.validator import Validator
from certgate.errors import (
    CertificateLoadError,
    ConfigError,
    LoadError,
    PolicyError,
    PolicyRuntimeError,
)
from certgate.io.tls.base import TlsHostname
from certgate.trust import build_validator

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
class OperationRuntime:
    operation: OperationInfo
    policy: EffectivePolicy  # global → API → operation, composed


@dataclass(frozen=True, slots=True)
class ApiRuntime:
    api_id: str
    api: ApiInfo
    backend: Backend
    operations: OperationRouter[OperationRuntime]
    catch_all: OperationRuntime | None  # an API without operations accepts every request

    @property
    def policy(self) -> EffectivePolicy:
        """The API-level effective policy (what a request runs when the API has no operations)."""
        assert self.catch_all is not None
        return self.catch_all.policy

    def match(
        self, method: str, rest: str, query: str
    ) -> tuple[OperationRuntime, dict[str, str]] | None:
        if self.catch_all is not None:
            return self.catch_all, {}
        return self.operations.match(method, rest, query)


@dataclass(frozen=True, slots=True)
class Snapshot:
    router: Router[ApiRuntime]
    deployment: DeploymentInfo
    listeners: dict[tuple[str, int], tuple[TlsHostname, ...]]
    hostnames: dict[str, TlsHostname]  # lower-cased name → settings
    ca_certificates: tuple[tuple[str, X509Certificate2], ...]  # (storeName, certificate)
    settings: GatewayConfig
    validator: Validator  # client-certificate validation: trust store, CRLs, settings


def build_snapshot(config: Config, base_dir: Path) -> Snapshot:
    certificates = _load_certificates(config, base_dir)
    deployment = DeploymentInfo(
        {c.view().Thumbprint: c.view() for c in certificates.values()},
        config.gateway.service_name,
        config.gateway.region,
        BackendDirectory(_backends(config, certificates), certificates),
    )
    root = load_document(DEFAULT_POLICY, source="(platform default)", scope="global")
    loader = _PolicyLoader(base_dir, _named_values(config), deployment.backends)
    global_doc = loader.load(config.policy, "policy", "global")
    apis = [
        _api_runtime(api_id, api, loader, [root, global_doc]) for api_id, api in config.apis.items()
    ]
    router = Router((rt.api.Path, rt) for rt in apis)
    listeners, hostnames = _hostnames(config, certificates)
    cas = tuple(
        (ca.store_name, _read_cert(base_dir, ca, None, f"caCertificates.{i}").view())
        for i, ca in enumerate(config.ca_certificates)
    )
    validator = build_validator(config, base_dir, cas, certificates)
    return Snapshot(router, deployment, listeners, hostnames, cas, config.gateway, validator)


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
        loaded[cert_id] = _read_cert(base_dir, cert, password, f"certificates.{cert_id}")
    return loaded


def _backends(config: Config, certificates: dict[str, LoadedCertificate]) -> list[BackendEntity]:
    entities = []
    for backend_id, backend in config.backends.items():
        tls = BackendTls(
            validate_chain=backend.tls.validate_certificate_chain,
            validate_name=backend.tls.validate_certificate_name,
        )
        for i, cert_id in enumerate(backend.credentials.certificate_ids):
            cert = certificates.get(cert_id)
            if cert is None or cert.key_pem is None:
                problem = "no certificate" if cert is None else "no private key for certificate"
                raise ConfigError(
                    f"{problem} '{cert_id}' in certificates; a backend credential needs one",
                    element=f"backends.{backend_id}.credentials.certificateIds.{i}",
                )
            if i == 0:
                tls = tls.presenting(cert)
        entities.append(BackendEntity(backend_id, backend.url.rstrip("/"), tls))
    return entities


def _read_cert(
    base_dir: Path, source: CertificateSource, password: bytes | None, key: str
) -> LoadedCertificate:
    data, where, field = source.read(base_dir, key)
    try:
        return load_certificate(data, password=password)
    except CertificateLoadError as exc:
        raise ConfigError(f"{where}: {exc.message}", element=field) from None


def _named_values(config: Config) -> dict[str, str]:
    return {
        name: value if isinstance(value, str) else value.value
        for name, value in config.named_values.items()
    }


# APIM's named-value name characters; `{{ body.x }}` in Liquid templates is not a named value.
_NAMED_VALUE = re.compile(r"\{\{([A-Za-z0-9._-]+)\}\}")


class _PolicyLoader:
    """Reads policy files (or inline XML), substitutes `{{named values}}` and compiles."""

    def __init__(
        self,
        base_dir: Path,
        named_values: dict[str, str],
        directory: BackendDirectory = EMPTY_DIRECTORY,
    ) -> None:
        self.base_dir = base_dir
        self.named_values = named_values
        self.directory = directory  # what literal backend and certificate references must name

    def load(self, value: str | None, key: str, scope: str) -> PolicyDocument | None:
        if value is None:
            return None
        if value.lstrip().startswith("<"):
            source, text = f"{key} (inline)", value
        else:
            path = self.base_dir / value
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"cannot read policy file {path}: {exc}", element=key) from None
            source = str(path)
        doc = load_document(self.substitute(text, source), source=source, scope=scope)
        for ref in references(doc):
            try:
                self.directory.resolve(ref.kind, ref.value)
            except PolicyRuntimeError as exc:
                raise PolicyError(exc.message, **ref.location) from None
        return doc

    def substitute(self, text: str, source: str) -> str:
        """Named values go into the policy text before parsing (spec §3.1); one level only."""

        def replace(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name not in self.named_values:
                line = text.count("\n", 0, match.start()) + 1
                raise PolicyError(f"Named value '{name}' is not defined.", source=source, line=line)
            return self.named_values[name]

        return _NAMED_VALUE.sub(replace, text)


def _api_runtime(
    api_id: str, api: ApiConfig, loader: _PolicyLoader, parents: list[PolicyDocument | None]
) -> ApiRuntime:
    doc = loader.load(api.policy, f"apis.{api_id}.policy", "api")
    url = urlsplit(api.service_url)
    backend = Backend(
        url.scheme,
        url.hostname or "",
        url.port or (443 if url.scheme == "https" else 80),
        url.path.rstrip("/"),
    )
    scopes = [*parents, doc]
    routes = []
    for op_id, op in api.operations.items():
        key = f"apis.{api_id}.operations.{op_id}"
        try:
            template = UrlTemplate.parse(op.url_template)
        except ConfigError as exc:
            raise exc.located(element=f"{key}.urlTemplate") from None
        op_doc = loader.load(op.policy, f"{key}.policy", "operation")
        info = OperationInfo(op_id, op.method, op.url_template, op.display_name or op_id)
        runtime = OperationRuntime(info, EffectivePolicy.compose([*scopes, op_doc]))
        routes.append(OperationRoute(op.method, template, runtime))
    catch_all = None
    if not routes:
        info = OperationInfo(api_id, "*", "/*", api.display_name or api_id)
        catch_all = OperationRuntime(info, EffectivePolicy.compose(scopes))
    return ApiRuntime(
        api_id,
        ApiInfo(api_id, api.path.strip("/"), api.service_url),
        backend,
        OperationRouter(routes),
        catch_all,
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
