""".NET regular expressions on the `regex` package.

The pattern is translated once (and cached, bounded) from .NET syntax: `\\k<n>`/`\\k'n'` and
numbered back-references follow .NET's group numbering (unnamed groups first, then named ones),
`(?'n'...)` becomes `(?P<n>...)`, `\\z`/`\\Z` get .NET's meaning, `RegexOptions.ExplicitCapture`
turns plain groups non-capturing. Every match runs under a time budget (`MATCH_TIMEOUT`, or what is
left of the request's expression budget when less, see `budget`), so a pathological pattern ends
with RegexMatchTimeoutException instead of holding a worker.
Replacement strings use .NET's `$1`, `${name}`, `$$`, `$&`, `` $` ``, `$'`, `$+`, `$_`.

.NET matches UTF-16 units: `.` takes half a surrogate pair, `[😀]` is a class of two units, and
positions count units. A pattern with astral characters or surrogates is compiled from its unit
form (`utf16.units`: an astral character as its two surrogates), and an input that is not narrow
is matched in its unit form; positions are then .NET's as they are, and texts taken from the
input go back to the canonical form (`utf16.text`). Narrow text, nearly all, skips both.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import regex  # type: ignore[import-untyped]

from . import exceptions as exc
from . import utf16
from .arrays import CsArray
from .budget import tick, time_left
from .regexsize import check_unrolled
from .regexsyntax import net_numbering, nonbacktracking, translate
from .strings import CsEnum, to_string
from .types import CsObject

MATCH_TIMEOUT = 2.0  # seconds of matching per call, like a Regex constructed with a timeout
_CACHE_SIZE = 512


class RegexOptions(CsEnum):
    """A [Flags] enum: values combine with `|` (the compiler's enum operators)."""

    __slots__ = ()
    CS_TYPE = "System.Text.RegularExpressions.RegexOptions"
    FLAGS = True


_OPTION_NAMES = {
    0: "None",
    1: "IgnoreCase",
    2: "Multiline",
    4: "ExplicitCapture",
    8: "Compiled",
    16: "Singleline",
    32: "IgnorePatternWhitespace",
    64: "RightToLeft",
    256: "ECMAScript",
    512: "CultureInvariant",
    1024: "NonBacktracking",
}
REGEX_OPTIONS = {name: RegexOptions(name, bit) for bit, name in _OPTION_NAMES.items()}


def is_enum(cls: type | None) -> bool:
    """Enum types: C# combines any two values of one with `|`, `&`, `^` ([Flags] or not)."""
    return isinstance(cls, type) and issubclass(cls, CsEnum)


def enum_bitwise(op: str, a: object, b: object) -> CsEnum:
    if not isinstance(a, CsEnum) or type(b) is not type(a):
        raise (
            exc.null_reference() if a is None or b is None else exc.invalid_cast(b, exc.clr_name(a))
        )
    assert isinstance(b, CsEnum)
    value = (
        a.value | b.value if op == "|" else a.value & b.value if op == "&" else a.value ^ b.value
    )
    return options_of(value) if isinstance(a, RegexOptions) else type(a).cs_from_integer(value)


def enum_add(a: object, b: object, sign: int = 1) -> CsEnum:
    """`e + n`, `n + e`, `e - n`: the enum value `sign`-offset by the integer (C#'s enum
    addition and subtraction operators)."""
    enum, number = (a, b) if isinstance(a, CsEnum) else (b, a)
    assert isinstance(enum, CsEnum) and type(number) is int
    return _enum_of(enum, enum.value + sign * number)


def enum_difference(a: object, b: object) -> int:
    """`e1 - e2`: the difference of the underlying values."""
    assert isinstance(a, CsEnum) and isinstance(b, CsEnum)
    return a.value - b.value


def enum_complement(a: object) -> CsEnum:
    """`~e`."""
    assert isinstance(a, CsEnum)
    return _enum_of(a, ~a.value)


def _enum_of(like: CsEnum, value: int) -> CsEnum:
    return (
        options_of(value) if isinstance(like, RegexOptions) else type(like).cs_from_integer(value)
    )


# One instance per value, so `==` (reference equality for enums) compares values, as in C#.
_BY_VALUE = {option.value: option for option in REGEX_OPTIONS.values()}


def options_of(value: int) -> RegexOptions:
    found = _BY_VALUE.get(value)
    if found is None:
        found = RegexOptions.unnamed(value)
        if 0 <= value <= 0x7FF:  # the enum's bits: at most 2,048 instances
            found = _BY_VALUE.setdefault(value, found)  # one winner if two threads race
    return found


def options_value(options: object) -> int:
    if options is None:
        return 0
    if isinstance(options, RegexOptions):
        return options.value
    if type(options) is int:
        return options
    raise exc.invalid_cast(options, "System.Text.RegularExpressions.RegexOptions")


def _argument(message: str, param: str = "pattern") -> exc.ExpressionRuntimeError:
    """An invalid pattern; `message` may quote its unit form, shown canonical."""
    return exc.ExpressionRuntimeError(
        "ArgumentException", f"{utf16.text(message)} (Parameter '{param}')"
    )


@dataclass(frozen=True, slots=True)
class Compiled:
    pattern: Any  # regex.Pattern, exact for any input
    numbers: tuple[int, ...]  # python group index -> .NET group number (index 0 -> 0)
    names: tuple[str, ...]  # .NET group names in .NET number order ("0", "1", "name", ...)
    by_name: dict[str, int]  # .NET group name -> python group index
    right_to_left: bool
    ecmascript: bool = False  # `$12` in a replacement backs off to `$1` + "2"
    ascii_pattern: Any = None  # faster, and the same as `pattern` on ASCII input

    def engine(self, text: str) -> Any:
        """The compiled pattern to run on `text` (`str.isascii` is a flag lookup)."""
        if self.ascii_pattern is not None and text.isascii():
            return self.ascii_pattern
        return self.pattern


# ECMAScript combines only with IgnoreCase, Multiline, Compiled and CultureInvariant.
_ECMASCRIPT_COMPATIBLE = 256 | 1 | 2 | 8 | 512


@functools.lru_cache(maxsize=_CACHE_SIZE)
def compile_pattern(pattern: str, options: int) -> Compiled:
    """Translate and compile once per (pattern, options); bounded LRU, thread-safe."""
    if options & ~0x7FF or options & 128:
        raise exc.argument_out_of_range("options")
    if options & 256 and options & ~_ECMASCRIPT_COMPATIBLE:  # .NET's Regex.ValidateOptions
        raise exc.argument_out_of_range("options")
    if options & 1024 and options & (256 | 64):  # NonBacktracking: no ECMAScript, RightToLeft
        raise exc.argument_out_of_range("options")
    source = pattern if utf16.narrow(pattern) else utf16.units(pattern)
    parsed = translate(source, options)
    if options & 1024 and parsed.refused is not None:
        raise exc.ExpressionRuntimeError("NotSupportedException", nonbacktracking(parsed.refused))
    groups = list(parsed.groups)
    numbers, by_net_name = net_numbering(parsed.groups)
    flags = regex.VERSION0
    if options & 1:
        flags |= regex.IGNORECASE
    if options & 2:
        flags |= regex.MULTILINE
    if options & 16:
        flags |= regex.DOTALL
    if options & 256:
        flags |= regex.ASCII
    if options & 64:
        flags |= regex.REVERSE
    check_unrolled(parsed.text)  # before `regex` unrolls `x{100000000}` (gigabytes)
    try:
        compiled = regex.compile(parsed.text, flags)
        ascii_compiled = parsed.ascii_text and regex.compile(parsed.ascii_text, flags)
    except regex.error as error:
        raise _argument(
            f"Invalid pattern '{pattern}' at offset {error.pos or 0}. {error.msg}."
        ) from None
    ordered = sorted({0, *numbers})
    names = tuple(_name_of(n, groups, numbers) for n in ordered)
    by_name = dict(by_net_name)
    return Compiled(
        compiled,
        (0, *numbers),
        names,
        by_name,
        bool(options & 64),
        bool(options & 256),
        ascii_compiled or None,
    )


def unsupported_pattern(pattern: str) -> str | None:
    """What certgate cannot run in `pattern` (with no options), or None: compiling it at load
    also fills the cache for the first request."""
    try:
        compile_pattern(pattern, 0)
    except exc.ExpressionRuntimeError as error:
        if error.exception_type == "NotSupportedException":
            return error.message.removeprefix("not supported yet: ")
    return None


def _name_of(number: int, groups: list[str | None], numbers: list[int]) -> str:
    for name, n in zip(groups, numbers, strict=True):
        if n == number and name is not None:
            return name
    return str(number)


def _timeout(pattern: str) -> exc.ExpressionRuntimeError:
    tick()  # the request's budget ran out first: that error, not the regex's own
    return exc.ExpressionRuntimeError(
        "RegexMatchTimeoutException",
        f"The Regex engine has timed out while trying to match a pattern to an input string. "
        f"This can occur for many reasons, including very large inputs or excessive "
        f"backtracking caused by nested quantifiers, back-references and other factors. "
        f"Pattern: {pattern}",
    )


# --- Capture / Group / Match ---------------------------------------------------------------------


class Capture(CsObject):
    __slots__ = ("Index", "Length", "Value")
    CS_TYPE = "System.Text.RegularExpressions.Capture"
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset({"Index", "Length", "Value", "ToString"})
    Index: int
    Length: int
    Value: str

    def __init__(self, index: int, value: str, wide: bool = False) -> None:
        """`value` in unit form; `wide` when it may hold surrogates to join."""
        self.Index = index
        self.Length = len(value)
        self.Value = utf16.text(value) if wide else value

    def ToString(self) -> str:
        return self.Value


T = TypeVar("T")


class _ReadOnlyList(CsObject, Generic[T]):
    """A read-only, int-indexed .NET collection (CaptureCollection, MatchCollection)."""

    __slots__ = ("_items",)
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset({"Count", "ToString"})
    CS_INDEXER = "get_item"

    def __init__(self, items: list[T]) -> None:
        self._items = items

    @property
    def Count(self) -> int:
        return len(self._items)

    def _at(self, index: object) -> T:
        if type(index) is not int:
            raise exc.invalid_cast(index, "System.Int32")
        if not 0 <= index < len(self._items):
            raise exc.argument_out_of_range("i")
        return self._items[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._items)

    def ToString(self) -> str:
        return self.CS_TYPE


class CaptureCollection(_ReadOnlyList["Capture"]):
    __slots__ = ()
    CS_TYPE = "System.Text.RegularExpressions.CaptureCollection"

    def get_item(self, index: object) -> Capture:  # the hint gives expressions a static type
        return self._at(index)


class Group(CsObject):
    __slots__ = ("Index", "Length", "Name", "Success", "Value", "_captures")
    CS_TYPE = "System.Text.RegularExpressions.Group"
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset(
        {"Captures", "Success", "Index", "Length", "Value", "ToString"}
    )
    Index: int
    Length: int
    Success: bool
    Value: str

    def __init__(
        self,
        name: str,
        success: bool,
        index: int,
        value: str,
        captures: list[Capture],
        wide: bool = False,
    ) -> None:
        """`value` in unit form, as for Capture."""
        self.Name = name
        self.Success = success
        self.Index = index
        self.Length = len(value)
        self.Value = utf16.text(value) if wide else value
        self._captures = captures

    @property
    def Captures(self) -> CaptureCollection:
        return CaptureCollection(self._captures)

    def ToString(self) -> str:
        return self.Value


class GroupCollection(CsObject):
    __slots__ = ("_match",)
    CS_TYPE = "System.Text.RegularExpressions.GroupCollection"
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset({"Count", "ToString"})
    CS_INDEXER = "get_item"

    def __init__(self, match: Match) -> None:
        self._match = match

    @property
    def Count(self) -> int:
        compiled = self._match.compiled
        return 1 if compiled is None else len(compiled.names)

    def get_item(self, key: object) -> Group:
        if type(key) is int:
            return self._match.group_by_number(key)
        if type(key) is str:
            return self._match.group_by_name(key)
        if key is None:
            raise exc.argument_null("groupname")
        raise exc.invalid_cast(key, "System.String")

    def __iter__(self) -> Iterator[Group]:
        names = ("0",) if self._match.compiled is None else self._match.compiled.names
        return iter([self._match.group_by_name(name) for name in names])

    def ToString(self) -> str:
        return self.CS_TYPE


class Match(Group):
    """A match of `m` (on the unit form of the input). `Match(input, beginning, length)`
    searches the slice of `text` (the whole input's unit form) from `offset`: positions add
    `offset`, and the substitutions of the text before, after and around it take the whole
    input."""

    __slots__ = ("_groups", "_m", "_offset", "_text", "_wide", "compiled")
    CS_TYPE = "System.Text.RegularExpressions.Match"
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset(
        {"Groups", "Result", "Captures", "Success", "Index", "Length", "Value", "ToString"}
    )

    def __init__(
        self,
        compiled: Compiled | None,
        m: Any,
        wide: bool = False,
        text: str | None = None,
        offset: int = 0,
    ) -> None:
        self.compiled = compiled
        self._m = m
        self._wide = wide
        self._text = text
        self._offset = offset
        self._groups: dict[int, Group] = {}
        if m is None:
            super().__init__("0", False, 0, "", [])
        else:
            start, value = m.start() + offset, m.group(0)
            super().__init__("0", True, start, value, [Capture(start, value, wide)], wide)

    @property
    def Groups(self) -> GroupCollection:
        return GroupCollection(self)

    def _python_index(self, number: int) -> int | None:
        """The python group of a .NET number: of several (a name used twice) the last that
        took part in the match."""
        if number == 0:
            return 0
        if self.compiled is None:
            return None
        candidates = [py for py, n in enumerate(self.compiled.numbers) if py and n == number]
        for py in reversed(candidates):
            if self._m is not None and self._m.start(py) >= 0:
                return py
        return candidates[0] if candidates else None

    def group_by_number(self, number: int) -> Group:
        cached = self._groups.get(number)
        if cached is not None:
            return cached
        py = self._python_index(number)
        group = self._make_group(str(number) if py is None else self._name(number), py)
        self._groups[number] = group
        return group

    def group_by_name(self, name: str) -> Group:
        if self.compiled is not None and name in self.compiled.by_name:
            return self.group_by_number(self.compiled.by_name[name])
        if name.isdigit() and self.compiled is not None and int(name) in self.compiled.numbers:
            return self.group_by_number(int(name))
        return Group(name, False, 0, "", [])

    def _name(self, number: int) -> str:
        if self.compiled is None:  # Match.Empty: its only group is 0
            return str(number)
        names = self.compiled.names
        ordered = sorted({0, *self.compiled.numbers})
        return names[ordered.index(number)] if number in ordered else str(number)

    def _make_group(self, name: str, py: int | None) -> Group:
        if py is None or self._m is None:
            return Group(name, False, 0, "", [])
        if py == 0:
            return self
        start = self._m.start(py)
        if start < 0:
            return Group(name, False, 0, "", [])
        at, wide = self._offset, self._wide
        starts = self._m.starts(py)
        captures = [
            Capture(s + at, text, wide)
            for s, text in zip(starts, self._m.captures(py), strict=True)
        ]
        return Group(name, True, start + at, self._m.group(py), captures, wide)

    def Result(self, replacement: object) -> str:
        if replacement is None:
            raise exc.argument_null("replacement")
        if type(replacement) is not str:
            raise exc.invalid_cast(replacement, "System.String")
        if self._m is None or self.compiled is None:
            raise exc.ExpressionRuntimeError(
                "NotSupportedException", "Result cannot be called on a failed Match."
            )
        pieces = _parse_replacement(replacement, self.compiled)
        return utf16.text(expand(pieces, self._m, self.compiled, self._text, self._offset))

    def ToString(self) -> str:
        return self.Value


EMPTY_MATCH = Match(None, None)


class MatchCollection(_ReadOnlyList["Match"]):
    __slots__ = ()
    CS_TYPE = "System.Text.RegularExpressions.MatchCollection"

    def get_item(self, index: object) -> Match:  # the hint gives expressions a static type
        return self._at(index)


# --- replacement patterns ------------------------------------------------------------------------

Piece = tuple[
    str, object
]  # ("text", str) | ("group", int) | ("whole"|"before"|"after"|"last"|"input", None)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_replacement_cached(  # noqa: PLR0915
    replacement: str,
    numbers: tuple[int, ...],
    by_name: tuple[tuple[str, int], ...],
    ecmascript: bool,
) -> tuple[Piece, ...]:
    valid = set(numbers)
    names = dict(by_name)
    pieces: list[Piece] = []
    text: list[str] = []
    i = 0
    while i < len(replacement):
        c = replacement[i]
        if c != "$" or i + 1 >= len(replacement):
            text.append(c)
            i += 1
            continue
        nxt = replacement[i + 1]
        piece: Piece | None = None
        advance = 2
        if nxt == "$":
            text.append("$")
            i += 2
            continue
        if nxt == "&":
            piece = ("whole", None)
        elif nxt == "`":
            piece = ("before", None)
        elif nxt == "'":
            piece = ("after", None)
        elif nxt == "+":
            piece = ("last", None)
        elif nxt == "_":
            piece = ("input", None)
        elif nxt == "{":
            end = replacement.find("}", i + 2)
            name = replacement[i + 2 : end] if end > 0 else ""
            if end > 0 and name.isdigit() and int(name) in valid:
                piece, advance = ("group", int(name)), end - i + 1
            elif end > 0 and name in names:
                piece, advance = ("group", names[name]), end - i + 1
        elif nxt.isdigit():  # .NET reads every digit: `$10` with one group stays "$10";
            j = i + 1  # only ECMAScript backs off to the longest group number that exists
            best = None
            while j < len(replacement) and replacement[j].isdigit():
                number = int(replacement[i + 1 : j + 1])
                if number in valid and ecmascript:
                    best = (number, j + 1)
                j += 1
            number = int(replacement[i + 1 : j])
            if not ecmascript and number in valid:
                best = (number, j)
            if best is not None:
                piece, advance = ("group", best[0]), best[1] - i
        if piece is None:
            text.append("$")
            i += 1
            continue
        if text:
            pieces.append(("text", "".join(text)))
            text = []
        pieces.append(piece)
        i += advance
    if text:
        pieces.append(("text", "".join(text)))
    return tuple(pieces)


