"""JSONPath filters `[?(...)]` and `..[?(...)]` as Json.NET 13 parses and runs them
(JPath.ParseQuery/ParseExpression/ParseSide, BooleanQueryExpression, CompositeExpression).

Json.NET's grammar, not RFC 9535's: a test is `side`, or `side op side` with op one of `==`,
`!=` (or `<>`), `<`, `<=`, `>`, `>=`, `=~` (regex), `===`, `!==`; tests are joined by `&&` and
`||` with no grouping parentheses and no `!`. A side is `@path`, `$path`, a number, a
'string' (single quotes only), true, false, null or /regex/flags. The values compared are in
`jsoncompare`. Messages, and the IndexOutOfRangeException Json.NET's parser hits when a filter
stops in the middle, are Json.NET's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain

from . import exceptions as exc
from .jsoncompare import match_values
from .jsonpath import Step, array_indexer, evaluate, member_step
from .jtoken import JToken, JValue, json_error
from .strings import WHITE_SPACE

_OPERATORS = ("===", "==", "=~", "!==", "!=", "<>", "<=", "<", ">=", ">")
_ESCAPES = dict(zip("btnfr\\\"'/", "\b\t\n\f\r\\\"'/", strict=True))  # ReadQuotedString's
_FLOAT = re.compile(r"-?(?P<mantissa>(?:[0-9][0-9,]*)?(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_LONG = re.compile(r"-?[0-9]+")


@dataclass(frozen=True)
class PathSide:
    """`@path` (from the tested token) or `$path` (from the token SelectToken was called on)."""

    from_root: bool
    steps: list[Step]


Side = PathSide | JValue


@dataclass
class Comparison:
    """BooleanQueryExpression: true when some token of the left side and some token of the
    right side match (`exists`: when the left side has a token)."""

    op: str
    left: Side
    right: Side | None

    def is_match(self, root: JToken, token: JToken) -> bool:
        lefts = _results(self.left, root, token)
        first = next(lefts, None)
        if first is None or self.op == "exists":
            return first is not None
        rights = list(_results(self.right, root, token))
        return any(match_values(self.op, a, b) for a in chain([first], lefts) for b in rights)


@dataclass
class Composite:
    """CompositeExpression: `&&` (all parts) or `||` (any part), left to right."""

    op: str
    parts: list[Query] = field(default_factory=list)

    def is_match(self, root: JToken, token: JToken) -> bool:
        test = all if self.op == "&&" else any
        return test(part.is_match(root, token) for part in self.parts)


Query = Comparison | Composite


def _results(side: Side | None, root: JToken, token: JToken) -> Iterator[JToken]:
    if isinstance(side, JValue):
        return iter((side,))
    if side is None:
        return iter(())
    return evaluate(side.steps, root, root if side.from_root else token, False)


def parse_steps(text: str) -> list[Step]:
    """JPath.ParseMain: the steps of a whole path (`jsonpath.parse_path`)."""
    return _Parser(text, 0).main()


def _error(message: str) -> exc.ExpressionRuntimeError:
    return json_error(message, "JsonException")


class _Parser:
    """Json.NET's JPath parser from an indexer on, `pos` its `_currentIndex`."""

    def __init__(self, text: str, pos: int) -> None:
        self.text = text
        self.pos = pos

    # --- characters -----------------------------------------------------------------------------

    def char(self) -> str:
        """`_expression[_currentIndex]`: past the end that is an IndexOutOfRangeException."""
        if self.pos >= len(self.text):
            raise exc.index_out_of_range()
        return self.text[self.pos]

    def ensure_length(self, message: str) -> None:
        if self.pos >= len(self.text):
            raise _error(message)

    def eat_whitespace(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos] == " ":
            self.pos += 1

    def match(self, word: str) -> bool:
        if self.text.startswith(word, self.pos):
            self.pos += len(word)
            return True
        return False

    def unexpected(self) -> exc.ExpressionRuntimeError:
        return _error(f"Unexpected character while parsing path query: {self.char()}")

    # --- paths ---------------------------------------------------------------------------------

    def main(self) -> list[Step]:
        """ParseMain: an optional `$` (only before `.` or `[`), then the path to the end."""
        text, start = self.text, self.pos
        self.eat_whitespace()
        if self.pos == len(text):
            return []
        if text[self.pos] == "$":
            if len(text) == 1:
                return []
            if self.pos + 1 >= len(text):  # " $": JPath reads past the end
                raise exc.index_out_of_range()
            if text[self.pos + 1] in ".[":  # otherwise `$` starts a property name
                self.pos += 1
                start = self.pos
        steps, at_end = self.path(start, query=False)
        if not at_end:
            last = self.pos
            self.eat_whitespace()
            if self.pos < len(text):
                raise _error(f"Unexpected character while parsing path: {text[last]}")
        return steps

    def path(self, start: int, *, query: bool) -> tuple[list[Step], bool]:
        """ParsePath: the parts from `start` on, ended by a space, `)` or `]` (in a query, after
        `@` or `$`, also by an operator's first character); and whether they ran to the end."""
        text, steps = self.text, list[Step]()
        stops = "]) =<!>|&" if query else "]) "
        scan, after_indexer, after_dot = False, False, False
        while self.pos < len(text):
            c = text[self.pos]
            if c in "[(":
                if self.pos > start:
                    steps.append(member_step(text[start : self.pos], scan))
                steps.append(self.indexer(c, scan))
                scan, after_indexer, after_dot = False, True, False
                self.pos += 1
                start = self.pos
            elif c in stops:
                break
            elif c == ".":
                if self.pos > start:
                    steps.append(member_step(text[start : self.pos], scan))
                    scan = False
                if text.startswith("..", self.pos):
                    scan = True
                    self.pos += 1
                self.pos += 1
                start, after_indexer, after_dot = self.pos, False, True
            elif after_indexer:
                raise _error(f"Unexpected character following indexer: {c}")
            else:
                self.pos += 1
        at_end = self.pos == len(text)
        if self.pos > start:
            steps.append(member_step(text[start : self.pos].rstrip(WHITE_SPACE), scan))
        elif after_dot and (at_end or query):
            raise _error("Unexpected end while parsing path.")
        return steps, at_end

    def indexer(self, opening: str, scan: bool) -> Step:
        """ParseIndexer: the indexer opened at `pos`; `pos` ends on its closing character."""
        self.pos += 1
        closing = "]" if opening == "[" else ")"
        self.ensure_length("Path ended with open indexer.")
        self.eat_whitespace()
        if self.char() == "'":
            return self.quoted_field(closing, scan)
        if self.char() == "?":
            return self.query(closing, scan)
        step, self.pos = array_indexer(self.text, self.pos, closing)
        return step

    def quoted_field(self, closing: str, scan: bool) -> Step:
        names: list[str] = []
        while self.pos < len(self.text):
            names.append(self.quoted_string())
            self.eat_whitespace()
            self.ensure_length("Path ended with open indexer.")
            c = self.char()
            if c == closing:
                if scan:
                    return ("deep", names if len(names) > 1 else names[0])
                return ("names", names) if len(names) > 1 else ("name", names[0])
            if c != ",":
                raise _error(f"Unexpected character while parsing path indexer: {c}")
            self.pos += 1
            self.eat_whitespace()
        raise _error("Path ended with open indexer.")

    # --- the query ------------------------------------------------------------------------------

    def query(self, closing: str, scan: bool) -> Step:
        self.pos += 1
        self.ensure_length("Path ended with open indexer.")
        if self.char() != "(":
            raise _error(f"Unexpected character while parsing path indexer: {self.char()}")
        self.pos += 1
        expression = self.expression()
        self.pos += 1
        self.ensure_length("Path ended with open indexer.")
        self.eat_whitespace()
        if self.char() != closing:
            raise _error(f"Unexpected character while parsing path indexer: {self.char()}")
        return ("scanquery" if scan else "query", expression)

    def expression(self) -> Query:
        """ParseExpression: tests joined by `&&`/`||`. A change of operator nests the rest under
        the current composite, so `a && b || c` is `a && (b || c)`, as in Json.NET."""
        root: Composite | None = None
        parent: Composite | None = None
        while self.pos < len(self.text):
            left = self.side()
            if self.char() in ")|&":
                test = Comparison("exists", left, None)
            else:
                op = self.operator()
                test = Comparison(op, left, self.side())
            if self.char() == ")":
                if parent is None:
                    return test
                parent.parts.append(test)
                assert root is not None
                return root
            for op in ("&&", "||"):
                if self.char() == op[0]:
                    if not self.match(op):
                        raise self.unexpected()
                    if parent is None or parent.op != op:
                        nested = Composite(op)
                        if parent is not None:
                            parent.parts.append(nested)
                        parent = nested
                        root = root or parent
                    parent.parts.append(test)
        raise _error("Path ended with open query.")

    def side(self) -> Side:
        self.eat_whitespace()
        c = self.char()
        if c in "$@":
            self.pos += 1
            steps, at_end = self.path(self.pos, query=True)
            if at_end:
                raise _error("Path ended with open query.")
            side: Side = PathSide(c == "$", steps)
        else:
            found, value = self.value()
            if not found:
                raise self.unexpected()
            side = JValue(value)
        self.eat_whitespace()
        self.ensure_length("Path ended with open query.")
        return side

    def operator(self) -> str:
        if self.pos + 1 >= len(self.text):
            raise _error("Path ended with open query.")
        for op in _OPERATORS:
            if self.match(op):
                return "!=" if op == "<>" else op
        raise _error("Could not read query operator.")

    # --- literal values -------------------------------------------------------------------------

    def value(self) -> tuple[bool, object]:
        """TryParseValue: (found, value) for a literal at `pos`."""
        c = self.char()
        if c == "'":
            return True, self.quoted_string()
        if c.isdecimal() or c == "-":
            start = self.pos
            self.pos += 1
            while self.pos < len(self.text):
                if self.text[self.pos] in " )":
                    return _number(self.text[start : self.pos])
                self.pos += 1
            return False, None
        for word, literal in (("true", True), ("false", False), ("null", None)):
            if c == word[0] and self.match(word):
                return True, literal
        if c == "/":
            return True, self.regex()
        return False, None

    def quoted_string(self) -> str:
        """ReadQuotedString: from the opening quote at `pos` (whatever it is) to the next `'`."""
        text, out = self.text, []
        self.pos += 1
        while self.pos < len(text):
            c = text[self.pos]
            if c == "\\" and self.pos + 1 < len(text):
                self.pos += 1
                escaped = text[self.pos]
                if escaped not in _ESCAPES:
                    raise _error(f"Unknown escape character: \\{escaped}")
                out.append(_ESCAPES[escaped])
            elif c == "'":
                self.pos += 1
                return "".join(out)
            else:
                out.append(c)
            self.pos += 1
        raise _error("Path ended with an open string.")

    def regex(self) -> str:
        """ReadRegexString: `/pattern/flags` as written (escaped `/` kept)."""
        text, start = self.text, self.pos
        self.pos += 1
        while self.pos < len(text):
            if text[self.pos] == "\\" and self.pos + 1 < len(text):
                self.pos += 2
            elif text[self.pos] == "/":
                self.pos += 1
                while self.pos < len(text) and text[self.pos].isalpha():
                    self.pos += 1
                return text[start : self.pos]
            else:
                self.pos += 1
        raise _error("Path ended with an open regex.")


def _number(text: str) -> tuple[bool, object]:
    """A double (NumberStyles.Float | AllowThousands) if the text has `.`, `e` or `E`, else a
    long (NumberStyles.Integer), both invariant; (False, None) when it does not parse."""
    if any(c in text for c in ".eE"):
        m = _FLOAT.fullmatch(text)
        if m is None or not any(c.isdigit() for c in m.group("mantissa")):
            return False, None
        return True, float(text.replace(",", ""))
    if _LONG.fullmatch(text) is None or not -(2**63) <= int(text) < 2**63:
        return False, None
    return True, int(text)
