"""`JToken.Path` and the JSONPath subset of `SelectToken`/`SelectTokens`.

Supported: `$`, `.name`, `['name']`/`["name"]`, `[n]` (negative counts from the end is not
Json.NET; it refuses), `.*` (an object's property values), `[*]` (an array's items), `..name`
(recursive descent), `..*` (the token itself and every value below it), `[n,m]` and
`['a','b']`, slices `[start:end:step]`. Filter expressions (`[?(...)]`) are not supported yet.
"""

from __future__ import annotations

import re

from . import exceptions as exc
from .jcontainer import JContainer, JProperty
from .jobject import JArray, JObject
from .jtoken import JToken, json_error
from .strings import to_string

_SIMPLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def path_of(token: JToken) -> str:
    parts: list[str] = []
    current: JToken | None = token
    while current is not None and current.Parent is not None:
        parent = current.Parent
        if isinstance(current, JProperty):
            name = current.Name
            parts.append(f".{name}" if _SIMPLE_NAME.match(name) else f"['{name}']")
        elif isinstance(parent, JArray):
            index = next(i for i, t in enumerate(parent.child_tokens()) if t is current)
            parts.append(f"[{index}]")
        current = parent
    return "".join(reversed(parts)).lstrip(".")


def _steps(path: str) -> list[tuple[str, object]]:
    """('name', str) | ('index', [ints]) | ('names', [str]) | ('fields', None) (`.*`)
    | ('items', None) (`[*]`) | ('deep', str | None) | ('slice', (start, end, step))."""
    steps: list[tuple[str, object]] = []
    i = 0
    if path.startswith("$"):
        i = 1
    while i < len(path):
        c = path[i]
        if path.startswith("..", i):
            name, i = _name(path, i + 2)
            steps.append(("deep", None if name == "*" else name))
        elif c == ".":
            name, i = _name(path, i + 1)
            steps.append(("fields", None) if name == "*" else ("name", name))
        elif c == "[":
            end = path.find("]", i)
            if end < 0:
                raise json_error("Path ended with open indexer.", "JsonException")
            steps.append(_bracket(path[i + 1 : end].strip()))
            i = end + 1
        else:
            name, i = _name(path, i)
            steps.append(("fields", None) if name == "*" else ("name", name))
    return steps


def _name(path: str, i: int) -> tuple[str, int]:
    start = i
    while i < len(path) and path[i] not in ".[":
        i += 1
    if i == start:
        raise json_error(
            f"Unexpected character while parsing path: {path[i : i + 1]}", "JsonException"
        )
    return path[start:i], i


def _bracket(body: str) -> tuple[str, object]:
    if body == "*":
        return ("items", None)
    if body.startswith("?"):
        raise exc.ExpressionRuntimeError(
            "NotSupportedException", "not supported yet: JSONPath filter expressions"
        )
    parts = [part.strip() for part in body.split(",")]
    if all(p[:1] in "'\"" and p[-1:] == p[:1] and len(p) >= 2 for p in parts):
        return ("names", [p[1:-1] for p in parts])
    if ":" in body and len(parts) == 1:
        bounds = [int(x) if x.strip() else None for x in body.split(":")]
        return ("slice", [*bounds, None, None][:3])
    try:
        return ("index", [int(p) for p in parts])
    except ValueError:
        raise json_error(
            f"Unexpected character while parsing path indexer: {body[:1]}", "JsonException"
        ) from None


def select(root: JToken, path: object, error_when_no_match: bool) -> list[JToken]:
    if path is None:
        raise exc.argument_null("path")
    current: list[JToken] = [root]
    for kind, arg in _steps(to_string(path)):
        following: list[JToken] = []
        for token in current:
            following += _apply(token, kind, arg, error_when_no_match)
        current = following
    return current


def _apply(token: JToken, kind: str, arg: object, strict: bool) -> list[JToken]:
    if kind in ("name", "names"):
        names = [arg] if kind == "name" else list(arg)  # type: ignore[call-overload]
        if not isinstance(token, JObject):
            if strict:
                raise json_error(
                    f"Property '{names[0]}' not valid on {type(token).__name__}.", "JsonException"
                )
            return []
        found = [token.get_item(name) for name in names]
        if strict and any(item is None for item in found):
            raise json_error(f"Property '{names[0]}' does not exist on JObject.", "JsonException")
        return [item for item in found if item is not None]
    if kind == "fields":  # `.*`: property values; nothing on an array
        if isinstance(token, JObject):
            return [p.property_value() for p in token.properties()]
        if strict:
            raise json_error(f"Property '*' not valid on {type(token).__name__}.", "JsonException")
        return []
    if kind == "items":  # `[*]`: array items; nothing on an object
        if isinstance(token, JArray):
            return token.child_tokens()
        if strict:
            raise json_error(f"Index * not valid on {type(token).__name__}.", "JsonException")
        return []
    if kind == "deep":  # Json.NET's ScanFilter
        if arg is None:  # `..*`: the token itself, then every value below it
            return [token, *(t for t in _descendants(token) if not isinstance(t, JProperty))]
        out: list[JToken] = []
        if isinstance(token, JContainer):
            for item in token.Descendants():  # type: ignore[attr-defined]
                if isinstance(item, JProperty) and item.Name == arg:
                    out.append(item.property_value())
        return out
    if not isinstance(token, JArray):
        if strict:
            raise json_error(f"Index {arg} not valid on {type(token).__name__}.", "JsonException")
        return []
    items = token.child_tokens()
    if kind == "slice":
        bounds: list[int | None] = list(arg)  # type: ignore[call-overload]
        return items[slice(*bounds)]
    out = []
    for index in arg:  # type: ignore[attr-defined]
        if 0 <= index < len(items):
            out.append(items[index])
        elif strict:
            raise json_error(f"Index {index} outside the bounds of JArray.", "JsonException")
    return out


def _descendants(token: JToken) -> list[JToken]:
    """The tokens below `token` in document order (properties and their values)."""
    found: list[JToken] = []
    for child in token.child_tokens():
        found.append(child)
        found += _descendants(child)
    return found