def _parse_replacement(replacement: str, compiled: Compiled) -> tuple[Piece, ...]:
    return _parse_replacement_cached(
        replacement,
        compiled.numbers,
        tuple(sorted(compiled.by_name.items())),
        compiled.ecmascript,
    )


def _group_text(m: Any, compiled: Compiled, number: int) -> str:
    if number == 0:
        return str(m.group(0))
    for py, n in enumerate(compiled.numbers):
        if py and n == number and m.start(py) >= 0:
            return str(m.group(py))
    return ""


def expand(
    pieces: tuple[Piece, ...], m: Any, compiled: Compiled, text: str | None = None, offset: int = 0
) -> str:
    """The replacement for `m`, in unit form where the input is. `text` is the whole input
    when `m` matched a slice of it from `offset`."""
    whole = m.string if text is None else text
    out: list[str] = []
    for kind, value in pieces:
        if kind == "text":
            out.append(value)  # type: ignore[arg-type]
        elif kind == "group":
            out.append(_group_text(m, compiled, value))  # type: ignore[arg-type]
        elif kind == "whole":
            out.append(m.group(0))
        elif kind == "before":
            out.append(whole[: m.start() + offset])
        elif kind == "after":
            out.append(whole[m.end() + offset :])
        elif kind == "input":
            out.append(whole)
        elif kind == "last":
            last = max(compiled.numbers) if len(compiled.numbers) > 1 else 0
            out.append(_group_text(m, compiled, last))
    return "".join(out)


