"""Resource kinds: where each lives (APIM's path relative to the service), what its properties
may hold (pydantic, strict), what is secret, and how it reads back (APIM's contract shape).

A write goes `body → body_properties → Kind.prepare → Content` (or `Kind.merge` for PATCH), all
without the database; the store then checks the whole configuration the change would produce.
Unknown properties are ignored, as ARM does; known ones are checked strictly (a string is not a
Boolean). Values certgate cannot honour yet (Key Vault references, a non-HTTP API, an API that
requires subscriptions) are refused by name rather than stored without effect.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Final, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

from certgate.config import parse_listen
from certgate.core.certs import LoadedCertificate, load_certificate
from certgate.core.url import UrlInfo
from certgate.core.validation.revocation import CrlIndex
from certgate.errors import CertificateLoadError, ValidationFailed
from certgate.store import policytext

ID_PATTERN: Final = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
_ID: Final = re.compile(ID_PATTERN)
MAX_BODY_BYTES: Final = 4 * 1024 * 1024  # a whole request body (JSON), as the admin API caps it
MAX_POLICY_CHARS: Final = 1024 * 1024
MAX_CERTIFICATE_CHARS: Final = 1024 * 1024  # base64 of a PFX or PEM bundle
TYPE_PREFIX: Final = "Microsoft.ApiManagement/service/"
VALIDATION_MESSAGE: Final = "One or more fields contain incorrect values:"
_HTTP_URL: Final = re.compile(r"^https?://[^/\s?#]+[^\s]*$")


# --- errors ------------------------------------------------------------------------------------


def detail(target: str, message: str, **extra: object) -> dict[str, object]:
    """One entry of a ValidationFailed's details (APIM: code, target, message)."""
    entry: dict[str, object] = {"code": "ValidationError", "target": target, "message": message}
    entry.update({k: v for k, v in extra.items() if v is not None})
    return entry


def describe(entry: Mapping[str, object]) -> str:
    """One line for a detail: `target, element 'x', line 3, column 5: message`."""
    parts = [str(entry["target"])]
    if entry.get("element"):
        parts.append(f"element '{entry['element']}'")
    for key in ("line", "column"):
        if entry.get(key) is not None:
            parts.append(f"{key} {entry[key]}")
    return f"{', '.join(parts)}: {entry['message']}"


def invalid(*details: dict[str, object]) -> ValidationFailed:
    return ValidationFailed(describe(details[0]), details=list(details))


def check_id(value: str, target: str = "id") -> str:
    """Ids are path segments: letters, digits, '_', '.', '-'; 1-80; no '/', no '..'."""
    if not _ID.match(value) or ".." in value:
        raise invalid(
            detail(
                target,
                f"'{value[:100]}' is not a valid id: 1-80 letters, digits, '_', '.', '-', "
                "starting with a letter or digit, without '..'",
            )
        )
    return value


# --- paths -------------------------------------------------------------------------------------

ID: Final = None  # a variable segment in Kind.segments


@dataclass(frozen=True)
class Address:
    """A parsed resource path."""

    kind: Kind
    parts: tuple[str, ...]

    @property
    def path(self) -> str:
        return "/".join(self.parts)

    @property
    def name(self) -> str:
        return self.parts[-1]

    @property
    def collection(self) -> str:
        return "/".join(self.parts[:-1])

    @property
    def parent(self) -> str | None:
        """The resource this one hangs under (`apis/orders` for an operation), if any."""
        return "/".join(self.parts[:-2]) or None

    def id_of(self, segment: str) -> str:
        """The id after the literal `segment` (`id_of("apis")` → "orders")."""
        return self.parts[self.parts.index(segment) + 1]


def _split(path: str, target: str) -> tuple[str, ...]:
    if not isinstance(path, str) or len(path) > 600:
        raise invalid(detail(target, "not a resource path"))
    parts = tuple(path.strip("/").split("/"))
    if not all(parts):
        raise invalid(detail(target, f"'{path[:200]}' is not a resource path (empty segment)"))
    return parts


def _match(kind: Kind, parts: tuple[str, ...]) -> bool:
    return len(kind.segments) == len(parts) and all(
        s is None or s == p for s, p in zip(kind.segments, parts, strict=True)
    )


