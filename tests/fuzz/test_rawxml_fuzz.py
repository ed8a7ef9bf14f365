"""Property tests for the raw-XML reader.

1. On any input, the reader returns nodes or raises `PolicyError`, never anything else, and the
   positions it reports lie inside the document.
2. On well-formed XML without expressions it reads exactly what `xml.etree.ElementTree` reads.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certgate.core.policy.rawxml import parse, parse_many
from certgate.core.policy.xmltree import Pos, XmlElement
from certgate.errors import PolicyError

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "300")),  # scripts/fuzz.py runs longer
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _lines(text: str) -> list[str]:
    """The document as the reader counts it: BOM dropped, CRLF and CR read as LF."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _inside(lines: list[str], pos: Pos) -> bool:
    return 1 <= pos.line <= len(lines) and 1 <= pos.column <= len(lines[pos.line - 1]) + 1


def _check_positions(text: str, roots: list[XmlElement]) -> None:
    lines = _lines(text)
    stack = list(roots)
    while stack:
        element = stack.pop()
        line = lines[element.pos.line - 1]
        assert line.startswith("<" + element.tag, element.pos.column - 1)
        assert all(_inside(lines, a.pos) for a in element.attrs.values())
        assert (element.text is None) == (element.text_pos is None)
        assert element.text_pos is None or _inside(lines, element.text_pos)
        stack.extend(element.children)


def read_or_refuse(text: str) -> None:
    """Reading `text` either works, with consistent positions, or raises a located PolicyError."""
    try:
        roots = parse_many(text, source="fuzz.xml")
    except PolicyError as error:
        assert error.source == "fuzz.xml"
        assert error.line is not None and error.column is not None
        assert _inside(_lines(text), Pos(error.line, error.column))
    else:
        _check_positions(text, roots)
    try:
        parse(text)
    except PolicyError:
        pass


# --- 1. never anything but nodes or PolicyError -----------------------------------------------

TOKENS = [
    "<", "</", ">", "/>", "<a", "<b", "</a>", "</b>", " ", "\n", "\r\n", "\t", "=", '"', "'",
    'x="', "y='", "@(", "@{", "(", ")", "{", "}", "$\"", '@"', '$@"', '@$"', '""', "\\", "//",
    "/*", "*/", "<!--", "-->", "<![CDATA[", "]]>", "<?", "?>", "<?xml version='1.0'?>",
    "<!DOCTYPE", "&", "&amp;", "&quot;", "&apos;", "&lt;", "&gt;", "&#40;", "&#x29;", "&#0;",
    "&#x7B;", "&nope;", "&#99999999;", "'x'", "'\\''", "\ufeff", "\x00", "é", "😀", "[...]",
]  # fmt: skip


@FUZZ
@given(st.text())
def test_arbitrary_text(text: str) -> None:
    read_or_refuse(text)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS) | st.text(max_size=3), max_size=60).map("".join))
def test_xml_ish_token_soup(text: str) -> None:
    read_or_refuse(text)


SEEDS = [
    '<policies><inbound><choose><when condition="@(context.Request.Certificate == null || '
    'context.Request.Certificate.Thumbprint != "T1")"><return-response><set-status code="403" '
    'reason="Invalid" /></return-response></when></choose><base /></inbound></policies>',
    '<set-variable name="x" value="@{\n  // ) }\n  var s = $"a{(b ? "}" : ")")}" + @"q""";\n'
    "  return s &amp;&amp; 'c' &lt; x;\n}\" />",
    '<identity subject="C=US, O="Contoso, Inc.", CN=x" />',
    "<set-body><![CDATA[<x>]]>@(a &lt; b)<!-- @( --></set-body>",
]


@FUZZ
@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 3), st.sampled_from(TOKENS)), max_size=4),
)
def test_mutated_policies(seed: str, edits: list[tuple[float, int, str]]) -> None:
    """Real policies with a few characters cut or pasted in: the near-miss inputs users write."""
    text = seed
    for where, cut, paste in edits:
        at = int(where * len(text))
        text = text[:at] + paste + text[at + cut :]
    read_or_refuse(text)


# --- 2. well-formed XML reads as ElementTree reads it -----------------------------------------

