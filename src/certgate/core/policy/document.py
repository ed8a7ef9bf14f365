"""Policy documents and scopes: load one `<policies>` document, compose global → API with `<base/>`.

Composition follows spec §4.2: per section, start from the narrowest scope and replace `<base/>`
with the same section of the next broader scope; without `<base/>` the broader section is not
inherited. Decision (docs/compatibility.md): a section that is *absent* from a document counts as
`<base/>` (APIM's editor always writes one there), while a section that is present but empty
inherits nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from certgate.core.expr import Expression
from certgate.core.policy import access, rawxml, transform
from certgate.core.policy.builders import REGISTRY, Where, child_path, no_text
from certgate.core.policy.nodes import Node, ReturnResponse
from certgate.core.policy.xmltree import XmlElement
from certgate.core.validation import policy as client_certificate
from certgate.errors import PolicyError

SECTIONS = ("inbound", "backend", "outbound", "on-error")


class Base:
    """Marker for `<base/>` inside a section."""

    __slots__ = ()


BASE = Base()
Item = Node | Base


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    source: str
    scope: str
    sections: dict[str, tuple[Item, ...]]  # absent sections are not in the dict


def load_document(text: str, *, source: str, scope: str) -> PolicyDocument:
    """Parse and compile a `<policies>` document; raises PolicyError (with location) if invalid."""
    root = rawxml.parse(text, source)
    if root.tag != "policies":
        raise PolicyError(
            f"The root element must be 'policies', not '{root.tag}'.",
            source=source,
            element=root.tag,
            line=root.pos.line,
            column=root.pos.column,
        )
    no_text(root, Where(source, scope, "", ""))
    sections: dict[str, tuple[Item, ...]] = {}
    for el in root.children:
        if el.tag not in SECTIONS or el.tag in sections:
            what = "Duplicate section" if el.tag in sections else "Unexpected element"
            raise PolicyError(
                f"{what} '{el.tag}' in 'policies'; sections are {', '.join(SECTIONS)}.",
                source=source,
                element=el.tag,
                line=el.pos.line,
                column=el.pos.column,
            )
        sections[el.tag] = _section(el, source, scope)
    return PolicyDocument(source, scope, sections)


def _section(el: XmlElement, source: str, scope: str) -> tuple[Item, ...]:
    if el.attrs:
        name, attr = next(iter(el.attrs.items()))
        raise PolicyError(
            f"The '{name}' attribute is not declared.",
            source=source,
            element=el.tag,
            line=attr.pos.line,
            column=attr.pos.column,
        )
    no_text(el, Where(source, scope, el.tag, ""))
    items: list[Item] = []
    for i, child in enumerate(el.children):
        if child.tag == "base":
            no_text(child, Where(source, scope, el.tag, ""))
            if child.attrs or child.children:
                raise PolicyError(
                    "The 'base' element takes no attributes or children.",
                    source=source,
                    element="base",
                    line=child.pos.line,
                    column=child.pos.column,
                )
            items.append(BASE)
            continue
        where = Where(source, scope, el.tag, child_path("", el.children, i))
        items.append(REGISTRY.build(child, where))
    return tuple(items)


def compose(documents: list[PolicyDocument | None], section: str) -> tuple[Node, ...]:
    """Effective statements of `section`, documents ordered broadest (global) first."""
    nodes: tuple[Node, ...] = ()
    for doc in documents:
        items = (BASE,) if doc is None else doc.sections.get(section, (BASE,))
        expanded: list[Node] = []
        for item in items:
            if isinstance(item, Base):
                expanded.extend(nodes)
            else:
                expanded.append(item)
        nodes = tuple(expanded)
    return nodes


# Imported for their side effect: they register their policies in the builders' registry.
_POLICY_MODULES = (access, transform, client_certificate)


@dataclass(frozen=True, slots=True)
class EffectivePolicy:
    """The statements that run for one API or operation, per section, after composition.

    `reads_request_body` / `reads_response_body` tell the data plane which bodies it must buffer
    (every other body streams through): true when an expression of the sections that see that
    message mentions `Body`, or a policy there replaces the body.
    """

    inbound: tuple[Node, ...]
    backend: tuple[Node, ...]
    outbound: tuple[Node, ...]
    on_error: tuple[Node, ...]
    reads_request_body: bool = True
    reads_response_body: bool = True
    # inbound, backend and outbound as one sequence: they run in order and the first statement
    # that ends the pipeline ends all three, so the engine walks one tuple.
    pipeline: tuple[Node, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pipeline", self.inbound + self.backend + self.outbound)

    @classmethod
    def compose(cls, documents: list[PolicyDocument | None]) -> EffectivePolicy:
        inbound, backend, outbound, on_error = (compose(documents, s) for s in SECTIONS)
        return cls(
            inbound,
            backend,
            outbound,
            on_error,
            reads_request_body=_touches_body(inbound + backend),
            reads_response_body=_touches_body(outbound + on_error),
        )


def references(doc: PolicyDocument) -> Iterator[transform.Reference]:
    """The literal entity references (backend ids, certificates) anywhere in `doc`."""
    for items in doc.sections.values():
        yield from _references(items, 0)


def _references(node: object, depth: int) -> Iterator[transform.Reference]:
    if isinstance(node, tuple | list):
        for item in node:
            yield from _references(item, depth + 1)
    elif isinstance(node, Node) and depth <= 12:
        yield from getattr(node, "references", ())
        for name in (s for cls in type(node).__mro__ for s in getattr(cls, "__slots__", ())):
            if name not in ("origin", "references"):
                yield from _references(getattr(node, name, None), depth + 1)


def _touches_body(nodes: tuple[Node, ...]) -> bool:
    return any(_node_touches_body(n) for n in nodes)


def _node_touches_body(node: object, depth: int = 0) -> bool:
    """Conservative: any expression text mentioning Body, or a set-body, counts."""
    if isinstance(node, Expression):
        return "Body" in node.text
    if isinstance(node, transform.SetBodyPolicy) or depth > 12:
        return True
    if isinstance(node, ReturnResponse) and node.variable is not None:
        return True  # it copies a response, body included
    if isinstance(node, tuple | list):
        return any(_node_touches_body(item, depth + 1) for item in node)
    slots = [s for cls in type(node).__mro__ for s in getattr(cls, "__slots__", ())]
    return any(
        _node_touches_body(getattr(node, s, None), depth + 1) for s in slots if s != "origin"
    )
