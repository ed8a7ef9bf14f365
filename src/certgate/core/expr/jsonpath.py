"""`JToken.Path` and the JSONPath of `SelectToken`/`SelectTokens`, as Json.NET 13 builds, parses
and runs them (JsonPosition.BuildPath, JPath, the PathFilter classes).

Parsing is JPath's, character by character, messages included: `$` is skipped only before `.`
or `[`; a path part ends at `.`, `[`, `(`, a space, `]` or `)`; `[...]` and `(...)` are
indexers (quoted names, indexes, slices, `*`, filters: `jsonfilter` parses those, and
`array_indexer` here the indexes); a space ends the path, and anything but spaces after it is
refused; `..` before an indexer scans for quoted names and filters, not for indexes. The
exceptions JPath lets escape stay too: IndexOutOfRangeException for ` $` or an indexer cut
short after spaces, FormatException/OverflowException for an index Convert.ToInt32 refuses.

Steps run lazily, one token through the whole path before the next, as Json.NET's chained
iterators do, so SelectToken stops at the second match and errors come when the token that
causes them is reached.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from . import convert as cv
from . import exceptions as exc
from .jcontainer import JContainer, JProperty
from .jobject import JArray, JObject
from .jspecial import JConstructor
from .jtoken import JToken, json_error
from .strings import to_string

Step = tuple[str, object]
Tokens = Iterable[JToken]

# --- JToken.Path ---------------------------------------------------------------------------------

#: JsonPosition.SpecialCharacters: a property name holding one is written as `['name']`.
_SPECIAL = frozenset(".' /\"[]()\t\n\r\f\b\\\u0085\u2028\u2029")
_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\f": "\\f", "\b": "\\b", "\\": "\\\\"}
_ESCAPES |= {"'": "\\'", "\u0085": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def path_of(token: JToken) -> str:
    """JToken.Path: property names and the indexes of array and constructor items, root first."""
    parts: list[str | int] = []
    previous: JToken | None = None
    current: JToken | None = token if token.Parent is not None else None
    while current is not None:
        if isinstance(current, JProperty):
            parts.append(current.Name)
        elif isinstance(current, (JArray, JConstructor)) and previous is not None:
            parts.append(next(i for i, t in enumerate(current.child_tokens()) if t is previous))
        previous, current = current, current.Parent
    text = ""
    for part in reversed(parts):
        if isinstance(part, int):
            text += f"[{part}]"
        elif _SPECIAL.intersection(part):
            text += "['" + _quoted(part) + "']"
        else:
            text += ("." if text else "") + part
    return text


def _quoted(name: str) -> str:
    """JavaScriptUtils.WriteEscapedJavaScriptString with `'` as the quote (a `"` stays)."""
    return "".join(_ESCAPES.get(c) or (f"\\u{ord(c):04x}" if ord(c) < 0x20 else c) for c in name)


# --- parsing (JPath) -----------------------------------------------------------------------------


def _error(message: str) -> exc.ExpressionRuntimeError:
    return json_error(message, "JsonException")


def parse_path(path: object) -> list[Step]:
    """`new JPath(path)`: the steps, or Json.NET's exception for a malformed path.

    Steps: ('name', str) | ('names', [str]) | ('fields', None) (`.*`) | ('index', [int])
    | ('items', None) (`[*]`) | ('slice', [start, end, step]) | ('deep', str | [str] | None)
    (`..name`, `..['a','b']`, `..*`) | ('query', Query) | ('scanquery', Query) (`..[?(...)]`)."""
    if path is None:
        raise exc.argument_null("expression")
    from .jsonfilter import parse_steps  # noqa: PLC0415 - import cycle

    return parse_steps(to_string(path))


def member_step(name: str, scan: bool) -> Step:
    """CreatePathFilter: a FieldFilter or ScanFilter; `*` is every property value."""
    if scan:
        return ("deep", None if name == "*" else name)
    return ("fields", None) if name == "*" else ("name", name)


def array_indexer(text: str, pos: int, closing: str) -> tuple[Step, int]:
    """ParseArrayIndexer from `pos` (after the opening character and its spaces): `[n]`,
    `[n,m]`, `[start:end:step]` or `[*]`; the step and the index of the closing character.
    Indexes are Convert.ToInt32's, so "-" or "1-" is a FormatException."""
    start, end = pos, None
    indexes: list[int] | None = None
    colons = 0
    bounds: list[int | None] = [None, None, None]
    while pos < len(text):
        c = text[pos]
        if c == " ":
            end = pos
            pos = _skip_spaces(text, pos)
            continue
        number = text[start : pos if end is None else end]
        if c == closing:
            if indexes is not None or colons == 0:
                if not number:
                    raise _error("Array index expected.")
                return ("index", [*(indexes or []), cv.to_int32(number)]), pos
            if number:
                bounds[1 if colons == 1 else 2] = cv.to_int32(number)
            return ("slice", bounds), pos
        if c == ",":
            if not number:
                raise _error("Array index expected.")
            indexes = [*(indexes or []), cv.to_int32(number)]
            pos = _skip_spaces(text, pos + 1)
            start, end = pos, None
        elif c == "*":
            if pos + 1 >= len(text):
                raise _error("Path ended with open indexer.")
            pos = _skip_spaces(text, pos + 1)
            if pos >= len(text):  # JPath reads past the end
                raise exc.index_out_of_range()
            if text[pos] != closing:
                raise _error(f"Unexpected character while parsing path indexer: {c}")
            return ("items", None), pos
        elif c == ":":
            if number:
                bounds[min(colons, 2)] = cv.to_int32(number)
            colons += 1
            pos = _skip_spaces(text, pos + 1)
            start, end = pos, None
        elif (unicodedata.category(c) != "Nd" and c != "-") or end is not None:
            raise _error(f"Unexpected character while parsing path indexer: {c}")
        else:
            pos += 1
    raise _error("Path ended with open indexer.")


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos


