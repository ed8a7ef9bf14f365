"""The store → a YAML configuration file that `certgate import` and `certgate serve --config` read.

Self-contained: certificates and policies are inline. A private key is never written in
plaintext: a certificate with a key is exported as a PFX encrypted (AES-256, PBKDF2) with the
password in the environment variable named by `password_env`, and the file says `passwordEnv:` so
an import reads the same variable. Secret named values are written only when asked
(`include_secrets`), because the file then holds them in plaintext. Resources the YAML model has
no place for yet (backends, products) are listed in `notes` instead.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from certgate.config import CertificateConfig, Config
from certgate.core.certs import _PRIVATE_KEY_TYPES, load_certificate
from certgate.store.repository import Store
from certgate.store.resources import detail, invalid


@dataclass
class Export:
    text: str
    notes: list[str] = field(default_factory=list)


def export_config(
    store: Store,
    *,
    password_env: str | None = None,
    include_secrets: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Export:
    env = os.environ if environ is None else environ
    config = store.to_config()
    doc: dict[str, Any] = {}
    doc["hostnames"] = [
        {
            "hostName": h.host_name,
            "listen": h.listen,
            "certificateId": h.certificate_id,
            "negotiateClientCertificate": h.negotiate_client_certificate,
            "defaultSslBinding": h.default_ssl_binding,
        }
        for h in config.hostnames
    ]
    password = None
    if password_env is not None:
        value = env.get(password_env)
        if not value:
            raise invalid(detail("--password-env", f"environment variable {password_env} is empty"))
        password = value.encode()
    doc["certificates"] = {
        cert_id: _certificate(cert_id, cert, password, password_env)
        for cert_id, cert in config.certificates.items()
    }
    doc["caCertificates"] = [
        {"data": ca.data, "storeName": ca.store_name} for ca in config.ca_certificates
    ]
    doc["crls"] = [{"data": crl.data} for crl in config.crls]
    doc["backends"] = {
        backend_id: backend.model_dump(mode="json", by_alias=True)
        for backend_id, backend in config.backends.items()
    }
    if config.policy is not None:
        doc["policy"] = config.policy
    doc["apis"] = {api_id: _api(api) for api_id, api in config.apis.items()}
    doc["namedValues"] = _named_values(config, include_secrets)
    doc = {k: v for k, v in doc.items() if v or k == "hostnames"}
    return Export(_dump(doc), _notes(store))


def _certificate(
    cert_id: str, cert: CertificateConfig, password: bytes | None, password_env: str | None
) -> dict[str, str]:
    loaded = load_certificate(base64.b64decode(cert.data or ""))
    if loaded.key_pem is None:
        return {"data": base64.b64encode(loaded.chain_pem()).decode()}
    if password is None or password_env is None:
        raise invalid(
            detail(
                f"certificates/{cert_id}",
                "has a private key, which is never exported in plaintext: give --password-env "
                "VAR (the key is written as a PFX encrypted with the password in VAR)",
            )
        )
    key = serialization.load_pem_private_key(loaded.key_pem, password=None)
    assert isinstance(key, _PRIVATE_KEY_TYPES)
    pfx = pkcs12.serialize_key_and_certificates(
        cert_id.encode(),
        key,
        x509.load_der_x509_certificate(loaded.der),
        [x509.load_der_x509_certificate(d) for d in loaded.chain_der] or None,
        serialization.BestAvailableEncryption(password),
    )
    return {"data": base64.b64encode(pfx).decode(), "passwordEnv": password_env}


def _api(api: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"path": api.path, "serviceUrl": api.service_url}
    if api.display_name:
        out["displayName"] = api.display_name
    if api.policy is not None:
        out["policy"] = api.policy
    operations = {}
    for op_id, op in api.operations.items():
        entry: dict[str, Any] = {"method": op.method, "urlTemplate": op.url_template}
        if op.display_name and op.display_name != op_id:
            entry["displayName"] = op.display_name
        if op.policy is not None:
            entry["policy"] = op.policy
        operations[op_id] = entry
    if operations:
        out["operations"] = operations
    return out


def _named_values(config: Config, include_secrets: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    hidden = []
    for name, value in config.named_values.items():
        if isinstance(value, str) or not value.secret:
            out[name] = value if isinstance(value, str) else value.value
        elif include_secrets:
            out[name] = {"value": value.value, "secret": True}
        else:
            hidden.append(name)
    if hidden:
        raise invalid(
            detail(
                "namedValues",
                f"secret named values ({', '.join(sorted(hidden))}) would be written in "
                "plaintext: give --include-secrets to export them",
            )
        )
    return out


def _notes(store: Store) -> list[str]:
    notes = []
    for collection in ("backends", "products"):
        items, total = store.list(collection, top=1000)
        if total:
            names = ", ".join(f"{collection}/{r.name}" for r in items)
            notes.append(
                f"not exported (the YAML configuration has no place for them yet): {names}"
            )
    return notes


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(doc: dict[str, Any]) -> str:
    header = "# certgate configuration exported from the store (`certgate export`)\n"
    return header + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