# --- Regex ---------------------------------------------------------------------------------------


def _input(value: object, param: str = "input") -> str:
    if value is None:
        raise exc.argument_null(param)
    if type(value) is not str:
        raise exc.invalid_cast(value, "System.String")
    return value


def _int(value: object) -> int:
    if type(value) is not int:
        raise exc.invalid_cast(value, "System.Int32")
    return value


class Regex(CsObject):
    __slots__ = ("_compiled", "_options", "_pattern")
    CS_TYPE = "System.Text.RegularExpressions.Regex"
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset(
        {"IsMatch", "Match", "Matches", "Replace", "Split", "ToString"}
    )

    def __init__(self, pattern: object, options: object = None, timeout: object = None) -> None:
        self._pattern = _input(pattern, "pattern")
        self._options = options_value(options)
        self._compiled = compile_pattern(self._pattern, self._options)

    @staticmethod
    def _units(value: object) -> tuple[str, bool]:
        """The input in unit form, and whether that differs from its canonical form."""
        text = _input(value)
        if utf16.narrow(text):
            return text, False
        return utf16.units(text), True

    def _start(self, text: str, start: object) -> int:
        if start is None:
            return len(text) if self._compiled.right_to_left else 0
        if type(start) is not int:
            raise exc.invalid_cast(start, "System.Int32")
        if not 0 <= start <= len(text):
            raise exc.argument_out_of_range("startat")
        return start

    def _search(self, text: str, pos: int) -> Any:
        try:
            if self._compiled.right_to_left:
                return self._compiled.engine(text).search(
                    text, 0, pos, timeout=time_left(MATCH_TIMEOUT)
                )
            return self._compiled.engine(text).search(text, pos, timeout=time_left(MATCH_TIMEOUT))
        except TimeoutError:
            raise _timeout(self._pattern) from None

    def _all(self, text: str, pos: int = 0) -> list[Any]:
        timeout = time_left(MATCH_TIMEOUT)
        try:
            if self._compiled.right_to_left:
                return list(self._compiled.engine(text).finditer(text, 0, pos, timeout=timeout))
            return list(self._compiled.engine(text).finditer(text, pos, timeout=timeout))
        except TimeoutError:
            raise _timeout(self._pattern) from None

    def IsMatch(self, value: object, start: object = None) -> bool:
        text, _ = self._units(value)
        return self._search(text, self._start(text, start)) is not None

    def _match_range(self, text: str, wide: bool, beginning: object, length: object) -> Match:
        """`Match(input, beginning, length)`: the engine sees only that slice (`^`, `$`,
        lookbehind), as .NET's span-based scan does."""
        begin, size = _int(beginning), _int(length)
        start = begin + size if self._compiled.right_to_left else begin
        if not 0 <= start <= len(text):
            raise exc.argument_out_of_range("startat")
        if not 0 <= size <= len(text):
            raise exc.argument_out_of_range("length")
        if begin < 0 or begin + size > len(text):  # input.AsSpan(beginning, length)
            raise exc.ExpressionRuntimeError(
                "ArgumentOutOfRangeException",
                "Specified argument was out of the range of valid values.",
            )
        piece = text[begin : begin + size]
        m = self._search(piece, size if self._compiled.right_to_left else 0)
        return EMPTY_MATCH if m is None else Match(self._compiled, m, wide, text, begin)

    def Match(self, value: object, start: object = None, length: object = None) -> Match:
        text, wide = self._units(value)
        if length is not None:
            return self._match_range(text, wide, start, length)
        m = self._search(text, self._start(text, start))
        return EMPTY_MATCH if m is None else Match(self._compiled, m, wide)

    def Matches(self, value: object, start: object = None) -> MatchCollection:
        text, wide = self._units(value)
        found = self._all(text, self._start(text, start))
        return MatchCollection([Match(self._compiled, m, wide) for m in found])

    def Replace(
        self, value: object, replacement: object, count: object = None, start: object = None
    ) -> str:
        text, wide = self._units(value)
        if replacement is None:
            raise exc.argument_null("replacement")
        if callable(replacement):
            evaluator = replacement

            def substitute(m: Any) -> str:
                return to_string(evaluator(Match(self._compiled, m, wide)))

        else:
            if type(replacement) is not str:
                raise exc.invalid_cast(replacement, "System.String")
            pieces = _parse_replacement(replacement, self._compiled)

            def substitute(m: Any) -> str:
                return expand(pieces, m, self._compiled)

        limit = -1 if count is None else count
        if type(limit) is not int or limit < -1:
            raise exc.argument_out_of_range("count")
        pos = self._start(text, start)
        if limit == 0:
            return value  # type: ignore[return-value]
        span = {"endpos": pos} if self._compiled.right_to_left else {"pos": pos}
        try:
            result = self._compiled.engine(text).sub(
                substitute, text, count=max(limit, 0), timeout=time_left(MATCH_TIMEOUT), **span
            )
        except TimeoutError:
            raise _timeout(self._pattern) from None
        return utf16.text(result)  # a replacement may end half a pair that the next one ends

    def Split(self, value: object, count: object = None, start: object = None) -> object:
        text, wide = self._units(value)
        if count is not None and (type(count) is not int or count < 0):
            raise exc.argument_out_of_range("count")
        pos = self._start(text, start)
        if count == 1:
            return CsArray([value])
        matches = self._all(text, pos)  # right to left: the last first
        if count:
            matches = matches[: count - 1]
        if self._compiled.right_to_left:
            matches.reverse()
        parts: list[str] = []
        last = 0
        for m in matches:
            parts.append(text[last : m.start()])
            parts.extend(self._captured(m))
            last = m.end()
        parts.append(text[last:])
        return CsArray([utf16.text(part) for part in parts] if wide else parts)

    def _captured(self, m: Any) -> list[str]:
        """The groups of a Split separator that matched, in .NET's group-number order (reversed
        right to left: .NET reverses the whole list it built backwards)."""
        found = [
            _group_text(m, self._compiled, number)
            for number in sorted(set(self._compiled.numbers) - {0})
            if any(n == number and m.start(py) >= 0 for py, n in enumerate(self._compiled.numbers))
        ]
        return found[::-1] if self._compiled.right_to_left else found

    def ToString(self) -> str:
        return self._pattern