# --- evaluation (the PathFilter classes) ---------------------------------------------------------


def select(root: JToken, path: object, strict: bool) -> list[JToken]:
    """Every token `path` selects from `root` (what enumerating SelectTokens yields)."""
    return list(evaluate(parse_path(path), root, root, strict))


def evaluate(steps: list[Step], root: JToken, token: JToken, strict: bool) -> Iterator[JToken]:
    """JPath.Evaluate: `token` through every step; `root` is what `$` in a filter means (the
    token SelectToken was called on)."""
    current: Iterable[JToken] = (token,)
    for kind, arg in steps:
        current = _FILTERS[kind](current, arg, root, strict)
    return iter(current)


def _field(tokens: Tokens, name: Any, root: JToken, strict: bool) -> Iterator[JToken]:
    """FieldFilter: a property's value (`name` None: every property value) of each object."""
    for token in tokens:
        if isinstance(token, JObject):
            if name is None:
                yield from [prop.property_value() for prop in token.properties()]
                continue
            value = token.get_item(name)
            if value is not None:
                yield value
            elif strict:
                raise _error(f"Property '{name}' does not exist on JObject.")
        elif strict:
            shown = "*" if name is None else name
            raise _error(f"Property '{shown}' not valid on {type(token).__name__}.")


def _fields(tokens: Tokens, names: Any, root: JToken, strict: bool) -> Iterator[JToken]:
    """FieldMultipleFilter. With ErrorWhenNoMatch Json.NET 13 throws after the first name even
    when it exists (the check is not in an else): kept, it is what APIM does."""
    for token in tokens:
        if isinstance(token, JObject):
            for name in names:
                value = token.get_item(name)
                if value is not None:
                    yield value
                if strict:
                    raise _error(f"Property '{name}' does not exist on JObject.")
        elif strict:
            shown = ", ".join(f"'{name}'" for name in names)
            raise _error(f"Properties {shown} not valid on {type(token).__name__}.")


def _indexes(tokens: Tokens, indexes: Any, root: JToken, strict: bool) -> Iterator[JToken]:
    """ArrayIndexFilter / ArrayMultipleIndexFilter: items of arrays and constructors."""
    for token in tokens:
        for index in indexes:
            value = _token_index(token, strict, index)
            if value is not None:
                yield value


