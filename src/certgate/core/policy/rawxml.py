"""APIM-tolerant reader for policy documents ("raw XML", spec §3.2).

Policy documents are deliberately not well-formed XML: C# sits unescaped in attribute values and
element text (`condition="@(x != "a" && y < 3)"`). A strict XML parser rejects them, so this is a
hand-written scanner producing `xmltree` nodes. What it reads:

* elements, attributes in `"` or `'`, self-closing and end tags (matched by name), text, CDATA
  (kept verbatim), comments and processing instructions (including `<?xml ...?>`, anywhere; both
  are skipped). `<!DOCTYPE` and other DTD declarations are refused: entities are never expanded.
* Predefined entities and character references are decoded exactly once, outside CDATA. A bare
  `&` or an undeclared entity is an error, except inside an expression (C# `&&`).
* In attribute values and element text, `@(` and `@{` start a C# region whose end is found by
  `_csharp_scan.scan_expression`; inside it quotes, `<`, `>` and `&` belong to the C#. The region
  is kept as written, with entities decoded (`@(a &amp;&amp; b)` reads as `@(a && b)`).

Decisions where APIM's behaviour is not observable or XML and APIM differ:

* Nested quotes outside expressions (documentation example of `validate-client-certificate`:
  `subject="C=US, O="Contoso, Inc.", CN=x"`). After an attribute's closing quote XML requires
  whitespace, `/`, `>` (or `?` in a declaration). So a quote *followed by anything else* is read as
  part of the value, unless what follows looks like the next attribute (`name="` or `name='`);
  then it closes the value and the missing whitespace is reported, as a strict parser would.
  Limits: a nested quote followed by whitespace or `/`/`>` still ends the value
  (`O="Contoso Inc" CN=x"` breaks after `Inc`), as does `O="a"b="c"` (looks like attributes).
* Line ends: CRLF and lone CR become LF before reading (XML end-of-line handling); a leading BOM is
  dropped. Outside expressions a tab or newline in an attribute value becomes a space (XML
  attribute-value normalisation); inside expressions they are kept, because a `//` comment in a
  multi-line expression must end at its newline.
* `<` in an attribute value outside an expression is an error, as in XML; it also stops a value
  whose closing quote is missing from swallowing the rest of the document.
* `XmlElement.text` is all character data directly in the element (text and CDATA, across child
  elements and comments), None when there is none; `text_pos` is where the first piece starts
  (for CDATA, its first content character).
* `@(`/`@{` anywhere in a value or text starts C#, not only at its start (APIM's own rule for
  which values *are* expressions is applied later); a literal `@(` must therefore balance.
* Characters XML forbids (control characters, lone surrogates) are refused up front; that error
  has no element.
* Messages follow .NET's `XmlReader` (what APIM reports) where it has one; "position" in the
  mismatched-tag message is the column of the start tag's name, as .NET counts it. Error line and
  column point at the offending character; for unterminated constructs, at where they start.
* Nesting deeper than `MAX_DEPTH` elements is refused. Everything is iterative and linear.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Final

from certgate.core.policy._csharp_scan import (
    ENTITY,
    ScanError,
    decode_lenient,
    entity_value,
    peek,
    scan_expression,
)
from certgate.core.policy.xmltree import Pos, XmlAttr, XmlElement
from certgate.errors import PolicyError

__all__ = ["ELISION", "MAX_DEPTH", "parse", "parse_many"]

MAX_DEPTH: Final = 200

# XML 1.0 (5th edition) name characters.
_NAME_START: Final = (
    ":A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_NAME_CHAR: Final = _NAME_START + "\\-.0-9\u00b7\u0300-\u036f\u203f\u2040"
_NAME_PATTERN: Final = f"[{_NAME_START}][{_NAME_CHAR}]*"
_NAME: Final = re.compile(_NAME_PATTERN)
_WS: Final = re.compile(r"[ \t\n]*")
# What the next attribute looks like; used to tell a missing space from a quote inside a value.
_NEXT_ATTRIBUTE: Final = re.compile(_NAME_PATTERN + r"""[ \t\n]*=[ \t\n]*["']""")
_VALUE_END_FOLLOWERS: Final = frozenset(" \t\n/>?")
_TEXT_SPECIAL: Final = re.compile(r"[<&@]")
_VALUE_SPECIAL: Final = {q: re.compile(f"[{q}<&@\t\n]") for q in "\"'"}
_INVALID_CHAR: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# An excerpt's "content left out here" marker, followed by whitespace, markup or the end.
ELISION: Final = re.compile(r"(?:\[(?:\.\.\.|\u2026)\]|\.\.\.|\u2026)(?=\s|<|\Z)")
_DTD_KEYWORDS: Final = ("<!DOCTYPE", "<!ENTITY", "<!ELEMENT", "<!ATTLIST", "<!NOTATION")


