"""Nodes produced by the APIM-tolerant raw-XML reader (`rawxml.parse`).

Positions are 1-based line and column in the original document text, so every later error (bad
attribute, expression syntax error) can point at the exact place the user wrote.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Pos:
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class XmlAttr:
    name: str
    value: str  # entities decoded once; raw C# (`@(...)`) kept exactly as written
    pos: Pos  # position of the first character of the value (after the opening quote)


@dataclass(slots=True)
class XmlElement:
    tag: str
    pos: Pos  # position of the '<' that opens the element
    attrs: dict[str, XmlAttr] = field(default_factory=dict)
    children: list[XmlElement] = field(default_factory=list)
    # Character data directly inside this element (entities decoded, CDATA included), or None
    # when there is none; `text_pos` is where it starts. Whitespace-only text is kept as is.
    text: str | None = None
    text_pos: Pos | None = None
