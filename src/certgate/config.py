"""The YAML configuration file: schema (APIM's names), reading, and errors that name key and file.

Relative paths inside the file are relative to the file's folder. Unknown keys are errors (a typo
must never silently drop a setting).
"""

from __future__ import annotations

import base64
import ipaddress
import re
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from certgate.core.url import UrlInfo
from certgate.errors import ConfigError

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class HostnameConfig(_Model):
    host_name: str = Field(alias="hostName", min_length=1)
    listen: str
    certificate_id: str = Field(alias="certificateId")
    negotiate_client_certificate: bool = Field(False, alias="negotiateClientCertificate")
    default_ssl_binding: bool = Field(False, alias="defaultSslBinding")

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        parse_listen(value)
        return value


class CertificateSource(_Model):
    """Certificate material from a `file`, or inline as base64 `data` (PEM bundle, DER or PFX)."""

    file: str | None = None
    data: str | None = Field(None, repr=False)

    @model_validator(mode="after")
    def _one_source(self) -> CertificateSource:
        if (self.file is None) == (self.data is None):
            raise ValueError("give exactly one of 'file' and 'data'")
        return self

    def read(self, base_dir: Path, key: str) -> tuple[bytes, str, str]:
        """The bytes, a description of where they came from, and the key to blame."""
        if self.data is not None:
            field = f"{key}.data"
            try:
                return base64.b64decode(self.data, validate=True), "inline data", field
            except ValueError:
                raise ConfigError("not valid base64", element=field) from None
        path = base_dir / (self.file or "")
        field = f"{key}.file"
        try:
            return path.read_bytes(), str(path), field
        except OSError as exc:
            raise ConfigError(f"cannot read {path}: {exc.strerror}", element=field) from None


class CertificateConfig(CertificateSource):
    password_env: str | None = Field(None, alias="passwordEnv")


class CaCertificateConfig(CertificateSource):
    store_name: Literal["Root", "CertificateAuthority"] = Field("Root", alias="storeName")


_METHOD = re.compile(r"^(\*|[A-Z]+)$")