def _token_index(token: JToken, strict: bool, index: int) -> JToken | None:
    """PathFilter.GetTokenIndex. A negative index reaches List<T>'s indexer, which throws."""
    if isinstance(token, (JArray, JConstructor)):
        items = token.child_tokens()
        if len(items) <= index:
            if strict:
                kind = type(token).__name__
                raise _error(f"Index {index} outside the bounds of {kind}.")
            return None
        if index < 0:
            raise exc.ExpressionRuntimeError(
                "ArgumentOutOfRangeException",
                "Index was out of range. Must be non-negative and less than the size of the "
                "collection. (Parameter 'index')",
            )
        return items[index]
    if strict:
        raise _error(f"Index {index} not valid on {type(token).__name__}.")
    return None


def _items(tokens: Tokens, _: Any, root: JToken, strict: bool) -> Iterator[JToken]:
    """ArrayIndexFilter without an index (`[*]`): every item of arrays and constructors."""
    for token in tokens:
        if isinstance(token, (JArray, JConstructor)):
            yield from token.child_tokens()
        elif strict:
            raise _error(f"Index * not valid on {type(token).__name__}.")


def _slice(tokens: Tokens, bounds: Any, root: JToken, strict: bool) -> Iterator[JToken]:
    """ArraySliceFilter (arrays only); a zero step fails once the first token is asked for."""
    start, end, step = bounds
    if step == 0:
        raise _error("Step cannot be zero.")
    for token in tokens:
        if not isinstance(token, JArray):
            if strict:
                raise _error(f"Array slice is not valid on {type(token).__name__}.")
            continue
        items = token.child_tokens()
        found = _slice_indexes(len(items), start, end, step)
        if found:
            yield from (items[i] for i in found)
        elif strict:
            shown = ["*" if bound is None else str(bound) for bound in (start, end)]
            raise _error(f"Array slice of {shown[0]} to {shown[1]} returned no results.")


def _slice_indexes(count: int, start: int | None, end: int | None, step: int | None) -> range:
    step = 1 if step is None else step
    first = (0 if step > 0 else count - 1) if start is None else start
    stop = (count if step > 0 else -1) if end is None else end
    if start is not None and start < 0:
        first += count
    if end is not None and end < 0:
        stop += count
    first = min(max(first, 0), count) if step > 0 else min(first, count - 1)
    stop = min(max(stop, -1), count)
    return range(first, stop, step)


def _scan(tokens: Tokens, name: Any, root: JToken, strict: bool) -> Iterator[JToken]:
    """ScanFilter / ScanMultipleFilter: the values of the properties named so anywhere below
    each token; `name` None (`..*`): the token itself and every value below it."""
    for token in tokens:
        if name is None:
            yield token
        for item in _descendants(token):
            if isinstance(item, JProperty):
                if isinstance(name, list):
                    yield from (item.property_value() for wanted in name if wanted == item.Name)
                elif item.Name == name:
                    yield item.property_value()
            elif name is None:
                yield item


def _query(tokens: Tokens, query: Any, root: JToken, strict: bool) -> Iterator[JToken]:
    """QueryFilter: the children (an object's are its properties) that match."""
    for token in tokens:
        yield from (child for child in token.child_tokens() if query.is_match(root, child))


def _scan_query(tokens: Tokens, query: Any, root: JToken, strict: bool) -> Iterator[JToken]:
    """QueryScanFilter: the token and everything below it that matches."""
    for token in tokens:
        if query.is_match(root, token):
            yield token
        if isinstance(token, JContainer):
            yield from (d for d in _descendants(token) if query.is_match(root, d))


def _descendants(token: JToken) -> Iterator[JToken]:
    """The tokens below `token` in document order (properties and their values), found as
    they are asked for."""
    for child in token.child_tokens():
        yield child
        yield from _descendants(child)


_FILTERS = {
    "name": _field,
    "fields": _field,
    "names": _fields,
    "index": _indexes,
    "items": _items,
    "slice": _slice,
    "deep": _scan,
    "query": _query,
    "scanquery": _scan_query,
}