@functools.lru_cache(maxsize=16384)  # every write re-reads every row's path
def parse_path(path: str) -> Address:
    """`apis/orders/operations/get` → Address; ValidationFailed for anything else."""
    parts = _split(path, "path")
    for kind in KINDS:
        if _match(kind, parts):
            for segment, part in zip(kind.segments, parts, strict=True):
                if segment is None:
                    check_id(part)
            return Address(kind, parts)
    raise invalid(detail("path", f"'{path[:200]}' is not a resource path certgate knows"))


def parse_collection(collection: str) -> tuple[Kind, str | None]:
    """`apis/orders/operations` → (the operation kind, "apis/orders"); parent None at the top."""
    parts = _split(collection, "collection")
    for kind in KINDS:
        pattern = kind.segments[:-1]
        if len(pattern) == len(parts) and all(
            s is None or s == p for s, p in zip(pattern, parts, strict=True)
        ):
            for segment, part in zip(pattern, parts, strict=True):
                if segment is None:
                    check_id(part)
            return kind, "/".join(parts[:-1]) or None
    raise invalid(detail("collection", f"'{collection[:200]}' is not a collection certgate knows"))


# --- stored content and the public view --------------------------------------------------------


@dataclass(frozen=True)
class Content:
    """What a resource holds: properties (no secret), public material, secrets (plaintext, in
    memory only; the store seals them per field)."""

    properties: dict[str, Any]
    public: bytes | None = None
    secrets: Mapping[str, bytes] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class Resource:
    """A resource as the management API returns it; holds no secret and no key material."""

    path: str
    name: str
    type: str
    properties: dict[str, Any]
    etag: str  # opaque, unquoted (the HTTP layer quotes it)

    @property
    def kind(self) -> Kind:
        return parse_path(self.path).kind

    def to_json(self, *, policy_format: str | None = None) -> dict[str, Any]:
        """APIM's shape. Policies read back as `xml` (entity-encoded) unless `policy_format`
        asks for `rawxml` (spec §9: `GET ?format=`)."""
        properties = self.kind.output(self.properties, policy_format)
        return {
            "id": f"/{self.path}",
            "type": self.type,
            "name": self.name,
            "properties": properties,
        }


# --- property models ---------------------------------------------------------------------------


class _Props(BaseModel):
    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, strict=True, frozen=True)


