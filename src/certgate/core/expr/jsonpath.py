"""`JToken.Path` and the JSONPath subset of `SelectToken`/`SelectTokens`.

Supported: `$`, `.name`, `['name']`/`["name"]`, `[n]` (negative counts from the end is not
Json.NET; it refuses), `.*` (an object's property values), `[*]` (an array's items), `..name`
(recursive descent), `..*` (the token itself and every value below it), `[n,m]` and
`['a','b']`, slices `[start:end:step]`, filters `[?(...)]` and `..[?(...)]` (parsed and matched
in `jsonfilter`). Steps run lazily, one token through the whole path before the next, as
Json.NET's chained enumerators do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from . import exceptions as exc
from .jcontainer import JContainer, JProperty
from .jobject import JArray, JObject
from .jtoken import JToken, json_error
from .strings import to_string

if TYPE_CHECKING:
    from .jsonfilter import Query

_SIMPLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
Step = tuple[str, object]


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


def _steps(path: str) -> list[Step]:
    """('name', str) | ('index', [ints]) | ('names', [str]) | ('fields', None) (`.*`)
    | ('items', None) (`[*]`) | ('deep', str | [str] | None) | ('slice', (start, end, step))
    | ('query', Query) (`[?(...)]`) | ('scanquery', Query) (`..[?(...)]`)."""
    steps: list[Step] = []
    i = 0
    if path.startswith("$"):
        i = 1
    while i < len(path):
        c = path[i]
        if path.startswith("..", i):
            if _opens_filter(path, i + 2):
                step, i = _filter(path, i + 2, scan=True)
                steps.append(step)
                continue
            name, i = _name(path, i + 2)
            steps.append(("deep", None if name == "*" else name))
        elif c == ".":
            name, i = _name(path, i + 1)
            steps.append(("fields", None) if name == "*" else ("name", name))
        elif c == "[":
            if _opens_filter(path, i):
                step, i = _filter(path, i, scan=False)
                steps.append(step)
                continue
            end = path.find("]", i)
            if end < 0:
                raise json_error("Path ended with open indexer.", "JsonException")
            steps.append(bracket_step(path[i + 1 : end].strip()))
            i = end + 1
        else:
            name, i = _name(path, i)
            steps.append(("fields", None) if name == "*" else ("name", name))
    return steps


def _opens_filter(path: str, i: int) -> bool:
    """`[` then (after spaces) `?`: Json.NET's ParseIndexer hands it to ParseQuery."""
    if not path.startswith("[", i):
        return False
    i += 1
    while i < len(path) and path[i] == " ":
        i += 1
    return path.startswith("?", i)


def _filter(path: str, i: int, scan: bool) -> tuple[Step, int]:
    from .jsonfilter import parse_filter  # noqa: PLC0415 - import cycle

    return parse_filter(path, i, scan)


def _name(path: str, i: int) -> tuple[str, int]:
    start = i
    while i < len(path) and path[i] not in ".[":
        i += 1
    if i == start:
        raise json_error(
            f"Unexpected character while parsing path: {path[i : i + 1]}", "JsonException"
        )
    return path[start:i], i


def bracket_step(body: str) -> Step:
    """The step of an indexer's text (without the brackets): `*`, names, a slice or indexes."""
    if body == "*":
        return ("items", None)
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
    return list(evaluate(_steps(to_string(path)), root, root, error_when_no_match))


def evaluate(steps: list[Step], root: JToken, token: JToken, strict: bool) -> Iterator[JToken]:
    """JPath.Evaluate: `token` through every step; `root` is what `$` in a filter means (the
    token SelectToken was called on)."""
    current: Iterable[JToken] = (token,)
    for kind, arg in steps:
        current = _through(current, kind, arg, root, strict)
    return iter(current)


def _through(
    tokens: Iterable[JToken], kind: str, arg: object, root: JToken, strict: bool
) -> Iterator[JToken]:
    for token in tokens:
        if kind == "query":  # QueryFilter: the children (an object's are its properties)
            query: Query = arg  # type: ignore[assignment]
            yield from (child for child in token.child_tokens() if query.is_match(root, child))
        elif kind == "scanquery":  # QueryScanFilter: the token and everything below it
            query = arg  # type: ignore[assignment]
            scope = [token, *_descendants(token)] if isinstance(token, JContainer) else [token]
            yield from (item for item in scope if query.is_match(root, item))
        else:
            yield from _apply(token, kind, arg, strict)


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
    if kind == "deep":  # Json.NET's ScanFilter (ScanMultipleFilter for a list of names)
        if arg is None:  # `..*`: the token itself, then every value below it
            return [token, *(t for t in _descendants(token) if not isinstance(t, JProperty))]
        wanted = arg if isinstance(arg, list) else [arg]
        out: list[JToken] = []
        if isinstance(token, JContainer):
            for item in token.Descendants():  # type: ignore[attr-defined]
                if isinstance(item, JProperty):
                    out += [item.property_value() for name in wanted if name == item.Name]
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
