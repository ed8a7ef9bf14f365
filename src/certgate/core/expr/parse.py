"""tree-sitter front end: wrap, parse, map positions back, report syntax errors like csc does.

A bare C# expression is not a compilation unit, so the body is wrapped in a method (see
stack-measurements.md): `@(E)` becomes `class __P { object __E() => (E); }` and `@{ S }` becomes
`class __P { object __E() { S } }`. The '@' is dropped and the user's own brackets are kept, so
byte offsets inside the body only need the prefix length subtracted. tree-sitter reports UTF-8
byte offsets; `SourceMap` turns them into absolute document line/column (code points, 1-based).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import threading
from dataclasses import dataclass, field

import tree_sitter_c_sharp
from tree_sitter import Language, Node, Parser

from ...errors import ExpressionError, NotSupportedError
from .scan import ScanError, matching_close

_LANGUAGE = Language(tree_sitter_c_sharp.language())
_PARSER = Parser(_LANGUAGE)
_PARSER_LOCK = threading.Lock()  # a Parser is not safe to share between threads

_WRAP = {
    "(": ("class __P { object __E() => ", "; }"),
    "{": ("class __P { object __E() ", " }"),
}
_PUNCTUATION_EXPECTED = frozenset({";", ")", "]", "}", "(", "{", ",", ":", "=>", "=", ">"})
_NAME_PARENTS = frozenset(
    {"member_access_expression", "member_binding_expression", "qualified_name", "generic_name"}
)


@dataclass(frozen=True)
class SourceMap:
    """Where the expression sits in its document; builds located load-time errors."""

    text: str  # the attribute/element value as given (entities decoded)
    body_start: int  # index in `text` of the bracket after '@'
    prefix_bytes: int  # UTF-8 length of the wrapper before the body
    line: int
    column: int
    source: str | None
    element: str | None
    body_utf8: bytes = field(repr=False, default=b"")
    # (offset in the parsed body, length) of each text added that the user did not write
    # (`_repaired`)
    inserted: tuple[tuple[int, int], ...] = ()

    @property
    def parsed_length(self) -> int:
        return len(self.body_utf8) + sum(size for _, size in self.inserted)

    def index_of(self, byte_offset: int) -> int:
        """Character index in `text` for a byte offset in the wrapped source."""
        user = min(max(0, byte_offset - self.prefix_bytes), self.parsed_length)
        user -= sum(min(size, user - at) for at, size in self.inserted if user > at)
        return self.body_start + len(self.body_utf8[:user].decode("utf-8", errors="ignore"))

    def without_inserted(self, data: bytes, start: int) -> bytes:
        """`data`, the wrapped source from byte `start`, without the text `_repaired` added."""
        for at, size in sorted(self.inserted, reverse=True):
            begin = at + self.prefix_bytes - start
            if 0 <= begin < len(data):
                data = data[:begin] + data[begin + size :]
        return data

    def position(self, index: int) -> tuple[int, int]:
        """Absolute (line, column) of character `index` of `text`."""
        newline = self.text.rfind("\n", 0, index)
        if newline < 0:
            return self.line, self.column + index
        return self.line + self.text.count("\n", 0, index), index - newline

    def error(self, message: str, byte_offset: int) -> ExpressionError:
        return self.error_at(message, self.index_of(byte_offset))

    def error_at(self, message: str, index: int) -> ExpressionError:
        line, column = self.position(index)
        return ExpressionError(
            message, source=self.source, element=self.element, line=line, column=column
        )

    def not_supported(self, what: str, byte_offset: int) -> NotSupportedError:
        line, column = self.position(self.index_of(byte_offset))
        return NotSupportedError(
            what, source=self.source, element=self.element, line=line, column=column
        )


@dataclass(frozen=True)
class Parsed:
    body: Node  # parenthesized_expression for @( ), block for @{ }
    source_map: SourceMap
    is_block: bool


def parse(text: str, *, source: str | None, element: str | None, line: int, column: int) -> Parsed:
    """Parse one `@(...)`/`@{...}` value; raise ExpressionError on any syntax problem."""
    start = len(text) - len(text.lstrip())
    smap = SourceMap(text, start + 1, 0, line, column, source, element)
    if not text.startswith(("@(", "@{"), start):
        raise smap.error_at("Policy expressions start with '@(' or '@{'", start)
    try:
        close = matching_close(text, start + 1)
    except ScanError as exc:
        raise smap.error_at(exc.message, exc.index) from None
    if text[close + 1 :].strip():
        raise smap.error_at("Unexpected text after the expression", close + 1)
    prefix, suffix = _WRAP[text[start + 1]]
    body = text[start + 1 : close + 1].encode("utf-8")
    smap = SourceMap(
        text, start + 1, len(prefix.encode()), line, column, source, element, body_utf8=body
    )
    with _PARSER_LOCK:
        tree = _PARSER.parse(prefix.encode() + body + suffix.encode())
    root = tree.root_node
    if root.has_error:
        raise _syntax_error(root, smap)
    root, smap = _repaired(prefix, body, suffix, root, smap)
    node = _body_node(root, smap)
    if node is None:  # cannot happen for balanced input; refuse rather than guess
        raise smap.error_at("Syntax error", start)
    return Parsed(node, smap, text[start + 1] == "{")


def _bare_creations(root: Node) -> list[Node]:
    """`new T` with neither arguments nor initializer: never C#, but how the grammar misreads
    `new List<Guid> { g }` inside parentheses, as `(new List) < Guid > { g }`."""
    return [
        n
        for n in _walk_named(root)
        if n.type == "object_creation_expression"
        and n.child_by_field_name("arguments") is None
        and n.child_by_field_name("initializer") is None
    ]


# what the grammar reads as the right operand of `<` in a misread `(T)x.M<U>(a)`
_TYPE_ARGUMENTS = frozenset(
    {"generic_name", "identifier", "qualified_name", "member_access_expression"}
)


def _misread_casts(root: Node) -> list[tuple[Node, Node]]:
    """`(int)J.D<List<int>>(s)[0]` misread as `((int)J.D < List<int>) > (s)[0]`, and
    `(JObject)b.As<JObject>(true)` as `((JObject)b.As < JObject) > (true)`: C# reads a `<...>`
    followed by `(` as type arguments (spec §6.2.5), and `a < b > (c)` would compare a bool
    anyway. (the cast, the end of its operand) for each."""
    found = []
    for node in _walk_named(root):
        less = node.child_by_field_name("left") if node.type == "binary_expression" else None
        if less is None or _operator(node) != ">" or less.type != "binary_expression":
            continue
        name = less.child_by_field_name("right")
        if _operator(less) != "<" or name is None or name.type not in _TYPE_ARGUMENTS:
            continue
        cast = less.child_by_field_name("left")
        while cast is not None and cast.type == "binary_expression":
            cast = cast.child_by_field_name("right")
        last = node.child_by_field_name("right")
        while last is not None and last.type == "binary_expression":
            last = last.child_by_field_name("left")
        while cast is not None and cast.type == "cast_expression":
            inner = cast.child_by_field_name("value")
            if inner is None or inner.type != "cast_expression":
                break
            cast = inner  # `(int)(object)J.D<...>`: the innermost cast's operand is misread
        if cast is not None and cast.type == "cast_expression" and last is not None:
            found.append((cast, last))
    return found


def _parenthesized_names(root: Node, body: bytes, base: int) -> list[tuple[int, int]]:
    """`(x) + 1`, `(x) & y`, `(vars)["k"]` misread as casts of `+1`, `&y`, `["k"]`: C# reads
    `(name)` as a cast only before `~ ! (`, a name, a literal or a keyword (spec §12.9.7), so
    these are parenthesized expressions. (start, end) of each `(name)` in the body."""
    found = []
    for node in _walk_named(root):
        kind = node.child_by_field_name("type") if node.type == "cast_expression" else None
        if kind is None or not (kind.type in _NAME_TYPES or _element_access(kind)):
            continue
        close = next((c for c in node.children if c.type == ")"), None)
        if close is not None and body[close.end_byte - base :].lstrip()[:1] in _NOT_CAST_NEXT:
            found.append((node.start_byte - base, close.end_byte - base))
    return found


_NAME_TYPES = frozenset({"identifier", "qualified_name", "member_access_expression"})


def _element_access(node: Node) -> bool:
    """`a[0]` read as an array type: a rank with something in it is no type (`(a[0]) + 1`)."""
    return node.type == "array_type" and any(
        rank.type == "array_rank_specifier" and rank.named_child_count > 0 for rank in node.children
    )


_NOT_CAST_NEXT = frozenset({b"+", b"-", b"&", b"*", b"[", b"|", b"^", b"%", b"/", b"<", b">", b"="})


def _hidden_holes(root: Node, base: int) -> list[int]:
    """Where the grammar reads a hole after escaped braces as text (`$"{{{x}}}"` is all one
    string_content): the body offset of each hole's `{`, to be parted from the `{{` before
    it by a blank that `lower` takes out again."""
    found = []
    for node in _walk_named(root):
        parent = node.parent
        if node.type != "string_content" or parent is None or node.text is None:
            continue
        if parent.type != "interpolated_string_expression":
            continue
        for run in re.finditer(rb"\{+", node.text):
            if len(run.group()) % 2 and len(run.group()) > 1:
                found.append(node.start_byte - base + run.end() - 1)
    return found


def _operator(node: Node) -> str | None:
    op = node.child_by_field_name("operator")
    return None if op is None or op.text is None else op.text.decode()


def _repaired(
    prefix: str, body: bytes, suffix: str, root: Node, smap: SourceMap
) -> tuple[Node, SourceMap]:
    """Parse again where the grammar misreads valid C#, with text C# reads the same: `()`
    after the type arguments of a misread creation (`new List<Guid>() { g }`), parentheses
    around a misread cast's operand (`(int)(J.D<List<int>>(s)[0])`) and around a parenthesized
    name misread as a cast (`((x)) + 1`); a blank before a hole
    that follows escaped braces (`$"{{ {x}}}"`, taken out of the text again by `lower`,
    `SourceMap.without_inserted`). The source map keeps
    positions in the user's text. When that does not parse either, the tree stays as it was
    (the compiler then reports it)."""
    base = smap.prefix_bytes
    edits: list[tuple[int, bytes]] = []
    for creation in _bare_creations(root):
        end = _type_arguments_end(body, creation.end_byte - base)
        if end is None:
            return root, smap
        edits.append((end, b"()"))
    for cast, last in _misread_casts(root):
        value = cast.child_by_field_name("value")
        if value is None:
            return root, smap
        edits += [(value.start_byte - base, b"("), (last.end_byte - base, b")")]
    for start, end in _parenthesized_names(root, body, base):
        edits += [(start, b"("), (end, b")")]
    edits += [(at, b" ") for at in _hidden_holes(root, base)]
    if not edits:
        return root, smap
    edits.sort(key=lambda edit: edit[0])
    fixed, inserted, done = b"", [], 0
    for at, text in edits:
        fixed += body[done:at]
        inserted.append((len(fixed), len(text)))
        fixed += text
        done = at
    fixed += body[done:]
    with _PARSER_LOCK:
        tree = _PARSER.parse(prefix.encode() + fixed + suffix.encode())
    again = tree.root_node
    misread = (
        _bare_creations(again)
        or _misread_casts(again)
        or _parenthesized_names(again, fixed, base)
        or _hidden_holes(again, base)
    )
    if again.has_error or misread:
        return root, smap
    return again, dataclasses.replace(smap, inserted=tuple(inserted))


def _type_arguments_end(body: bytes, at: int) -> int | None:
    """The offset after the `<...>` that starts at `at` (after blanks), or None."""
    at += len(body[at:]) - len(body[at:].lstrip())
    if body[at : at + 1] != b"<":
        return None
    depth = 0
    for i in range(at, len(body)):
        char = body[i : i + 1]
        if char == b"<":
            depth += 1
        elif char == b">":
            depth -= 1
            if depth == 0:
                return i + 1
        elif char in b"(){};=\"'":
            return None  # not a type argument list
    return None


def _body_node(root: Node, smap: SourceMap) -> Node | None:
    """The node holding exactly the user's body inside the wrapper, or None."""
    end = smap.prefix_bytes + smap.parsed_length
    for node in _walk_named(root):
        spans_body = node.start_byte == smap.prefix_bytes and node.end_byte == end
        if spans_body and node.type in ("parenthesized_expression", "block"):
            return node
    return None


