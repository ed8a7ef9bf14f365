"""Raw-XML elements → compiled policy nodes, one builder per policy (the registry).

A builder validates its element the way APIM's save-time check does: declared attributes only,
literal-only attributes stay literal, children in the documented order, sections where the policy
is allowed. Valid APIM that certgate cannot run yet is refused by name with `NotSupportedError`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict

from certgate.core.context import RequestContext
from certgate.core.expr import Expression, compile_expression, is_expression
from certgate.core.model import field_text_problem
from certgate.core.policy.nodes import (
    Choose,
    ForwardRequest,
    Node,
    Origin,
    ResponsePart,
    ReturnResponse,
    SetBody,
    SetStatus,
    When,
)
from certgate.core.policy.schema import POLICIES, Element, Text
from certgate.core.policy.xmltree import Pos, XmlAttr, XmlElement
from certgate.errors import NotSupportedError, PolicyError

ALL_SECTIONS = frozenset({"inbound", "backend", "outbound", "on-error"})


@dataclass(frozen=True, slots=True)
class Where:
    """What a builder needs to know about the element's place in the document."""

    source: str
    scope: str
    section: str
    path: str  # LastError.Path of this element, e.g. "choose[1]\\when[2]"


Builder = Callable[[XmlElement, Where], Node]


class Registry:
    def __init__(self) -> None:
        self._builders: dict[str, tuple[Builder, frozenset[str]]] = {}
        # Builders of child elements that are policies in their own right elsewhere
        # (`set-header` inside `return-response` acts on the response being built).
        self.children: dict[str, Callable[[XmlElement, Where], ResponsePart]] = {}

    def register(
        self, name: str, sections: frozenset[str] = ALL_SECTIONS
    ) -> Callable[[Builder], Builder]:
        def add(builder: Builder) -> Builder:
            self._builders[name] = (builder, sections)
            return builder

        return add

    def __contains__(self, name: object) -> bool:
        """Whether certgate can run the policy `name` (not whether APIM knows it)."""
        return name in self._builders

    def build(self, el: XmlElement, where: Where) -> Node:
        entry = self._builders.get(el.tag)
        if entry is None:
            if el.tag in APIM_POLICIES:
                raise NotSupportedError(f"policy '{el.tag}'", **at(el, where))
            raise PolicyError(f"Unknown policy '{el.tag}'.", **at(el, where))
        builder, sections = entry
        if where.section not in sections:
            raise PolicyError(
                f"Policy '{el.tag}' is not allowed in the '{where.section}' section.",
                **at(el, where),
            )
        no_stray_text(el, POLICIES[el.tag], where)
        return builder(el, where)


REGISTRY = Registry()

# Every policy APIM documents (the check schema, spec §5 and §8): a known name certgate cannot
# run yet is "not supported yet", anything else is a plain error.
APIM_POLICIES = frozenset(POLICIES)


# --- helpers shared by builders -----------------------------------------------------------------


class Location(TypedDict):
    source: str
    element: str
    line: int
    column: int


def at(el: XmlElement, where: Where, pos: Pos | None = None) -> Location:
    p = pos or el.pos
    return {"source": where.source, "element": el.tag, "line": p.line, "column": p.column}


def no_text(el: XmlElement, where: Where) -> None:
    """Character data where APIM's schema allows none (whitespace and comments are fine)."""
    if el.text is not None and el.text.strip():
        message = f"The element '{el.tag}' cannot contain text."
        raise PolicyError(message, **at(el, where, el.text_pos))


def no_stray_text(el: XmlElement, schema: Element, where: Where) -> None:
    """`no_text` over a policy and its child elements, down to nested policy statements."""
    if schema.opaque or schema.text is Text.PAYLOAD:
        return
    if schema.text is Text.NONE or schema.statements:
        no_text(el, where)
    if schema.statements:
        return  # nested statements are built, and checked, by their own builders
    for child in el.children:
        entry = schema.child(child.tag)
        if entry is not None:
            no_stray_text(child, entry[1].element, where)


def check_attributes(el: XmlElement, where: Where, allowed: frozenset[str]) -> None:
    for name, attr in el.attrs.items():
        if name != "id" and name not in allowed:
            raise PolicyError(f"The '{name}' attribute is not declared.", **at(el, where, attr.pos))


def require(el: XmlElement, where: Where, name: str) -> XmlAttr:
    attr = el.attrs.get(name)
    if attr is None:
        raise PolicyError(f"The required attribute '{name}' is missing.", **at(el, where))
    return attr


def no_children(el: XmlElement, where: Where) -> None:
    if el.children:
        child = el.children[0]
        raise PolicyError(
            f"The element '{el.tag}' cannot contain child element '{child.tag}'.",
            **at(child, where),
        )