def _not_supported(what: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value is not None:
            raise ValueError(f"not supported yet: {what}")
        return value

    return check


def _http_url(value: str) -> str:
    if not _HTTP_URL.match(value):
        raise ValueError("must be an absolute http:// or https:// URL")
    UrlInfo.parse(value)  # ValueError: a bad host or port
    return value


class ApiProps(_Props):
    display_name: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=10_000)
    path: str = Field(max_length=400, pattern=r"^[^\s?#{}]*$")
    service_url: str | None = Field(None, max_length=2000, validate_default=True)
    protocols: list[Literal["http", "https", "ws", "wss"]] = Field(["https"], max_length=4)
    subscription_required: bool = Field(True, validate_default=True)
    subscription_key_parameter_names: dict[str, str] | None = None
    api_revision: str | None = Field(None, max_length=100)
    api_version: str | None = Field(None, max_length=100)
    api_version_set_id: str | None = Field(None, max_length=1000)
    is_current: bool | None = None
    type: str | None = None
    api_type: str | None = None

    @field_validator("service_url")
    @classmethod
    def _service_url(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError(
                "is required: it is the API's default backend (not supported yet: an API "
                "without one, whose policies always choose the backend)"
            )
        return _http_url(value)

    @field_validator("subscription_required")
    @classmethod
    def _subscriptions(cls, value: bool) -> bool:
        if value:
            raise ValueError(
                "is true (APIM's default): the API requires a subscription key, and certgate has "
                "no subscriptions yet, so it will not serve the API open. Set "
                '"subscriptionRequired": false to serve it without a subscription'
            )
        return value

    @field_validator("type", "api_type")
    @classmethod
    def _type(cls, value: str | None) -> str | None:
        if value is not None and value.lower() != "http":
            raise ValueError(f"not supported yet: API type '{value}' (only http)")
        return value

    @field_validator("is_current")
    @classmethod
    def _current(cls, value: bool | None) -> bool | None:
        if value is False:
            raise ValueError("not supported yet: API revisions that are not current")
        return value


class OperationProps(_Props):
    display_name: str = Field(min_length=1, max_length=300)
    method: str = Field(pattern=r"^(\*|[A-Za-z]{1,20})$")
    url_template: str = Field(min_length=1, max_length=1000)
    description: str | None = Field(None, max_length=10_000)
    template_parameters: list[dict[str, Any]] = Field([], max_length=100)
    request: dict[str, Any] | None = None
    responses: list[dict[str, Any]] = Field([], max_length=100)

    @field_validator("method")
    @classmethod
    def _method(cls, value: str) -> str:
        return value.upper()

    @field_validator("url_template")
    @classmethod
    def _template(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with '/'")
        return value


class PolicyProps(_Props):
    value: str = Field(min_length=1, max_length=MAX_POLICY_CHARS)
    format: Literal["xml", "rawxml", "xml-link", "rawxml-link"] = "xml"

    @field_validator("format")
    @classmethod
    def _format(cls, value: str) -> str:
        if value.endswith("-link"):
            raise ValueError(f"not supported yet: format '{value}' (policies fetched from a URL)")
        return value


class CertificateProps(_Props):
    data: str | None = Field(None, max_length=MAX_CERTIFICATE_CHARS, validate_default=True)
    password: str | None = Field(None, max_length=1000)
    key_vault: dict[str, Any] | None = None

    _key_vault = field_validator("key_vault")(_not_supported("certificates from Key Vault"))

    @field_validator("data")
    @classmethod
    def _data(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError("is required: the certificate as base64 (PFX, DER or PEM)")
        return value


class CaCertificateProps(_Props):
    encoded_certificate: str = Field(
        max_length=MAX_CERTIFICATE_CHARS,
        validation_alias=AliasChoices("encodedCertificate", "data"),
        serialization_alias="encodedCertificate",
    )
    certificate_password: str | None = Field(None, max_length=1000)
    store_name: Literal["Root", "CertificateAuthority"]


class CrlProps(_Props):
    """A certificate revocation list (certgate's own kind: APIM has no CRL upload)."""

    data: str = Field(max_length=MAX_CERTIFICATE_CHARS)  # base64 of the DER, or of a PEM


class BackendCredentials(_Props):
    certificate_ids: list[str] = Field([], max_length=32)
    certificate: list[str] | None = None
    query: dict[str, list[str]] | None = None
    header: dict[str, list[str]] | None = None
    authorization: dict[str, str] | None = None

    _thumbprints = field_validator("certificate")(
        _not_supported("credentials.certificate (thumbprints); use credentials.certificateIds")
    )
    _query = field_validator("query")(_not_supported("backend credentials.query"))
    _header = field_validator("header")(_not_supported("backend credentials.header"))
    _authorization = field_validator("authorization")(
        _not_supported("backend credentials.authorization")
    )

    @field_validator("certificate_ids")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        return [_certificate_id(v) for v in value]


class BackendTls(_Props):
    validate_certificate_chain: bool = True
    validate_certificate_name: bool = True


class BackendProps(_Props):
    url: str = Field(max_length=2000)
    protocol: Literal["http", "soap"]
    title: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=2000)
    resource_id: str | None = Field(None, max_length=2000)
    credentials: BackendCredentials | None = None
    tls: BackendTls | None = None
    proxy: dict[str, Any] | None = None
    circuit_breaker: dict[str, Any] | None = None
    pool: dict[str, Any] | None = None
    type: Literal["Single", "Pool"] | None = None

    _url = field_validator("url")(_http_url)
    _proxy = field_validator("proxy")(_not_supported("backend proxy"))
    _breaker = field_validator("circuit_breaker")(_not_supported("backend circuitBreaker"))
    _pool = field_validator("pool")(_not_supported("backend pools"))

    @field_validator("type")
    @classmethod
    def _type(cls, value: str | None) -> str | None:
        if value == "Pool":
            raise ValueError("not supported yet: backend pools")
        return value


class NamedValueProps(_Props):
    display_name: str = Field(min_length=1, max_length=256, pattern=r"^[A-Za-z0-9._-]+$")
    value: str | None = Field(None, max_length=4096, validate_default=True)
    secret: bool = False
    tags: list[str] = Field([], max_length=32)
    key_vault: dict[str, Any] | None = None

    _key_vault = field_validator("key_vault")(_not_supported("named values from Key Vault"))

    @field_validator("value")
    @classmethod
    def _value(cls, value: str | None) -> str | None:
        if value is None:
            raise ValueError(
                "is required (APIOps does not extract secret values: supply the value)"
            )
        return value


class ProductProps(_Props):
    display_name: str = Field(min_length=1, max_length=300)
    description: str | None = Field(None, max_length=10_000)
    terms: str | None = Field(None, max_length=10_000)
    subscription_required: bool = True
    approval_required: bool | None = None
    subscriptions_limit: int | None = Field(None, ge=0)
    state: Literal["notPublished", "published"] = "notPublished"


class EmptyProps(_Props):
    pass


class GatewayProps(_Props):
    description: str | None = Field(None, max_length=1000)
    location_data: dict[str, str] | None = None


class HostnameProps(_Props):
    hostname: str = Field(
        min_length=1,
        max_length=253,
        pattern=r"^(\*\.)?[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$",
        validation_alias=AliasChoices("hostname", "hostName"),
        serialization_alias="hostname",
    )
    certificate_id: str
    negotiate_client_certificate: bool = False
    default_ssl_binding: bool = False  # certgate: the certificate for clients without SNI
    listen: str  # certgate: HOST:PORT this hostname is served on
    http2_enabled: bool | None = None
    tls10_enabled: bool | None = None
    tls11_enabled: bool | None = None

    @field_validator("certificate_id")
    @classmethod
    def _certificate(cls, value: str) -> str:
        return _certificate_id(value)

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        parse_listen(value)
        return value

    @field_validator("tls10_enabled", "tls11_enabled")
    @classmethod
    def _old_tls(cls, value: bool | None) -> bool | None:
        if value:
            raise ValueError("certgate speaks TLS 1.2 and 1.3 only")
        return value

    @field_validator("http2_enabled")
    @classmethod
    def _http2(cls, value: bool | None) -> bool | None:
        if value:
            raise ValueError("not supported yet: HTTP/2")
        return value


class GatewayCaProps(_Props):
    is_trusted: bool = False


def _certificate_id(value: str) -> str:
    """A certificate id, or an ARM-style id ending in `/certificates/{id}` → the id."""
    name = value.rsplit("/certificates/", 1)[-1] if "/" in value else value
    if not _ID.match(name) or ".." in name:
        raise ValueError(f"'{value[:100]}' is not a certificate id")
    return name


# --- kinds -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    name: str
    segments: tuple[str | None, ...]
    type_suffix: str
    model: type[_Props]
    read_only: ClassVar[frozenset[str]] = frozenset()

    @property
    def type(self) -> str:
        return TYPE_PREFIX + self.type_suffix

    def validate(self, props: Mapping[str, Any]) -> _Props:
        try:
            return self.model.model_validate(dict(props))
        except ValidationError as exc:
            raise invalid(*_pydantic_details(exc)) from None

    def prepare(self, address: Address, props: Mapping[str, Any]) -> Content:
        """PUT: the resource's whole new content from the body's properties."""
        model = self.validate(props)
        return Content(model.model_dump(mode="json", by_alias=True, exclude_none=True))

    def merge(self, address: Address, existing: Content, props: Mapping[str, Any]) -> Content:
        """PATCH: the given properties over the existing ones (objects merged recursively)."""
        current = {k: v for k, v in existing.properties.items() if k not in self.read_only}
        return self.prepare(address, _deep_merge(current, props))

    def output(self, properties: Mapping[str, Any], policy_format: str | None) -> dict[str, Any]:
        return dict(properties)


@dataclass(frozen=True)
class PolicyKind(Kind):
    def prepare(self, address: Address, props: Mapping[str, Any]) -> Content:
        model = self.validate(props)
        assert isinstance(model, PolicyProps)
        text = model.value.removeprefix("\ufeff")
        if model.format == "xml":
            try:
                policytext.check_xml(text)
            except policytext.XmlSyntaxError as exc:
                raise invalid(
                    detail(
                        "value",
                        f"not a well-formed XML document ({exc.message}); "
                        'write raw C# with "format": "rawxml"',
                        line=exc.line,
                        column=exc.column,
                    )
                ) from None
        return Content({"format": model.format, "value": text})

    def output(self, properties: Mapping[str, Any], policy_format: str | None) -> dict[str, Any]:
        stored, text = properties["format"], properties["value"]
        wanted = policy_format or "xml"
        if wanted != stored:
            try:
                text = policytext.to_xml(text) if wanted == "xml" else policytext.to_rawxml(text)
            except Exception:  # never fail a read: fall back to the stored form
                wanted = stored
        return {"format": wanted, "value": text}


def _facts(loaded: LoadedCertificate) -> dict[str, Any]:
    view = loaded.view()
    expires = view.cert.not_valid_after_utc.astimezone(UTC)
    return {
        "subject": view.Subject,
        "thumbprint": view.Thumbprint,
        "expirationDate": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def load_certificate_data(
    data: str, password: str | None, targets: tuple[str, str]
) -> LoadedCertificate:
    """Base64 (PFX, DER or PEM bundle) → certificate; ValidationFailed on every bad input."""
    try:
        raw = base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise invalid(detail(targets[0], "not valid base64 (truncated or altered?)")) from None
    if not raw:
        raise invalid(detail(targets[0], "is empty"))
    declared = _der_length(raw)
    if declared is not None and declared != len(raw):
        message = f"is truncated or altered: its DER structure is {declared} bytes, not {len(raw)}"
        raise invalid(detail(targets[0], message))
    try:
        return load_certificate(raw, password=password.encode() if password is not None else None)
    except CertificateLoadError as exc:
        target = targets[1] if password and "password" in exc.message else targets[0]
        raise invalid(detail(target, exc.message)) from None


def _der_length(raw: bytes) -> int | None:
    """The length a DER SEQUENCE (a PFX, an X.509 certificate) says it has, or None if `raw` is
    not one (PEM text). A PFX that does not add up is cut short, whatever its password."""
    if len(raw) < 2 or raw[0] != 0x30:
        return None
    first = raw[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if count == 0 or count > 4 or len(raw) < 2 + count:
        return None
    return 2 + count + int.from_bytes(raw[2 : 2 + count], "big")


@dataclass(frozen=True)
class CertificateKind(Kind):
    read_only: ClassVar[frozenset[str]] = frozenset(
        {"subject", "thumbprint", "expirationDate", "hasPrivateKey"}
    )

    def prepare(self, address: Address, props: Mapping[str, Any]) -> Content:
        model = self.validate(props)
        assert isinstance(model, CertificateProps)
        assert model.data is not None
        loaded = load_certificate_data(model.data, model.password, ("data", "password"))
        properties = {**_facts(loaded), "hasPrivateKey": loaded.key_pem is not None}
        secrets = {"key": loaded.key_pem} if loaded.key_pem is not None else {}
        return Content(properties, loaded.chain_pem(), secrets)

    def merge(self, address: Address, existing: Content, props: Mapping[str, Any]) -> Content:
        if "data" in props or "keyVault" in props:
            return self.prepare(address, props)
        return existing  # nothing else is writable: the password only goes with new data


@dataclass(frozen=True)
class CaCertificateKind(Kind):
    read_only: ClassVar[frozenset[str]] = frozenset({"certificate"})

    def prepare(self, address: Address, props: Mapping[str, Any]) -> Content:
        model = self.validate(props)
        assert isinstance(model, CaCertificateProps)
        loaded = load_certificate_data(
            model.encoded_certificate,
            model.certificate_password,
            ("encodedCertificate", "certificatePassword"),
        )
        facts = _facts(loaded)
        certificate = {
            "expiry": facts["expirationDate"],
            "subject": facts["subject"],
            "thumbprint": facts["thumbprint"],
        }
        public = LoadedCertificate(loaded.der, (), None).chain_pem()  # the CA alone, no key
        return Content({"storeName": model.store_name, "certificate": certificate}, public)

    def merge(self, address: Address, existing: Content, props: Mapping[str, Any]) -> Content:
        if "encodedCertificate" in props or "data" in props:
            return self.prepare(address, {"storeName": existing.properties["storeName"], **props})
        store_name = props.get("storeName", existing.properties["storeName"])
        if store_name not in ("Root", "CertificateAuthority"):
            raise invalid(detail("storeName", "must be 'Root' or 'CertificateAuthority'"))
        return Content({**existing.properties, "storeName": store_name}, existing.public)


@dataclass(frozen=True)
class CrlKind(Kind):
    """Stored as DER; reads show the issuer and the update times, never the list itself."""

    read_only: ClassVar[frozenset[str]] = frozenset({"issuer", "thisUpdate", "nextUpdate"})

    def prepare(self, address: Address, props: Mapping[str, Any]) -> Content:
        model = self.validate(props)
        assert isinstance(model, CrlProps)
        try:
            crl = CrlIndex.parse(base64.b64decode(model.data, validate=True), address.path)
        except ValueError as exc:
            raise invalid(detail("data", f"not a CRL (base64 of DER or PEM): {exc}")) from None
        facts = {"issuer": crl.issuer.rfc4514_string(), "thisUpdate": _iso(crl.this_update)}
        if crl.next_update is not None:
            facts["nextUpdate"] = _iso(crl.next_update)
        return Content(facts, crl.der)

    def merge(self, address: Address, existing: Content, props: Mapping[str, Any]) -> Content:
        return self.prepare(address, props) if "data" in props else existing


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class NamedValueKind(Kind):
    """A secret value is sealed and never read back; a plain one is an ordinary property."""

    def prepare(self, address: Address, props: Mapping[str, Any]) -> Content:
        model = self.validate(props)
        assert isinstance(model, NamedValueProps)
        assert model.value is not None
        properties = model.model_dump(mode="json", by_alias=True, exclude_none=True)
        if model.secret:
            del properties["value"]
            return Content(properties, None, {"value": model.value.encode()})
        return Content(properties)

    def merge(self, address: Address, existing: Content, props: Mapping[str, Any]) -> Content:
        current = dict(existing.properties)
        if "value" in existing.secrets:
            current["value"] = existing.secrets["value"].decode()
        return self.prepare(address, _deep_merge(current, props))


KINDS: Final[tuple[Kind, ...]] = (
    Kind("api", ("apis", ID), "apis", ApiProps),
    Kind("operation", ("apis", ID, "operations", ID), "apis/operations", OperationProps),
    PolicyKind("policy", ("policies", "policy"), "policies", PolicyProps),
    PolicyKind("apiPolicy", ("apis", ID, "policies", "policy"), "apis/policies", PolicyProps),
    PolicyKind(
        "operationPolicy",
        ("apis", ID, "operations", ID, "policies", "policy"),
        "apis/operations/policies",
        PolicyProps,
    ),
    Kind("product", ("products", ID), "products", ProductProps),
    PolicyKind(
        "productPolicy", ("products", ID, "policies", "policy"), "products/policies", PolicyProps
    ),
    Kind("productApi", ("products", ID, "apis", ID), "products/apis", EmptyProps),
    CertificateKind("certificate", ("certificates", ID), "certificates", CertificateProps),
    CaCertificateKind(
        "caCertificate", ("caCertificates", ID), "caCertificates", CaCertificateProps
    ),
    Kind("backend", ("backends", ID), "backends", BackendProps),
    CrlKind("crl", ("crls", ID), "crls", CrlProps),
    NamedValueKind("namedValue", ("namedValues", ID), "namedValues", NamedValueProps),
    Kind("gateway", ("gateways", ID), "gateways", GatewayProps),
    Kind(
        "hostname",
        ("gateways", ID, "hostnameConfigurations", ID),
        "gateways/hostnameConfigurations",
        HostnameProps,
    ),
    Kind(
        "gatewayCa",
        ("gateways", ID, "certificateAuthorities", ID),
        "gateways/certificateAuthorities",
        GatewayCaProps,
    ),
)
KINDS_BY_NAME: Final = {k.name: k for k in KINDS}


# --- bodies ------------------------------------------------------------------------------------


def body_properties(body: object) -> dict[str, Any]:
    """The `properties` of a request body (`{"properties": {...}}`); ValidationFailed otherwise."""
    if not isinstance(body, dict):
        raise invalid(detail("body", 'the body must be a JSON object: {"properties": {...}}'))
    try:
        size = len(json.dumps(body, ensure_ascii=False, allow_nan=False).encode())
    except (TypeError, ValueError, RecursionError):
        raise invalid(detail("body", "the body is not a JSON document")) from None
    if size > MAX_BODY_BYTES:
        raise invalid(detail("body", f"the body is larger than {MAX_BODY_BYTES} bytes"))
    props = body.get("properties")
    if props is None:
        return {}
    if not isinstance(props, dict):
        raise invalid(detail("properties", "'properties' must be a JSON object"))
    return props


def _deep_merge(base: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in patch.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _pydantic_details(exc: ValidationError) -> list[dict[str, object]]:
    details = []
    for error in exc.errors(include_url=False):
        loc = (to_camel(p) if isinstance(p, str) and "_" in p else str(p) for p in error["loc"])
        target = ".".join(loc) or "properties"
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "is required"
        details.append(detail(target, message))
    return details
