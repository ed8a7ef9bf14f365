"""A small in-memory stand-in for `certgate.store.Store`, for the admin unit tests only (the
integration tests run the real store)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from certgate.errors import NotFound, PreconditionFailed, ValidationFailed


@dataclass
class Resource:
    path: str
    properties: dict[str, Any]
    etag: str

    def to_json(self, *, policy_format: str | None = None) -> dict[str, Any]:
        collection, _, name = self.path.rpartition("/")
        return {
            "id": "/" + self.path,
            "type": collection,
            "name": name,
            "properties": dict(self.properties),
        }


@dataclass
class FakeStore:
    items: dict[str, Resource] = field(default_factory=dict)
    audits: list[dict[str, Any]] = field(default_factory=list)
    counter: Any = field(default_factory=lambda: itertools.count(1))
    ver: int = 0

    def get(self, path: str) -> Resource | None:
        return self.items.get(path)

    def list(self, collection: str, *, skip: int = 0, top: int = 100) -> tuple[list[Resource], int]:
        parent = collection.rpartition("/")[0]
        if parent and parent not in self.items:
            raise NotFound(f"'{parent}' was not found.")
        rows = sorted(
            (r for p, r in self.items.items() if p.rpartition("/")[0] == collection),
            key=lambda r: r.path,
        )
        return rows[skip : skip + top], len(rows)

    def _check(self, path: str, if_match: str | None) -> Resource | None:
        current = self.items.get(path)
        if if_match not in (None, "*") and (current is None or current.etag != if_match):
            raise PreconditionFailed("etag mismatch")
        return current

    def put(
        self, path: str, body: dict[str, Any], *, if_match: str | None = None, actor: str
    ) -> tuple[Resource, bool]:
        current = self._check(path, if_match)
        props = body.get("properties") or {}
        if props.get("bad"):
            raise ValidationFailed(
                "bad: bad is bad",
                details=[{"code": "ValidationError", "target": "bad", "message": "bad is bad"}],
            )
        res = Resource(path, dict(props), f"e{next(self.counter)}")
        self.items[path] = res
        self.ver += 1
        self.audits.append(
            {
                "actor": actor,
                "op": "put",
                "path": path,
                "before": current and current.etag,
                "after": res.etag,
            }
        )
        return res, current is None

    def patch(
        self, path: str, body: dict[str, Any], *, if_match: str | None = None, actor: str
    ) -> Resource:
        current = self._check(path, if_match)
        if current is None:
            raise NotFound(f"'{path}' was not found.")
        res = Resource(
            path, {**current.properties, **(body.get("properties") or {})}, f"e{next(self.counter)}"
        )
        self.items[path] = res
        self.audits.append({"actor": actor, "op": "patch", "path": path})
        return res

    def delete(self, path: str, *, if_match: str | None = None, actor: str) -> bool:
        current = self._check(path, if_match)
        if current is None:
            return False
        del self.items[path]
        self.audits.append({"actor": actor, "op": "delete", "path": path})
        return True

    def version(self) -> int:
        return self.ver

    def audit(
        self,
        *,
        actor: str,
        method: str,
        path: str,
        status: int,
        etag_before: str | None = None,
        etag_after: str | None = None,
        detail: str | None = None,
    ) -> None:
        self.audits.append(
            {
                "actor": actor,
                "op": method.lower(),
                "path": path,
                "status": status,
                "detail": detail,
                "refused": True,
            }
        )