# --- statics -------------------------------------------------------------------------------------


def is_match(
    value: object, pattern: object, options: object = None, timeout: object = None
) -> bool:
    return Regex(pattern, options).IsMatch(value)


def match(value: object, pattern: object, options: object = None, timeout: object = None) -> Match:
    return Regex(pattern, options).Match(value)


def matches(
    value: object, pattern: object, options: object = None, timeout: object = None
) -> MatchCollection:
    return Regex(pattern, options).Matches(value)


def replace(
    value: object,
    pattern: object,
    replacement: object,
    options: object = None,
    timeout: object = None,
) -> str:
    return Regex(pattern, options).Replace(value, replacement)


def split(value: object, pattern: object, options: object = None, timeout: object = None) -> object:
    return Regex(pattern, options).Split(value)


def unescape(value: object) -> str:
    text = _input(value, "str")
    out: list[str] = []
    i = 0
    simple = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "v": "\v", "a": "\a", "e": "\x1b"}
    while i < len(text):
        c = text[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(text):
            raise _argument(
                f"Invalid pattern '{text}' at offset {i + 1}. Illegal \\ at end of pattern.", "str"
            )
        nxt = text[i + 1]
        if nxt in simple:
            out.append(simple[nxt])
            i += 2
        elif nxt == "x" and i + 4 <= len(text):
            out.append(chr(int(text[i + 2 : i + 4], 16)))
            i += 4
        elif nxt == "u" and i + 6 <= len(text):
            out.append(chr(int(text[i + 2 : i + 6], 16)))
            i += 6
        elif nxt.isdigit():
            j = i + 1
            while j < len(text) and j < i + 4 and text[j] in "01234567":
                j += 1
            out.append(chr(int(text[i + 1 : j], 8) & 0xFF))
            i = j
        else:
            out.append(nxt)
            i += 2
    return utf16.text("".join(out))  # `\uD83D\uDE00` is one character


def new_regex(pattern: object, options: object = None, timeout: object = None) -> Regex:
    return Regex(pattern, options, timeout)