def _walk_named(node: Node) -> list[Node]:
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(current.named_children))
    return out


# --- syntax errors ------------------------------------------------------------------------------


def _syntax_error(root: Node, smap: SourceMap) -> ExpressionError:
    node = _first_error(root)
    if node.is_missing or node.start_byte == node.end_byte:
        return smap.error(_missing_message(node, smap), node.start_byte)
    leaves = [leaf for leaf in _leaves(node) if leaf.start_byte >= smap.prefix_bytes]
    if node.start_byte < smap.prefix_bytes:
        # The error swallowed part of our wrapper: typically two operands in a row (`(a b)`).
        for prev, leaf in itertools.pairwise(leaves):
            if _is_operand(prev) and _is_operand(leaf) and prev.type != "(":
                closer = ";" if smap.body_utf8.startswith(b"{") else ")"
                return smap.error(f"{closer} expected", leaf.start_byte)
        leaves = [leaf for leaf in leaves if leaf.type not in ("(", "[", "{")]
    if not leaves:
        return smap.error("Syntax error", node.start_byte)
    first = leaves[0]
    term = first.text.decode("utf-8", errors="replace") if first.text else ""
    if _is_operand(first) and term not in ")]}":
        return smap.error("; expected", first.start_byte)
    return smap.error(f"Invalid expression term '{term}'", first.start_byte)


