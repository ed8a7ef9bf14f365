"""Where a C# policy expression ends inside raw policy XML, and the XML entities it may contain.

APIM policies put C# unescaped into attribute values and element text (`condition="@(x == "a")"`),
so the XML reader cannot find the end of a value by looking for the next quote or `<`. At `@(` or
`@{` it hands over to `scan_expression`, which walks the C# *lexically* (no parsing) and returns
the index just past the bracket that balances the opening one. Brackets do not count inside:

* string literals: `"..."` with `\\` escapes, verbatim `@"..."` with `""` escapes;
* interpolated strings `$"..."`, `$@"..."`, `@$"..."`; their `{ }` holes are C# again (so they nest
  and may hold strings of their own), `{{` is an escaped brace;
* char literals `'x'`, `'\\''` (read up to the closing quote; "too many characters" is left to the
  compiler, which reports it with better context);
* `//` line comments and `/* */` block comments.

Only the bracket kind that opened the region is counted (`(`/`)` for `@(`, `{`/`}` for `@{` and
interpolation holes); the other kind cannot end the region, so it need not balance here.

Authors also write entities inside expressions to please strict XML tools (`&quot;abc&quot;`,
`a &amp;&amp; b`), so the scanner reads every character *as decoded*: `&quot;` opens a string just
like `"`. A `&` that does not start a predefined entity (C# `&&`) stays a plain `&`.

Not handled, because APIM's language level is C# 7: raw string literals (`\"\"\"`) and newlines
inside holes of non-verbatim interpolated strings (accepted here; the compiler decides). A format
clause in a hole (`{x:HH:mm}`) is scanned as code, which only matters for a format that contains
an unbalanced `'`, `"` or `//`.

Everything is iterative (an explicit frame stack) and linear: each character is visited once, and
runs of uninteresting characters are skipped with one regex search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum, auto
from typing import Final


class ScanError(Exception):
    """A problem at a character index of the document; `rawxml` turns it into a `PolicyError`."""

    def __init__(self, message: str, index: int) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


# --- XML entities -------------------------------------------------------------------------------

ENTITY: Final = re.compile(r"&(?:#x([0-9A-Fa-f]+)|#([0-9]+)|([A-Za-z_][A-Za-z0-9._-]*));")
_PREDEFINED: Final = {"quot": '"', "apos": "'", "lt": "<", "gt": ">", "amp": "&"}


def _is_xml_char(code: int) -> bool:
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def entity_value(match: re.Match[str]) -> str | None:
    """The text an `ENTITY` match stands for; None for a name XML does not predefine.

    A character reference to a code point XML forbids (`&#0;`) is an error wherever it appears.
    """
    hex_digits, dec_digits, name = match.groups()
    if name is not None:
        return _PREDEFINED.get(name)
    digits: str = hex_digits if hex_digits is not None else dec_digits
    # Bound the length before int(): Python refuses to convert huge digit strings (and no valid
    # code point needs more than 7 significant digits in either base).
    code = int(digits, 16 if hex_digits is not None else 10) if len(digits.lstrip("0")) <= 7 else -1
    if not _is_xml_char(code):
        raise ScanError("Invalid character reference.", match.start())
    return chr(code)


def decode_lenient(text: str, start: int, end: int) -> str:
    """`text[start:end]` with predefined entities decoded once; any other `&` is kept (C# `&&`)."""
    parts: list[str] = []
    i = start
    for match in ENTITY.finditer(text, start, end):
        value = entity_value(match)
        if value is not None:
            parts.append(text[i : match.start()])
            parts.append(value)
            i = match.end()
    parts.append(text[i:end])
    return "".join(parts)


def peek(text: str, i: int) -> tuple[str, int]:
    """The character at `i` as C# sees it (one entity decoded) and the index after it.

    Returns ("", i) at the end of the text.
    """
    if i >= len(text):
        return "", i
    char = text[i]
    if char == "&":
        match = ENTITY.match(text, i)
        if match is not None:
            value = entity_value(match)
            if value is not None:
                return value, match.end()
    return char, i + 1


# --- the C# region scanner ----------------------------------------------------------------------


class _Kind(Enum):
    PAREN = auto()  # code inside `@( )`
    BRACE = auto()  # code inside `@{ }` or an interpolation hole
    STRING = auto()
    CHAR = auto()
    VERBATIM = auto()
    INTERP = auto()
    INTERP_VERBATIM = auto()
    LINE_COMMENT = auto()
    BLOCK_COMMENT = auto()


# Per state, the raw characters that may change the state. `&` is always listed because an entity
# may decode to one of the others.
_SPECIAL: Final = {
    _Kind.PAREN: re.compile(r"""[()"'/@$&]"""),
    _Kind.BRACE: re.compile(r"""[{}"'/@$&]"""),
    _Kind.STRING: re.compile(r'["\\\n&]'),
    _Kind.CHAR: re.compile(r"['\\\n&]"),
    _Kind.VERBATIM: re.compile(r'["&]'),
    _Kind.INTERP: re.compile(r'["\\\n{&]'),
    _Kind.INTERP_VERBATIM: re.compile(r'["{&]'),
    _Kind.LINE_COMMENT: re.compile(r"[\n&]"),
    _Kind.BLOCK_COMMENT: re.compile(r"[*&]"),
}
_BRACKETS: Final = {_Kind.PAREN: ("(", ")"), _Kind.BRACE: ("{", "}")}
_UNTERMINATED: Final = {
    _Kind.STRING: "Unterminated string literal.",
    _Kind.VERBATIM: "Unterminated string literal.",
    _Kind.INTERP: "Unterminated string literal.",
    _Kind.INTERP_VERBATIM: "Unterminated string literal.",
    _Kind.CHAR: "Unterminated character literal.",
    _Kind.BLOCK_COMMENT: "Unterminated comment.",
}
_EOF_IN_EXPRESSION: Final = "Unexpected end of file while parsing expression."


@dataclass(slots=True)
class _Frame:
    kind: _Kind
    start: int  # index of the character that opened it, for error positions
    depth: int = 1  # open brackets, code frames only
    # Looked up once per frame: hashing an Enum member on every character is measurably slow.
    special: re.Pattern[str] = field(init=False)
    code: bool = field(init=False)

    def __post_init__(self) -> None:
        self.special = _SPECIAL[self.kind]
        self.code = self.kind in _BRACKETS


def scan_expression(text: str, at: int) -> int:
    """`text[at]` is the `@` of `@(` or `@{`; return the index just past the balancing bracket.

    Raises `ScanError` at the start of an unterminated literal or comment, or at `at` when the text
    ends inside the expression.
    """
    return _Scanner(text, at).run()


class _Scanner:
    def __init__(self, text: str, at: int) -> None:
        self._text = text
        self._at = at
        opener, self._i = peek(text, at + 1)
        self._frames = [_Frame(_Kind.PAREN if opener == "(" else _Kind.BRACE, at)]

    def run(self) -> int:
        frames = self._frames
        while frames:
            frame = frames[-1]
            match = frame.special.search(self._text, self._i)
            if match is None:
                raise self._eof_error(frame)
            char, self._i = match.group(), match.end()
            if char == "&":
                char, self._i = peek(self._text, match.start())
            if frame.code:
                self._code(frame, char, match.start())
            elif frame.kind is _Kind.LINE_COMMENT:
                if char == "\n":
                    frames.pop()
            elif frame.kind is _Kind.BLOCK_COMMENT:
                if char == "*" and self._follows("/"):
                    frames.pop()
            else:
                self._literal(frame, char, match.start())
        return self._i

    def _eof_error(self, frame: _Frame) -> ScanError:
        message = _UNTERMINATED.get(frame.kind)
        if message is None:  # in code or a line comment: the expression itself is unfinished
            return ScanError(_EOF_IN_EXPRESSION, self._at)
        return ScanError(message, frame.start)

    def _follows(self, expected: str) -> bool:
        """Consume the next (decoded) character if it is `expected`."""
        char, after = peek(self._text, self._i)
        if char != expected:
            return False
        self._i = after
        return True

    def _push(self, kind: _Kind, start: int) -> None:
        self._frames.append(_Frame(kind, start))

    def _code(self, frame: _Frame, char: str, at: int) -> None:
        opener, closer = ("(", ")") if frame.kind is _Kind.PAREN else ("{", "}")
        if char == opener:
            frame.depth += 1
        elif char == closer:
            frame.depth -= 1
            if frame.depth == 0:
                self._frames.pop()
        elif char == '"':
            self._push(_Kind.STRING, at)
        elif char == "'":
            self._push(_Kind.CHAR, at)
        elif char == "/":
            if self._follows("/"):
                self._push(_Kind.LINE_COMMENT, at)
            elif self._follows("*"):
                self._push(_Kind.BLOCK_COMMENT, at)
        elif char == "@":
            if self._follows('"'):
                self._push(_Kind.VERBATIM, at)
            elif self._follows_interpolated("$"):
                self._push(_Kind.INTERP_VERBATIM, at)
        elif char == "$":
            if self._follows('"'):
                self._push(_Kind.INTERP, at)
            elif self._follows_interpolated("@"):
                self._push(_Kind.INTERP_VERBATIM, at)

    def _follows_interpolated(self, second: str) -> bool:
        """After `@` or `$`: consume `second` and `"` (prefixes `$@"`, `@$"`) when both follow."""
        char, after = peek(self._text, self._i)
        quote, after_quote = peek(self._text, after)
        if char != second or quote != '"':
            return False
        self._i = after_quote
        return True

    def _literal(self, frame: _Frame, char: str, at: int) -> None:
        kind = frame.kind
        closing = "'" if kind is _Kind.CHAR else '"'
        verbatim = kind in (_Kind.VERBATIM, _Kind.INTERP_VERBATIM)
        if char == closing:
            # In verbatim strings a doubled quote is an escaped quote, not the end.
            if not (verbatim and self._follows('"')):
                self._frames.pop()
        elif char == "\\" and not verbatim:
            escaped, self._i = peek(self._text, self._i)
            if escaped in ("", "\n"):
                raise ScanError(_UNTERMINATED[kind], frame.start)
        elif char == "\n" and not verbatim:
            # C# forbids a newline in a regular literal; stopping here puts the error at the
            # literal that lost its closing quote instead of somewhere far below.
            raise ScanError(_UNTERMINATED[kind], frame.start)
        elif (
            char == "{"
            and kind in (_Kind.INTERP, _Kind.INTERP_VERBATIM)
            and not self._follows("{")  # `{{` is a literal brace
        ):
            self._push(_Kind.BRACE, at)
