"""Request path → API, by longest path prefix on whole segments.

Every configured hostname serves every API (as in APIM); the hostname only decides TLS settings.
Matching is case-insensitive on the API path (decision recorded in docs/compatibility.md) and costs
one dict lookup per path segment, whatever the number of APIs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import parse_qsl, unquote

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


# --- operations: method + URL template ------------------------------------------------------------

_PARAM = re.compile(r"^\{(\*?)([A-Za-z_][A-Za-z0-9_\-.]*)\}$")


@dataclass(frozen=True, slots=True)
class UrlTemplate:
    """An operation's `urlTemplate`, e.g. `/items/{id}`, `/files/{*path}`, `/search?q={q}`."""

    text: str
    segments: tuple[tuple[str, str], ...]  # ("lit", value) | ("param", name) | ("rest", name)
    query: tuple[tuple[str, str], ...]  # (query name, parameter name)

    @classmethod
    def parse(cls, text: str) -> UrlTemplate:
        path, _, query = text.partition("?")
        segments: list[tuple[str, str]] = []
        for i, seg in enumerate(s for s in path.split("/") if s):
            match = _PARAM.match(seg)
            if match is None:
                if "{" in seg or "}" in seg:
                    raise ConfigError(f"invalid URL template segment '{seg}' in '{text}'")
                segments.append(("lit", unquote(seg).lower()))
            elif match.group(1):
                if i != len([s for s in path.split("/") if s]) - 1:
                    raise ConfigError(f"'{{*{match.group(2)}}}' must be last in '{text}'")
                segments.append(("rest", match.group(2)))
            else:
                segments.append(("param", match.group(2)))
        pairs = []
        for item in (q for q in query.split("&") if q):
            name, _, value = item.partition("=")
            param = _PARAM.match(value)
            if param is None or param.group(1):
                raise ConfigError(f"query template '{item}' must be name={{param}} in '{text}'")
            pairs.append((name, param.group(2)))
        return cls(text, tuple(segments), tuple(pairs))

    def specificity(self) -> tuple[int, int, int]:
        """Sort key: more literal segments, then more segments, then no catch-all, wins."""
        literals = sum(1 for kind, _ in self.segments if kind == "lit")
        rest = any(kind == "rest" for kind, _ in self.segments)
        return (literals, len(self.segments), 0 if rest else 1)

    def match(self, path: str, query: dict[str, str]) -> dict[str, str] | None:
        """Matched parameters (URL-decoded), or None."""
        parts = [s for s in path.split("/") if s]
        params: dict[str, str] = {}
        for i, (kind, value) in enumerate(self.segments):
            if kind == "rest":
                params[value] = unquote("/".join(parts[i:]))
                return self._match_query(params, query)
            if i >= len(parts):
                return None
            if kind == "lit":
                if unquote(parts[i]).lower() != value:
                    return None
            else:
                params[value] = unquote(parts[i])
        if len(parts) != len(self.segments):
            return None
        return self._match_query(params, query)

    def _match_query(self, params: dict[str, str], query: dict[str, str]) -> dict[str, str] | None:
        for name, param in self.query:
            if name.lower() not in query:
                return None
            params[param] = query[name.lower()]
        return params


@dataclass(frozen=True, slots=True)
class OperationRoute(Generic[T]):
    method: str  # upper-case, or "*"
    template: UrlTemplate
    target: T


class OperationRouter(Generic[T]):
    """Picks an API's operation by method and URL template; the most specific template wins."""

    def __init__(self, routes: Iterable[OperationRoute[T]]) -> None:
        self._routes = sorted(routes, key=lambda r: r.template.specificity(), reverse=True)

    def __bool__(self) -> bool:
        return bool(self._routes)

    def match(self, method: str, path: str, query: str) -> tuple[T, dict[str, str]] | None:
        lowered = {k.lower(): v for k, v in parse_qsl(query, keep_blank_values=True)}
        for route in self._routes:
            if route.method not in ("*", method):
                continue
            params = route.template.match(path, lowered)
            if params is not None:
                return route.target, params
        return None
