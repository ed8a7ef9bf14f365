"""The store's resource kinds as the admin API sees them: a route template and OpenAPI schemas.

Everything is derived from `certgate.store.resources.KINDS` (segments and the strict pydantic
model of each kind's properties), so a kind added to the store gets its routes and its OpenAPI
operations with no change here. A variable segment is named after the collection before it, as
APIM names them: `apis/{apiId}/operations/{operationId}`, `certificateAuthorities/
{certificateAuthorityId}`. Schemas document; they do not validate: the store does that (unknown
properties ignored, known ones strict), against the whole configuration.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from certgate.store import resources

_PARAM = re.compile(r"\{([A-Za-z][A-Za-z0-9]*)\}")
SCHEMAS = "#/components/schemas/"
ID_PATTERN: str = resources.ID_PATTERN

# Input-only material: never part of an entity's documented (or returned) properties.
WRITE_ONLY = frozenset(
    {"data", "password", "certificatePassword", "encodedCertificate", "privateKey", "key"}
)


@dataclass(frozen=True, slots=True)
class Kind:
    name: str  # "Api": OpenAPI operation ids and schema names
    template: str  # "apis/{apiId}"; a literal last segment is a singleton ("policies/policy")
    tag: str  # the OpenAPI tag: the collection's name
    properties: Mapping[str, Any] = field(default_factory=dict)  # JSON schema per property
    required: tuple[str, ...] = ()
    definitions: Mapping[str, Any] = field(default_factory=dict)  # nested models' schemas
    read_only: frozenset[str] = frozenset()
    secret_flag: str | None = None  # a true property of this name hides `value`
    policy_formats: bool = False  # GET takes ?format=xml|rawxml

    @property
    def params(self) -> list[str]:
        return _PARAM.findall(self.template)

    @property
    def collection_route(self) -> str:
        return self.template.rsplit("/", 1)[0]

    @property
    def parent_params(self) -> list[str]:
        return _PARAM.findall(self.collection_route)

    def path(self, values: Mapping[str, Any]) -> str:
        return _fill(self.template, values)

    def collection_path(self, values: Mapping[str, Any]) -> str:
        return _fill(self.collection_route, values)

    def parent_path(self, values: Mapping[str, Any]) -> str | None:
        """The entity the collection hangs under (`apis/orders` for its operations), if any."""
        if "/" not in self.collection_route:
            return None
        return _fill(self.collection_route.rsplit("/", 1)[0], values)

    @property
    def schema_ref(self) -> str:
        return f"{SCHEMAS}{self.name}Contract"

    @property
    def list_ref(self) -> str:
        return f"{SCHEMAS}{self.name}Collection"

    @property
    def body_ref(self) -> str:
        return f"{SCHEMAS}{self.name}CreateParameters"

    @property
    def patch_ref(self) -> str:
        return f"{SCHEMAS}{self.name}UpdateParameters"

    def components(self) -> dict[str, Any]:
        """The OpenAPI component schemas this kind's routes refer to."""
        writable = {k: v for k, v in self.properties.items() if k not in self.read_only}
        readable = {k: v for k, v in self.properties.items() if k not in WRITE_ONLY}
        body: dict[str, Any] = {"type": "object", "properties": writable}
        if self.required:
            body["required"] = list(self.required)
        name = self.name
        return {
            **self.definitions,
            f"{name}Contract": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "type": {"type": "string"},
                    "name": {"type": "string"},
                    # Output facts (subject, thumbprint ...) come on top of the stored ones.
                    "properties": {"type": "object", "properties": readable},
                },
                "required": ["id", "type", "name", "properties"],
            },
            f"{name}Collection": {
                "type": "object",
                "properties": {
                    "value": {"type": "array", "items": {"$ref": self.schema_ref}},
                    "count": {"type": "integer", "minimum": 0},
                    "nextLink": {"type": "string"},
                },
                "required": ["value", "count"],
            },
            f"{name}CreateParameters": {
                "type": "object",
                "properties": {"properties": body},
                "required": ["properties"],
            },
            f"{name}UpdateParameters": {
                "type": "object",
                "properties": {"properties": {"type": "object", "properties": writable}},
            },
        }


def _fill(template: str, values: Mapping[str, Any]) -> str:
    return _PARAM.sub(lambda m: str(values[m.group(1)]), template)


def param_name(collection: str) -> str:
    """`apis` → `apiId`, `certificateAuthorities` → `certificateAuthorityId`."""
    if collection.endswith("ies"):
        singular = collection[:-3] + "y"
    elif collection.endswith("s"):
        singular = collection[:-1]
    else:
        singular = collection
    return f"{singular}Id"


def from_store(kind: Any) -> Kind:
    """The admin view of one `certgate.store.resources.Kind`."""
    parts: list[str] = []
    for i, segment in enumerate(kind.segments):
        parts.append(
            segment if segment is not None else "{" + param_name(kind.segments[i - 1]) + "}"
        )
    schema = kind.model.model_json_schema(by_alias=True, ref_template=SCHEMAS + "{model}")
    definitions = schema.pop("$defs", {})
    fields = kind.model.model_fields
    name = kind.name[:1].upper() + kind.name[1:]
    last_collection = next(s for s in reversed(kind.segments[:-1]) if s is not None)
    return Kind(
        name=name,
        template="/".join(parts),
        tag=last_collection,
        properties=schema.get("properties", {}),
        required=tuple(schema.get("required", ())),
        definitions=definitions,
        read_only=frozenset(getattr(kind, "read_only", ())),
        secret_flag="secret" if "secret" in fields else None,
        policy_formats="format" in fields and "value" in fields,
    )


def store_kinds() -> Sequence[Kind]:
    """Every kind the store knows, in its order."""
    return tuple(from_store(kind) for kind in resources.KINDS)