def parse(text: str, source: str | None = None) -> XmlElement:
    """Read a policy document with exactly one root element."""
    return _Reader(text, source).read_one()


def parse_many(
    text: str, source: str | None = None, *, elisions: list[Pos] | None = None
) -> list[XmlElement]:
    """Read zero or more top-level elements (a bare snippet of policy statements).

    With `elisions`, an excerpt's elision marker between top-level elements (`[...]`, `...`,
    `…`) is skipped and its position appended there, instead of failing the read.
    """
    reader = _Reader(text, source)
    reader.elisions = elisions
    return reader.read()


@dataclass(slots=True)
class _Open:
    """An element whose end tag has not been read yet."""

    element: XmlElement
    text: list[str] = field(default_factory=list)


class _Reader:
    def __init__(self, text: str, source: str | None) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self._text = text.replace("\r\n", "\n").replace("\r", "\n")
        self._source = source
        self._line_starts = [0, *(m.end() for m in re.finditer("\n", self._text))]
        self._open: list[_Open] = []
        self._roots: list[XmlElement] = []
        self._in_tag: str | None = None  # name of the start tag being read, for error context
        self.elisions: list[Pos] | None = None  # where skipped elision markers were, if skipped

    def read(self) -> list[XmlElement]:
        try:
            self._check_characters()
            self._read_content()
        except ScanError as exc:
            raise self._error(exc.message, exc.index) from None
        return self._roots

    def read_one(self) -> XmlElement:
        roots = self.read()
        if not roots:
            raise self._error("Root element is missing.", len(self._text))
        if len(roots) > 1:
            second = roots[1].pos
            raise PolicyError(
                "There are multiple root elements.",
                source=self._source,
                line=second.line,
                column=second.column,
            )
        return roots[0]

    # --- positions and errors -------------------------------------------------------------------

    def _pos(self, index: int) -> Pos:
        line = bisect_right(self._line_starts, index)
        return Pos(line, index - self._line_starts[line - 1] + 1)

    def _error(self, message: str, index: int) -> PolicyError:
        """A located error; the element is the start tag being read, else the innermost open one."""
        element = self._in_tag or (self._open[-1].element.tag if self._open else None)
        pos = self._pos(index)
        return PolicyError(
            message, source=self._source, element=element, line=pos.line, column=pos.column
        )

    def _unexpected(self, index: int, expected: str) -> PolicyError:
        if index >= len(self._text):
            return self._error("Unexpected end of file.", index)
        return self._error(f"'{self._text[index]}' is an unexpected token. {expected}", index)

    def _check_characters(self) -> None:
        bad = _INVALID_CHAR.search(self._text)
        if bad is not None:
            message = f"Hexadecimal value 0x{ord(bad.group()):02X} is an invalid character."
            raise self._error(message, bad.start())

    # --- document structure ---------------------------------------------------------------------

    def _read_content(self) -> None:
        text, i = self._text, 0
        while i < len(text):
            if text[i] == "<":
                i = self._markup(i)
            elif self._open:
                i = self._character_data(i)
            else:
                i = self._root_level_data(i)
        if self._open:
            names = ", ".join(o.element.tag for o in reversed(self._open))
            message = (
                "Unexpected end of file has occurred. "
                f"The following elements are not closed: {names}."
            )
            raise self._error(message, len(text))

    def _skip_space(self, i: int) -> int:
        match = _WS.match(self._text, i)
        return match.end() if match is not None else i

    def _root_level_data(self, i: int) -> int:
        end = self._skip_space(i)
        if end < len(self._text) and self._text[end] != "<":
            marker = ELISION.match(self._text, end)
            if self.elisions is None or marker is None:
                raise self._error("Data at the root level is invalid.", end)
            self.elisions.append(self._pos(end))
            return marker.end()
        return end

    def _markup(self, i: int) -> int:
        text = self._text
        if text.startswith("<!--", i):
            return self._skip_to("-->", i, i + 4, "Unterminated comment.")
        if text.startswith("<![CDATA[", i):
            return self._cdata(i)
        if text.startswith("<!", i):
            dtd = any(text.startswith(keyword, i) for keyword in _DTD_KEYWORDS)
            raise self._error("DTD is not allowed." if dtd else "Invalid markup declaration.", i)
        if text.startswith("<?", i):
            return self._skip_to("?>", i, i + 2, "Unterminated processing instruction.")
        if text.startswith("</", i):
            return self._end_tag(i)
        return self._start_tag(i)

    def _skip_to(self, terminator: str, start: int, search_from: int, message: str) -> int:
        end = self._text.find(terminator, search_from)
        if end < 0:
            raise self._error(message, start)
        return end + len(terminator)

    def _cdata(self, i: int) -> int:
        if not self._open:
            raise self._error("Data at the root level is invalid.", i)
        content = i + len("<![CDATA[")
        end = self._skip_to("]]>", i, content, "Unterminated CDATA section.")
        self._add_text(self._text[content : end - 3], content)
        return end

    def _add_text(self, chunk: str, index: int) -> None:
        if not chunk:
            return
        current = self._open[-1]
        if not current.text:
            current.element.text_pos = self._pos(index)
        current.text.append(chunk)

    # --- tags -----------------------------------------------------------------------------------

    def _name(self, index: int) -> str:
        match = _NAME.match(self._text, index)
        if match is not None:
            return match.group()
        if index >= len(self._text):
            raise self._error("Unexpected end of file.", index)
        char = self._text[index]
        message = (
            f"Name cannot begin with the '{char}' character, hexadecimal value 0x{ord(char):02X}."
        )
        raise self._error(message, index)

    def _start_tag(self, i: int) -> int:
        name = self._name(i + 1)
        if len(self._open) >= MAX_DEPTH:
            raise self._error(f"Elements are nested more than {MAX_DEPTH} levels deep.", i)
        element = XmlElement(tag=name, pos=self._pos(i))
        self._in_tag = name
        end, self_closing = self._attributes(element, i + 1 + len(name))
        self._in_tag = None
        if self._open:
            self._open[-1].element.children.append(element)
        else:
            self._roots.append(element)
        if not self_closing:
            self._open.append(_Open(element))
        return end

    def _attributes(self, element: XmlElement, i: int) -> tuple[int, bool]:
        """Read attributes up to `>` or `/>`; return the index after it and whether it was `/>`."""
        text = self._text
        while True:
            after_space = self._skip_space(i)
            char = text[after_space : after_space + 1]
            if char == ">":
                return after_space + 1, False
            if char == "/":
                if text.startswith("/>", after_space):
                    return after_space + 2, True
                raise self._unexpected(after_space + 1, "The expected token is '>'.")
            if not char:
                raise self._error("Unexpected end of file.", after_space)
            if after_space == i:
                raise self._unexpected(i, "Expecting white space.")
            i = self._attribute(element, after_space)

    def _attribute(self, element: XmlElement, i: int) -> int:
        text = self._text
        name = self._name(i)
        equals = self._skip_space(i + len(name))
        if not text.startswith("=", equals):
            raise self._unexpected(equals, "The expected token is '='.")
        quote = self._skip_space(equals + 1)
        if text[quote : quote + 1] not in ('"', "'"):
            raise self._unexpected(quote, "The expected token is '\"' or '''.")
        value, end = self._attribute_value(quote)
        if name in element.attrs:
            raise self._error(f"Duplicate attribute '{name}'.", i)
        element.attrs[name] = XmlAttr(name, value, self._pos(quote + 1))
        return end

    def _attribute_value(self, quote_at: int) -> tuple[str, int]:
        """Read the value opened by the quote at `quote_at`; return it and the index after it."""
        text = self._text
        quote, special = text[quote_at], _VALUE_SPECIAL[text[quote_at]]
        parts: list[str] = []
        i = quote_at + 1
        while True:
            match = special.search(text, i)
            if match is None:
                raise self._error("Unterminated attribute value.", quote_at)
            j = match.start()
            parts.append(text[i:j])
            char = text[j]
            if char == quote:
                if self._ends_value(j + 1):
                    return "".join(parts), j + 1
                parts.append(quote)  # a quote inside the value (see module docstring)
                i = j + 1
            elif char == "&":
                i = self._entity(j, parts)
            elif char == "@":
                i = self._at_sign(j, parts)
            elif char == "<":
                message = "'<', hexadecimal value 0x3C, is an invalid attribute character."
                raise self._error(message, j)
            else:  # tab or newline: XML attribute-value normalisation
                parts.append(" ")
                i = j + 1

    def _ends_value(self, after_quote: int) -> bool:
        text = self._text
        if after_quote >= len(text) or text[after_quote] in _VALUE_END_FOLLOWERS:
            return True
        return _NEXT_ATTRIBUTE.match(text, after_quote) is not None

    def _end_tag(self, i: int) -> int:
        name = self._name(i + 2)
        close = self._skip_space(i + 2 + len(name))
        if not self._text.startswith(">", close):
            raise self._unexpected(close, "The expected token is '>'.")
        if not self._open:
            raise self._error(f"Unexpected end tag '{name}'.", i + 2)
        current = self._open[-1].element
        if current.tag != name:
            start = current.pos
            message = (
                f"The '{current.tag}' start tag on line {start.line} position {start.column + 1} "
                f"does not match the end tag of '{name}'."
            )
            raise self._error(message, i + 2)
        closed = self._open.pop()
        if closed.text:
            current.text = "".join(closed.text)
        return close + 1

    # --- character data -------------------------------------------------------------------------

    def _character_data(self, start: int) -> int:
        """Read text up to the next `<` outside an expression; return the index of that `<`."""
        text, i = self._text, start
        parts: list[str] = []
        while True:
            match = _TEXT_SPECIAL.search(text, i)
            j = match.start() if match is not None else len(text)
            parts.append(text[i:j])
            if j == len(text) or text[j] == "<":
                self._add_text("".join(parts), start)
                return j
            i = self._entity(j, parts) if text[j] == "&" else self._at_sign(j, parts)

    def _entity(self, i: int, parts: list[str]) -> int:
        """Decode the entity at `i` (outside expressions, where a bare `&` is an error)."""
        match = ENTITY.match(self._text, i)
        if match is None:
            raise self._error("Unescaped '&'; write '&amp;' outside expressions.", i)
        value = entity_value(match)
        if value is None:
            raise self._error(f"Reference to undeclared entity '{match.group(3)}'.", i)
        parts.append(value)
        return match.end()

    def _at_sign(self, i: int, parts: list[str]) -> int:
        """At an `@`: copy a whole C# region if one starts here, else just the `@`."""
        opener, _ = peek(self._text, i + 1)
        if opener not in ("(", "{"):
            parts.append("@")
            return i + 1
        end = scan_expression(self._text, i)
        parts.append(decode_lenient(self._text, i, end))
        return end
