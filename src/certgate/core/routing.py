"""Request path → API, by longest path prefix on whole segments.

Every configured hostname serves every API (as in APIM); the hostname only decides TLS settings.
Matching is case-insensitive on the API path (decision recorded in docs/compatibility.md) and costs
one dict lookup per path segment, whatever the number of APIs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from certgate.errors import ConfigError

T = TypeVar("T")


def normalize_api_path(path: str) -> str:
    """'/Orders/v1/' → 'orders/v1' (the key the router stores)."""
    return "/".join(seg for seg in path.split("/") if seg).lower()


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    target: T
    api_path: str  # normalized API path that matched
    remainder: str  # rest of the request path after the API path, starting with '/' or empty


class Router(Generic[T]):
    def __init__(self, routes: Iterable[tuple[str, T]]) -> None:
        self._routes: dict[str, T] = {}
        self._max_depth = 0
        for path, target in routes:
            key = normalize_api_path(path)
            if key in self._routes:
                raise ConfigError(f"two APIs share the path '{key}'")
            self._routes[key] = target
            self._max_depth = max(self._max_depth, key.count("/") + 1 if key else 0)

    def match(self, path: str) -> Match[T] | None:
        """Longest API path that is a whole-segment prefix of `path` (no query string)."""
        segments = path.split("/")[1:] if path.startswith("/") else path.split("/")
        lowered = [s.lower() for s in segments[: self._max_depth]]
        for depth in range(len(lowered), -1, -1):
            if depth and not lowered[depth - 1]:
                continue  # an empty segment ('//', trailing '/') is never part of an API path
            key = "/".join(lowered[:depth])
            target = self._routes.get(key)
            if target is not None:
                rest = "/".join(segments[depth:])
                remainder = "/" + rest if depth < len(segments) else ""
                return Match(target, key, remainder)
        return None