# Characters XML allows (the utf-8 codec already rules out lone surrogates).
_XML_FORBIDDEN = [*range(0x9), 0xB, 0xC, *range(0xE, 0x20), 0xFFFE, 0xFFFF]
XML_CHARS = st.characters(codec="utf-8", exclude_characters="".join(map(chr, _XML_FORBIDDEN)))
NAMES = st.from_regex(r"[A-Za-z_][A-Za-z0-9._-]{0,6}", fullmatch=True)
# No expressions in this property: a decoded `@(` or `@{` would make the reader read C#. No
# trailing `@` either: the next chunk could start with `(`.
PLAIN = st.text(XML_CHARS, max_size=12).filter(
    lambda s: "@(" not in s and "@{" not in s and not s.endswith("@")
)


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    quotes: list[str]
    content: list[Node | tuple[str, str]] = field(default_factory=list)  # (kind, text)


def _escape(text: str, draw_ref: list[bool], quote: str = "") -> str:
    """XML-escape `text`; where `draw_ref` says so, write a character as a numeric reference."""
    out = []
    for char, as_ref in zip(text, draw_ref + [False] * len(text), strict=False):
        if as_ref or char in "&<>" or char == quote:
            out.append(f"&#{ord(char)};" if as_ref or char == quote else _NAMED[char])
        else:
            out.append(char)
    return "".join(out)


_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


@st.composite
def nodes(draw: st.DrawFn, depth: int = 0) -> Node:
    names = draw(st.lists(NAMES, max_size=3, unique=True))
    node = Node(
        tag=draw(NAMES),
        attrs={name: draw(PLAIN) for name in names},
        quotes=[draw(st.sampled_from("\"'")) for _ in names],
    )
    for _ in range(draw(st.integers(0, 4 if depth < 3 else 0))):
        kind = draw(st.sampled_from(["text", "text", "cdata", "comment", "pi", "element"]))
        if kind == "element":
            node.content.append(draw(nodes(depth + 1)))
        elif kind == "cdata":
            node.content.append((kind, draw(PLAIN.filter(lambda s: "]]>" not in s))))
        elif kind == "comment":
            text = draw(PLAIN.filter(lambda s: "--" not in s and not s.endswith("-")))
            node.content.append((kind, text))
        elif kind == "pi":
            node.content.append((kind, draw(PLAIN.filter(lambda s: "?>" not in s))))
        else:
            node.content.append((kind, draw(PLAIN.filter(bool))))
    return node


@st.composite
def documents(draw: st.DrawFn) -> str:
    root = draw(nodes())
    prolog = draw(st.sampled_from(["", '<?xml version="1.0"?>', "<!-- c -->\n"]))
    parts = [prolog]
    # Serialise iteratively (depth is small here, but keep the test's own habits linear too).
    work: list[Node | str] = [root]
    while work:
        item = work.pop()
        if isinstance(item, str):
            parts.append(item)
            continue
        attrs = "".join(
            f" {name}={q}{_escape(value, draw(st.lists(st.booleans())), q)}{q}"
            for (name, value), q in zip(item.attrs.items(), item.quotes, strict=True)
        )
        parts.append(f"<{item.tag}{attrs}>")
        work.append(f"</{item.tag}>")
        for child in reversed(item.content):
            if isinstance(child, Node):
                work.append(child)
            else:
                work.append(_serialise_chunk(*child, refs=draw(st.lists(st.booleans()))))
    return "".join(parts)


def _serialise_chunk(kind: str, text: str, refs: list[bool]) -> str:
    if kind == "cdata":
        return f"<![CDATA[{text}]]>"
    if kind == "comment":
        return f"<!--{text}-->"
    if kind == "pi":
        return f"<?target {text}?>"
    return _escape(text, refs)


Shape = tuple[str, dict[str, str], str | None, list["Shape"]]


def _et_shape(element: ET.Element) -> Shape:
    text = (element.text or "") + "".join(child.tail or "" for child in element)
    return (element.tag, dict(element.attrib), text or None, [_et_shape(c) for c in element])


def _our_shape(element: XmlElement) -> Shape:
    attrs = {name: a.value for name, a in element.attrs.items()}
    return (element.tag, attrs, element.text, [_our_shape(c) for c in element.children])


@FUZZ
@given(documents())
def test_well_formed_documents_read_as_elementtree_reads_them(text: str) -> None:
    assert _our_shape(parse(text)) == _et_shape(ET.fromstring(text))
