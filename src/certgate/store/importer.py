"""Seeding the store: the YAML configuration file, and the APIOps extractor's folder layout.

Both produce an `ImportPlan`: resource paths with APIM-shaped bodies, applied by `Store.apply` in
one transaction that is checked as a whole (nothing is stored when any part is refused).

YAML → resources: `hostnames` → `gateways/default/hostnameConfigurations/{id}` (id from the host
name), `certificates` → `certificates/{id}` (file or data read now; a PFX password is read from
its `passwordEnv` now and never stored), `caCertificates` → `caCertificates/{id}` (id from the
file name), `policy` → `policies/policy`, `apis` → `apis/{id}` (with `subscriptionRequired: false`:
the YAML file has always served its APIs without subscriptions), their operations and policies,
`namedValues` → `namedValues/{name}`. Policies are stored as `rawxml`, as written.

APIOps (Azure/apiops extractor output): `apis/<api>/apiInformation.json`, its `specification.*`
(OpenAPI 2 or 3, YAML or JSON: one operation per operationId), `policy.xml`,
`operations/<op>/policy.xml`; `backends/<b>/backendInformation.json`; `named values/<n>/
namedValueInformation.json`; `products/<p>/productInformation.json`, `policy.xml`, `apis.json`;
the global `policy.xml`. Revisions that are not current (`<api>;rev=N`), policy fragments,
subscriptions, tags, version sets, loggers, diagnostics and gateways are not imported; the plan
lists them in `notes`. An API is imported as the extractor wrote it: one with
`subscriptionRequired: true` (APIM's default) is refused by the store with a message saying so.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from certgate.config import CertificateSource, Config, read_config
from certgate.errors import ConfigError, LoadError, ValidationFailed
from certgate.store.resources import ID_PATTERN, detail, invalid

DEFAULT_GATEWAY = "default"
_ID = re.compile(ID_PATTERN)
_HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_APIOPS_IGNORED = (
    "policy fragments",
    "subscriptions",
    "tags",
    "version sets",
    "loggers",
    "diagnostics",
    "gateways",
    "groups",
    "workspaces",
)

Body = dict[str, Any]


@dataclass
class ImportPlan:
    items: list[tuple[str, Body]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was not imported, and why
    origins: dict[str, str] = field(default_factory=dict)  # resource path → file it came from

    def add(self, path: str, properties: Mapping[str, Any], origin: str | None = None) -> None:
        self.items.append((path, {"properties": dict(properties)}))
        if origin is not None:
            self.origins[path] = origin


# --- YAML ----------------------------------------------------------------------------------------


def from_config_file(path: Path, environ: Mapping[str, str] | None = None) -> ImportPlan:
    """Read the YAML file (errors name file and key, as `certgate serve` does) into a plan."""
    config = read_config(path)
    try:
        return from_config(config, path.parent, environ=environ, origin=str(path))
    except LoadError as exc:
        raise exc.located(source=str(path)) from None


def from_config(
    config: Config,
    base_dir: Path,
    *,
    environ: Mapping[str, str] | None = None,
    origin: str | None = None,
) -> ImportPlan:
    env = os.environ if environ is None else environ
    plan = ImportPlan()
    if config.hostnames:
        plan.add(
            f"gateways/{DEFAULT_GATEWAY}",
            {"description": "hostnames from the configuration file"},
            origin,
        )
    taken: set[str] = set()
    for host in config.hostnames:
        name = _unique(_slug(host.host_name.lower().replace("*", "wildcard")), taken)
        plan.add(
            f"gateways/{DEFAULT_GATEWAY}/hostnameConfigurations/{name}",
            {
                "hostname": host.host_name,
                "listen": host.listen,
                "certificateId": host.certificate_id,
                "negotiateClientCertificate": host.negotiate_client_certificate,
                "defaultSslBinding": host.default_ssl_binding,
            },
            origin,
        )
    for cert_id, cert in config.certificates.items():
        props: Body = {"data": _certificate_data(base_dir, cert, f"certificates.{cert_id}")}
        if cert.password_env is not None:
            password = env.get(cert.password_env)
            if password is None:
                raise ConfigError(
                    f"environment variable {cert.password_env} is not set",
                    element=f"certificates.{cert_id}.passwordEnv",
                )
            props["password"] = password
        plan.add(f"certificates/{cert_id}", props, origin)
    taken = set()
    for i, ca in enumerate(config.ca_certificates):
        stem = Path(ca.file).stem if ca.file else f"ca-{i + 1}"
        name = _unique(_slug(stem), taken)
        data = _certificate_data(base_dir, ca, f"caCertificates.{i}")
        plan.add(
            f"caCertificates/{name}",
            {"encodedCertificate": data, "storeName": ca.store_name},
            origin,
        )
    taken = set()
    for i, crl in enumerate(config.crls):
        name = _unique(_slug(Path(crl.file).stem if crl.file else f"crl-{i + 1}"), taken)
        plan.add(f"crls/{name}", {"data": _certificate_data(base_dir, crl, f"crls.{i}")}, origin)
    for backend_id, backend in config.backends.items():
        props = {
            "url": backend.url,
            "protocol": "http",
            "credentials": {"certificateIds": backend.credentials.certificate_ids},
            "tls": {
                "validateCertificateChain": backend.tls.validate_certificate_chain,
                "validateCertificateName": backend.tls.validate_certificate_name,
            },
        }
        plan.add(f"backends/{backend_id}", props, origin)
    if config.policy is not None:
        plan.add("policies/policy", _policy(base_dir, config.policy, "policy"), origin)
    for api_id, api in config.apis.items():
        props = {
            "path": api.path,
            "serviceUrl": api.service_url,
            "subscriptionRequired": False,
            "protocols": ["https"],
        }
        if api.display_name is not None:
            props["displayName"] = api.display_name
        plan.add(f"apis/{api_id}", props, origin)
        if api.policy is not None:
            policy = _policy(base_dir, api.policy, f"apis.{api_id}.policy")
            plan.add(f"apis/{api_id}/policies/policy", policy, origin)
        for op_id, op in api.operations.items():
            op_path = f"apis/{api_id}/operations/{op_id}"
            plan.add(
                op_path,
                {
                    "displayName": op.display_name or op_id,
                    "method": op.method,
                    "urlTemplate": op.url_template,
                },
                origin,
            )
            if op.policy is not None:
                key = f"apis.{api_id}.operations.{op_id}.policy"
                plan.add(f"{op_path}/policies/policy", _policy(base_dir, op.policy, key), origin)
    for name, value in config.named_values.items():
        text, secret = (value, False) if isinstance(value, str) else (value.value, value.secret)
        plan.add(
            f"namedValues/{name}", {"displayName": name, "value": text, "secret": secret}, origin
        )
    return plan


def _certificate_data(base_dir: Path, source: CertificateSource, key: str) -> str:
    if source.data is not None:
        return "".join(source.data.split())
    path = base_dir / (source.file or "")
    try:
        return base64.b64encode(path.read_bytes()).decode()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}", element=f"{key}.file") from None


def _policy(base_dir: Path, value: str, key: str) -> Body:
    if value.lstrip().startswith("<"):
        return {"format": "rawxml", "value": value}
    path = base_dir / value
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read policy file {path}: {exc}", element=key) from None
    return {"format": "rawxml", "value": text}


def _slug(text: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-._")
    slug = re.sub(r"\.{2,}", ".", slug)[:70]
    return slug or "item"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(candidate)
    return candidate


# --- APIOps --------------------------------------------------------------------------------------


def from_apiops(folder: Path) -> ImportPlan:
    """Read an APIOps extractor folder (module docstring) into a plan."""
    if not folder.is_dir():
        raise invalid(detail(str(folder), "is not a folder"))
    plan = ImportPlan()
    for name in _APIOPS_IGNORED:
        if (folder / name).is_dir():
            plan.notes.append(f"not imported: '{name}/' (certgate has no such resources yet)")
    if (folder / "policy.xml").is_file():
        plan.add("policies/policy", _policy_file(folder, "policy.xml"), "policy.xml")
    for sub in _children(folder / "named values"):
        rel = f"named values/{sub.name}/namedValueInformation.json"
        plan.add(f"namedValues/{_id(sub.name, rel)}", _information(folder, rel), rel)
    for sub in _children(folder / "backends"):
        rel = f"backends/{sub.name}/backendInformation.json"
        plan.add(f"backends/{_id(sub.name, rel)}", _information(folder, rel), rel)
    api_ids = _apis(folder, plan)
    for sub in _children(folder / "products"):
        rel = f"products/{sub.name}/productInformation.json"
        product = f"products/{_id(sub.name, rel)}"
        plan.add(product, _information(folder, rel), rel)
        if (sub / "policy.xml").is_file():
            policy_rel = f"products/{sub.name}/policy.xml"
            plan.add(f"{product}/policies/policy", _policy_file(folder, policy_rel), policy_rel)
        links_rel = f"products/{sub.name}/apis.json"
        if (folder / links_rel).is_file():
            for api in _json(folder, links_rel, list):
                api_name = api.get("name") if isinstance(api, dict) else api
                if api_name in api_ids:
                    plan.add(f"{product}/apis/{api_name}", {}, links_rel)
                else:
                    plan.notes.append(f"not linked: {product} → API '{api_name}' (not imported)")
    return plan


def _apis(folder: Path, plan: ImportPlan) -> set[str]:
    imported: set[str] = set()
    for sub in _children(folder / "apis"):
        if ";rev=" in sub.name:
            plan.notes.append(
                f"not imported: 'apis/{sub.name}' (a revision that is not current; certgate "
                "serves the current revision only)"
            )
            continue
        base = f"apis/{sub.name}"
        api_id = _id(sub.name, base)
        rel = f"{base}/apiInformation.json"
        plan.add(f"apis/{api_id}", _information(folder, rel), rel)
        imported.add(api_id)
        if (sub / "policy.xml").is_file():
            rel = f"{base}/policy.xml"
            plan.add(f"apis/{api_id}/policies/policy", _policy_file(folder, rel), rel)
        spec_rel, operations = _specification(folder, base)
        for op_id, props in operations.items():
            plan.add(f"apis/{api_id}/operations/{op_id}", props, spec_rel)
        for op in _children(sub / "operations"):
            rel = f"{base}/operations/{op.name}/policy.xml"
            if not (folder / rel).is_file():
                continue
            if op.name not in operations:
                raise invalid(
                    detail(
                        rel,
                        f"operation '{op.name}' has a policy, but the API's specification "
                        "defines no operation with that operationId",
                    )
                )
            plan.add(
                f"apis/{api_id}/operations/{op.name}/policies/policy",
                _policy_file(folder, rel),
                rel,
            )
    return imported


def _specification(folder: Path, base: str) -> tuple[str | None, dict[str, Body]]:
    specs = sorted((folder / base).glob("specification.*"))
    if not specs:
        return None, {}
    spec = specs[0]
    rel = f"{base}/{spec.name}"
    if spec.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise invalid(
            detail(rel, f"not supported yet: specification format '{spec.suffix}' (only OpenAPI)")
        )
    try:
        text = spec.read_text(encoding="utf-8-sig")
        doc = json.loads(text) if spec.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise invalid(detail(rel, f"cannot read the specification: {exc}")) from None
    paths = doc.get("paths") if isinstance(doc, dict) else None
    if not isinstance(paths, dict):
        raise invalid(detail(rel, "not an OpenAPI document (no 'paths')"))
    operations: dict[str, Body] = {}
    for template, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method, op in item.items():
            if method.lower() not in _HTTP_METHODS or not isinstance(op, dict):
                continue
            given = op.get("operationId")
            op_id = given if isinstance(given, str) and _ID.match(given) else None
            op_id = op_id or _slug(f"{method}-{template}".lower())
            operations[op_id] = {
                "displayName": str(op.get("summary") or op_id)[:300],
                "method": method.upper(),
                "urlTemplate": str(template),
                **({"description": str(op["description"])} if op.get("description") else {}),
            }
    return rel, operations


def _children(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def _id(name: str, rel: str) -> str:
    if not _ID.match(name) or ".." in name:
        raise invalid(detail(rel, f"'{name}' is not an id certgate accepts ({ID_PATTERN})"))
    return name


def _json(folder: Path, rel: str, kind: type) -> Any:
    path = folder / rel
    try:
        value = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise invalid(detail(rel, "is missing")) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise invalid(detail(rel, f"is not valid JSON: {exc}")) from None
    if not isinstance(value, kind):
        raise invalid(detail(rel, f"must hold a JSON {'object' if kind is dict else 'array'}"))
    return value


def _information(folder: Path, rel: str) -> Body:
    props = _json(folder, rel, dict).get("properties", {})
    if not isinstance(props, dict):
        raise invalid(detail(rel, "'properties' must be a JSON object"))
    return props


def _policy_file(folder: Path, rel: str) -> Body:
    try:
        text = (folder / rel).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise invalid(detail(rel, f"cannot read: {exc}")) from None
    return {"format": "rawxml", "value": text}


__all__ = ["ImportPlan", "ValidationFailed", "from_apiops", "from_config", "from_config_file"]
