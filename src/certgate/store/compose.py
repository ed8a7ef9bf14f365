"""The store's resources → the `Config` model the snapshot is built from, and the whole-
configuration check every write passes before it commits.

`compose` maps resources to the YAML model (APIM names both sides): certificates become inline
`data` (the chain and the decrypted key as one PEM bundle, in memory only), hostnames of every
gateway become `hostnames`, `caCertificates` and trusted gateway certificate authorities become
`caCertificates`. `check` builds the snapshot from that `Config` (what `certgate serve` would
run) and turns the first LoadError into a ValidationFailed whose target is the resource path.
Products, their policies, product-API links and backends are not in the `Config` model yet; their
own checks (references, product policies that must load) run here too.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from certgate.config import (
    ApiConfig,
    BackendConfig,
    CaCertificateConfig,
    CertificateConfig,
    CertificateSource,
    Config,
    HostnameConfig,
    NamedValueConfig,
    OperationConfig,
)
from certgate.core.policy.document import load_document
from certgate.errors import ConfigError, LoadError
from certgate.snapshot import Snapshot, _PolicyLoader, build_snapshot
from certgate.store.resources import Address, Content, describe, detail, invalid


@dataclass(frozen=True)
class Stored:
    """A row of the store with its secrets opened (in memory only)."""

    address: Address
    content: Content
    etag: str
    source: str

    @property
    def properties(self) -> dict[str, Any]:
        return self.content.properties


State = Mapping[str, Stored]

# Resource kinds that live in the YAML model; the rest is checked separately.
_STORE_FIELDS = ("hostnames", "certificates", "ca_certificates", "policy", "apis", "named_values")


@dataclass
class Composed:
    config: Config
    keys: dict[str, str] = field(default_factory=dict)  # config key prefix → resource path


def _of(state: State, kind: str) -> list[Stored]:
    return sorted((s for s in state.values() if s.address.kind.name == kind), key=_order)


def _order(stored: Stored) -> tuple[str, ...]:
    return stored.address.parts


def _policy(state: State, path: str) -> str | None:
    stored = state.get(path)
    return None if stored is None else str(stored.properties["value"])


def compose(state: State, base: Config | None = None) -> Composed:
    """The `Config` for `state`; node-local sections (gateway, admin ...) come from `base`."""
    keys: dict[str, str] = {}
    try:
        fields = _fields(state, keys)
    except ValidationError as exc:  # the store validated each resource; a mismatch is a bug
        raise invalid(detail("configuration", str(exc))) from None
    if base is not None:
        config = base.model_copy(update=fields)
    else:
        config = Config.model_construct(**fields)  # no hostnames yet is a valid store
    return Composed(config, keys)


def _fields(state: State, keys: dict[str, str]) -> dict[str, Any]:
    certificates: dict[str, CertificateConfig] = {}
    for stored in _of(state, "certificate"):
        pem = (stored.content.public or b"") + stored.content.secrets.get("key", b"")
        certificates[stored.address.name] = CertificateConfig.model_validate(
            {"data": base64.b64encode(pem).decode()}
        )
        keys[f"certificates.{stored.address.name}"] = stored.address.path
    cas: list[CaCertificateConfig] = []
    for stored in _of(state, "caCertificate"):
        keys[f"caCertificates.{len(cas)}"] = stored.address.path
        cas.append(_ca(stored.content.public, stored.properties["storeName"]))
    for stored in _of(state, "gatewayCa"):
        certificate = state.get(f"certificates/{stored.address.name}")
        if certificate is not None:
            keys[f"caCertificates.{len(cas)}"] = stored.address.path
            trusted = stored.properties.get("isTrusted", False)
            store_name = "Root" if trusted else "CertificateAuthority"
            cas.append(_ca(certificate.content.public, store_name))
    hostnames: list[HostnameConfig] = []
    for stored in _of(state, "hostname"):
        keys[f"hostnames.{len(hostnames)}"] = stored.address.path
        p = stored.properties
        hostnames.append(
            HostnameConfig.model_validate(
                {
                    "hostName": p["hostname"],
                    "listen": p["listen"],
                    "certificateId": p["certificateId"],
                    "negotiateClientCertificate": p.get("negotiateClientCertificate", False),
                    "defaultSslBinding": p.get("defaultSslBinding", False),
                }
            )
        )
    backends: dict[str, BackendConfig] = {}
    for stored in _of(state, "backend"):
        keys[f"backends.{stored.address.name}"] = stored.address.path
        p = stored.properties
        backends[stored.address.name] = BackendConfig.model_validate(
            {
                "url": p["url"],
                "credentials": {
                    "certificateIds": p.get("credentials", {}).get("certificateIds", [])
                },
                "tls": p.get("tls") or {},
            }
        )
    crls: list[CertificateSource] = []
    for stored in _of(state, "crl"):
        keys[f"crls.{len(crls)}"] = stored.address.path
        crls.append(CertificateSource(data=base64.b64encode(stored.content.public or b"").decode()))
    keys["policy"] = "policies/policy"
    apis = {stored.address.name: _api(state, stored, keys) for stored in _of(state, "api")}
    named_values: dict[str, str | NamedValueConfig] = {}
    for stored in _of(state, "namedValue"):
        p = stored.properties
        name = str(p["displayName"])
        value = p["value"] if "value" in p else stored.content.secrets["value"].decode()
        # Validated when stored; constructing thousands of models per write is measurable.
        named_values[name] = NamedValueConfig.model_construct(
            value=value, secret=bool(p.get("secret"))
        )
        keys[f"namedValues.{name}"] = stored.address.path
    return {
        "hostnames": hostnames,
        "certificates": certificates,
        "ca_certificates": cas,
        "policy": _policy(state, "policies/policy"),
        "apis": apis,
        "backends": backends,
        "crls": crls,
        "named_values": named_values,
    }


def _ca(public: bytes | None, store_name: str) -> CaCertificateConfig:
    return CaCertificateConfig.model_validate(
        {"data": base64.b64encode(public or b"").decode(), "storeName": store_name}
    )


def _api(state: State, stored: Stored, keys: dict[str, str]) -> ApiConfig:
    api_id, path = stored.address.name, stored.address.path
    keys[f"apis.{api_id}"] = path
    keys[f"apis.{api_id}.policy"] = f"{path}/policies/policy"
    operations: dict[str, OperationConfig] = {}
    for op in _of(state, "operation"):
        if op.address.parent != path:
            continue
        op_key = f"apis.{api_id}.operations.{op.address.name}"
        keys[op_key] = op.address.path
        keys[f"{op_key}.policy"] = f"{op.address.path}/policies/policy"
        p = op.properties
        operations[op.address.name] = OperationConfig.model_validate(
            {
                "method": p["method"],
                "urlTemplate": p["urlTemplate"],
                "displayName": p.get("displayName"),
                "policy": _policy(state, f"{op.address.path}/policies/policy"),
            }
        )
    p = stored.properties
    return ApiConfig.model_validate(
        {
            "path": p.get("path", ""),
            "serviceUrl": p["serviceUrl"],
            "displayName": p.get("displayName"),
            "policy": _policy(state, f"{path}/policies/policy"),
            "operations": operations,
        }
    )


# --- the whole-configuration check ---------------------------------------------------------------


def check(state: State, base_dir: Path, base: Config | None = None) -> Snapshot:
    """Build the snapshot `state` would serve; ValidationFailed (nothing to store) if it fails."""
    _check_references(state)
    composed = compose(state, base)
    try:
        snapshot = build_snapshot(composed.config, base_dir)
        _check_products(state, composed.config, base_dir)
    except LoadError as exc:
        raise invalid(load_error_detail(exc, composed.keys)) from None
    return snapshot


def _check_references(state: State) -> None:
    def certificate(owner: Stored, target: str, cert_id: str, *, key: bool) -> None:
        cert = state.get(f"certificates/{cert_id}")
        if cert is None:
            message = f"certificate '{cert_id}' does not exist"
        elif key and not cert.properties.get("hasPrivateKey"):
            message = f"certificate '{cert_id}' has no private key, and this use needs one"
        else:
            return
        raise invalid(detail(owner.address.path, message, element=target))

    names: dict[str, str] = {}
    for stored in state.values():
        kind, p = stored.address.kind.name, stored.properties
        if kind == "hostname":
            certificate(stored, "certificateId", p["certificateId"], key=True)
        elif kind == "backend":
            for cert_id in p.get("credentials", {}).get("certificateIds", []):
                certificate(stored, "credentials.certificateIds", cert_id, key=True)
        elif kind == "gatewayCa":
            certificate(stored, "certificateId", stored.address.name, key=False)
        elif kind == "productApi" and f"apis/{stored.address.name}" not in state:
            message = f"API '{stored.address.name}' does not exist"
            raise invalid(detail(stored.address.path, message))
        elif kind == "namedValue":
            name = str(p["displayName"])
            other = names.setdefault(name.lower(), stored.address.path)
            if other != stored.address.path:
                message = f"displayName '{name}' is already used by {other}"
                raise invalid(detail(stored.address.path, message, element="displayName"))


def _check_products(state: State, config: Config, base_dir: Path) -> None:
    """Product policies do not run before subscriptions exist, but must load like the others."""
    named = {
        name: value if isinstance(value, str) else value.value
        for name, value in config.named_values.items()
    }
    loader = _PolicyLoader(base_dir, named)
    for stored in _of(state, "productPolicy"):
        source = f"{stored.address.path} (inline)"
        text = loader.substitute(str(stored.properties["value"]), source)
        load_document(text, source=source, scope="product")


def load_error_detail(exc: LoadError, keys: Mapping[str, str]) -> dict[str, object]:
    """A LoadError from the snapshot → a detail naming the resource path (not the YAML key)."""
    source = exc.source
    target: str | None = None
    element = exc.element
    if source is not None and source.endswith(" (inline)"):
        inline = source.removesuffix(" (inline)")
        target = keys.get(inline, inline)
        source = None
    if isinstance(exc, ConfigError) and exc.element:
        prefix = max((k for k in keys if _under(exc.element, k)), key=len, default=None)
        if prefix is not None:
            target = keys[prefix]
            element = exc.element[len(prefix) + 1 :] or None
    return detail(
        target or "configuration",
        exc.message,
        source=source,
        element=element,
        line=exc.line,
        column=exc.column,
    )


def _under(key: str, prefix: str) -> bool:
    return key == prefix or key.startswith(prefix + ".")


__all__ = ["Composed", "State", "Stored", "check", "compose", "describe", "load_error_detail"]