def _first_error(node: Node) -> Node:
    """The first (document order), deepest node that is an ERROR or a missing token."""
    for child in node.children:
        if child.is_missing:
            return child
        if child.has_error or child.type == "ERROR":
            return _first_error(child)
    return node


def _missing_message(node: Node, smap: SourceMap) -> str:
    kind = node.type
    if kind in _PUNCTUATION_EXPECTED:
        return f"{kind} expected"
    if kind == "identifier" and node.parent is not None and node.parent.type in _NAME_PARENTS:
        return "Identifier expected"
    following = _next_leaf(node, smap)
    if following is None:
        return "Invalid expression term"
    return f"Invalid expression term '{following}'"


def _next_leaf(node: Node, smap: SourceMap) -> str | None:
    root = node
    while root.parent is not None:
        root = root.parent
    end = smap.prefix_bytes + smap.parsed_length
    for leaf in _leaves(root):
        if leaf.start_byte >= node.end_byte and leaf.end_byte > leaf.start_byte:
            return (
                leaf.text.decode("utf-8", errors="replace")
                if leaf.text and leaf.start_byte < end
                else None
            )
    return None


def _leaves(node: Node) -> list[Node]:
    if node.child_count == 0:
        return [node]
    out: list[Node] = []
    for child in node.children:
        out.extend(_leaves(child))
    return out


def _is_operand(leaf: Node) -> bool:
    """Leaf that can end an operand: a name, a literal, or a closing bracket."""
    text = leaf.text or b""
    return bool(text) and (text[:1].isalnum() or text[:1] in b"_\"'@$)]")