def expression_or_literal(attr: XmlAttr, el: XmlElement, where: Where) -> str | Expression:
    if is_expression(attr.value):
        return compile_expression(
            attr.value,
            source=where.source,
            element=el.tag,
            line=attr.pos.line,
            column=attr.pos.column,
            context_type=RequestContext,
        )
    return attr.value


def text_value(el: XmlElement, where: Where) -> str | Expression:
    text = el.text or ""
    pos = el.text_pos or el.pos
    return expression_or_literal(XmlAttr("", text, pos), el, where)


def bool_value(attr: XmlAttr, el: XmlElement, where: Where) -> bool | Expression:
    value = expression_or_literal(attr, el, where)
    if isinstance(value, Expression):
        return value
    lowered = value.strip().lower()
    if lowered not in ("true", "false"):
        raise PolicyError(
            f"The '{attr.name}' attribute must be 'true', 'false' or an expression.",
            **at(el, where, attr.pos),
        )
    return lowered == "true"


def int_value(attr: XmlAttr, el: XmlElement, where: Where) -> int | Expression:
    value = expression_or_literal(attr, el, where)
    if isinstance(value, Expression):
        return value
    try:
        return int(value.strip())
    except ValueError:
        raise PolicyError(
            f"The '{attr.name}' attribute must be an integer or an expression.",
            **at(el, where, attr.pos),
        ) from None


def literal(attr: XmlAttr, el: XmlElement, where: Where) -> str:
    """An attribute APIM keeps literal-only (spec §3.6): an expression there is refused."""
    if "@(" in attr.value or "@{" in attr.value:
        raise PolicyError(
            f"The '{attr.name}' attribute does not accept policy expressions.",
            **at(el, where, attr.pos),
        )
    return attr.value


def literal_bool(el: XmlElement, where: Where, name: str, default: bool) -> bool:
    attr = el.attrs.get(name)
    if attr is None:
        return default
    value = bool_value(attr, el, where)
    if not isinstance(value, bool):
        raise PolicyError(
            f"The '{name}' attribute does not accept policy expressions.",
            **at(el, where, attr.pos),
        )
    return value


def origin(el: XmlElement, where: Where) -> Origin:
    policy_id = el.attrs["id"].value if "id" in el.attrs else None
    return Origin(el.tag, where.scope, where.section, where.path, policy_id)


def child_path(parent: str, children: list[XmlElement], index: int) -> str:
    """LastError.Path of children[index]: 1-based position among same-named siblings."""
    tag = children[index].tag
    nth = sum(1 for c in children[: index + 1] if c.tag == tag)
    step = f"{tag}[{nth}]"
    return f"{parent}\\{step}" if parent else step


def build_body(children: list[XmlElement], where: Where) -> tuple[Node, ...]:
    nodes = []
    for i, child in enumerate(children):
        if child.tag == "base":
            raise PolicyError(
                "The 'base' element is only allowed directly in a section.", **at(child, where)
            )
        sub = Where(where.source, where.scope, where.section, child_path(where.path, children, i))
        nodes.append(REGISTRY.build(child, sub))
    return tuple(nodes)


# --- the policies -------------------------------------------------------------------------------


@REGISTRY.register("choose")
def _choose(el: XmlElement, where: Where) -> Node:
    check_attributes(el, where, frozenset())
    whens: list[When] = []
    otherwise: tuple[Node, ...] | None = None
    for i, child in enumerate(el.children):
        sub = Where(
            where.source, where.scope, where.section, child_path(where.path, el.children, i)
        )
        if child.tag == "when" and otherwise is None:
            check_attributes(child, sub, frozenset({"condition"}))
            condition = bool_value(require(child, sub, "condition"), child, sub)
            whens.append(When(condition, build_body(child.children, sub)))
        elif child.tag == "otherwise" and otherwise is None and whens:
            check_attributes(child, sub, frozenset())
            otherwise = build_body(child.children, sub)
        else:
            raise PolicyError(
                f"The element 'choose' cannot contain '{child.tag}' here; expected 'when' "
                "elements followed by at most one 'otherwise'.",
                **at(child, where),
            )
    if not whens:
        raise PolicyError("The element 'choose' needs at least one 'when'.", **at(el, where))
    return Choose(origin(el, where), tuple(whens), otherwise or ())