class OperationConfig(_Model):
    method: str
    url_template: str = Field(alias="urlTemplate")
    policy: str | None = None
    display_name: str | None = Field(None, alias="displayName")

    @field_validator("method")
    @classmethod
    def _method(cls, value: str) -> str:
        if not _METHOD.match(value.upper()):
            raise ValueError("must be an HTTP method such as GET, or *")
        return value.upper()

    @field_validator("url_template")
    @classmethod
    def _template(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with '/'")
        return value


def _absolute_http_url(value: str) -> str:
    if not re.match(r"^https?://[^/\s]+", value):
        raise ValueError("must be an absolute http:// or https:// URL")
    UrlInfo.parse(value)  # ValueError: a bad host or port
    return value


class ApiRevocationConfig(_Model):
    """Per-API override of `gateway.revocation.whenUnknown`."""

    when_unknown: Literal["fail", "allow"] | None = Field(None, alias="whenUnknown")


class ApiConfig(_Model):
    path: str = ""
    service_url: str = Field(alias="serviceUrl")
    policy: str | None = None
    display_name: str | None = Field(None, alias="displayName")
    operations: dict[str, OperationConfig] = {}
    revocation: ApiRevocationConfig = Field(default_factory=ApiRevocationConfig)

    _service_url = field_validator("service_url")(_absolute_http_url)


class BackendCredentialsConfig(_Model):
    # Certificate ids; the first is presented in the TLS handshake to the backend.
    certificate_ids: list[str] = Field([], alias="certificateIds", max_length=32)


class BackendTlsConfig(_Model):
    validate_certificate_chain: bool = Field(True, alias="validateCertificateChain")
    validate_certificate_name: bool = Field(True, alias="validateCertificateName")


class BackendConfig(_Model):
    """A backend entity (APIM `backends/{id}`): `set-backend-service backend-id` picks it, and an
    outgoing URL equal to its `url` uses its settings (spec §5.8, §6.4)."""

    url: str
    credentials: BackendCredentialsConfig = Field(default_factory=BackendCredentialsConfig)
    tls: BackendTlsConfig = Field(default_factory=BackendTlsConfig)

    _url = field_validator("url")(_absolute_http_url)


class NamedValueConfig(_Model):
    value: str
    secret: bool = False


class RevocationConfig(_Model):
    """Client-certificate revocation checks (CRL and OCSP; docs/compatibility.md)."""

    # What a revocation check does when no fresh CRL or OCSP answer exists: fail closed or allow.
    when_unknown: Literal["fail", "allow"] = Field("fail", alias="whenUnknown")
    fetch_timeout_seconds: Annotated[float, Field(gt=0, le=60)] = Field(
        5.0, alias="fetchTimeoutSeconds"
    )
    max_response_bytes: Annotated[int, Field(gt=0)] = Field(
        4 * 1024 * 1024, alias="maxResponseBytes"
    )
    # Addresses in certificates may point anywhere: loopback, private, link-local and other
    # special-purpose networks are refused unless this is true.
    allow_private_networks: bool = Field(False, alias="allowPrivateNetworks")


class GatewayConfig(_Model):
    service_name: str = Field("certgate", alias="serviceName")
    region: str = "local"
    tls_backend: Literal["stdlib", "pyopenssl"] | None = Field(None, alias="tlsBackend")
    max_request_body_bytes: Annotated[int, Field(gt=0)] = Field(
        10 * 1024 * 1024, alias="maxRequestBodyBytes"
    )
    max_response_body_bytes: Annotated[int, Field(gt=0)] = Field(
        64 * 1024 * 1024, alias="maxResponseBodyBytes"
    )
    max_header_bytes: Annotated[int, Field(gt=0)] = Field(64 * 1024, alias="maxHeaderBytes")
    backend_connect_timeout: Annotated[float, Field(gt=0)] = Field(
        10.0, alias="backendConnectTimeout"
    )
    keepalive_timeout: Annotated[float, Field(gt=0)] = Field(75.0, alias="keepaliveTimeout")
    # Client-side limits (docs/reliability.md, "Timeouts, limits and slow clients").
    max_url_bytes: Annotated[int, Field(gt=0)] = Field(8192, alias="maxUrlBytes")
    max_header_count: Annotated[int, Field(gt=0)] = Field(100, alias="maxHeaderCount")
    header_timeout: Annotated[float, Field(gt=0)] = Field(30.0, alias="headerTimeout")
    body_timeout: Annotated[float, Field(gt=0)] = Field(60.0, alias="bodyTimeout")
    request_timeout: Annotated[float, Field(ge=0)] = Field(0.0, alias="requestTimeout")  # 0: off
    send_timeout: Annotated[float, Field(gt=0)] = Field(60.0, alias="sendTimeout")
    # Per worker; unset: derived from the open-file limit (at most 10000).
    max_connections: Annotated[int, Field(gt=0)] | None = Field(None, alias="maxConnections")
    # Per client address and worker; 0: no cap (clients behind one NAT share an address).
    max_connections_per_client: Annotated[int, Field(ge=0)] = Field(
        0, alias="maxConnectionsPerClient"
    )
    # One JSON line per request: "stderr" (default), "stdout", "off", or a file path.
    access_log: str = Field("stderr", alias="accessLog", min_length=1)
    # Tolerance for a client certificate's not-before/not-after (seconds).
    clock_skew_seconds: Annotated[float, Field(ge=0, le=86400)] = Field(
        0.0, alias="clockSkewSeconds"
    )
    # Time one request's expression loops may take in all (ms); past it the expression fails
    # with APIM's 500 and the worker serves on.
    expression_timeout_ms: Annotated[float, Field(gt=0, le=60_000)] = Field(
        100.0, alias="expressionTimeoutMs"
    )
    revocation: RevocationConfig = Field(default_factory=RevocationConfig)


_THUMBPRINT = re.compile(r"^(?:[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64})$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class AdminTokenConfig(_Model):
    """A named admin bearer token, read from an environment variable (never from the file)."""

    env: str

    @field_validator("env")
    @classmethod
    def _env(cls, value: str) -> str:
        if not _ENV_NAME.match(value):
            raise ValueError("must be an environment variable name")
        return value


class AdminConfig(_Model):
    """The admin (management REST) listener. Never anonymous: bearer tokens and/or pinned client
    certificates; without either it starts only on loopback with `insecureLocalOnly: true`."""

    listen: str = "127.0.0.1:9080"
    token_env: str | None = Field(None, alias="tokenEnv")  # the token named "default"
    tokens: dict[str, AdminTokenConfig] = {}
    # TLS: the server certificate (an id in `certificates`, with its key). Required for client
    # certificates and for any address other than loopback.
    certificate_id: str | None = Field(None, alias="certificateId")
    # Admin client certificates by SHA-1 (APIM's thumbprint) or SHA-256 hex; a mapping names them
    # for the audit log.
    client_certificate_thumbprints: list[str] | dict[str, str] = Field(
        [], alias="clientCertificateThumbprints"
    )
    insecure_local_only: bool = Field(False, alias="insecureLocalOnly")
    max_request_body_bytes: Annotated[int, Field(gt=0)] = Field(
        4 * 1024 * 1024, alias="maxRequestBodyBytes"
    )

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        parse_listen(value)
        return value

    @field_validator("token_env")
    @classmethod
    def _token_env(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError("must be an environment variable name")
        return value

    @field_validator("tokens")
    @classmethod
    def _token_names(cls, value: dict[str, AdminTokenConfig]) -> dict[str, AdminTokenConfig]:
        for name in value:
            if not _ID.match(name):
                raise ValueError(f"'{name}' is not a valid token name (letters, digits, '_.-')")
        return value

    @field_validator("client_certificate_thumbprints")
    @classmethod
    def _thumbprints(cls, value: list[str] | dict[str, str]) -> list[str] | dict[str, str]:
        prints = value.values() if isinstance(value, dict) else value
        for thumbprint in prints:
            if not _THUMBPRINT.match(thumbprint.replace(":", "")):
                raise ValueError(f"'{thumbprint}' is not a SHA-1 or SHA-256 hex thumbprint")
        return value

    @property
    def loopback(self) -> bool:
        """Whether the listen address is a loopback one ('localhost' counts)."""
        host = parse_listen(self.listen)[0]
        return host == "localhost" or ipaddress.ip_address(host).is_loopback

    @model_validator(mode="after")
    def _safe(self) -> AdminConfig:
        if self.client_certificate_thumbprints and self.certificate_id is None:
            raise ValueError("clientCertificateThumbprints need TLS: set certificateId")
        if self.certificate_id is None and not self.loopback:
            raise ValueError(
                "the admin API listens on a non-loopback address only over TLS: set certificateId"
            )
        if "default" in self.tokens and self.token_env is not None:
            raise ValueError("tokenEnv is the token named 'default'; do not also list it in tokens")
        return self


class Config(_Model):
    hostnames: list[HostnameConfig] = Field(min_length=1)
    certificates: dict[str, CertificateConfig] = {}
    ca_certificates: list[CaCertificateConfig] = Field([], alias="caCertificates")
    policy: str | None = None
    apis: dict[str, ApiConfig] = {}
    backends: dict[str, BackendConfig] = {}
    named_values: dict[str, str | NamedValueConfig] = Field({}, alias="namedValues")
    gateway: GatewayConfig = Field(default_factory=GatewayConfig)
    admin: AdminConfig | None = None
    # Uploaded CRLs (DER or PEM), checked with the client certificate's chain (beyond APIM).
    crls: list[CertificateSource] = []

    @field_validator("certificates", "apis", "backends", "named_values")
    @classmethod
    def _ids(cls, value: dict[str, object]) -> dict[str, object]:
        for key in value:
            if not _ID.match(key):
                raise ValueError(f"'{key}' is not a valid id (letters, digits, '_', '.', '-')")
        return value


def parse_listen(value: str) -> tuple[str, int]:
    """'127.0.0.1:8443', '[::1]:8443', 'localhost:8443' or ':8443' (all addresses) → (host, port).

    The host must be an IP literal (or localhost): a name that needs DNS would fail late, at bind.
    """
    match = re.fullmatch(r"\[?([^\]\s]*?)\]?:(\d{1,5})", value.strip())
    if match is None or not 0 <= int(match.group(2)) < 65536:  # 0: any free port
        raise ValueError("must be HOST:PORT, e.g. 127.0.0.1:8443")
    host = match.group(1) or "0.0.0.0"  # noqa: S104 - ':PORT' asks for all addresses
    if host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise ValueError(f"'{host}' is not an IP address (or 'localhost')") from None
    return host, int(match.group(2))


def read_config(path: Path) -> Config:
    """Read and validate the YAML file; every error names the file and the key."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration: {exc.strerror}", source=source) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(
            f"invalid YAML: {problem}",
            source=source,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    if not isinstance(raw, dict):
        raise ConfigError("the configuration must be a YAML mapping", source=source)
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"]) or "(top level)"
        message = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = "unknown key"
        raise ConfigError(message, source=source, element=key) from None