def _set_status(el: XmlElement, where: Where) -> SetStatus:
    check_attributes(el, where, frozenset({"code", "reason"}))
    no_children(el, where)
    code = int_value(require(el, where, "code"), el, where)
    if isinstance(code, int) and not 100 <= code <= 999:
        raise PolicyError(
            f"Status code {code} is out of range 100-999.", **at(el, where, el.attrs["code"].pos)
        )
    reason_attr = el.attrs.get("reason")
    reason = None
    if reason_attr:
        reason = expression_or_literal(reason_attr, el, where)
        if isinstance(reason, str) and (problem := field_text_problem(reason)):
            raise PolicyError(
                f"Invalid reason phrase: {problem}.", **at(el, where, reason_attr.pos)
            )
    return SetStatus(origin(el, where), code, reason)


REGISTRY.register("set-status")(_set_status)


def build_set_body(el: XmlElement, where: Where) -> SetBody:
    check_attributes(el, where, frozenset({"template", "xsi-nil", "parse-date"}))
    no_children(el, where)
    template = el.attrs.get("template")
    if template is not None and template.value.strip().lower() != "none":
        raise NotSupportedError("set-body template 'liquid'", **at(el, where, template.pos))
    if "xsi-nil" in el.attrs or "parse-date" in el.attrs:
        raise NotSupportedError("set-body attributes 'xsi-nil' and 'parse-date'", **at(el, where))
    return SetBody(origin(el, where), text_value(el, where))


_RETURN_CHILDREN = ("set-status", "set-header", "set-body")


@REGISTRY.register("return-response")
def _return_response(el: XmlElement, where: Where) -> ReturnResponse:
    check_attributes(el, where, frozenset({"response-variable-name"}))
    variable = el.attrs.get("response-variable-name")
    name = literal(variable, el, where) if variable is not None else None
    status: SetStatus | None = None
    body: SetBody | None = None
    headers: list[ResponsePart] = []
    last = -1
    for i, child in enumerate(el.children):
        sub = Where(
            where.source, where.scope, where.section, child_path(where.path, el.children, i)
        )
        rank = _RETURN_CHILDREN.index(child.tag) if child.tag in _RETURN_CHILDREN else -1
        if rank < 0 or rank < last or (rank == last and child.tag != "set-header"):
            raise PolicyError(
                f"The element 'return-response' cannot contain '{child.tag}' here; children are "
                "set-status, set-header (repeatable), set-body, in this order.",
                **at(child, where),
            )
        last = rank
        if child.tag == "set-status":
            status = _set_status(child, sub)
        elif child.tag == "set-body":
            body = build_set_body(child, sub)
        else:
            headers.append(REGISTRY.children["return-response/set-header"](child, sub))
    return ReturnResponse(origin(el, where), status, tuple(headers), body, name)


_FORWARD_ATTRS = frozenset(
    {
        "timeout",
        "timeout-ms",
        "continue-timeout",
        "http-version",
        "follow-redirects",
        "buffer-request-body",
        "buffer-response",
        "fail-on-error-status-code",
    }
)
DEFAULT_FORWARD_TIMEOUT = 300.0  # seconds to wait for the response head (APIM's default)


@REGISTRY.register("forward-request", frozenset({"backend"}))
def _forward_request(el: XmlElement, where: Where) -> ForwardRequest:
    check_attributes(el, where, _FORWARD_ATTRS)
    no_children(el, where)
    _refuse_unsupported_forward_options(el, where)
    timeout: float | Expression = DEFAULT_FORWARD_TIMEOUT
    if "timeout" in el.attrs and "timeout-ms" in el.attrs:
        raise PolicyError("'timeout' and 'timeout-ms' are mutually exclusive.", **at(el, where))
    if "timeout" in el.attrs:
        value = int_value(el.attrs["timeout"], el, where)
        timeout = float(value) if isinstance(value, int) else value
    elif "timeout-ms" in el.attrs:
        value = int_value(el.attrs["timeout-ms"], el, where)
        if not isinstance(value, int):
            raise NotSupportedError("an expression in 'timeout-ms'", **at(el, where))
        timeout = value / 1000
    fail = literal_bool(el, where, "fail-on-error-status-code", False)
    literal_bool(el, where, "buffer-request-body", False)  # bodies are buffered either way
    return ForwardRequest(origin(el, where), timeout, fail)


def _refuse_unsupported_forward_options(el: XmlElement, where: Where) -> None:
    version = el.attrs.get("http-version")
    if version is not None and version.value.strip() != "1":
        raise NotSupportedError("forward-request http-version other than 1", **at(el, where))
    if literal_bool(el, where, "follow-redirects", False):
        raise NotSupportedError("forward-request follow-redirects='true'", **at(el, where))
    if not literal_bool(el, where, "buffer-response", True):
        raise NotSupportedError("forward-request buffer-response='false'", **at(el, where))
    if "continue-timeout" in el.attrs:
        raise NotSupportedError("forward-request continue-timeout", **at(el, where))
