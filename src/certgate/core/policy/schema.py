"""A declarative schema of every APIM policy: what APIM's save-time validation checks (spec §3.7).

For each policy: its attributes (required or optional, literal-only or expression-allowed, value
kind: bool / int / number / enum / string), its child elements in documented order with their
cardinality, whether its text may be an expression, whether it holds nested policy statements, and
the sections where it may appear. Sources: spec §3.6 (literal-only attributes), §4 (documents,
sections, fragments), §5 and §8, the policy reference pages (the syntax templates kept in the corpus
as `kind = docs-syntax-template`, and the documented attribute tables).

This module is data only; `check` walks documents against it. Decisions where the reference is
loose (each also noted at its entry):

* Attributes the reference marks as literal-only are `expr=False`; everything else accepts
  expressions (the reference says "policy expressions are allowed" for most attributes, and an
  over-strict schema would refuse valid APIM).
* `Text.EXPR` text may be a literal or an expression; `Text.PAYLOAD` is free content (text, an
  expression, Liquid or an XML payload whose child elements are not validated, as in `set-body`
  and `xsl:stylesheet`).
* Children: `Order.STRICT` means out-of-order children are an error (`choose`: `when` then
  `otherwise`); `Order.DOCUMENTED` means the reference asks for its order ("set the policy's
  elements and child elements in the order provided in the policy statement") and `check` warns;
  `Order.ANY` means no order.
* Enumerations and Booleans compare case-insensitively (.NET `bool.Parse` and `Enum.Parse(...,
  ignoreCase)` semantics).
* `sections=frozenset()` marks elements that are policies but never statements of a section:
  GraphQL resolver policies (the root of a resolver document) and `publish-event` (only inside a
  resolver's response).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Final

__all__ = [
    "ALL_SECTIONS",
    "APIM_CONTEXT_TYPES",
    "CONTEXT_MEMBERS",
    "EXTENSION_METHODS",
    "LINQ_METHODS",
    "POLICIES",
    "SECTIONS",
    "UNRESTRICTED_TYPES",
    "Attr",
    "Child",
    "Element",
    "Kind",
    "Order",
    "Rule",
    "Text",
]

SECTIONS: Final = ("inbound", "backend", "outbound", "on-error")
ALL_SECTIONS: Final = frozenset(SECTIONS)
_IN: Final = frozenset({"inbound"})
_OUT: Final = frozenset({"outbound"})
_IN_BACKEND: Final = frozenset({"inbound", "backend"})
_IN_OUT: Final = frozenset({"inbound", "outbound"})
_IN_OUT_ERROR: Final = frozenset({"inbound", "outbound", "on-error"})
_IN_OUT_BACKEND: Final = frozenset({"inbound", "outbound", "backend"})
_OUT_ERROR: Final = frozenset({"outbound", "on-error"})
_NOT_A_STATEMENT: Final = frozenset[str]()


class Kind(Enum):
    """What a literal attribute value must look like (an expression is checked by compiling)."""

    STRING = "string"
    BOOL = "bool"  # true / false, any case
    INT = "int"  # a whole number
    NUMBER = "number"  # a decimal number (score thresholds)
    ENUM = "enum"  # one of `Attr.values`, any case


class Text(Enum):
    NONE = "none"  # no character data (whitespace and comments only)
    EXPR = "expr"  # a literal or one policy expression
    LITERAL = "literal"  # a literal; an expression is refused
    PAYLOAD = "payload"  # anything: text, expression, Liquid, or an XML payload (not validated)


class Order(Enum):
    STRICT = "strict"  # children out of the documented order are an error
    DOCUMENTED = "documented"  # out of order: a warning
    ANY = "any"


@dataclass(frozen=True, slots=True)
class Attr:
    name: str
    kind: Kind = Kind.STRING
    required: bool = False
    expr: bool = True  # policy expressions allowed
    values: tuple[str, ...] = ()  # allowed values of an ENUM
    ref: str | None = None  # an entity only a gateway can resolve: "backend", "fragment"


@dataclass(frozen=True, slots=True)
class Rule:
    """A constraint between attributes: `exactly-one`, `at-least-one`, `at-most-one` of `names`."""

    kind: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Child:
    element: Element
    min: int = 0
    max: int | None = 1  # None: unbounded


@dataclass(frozen=True, slots=True)
class Element:
    name: str
    attrs: tuple[Attr, ...] = ()
    children: tuple[Child, ...] = ()
    text: Text = Text.NONE
    order: Order = Order.DOCUMENTED
    rules: tuple[Rule, ...] = ()
    extra_prefixes: tuple[str, ...] = ()  # undeclared attributes with these prefixes are accepted
    opaque: bool = False  # foreign content (XSLT, Adobe cross-domain policy): not validated
    statements: bool = False  # the element holds policy statements (`when`, `retry`, ...)
    statement_filter: frozenset[str] | None = None  # only these policies as statements (`wait`)
    sections: frozenset[str] | None = None  # a policy: where it may appear; None: a child element
    _attrs: Mapping[str, Attr] = field(init=False, repr=False, compare=False)
    _children: Mapping[str, tuple[int, Child]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_attrs", MappingProxyType({a.name: a for a in self.attrs}))
        index = {c.element.name: (i, c) for i, c in enumerate(self.children)}
        object.__setattr__(self, "_children", MappingProxyType(index))

    @property
    def is_policy(self) -> bool:
        return self.sections is not None

    def attr(self, name: str) -> Attr | None:
        return self._attrs.get(name)

    def child(self, name: str) -> tuple[int, Child] | None:
        """The position in the documented order and the cardinality of child element `name`."""
        return self._children.get(name)


# --- construction helpers -----------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


def _a(
    name: str,
    kind: Kind = Kind.STRING,
    *,
    req: bool = False,
    expr: bool = True,
    values: str = "",
    ref: str | None = None,
) -> Attr:
    return Attr(name, Kind.ENUM if values else kind, req, expr, tuple(values.split()), ref)


def _bool(name: str, *, req: bool = False, expr: bool = True) -> Attr:
    return Attr(name, Kind.BOOL, req, expr)


def _int(name: str, *, req: bool = False, expr: bool = True) -> Attr:
    return Attr(name, Kind.INT, req, expr)


def _one(*children: Element | Child) -> tuple[Child, ...]:
    """Children in documented order; a bare Element means 0..1."""
    return tuple(c if isinstance(c, Child) else Child(c) for c in children)


def _many(element: Element, minimum: int = 0) -> Child:
    return Child(element, minimum, None)


def _req(element: Element) -> Child:
    return Child(element, 1, 1)


def _exactly_one(*names: str) -> Rule:
    return Rule("exactly-one", names)


def _at_least_one(*names: str) -> Rule:
    return Rule("at-least-one", names)


def _at_most_one(*names: str) -> Rule:
    return Rule("at-most-one", names)


def _text(name: str, text: Text = Text.EXPR, *attrs: Attr) -> Element:
    return Element(name, attrs, text=text)


def _list(name: str, item: Element, minimum: int = 0) -> Element:
    """A wrapper holding repeated items (`audiences/audience`)."""
    return Element(name, children=(_many(item, minimum),))


_ACTION = "ignore prevent detect"
_CACHING_TYPE = "prefer-external external internal"
_EXISTS_ACTION = "override skip append delete"

# --- policies that other policies also use as children -------------------------------------------

_VALUE = _text("value")

SET_HEADER: Final = Element(
    "set-header",
    (_a("name", req=True), _a("exists-action", values=_EXISTS_ACTION)),
    (_many(_VALUE),),
    sections=ALL_SECTIONS,
)
SET_QUERY_PARAMETER: Final = Element(
    "set-query-parameter",
    (_a("name", req=True), _a("exists-action", values=_EXISTS_ACTION)),
    (_many(_VALUE),),
    sections=_IN_BACKEND,
)
SET_STATUS: Final = Element(
    "set-status", (_int("code", req=True), _a("reason")), sections=ALL_SECTIONS
)
# `template="liquid"` makes the text a Liquid template (check reads no expression or named value
# in it); an XML payload may be written as child elements (documentation example set-body-6).
# Allowed in on-error too, although D26 lists inbound, outbound and backend only: APIM accepts and
# runs it there (MicrosoftDocs/azure-docs#59226; Azure-Samples/Apim-Samples deploys such a policy).
SET_BODY: Final = Element(
    "set-body",
    (
        _a("template", values="liquid none"),
        _a("xsi-nil", expr=False, values="blank null"),
        _bool("parse-date"),
    ),
    text=Text.PAYLOAD,
    sections=ALL_SECTIONS,
)
SET_METHOD: Final = Element(
    "set-method", text=Text.EXPR, sections=frozenset({"inbound", "on-error"})
)
SET_URL: Final = _text("set-url")
# Inside send-request and send-one-way-request the method is a literal (spec §3.6, D27).
_SET_METHOD_LITERAL = Element("set-method", text=Text.LITERAL)
AUTHENTICATION_CERTIFICATE: Final = Element(
    "authentication-certificate",
    (_a("thumbprint"), _a("certificate-id"), _a("body"), _a("password")),
    rules=(_exactly_one("thumbprint", "certificate-id", "body"),),
    sections=_IN,
)
# The reference page lists inbound only, but its section lists are known to be incomplete (see
# set-body) and Azure-Samples/AI-Gateway deploys it in outbound with `output-token-variable-name`
# (a token fetched into a variable, meaningful in any section): outbound is accepted [inferred].
AUTHENTICATION_MANAGED_IDENTITY: Final = Element(
    "authentication-managed-identity",
    (
        _a("resource", req=True),
        _a("client-id", expr=False),
        _a("output-token-variable-name", expr=False),
        _bool("ignore-error"),
        _a("authentication-provider", values="WorkloadIdentity"),
    ),
    sections=frozenset({"inbound", "outbound"}),
)
PROXY: Final = Element("proxy", (_a("url", req=True), _a("username"), _a("password")), sections=_IN)
INCLUDE_FRAGMENT: Final = Element(
    "include-fragment",
    (_a("fragment-id", req=True, expr=False, ref="fragment"),),
    sections=ALL_SECTIONS,
)
SET_BACKEND_SERVICE: Final = Element(
    "set-backend-service",
    (
        _a("base-url"),
        _a("backend-id", ref="backend"),
        # Service Fabric (the documented example also uses the unlisted `sf-replica-type`,
        # erratum 11, so every `sf-` attribute is accepted) and Dapr backends.
        _a("sf-resolve-condition"),
        _a("sf-service-instance-name"),
        _a("sf-partition-key"),
        _a("sf-listener-name"),
        _a("dapr-app-id"),
        _a("dapr-method"),
        _a("dapr-namespace"),
    ),
    rules=(_exactly_one("base-url", "backend-id"),),
    extra_prefixes=("sf-",),
    sections=_IN_BACKEND,
)
GET_AUTHORIZATION_CONTEXT: Final = Element(
    "get-authorization-context",
    (
        _a("provider-id", req=True),
        _a("authorization-id", req=True),
        _a("context-variable-name", req=True),
        _a("identity-type", values="managed jwt"),
        _a("identity"),
        _bool("ignore-error"),
    ),
    sections=_IN,
)
FORWARD_REQUEST: Final = Element(
    "forward-request",
    (
        _int("timeout"),
        _int("timeout-ms"),
        _int("continue-timeout"),
        _a("http-version", values="1 2or1 2"),
        _bool("follow-redirects"),
        _bool("buffer-request-body"),
        _bool("buffer-response", expr=False),
        _bool("fail-on-error-status-code", expr=False),
    ),
    rules=(_at_most_one("timeout", "timeout-ms"),),
    sections=frozenset({"backend"}),
)
FIND_AND_REPLACE: Final = Element(
    "find-and-replace", (_a("from", req=True), _a("to", req=True)), sections=ALL_SECTIONS
)
XML_TO_JSON: Final = Element(
    "xml-to-json",
    (
        _a("kind", req=True, values="javascript-friendly direct"),
        _a("apply", req=True, values="always content-type-xml"),
        _bool("consider-accept-header"),
        _bool("always-array-child-elements"),
    ),
    sections=_IN_OUT_ERROR,
)
PUBLISH_EVENT: Final = Element(
    "publish-event",
    children=(_req(_list("targets", Element("graphql-subscription", (_a("id", req=True),)), 1)),),
    sections=_NOT_A_STATEMENT,
)


def _send(name: str, *, response_variable: bool) -> Element:
    attrs = [_a("mode", values="new copy"), _int("timeout")]
    if response_variable:
        attrs += [_a("response-variable-name", req=True), _bool("ignore-error", expr=False)]
    return Element(
        name,
        tuple(attrs),
        _one(
            SET_URL,
            _SET_METHOD_LITERAL,
            _many(SET_HEADER),
            SET_BODY,
            AUTHENTICATION_CERTIFICATE,
            AUTHENTICATION_MANAGED_IDENTITY,
            PROXY,
        ),
        sections=ALL_SECTIONS,
    )


def _token_limit(name: str, *, estimate_required: bool) -> Element:
    """`azure-openai-token-limit` and `llm-token-limit` (same attributes).

    `estimate-prompt-tokens` is required by the azure-openai reference; the llm reference's own
    example (llm-token-limit-policy-3) omits it, so there it is optional.
    """
    return Element(
        name,
        (
            _a("counter-key", req=True),
            _int("tokens-per-minute"),
            _int("token-quota"),
            _a("token-quota-period", values="Hourly Daily Weekly Monthly Yearly"),
            _bool("estimate-prompt-tokens", req=estimate_required),
            _a("retry-after-header-name", expr=False),
            _a("retry-after-variable-name", expr=False),
            _a("remaining-quota-tokens-header-name", expr=False),
            _a("remaining-quota-tokens-variable-name", expr=False),
            _a("remaining-tokens-header-name", expr=False),
            _a("remaining-tokens-variable-name", expr=False),
            _a("tokens-consumed-header-name", expr=False),
            _a("tokens-consumed-variable-name", expr=False),
        ),
        rules=(_at_least_one("tokens-per-minute", "token-quota"),),
        sections=_IN,
    )


def _emit_token_metric(name: str) -> Element:
    dimension = Element("dimension", (_a("name", req=True), _a("value")))
    return Element(name, (_a("namespace"),), (_many(dimension, 1),), sections=_IN)


def _semantic_cache_lookup(name: str) -> Element:
    return Element(
        name,
        (
            _a("score-threshold", Kind.NUMBER, req=True),
            _a("embeddings-backend-id", req=True, ref="backend"),
            _a("embeddings-backend-auth", req=True, values="system-assigned"),
            _bool("ignore-system-messages"),
            _int("max-message-count"),
        ),
        (_many(_text("vary-by")),),
        sections=_IN,
    )


def _semantic_cache_store(name: str) -> Element:
    return Element(name, (_int("duration", req=True), _bool("cache-response")), sections=_OUT)


def _statements(name: str, *attrs: Attr, only: frozenset[str] | None = None) -> Element:
    """A child element that holds policy statements (`when`, `otherwise`)."""
    return Element(name, attrs, statements=True, statement_filter=only)


def _rate_limit_scope(name: str, *attrs: Attr, child: Element | None = None) -> Element:
    """`api` and `operation` children of `rate-limit` and `quota`."""
    children = (_many(child),) if child is not None else ()
    return Element(name, (_a("name"), _a("id"), *attrs), children)


_LIMIT_ATTRS = (_int("calls"), _int("renewal-period"))
_QUOTA_ATTRS = (_int("calls"), _int("bandwidth"), _int("renewal-period"))
_CLAIM = Element(
    "claim",
    (_a("name", req=True), _a("match", values="all any"), _a("separator")),
    (_many(_VALUE),),
)
_KEY = Element("key", (_a("id"), _a("certificate-id"), _a("n"), _a("e")), text=Text.EXPR)
_PARAMETER_RULE = Element(
    "parameter", (_a("name", req=True), _a("action", req=True, values=_ACTION))
)


def _parameter_group(name: str, *, unspecified: bool = True) -> Element:
    attrs = [_a("specified-parameter-action", values=_ACTION)]
    if unspecified:
        attrs.append(_a("unspecified-parameter-action", values=_ACTION))
    return Element(name, tuple(attrs), (_many(_PARAMETER_RULE),))


_LIQUID = _a("template", values="liquid")
_PARTITION_KEY = Element(
    "partition-key",
    (_a("data-type", values="string number bool none null"), _LIQUID),
    text=Text.PAYLOAD,
)
_CONSISTENCY = _a(
    "consistency-level", values="bounded-staleness consistent-prefix eventual session strong"
)
_LIQUID_TEXT = (_LIQUID,)


def _liquid(name: str) -> Element:
    return Element(name, _LIQUID_TEXT, text=Text.PAYLOAD)


_CONNECTION_STRING = Element("connection-string", (_bool("use-managed-identity"),), text=Text.EXPR)
_SQL_PARAMETER = Element("parameter", (_a("sql-type"), _a("name", req=True)), text=Text.EXPR)
_COSMOS_PARAMETER = Element("parameter", (_a("name", req=True),), text=Text.EXPR)

# --- every policy -------------------------------------------------------------------------------

_POLICY_LIST: Final[tuple[Element, ...]] = (
    AUTHENTICATION_CERTIFICATE,
    AUTHENTICATION_MANAGED_IDENTITY,
    FIND_AND_REPLACE,
    FORWARD_REQUEST,
    GET_AUTHORIZATION_CONTEXT,
    INCLUDE_FRAGMENT,
    PROXY,
    PUBLISH_EVENT,
    SET_BACKEND_SERVICE,
    SET_BODY,
    SET_HEADER,
    SET_METHOD,
    SET_QUERY_PARAMETER,
    SET_STATUS,
    XML_TO_JSON,
    Element(
        "authentication-basic",
        (_a("username", req=True), _a("password", req=True)),
        sections=_IN,
    ),
    _emit_token_metric("azure-openai-emit-token-metric"),
    _emit_token_metric("llm-emit-token-metric"),
    _semantic_cache_lookup("azure-openai-semantic-cache-lookup"),
    _semantic_cache_lookup("llm-semantic-cache-lookup"),
    _semantic_cache_store("azure-openai-semantic-cache-store"),
    _semantic_cache_store("llm-semantic-cache-store"),
    _token_limit("azure-openai-token-limit", estimate_required=True),
    _token_limit("llm-token-limit", estimate_required=False),
    Element(
        "cache-lookup",
        (
            _bool("vary-by-developer", req=True),
            _bool("vary-by-developer-groups", req=True),
            _a("caching-type", expr=False, values=_CACHING_TYPE),
            _a("downstream-caching-type", values="none private public"),
            _bool("must-revalidate"),
            _bool("allow-private-response-caching"),
        ),
        (
            _many(_text("vary-by-header", Text.LITERAL)),
            _many(_text("vary-by-query-parameter", Text.LITERAL)),
        ),
        order=Order.ANY,
        sections=_IN,
    ),
    Element(
        "cache-lookup-value",
        (
            _a("key", req=True),
            _a("variable-name", req=True),
            _a("default-value"),
            _a("caching-type", values=_CACHING_TYPE),
        ),
        sections=ALL_SECTIONS,
    ),
    Element(
        "cache-remove-value",
        (
            _a("key", req=True),
            _a("caching-type", values=_CACHING_TYPE),
            _bool("fail-on-cache-removal-error"),
        ),
        sections=ALL_SECTIONS,
    ),
    Element("cache-store", (_int("duration", req=True), _bool("cache-response")), sections=_OUT),
    Element(
        "cache-store-value",
        (
            _a("key", req=True),
            _a("value", req=True),
            _int("duration", req=True),
            _a("caching-type", values=_CACHING_TYPE),
        ),
        sections=ALL_SECTIONS,
    ),
    Element(
        "check-header",
        (
            _a("name", req=True),
            _int("failed-check-httpcode", req=True),
            _a("failed-check-error-message", req=True),
            _bool("ignore-case", req=True),
        ),
        (_many(_VALUE),),
        sections=_IN,
    ),
    Element(
        "choose",
        children=(
            _many(_statements("when", _bool("condition", req=True)), 1),
            Child(_statements("otherwise")),
        ),
        order=Order.STRICT,
        sections=ALL_SECTIONS,
    ),
    Element(
        "cors",
        (_bool("allow-credentials"), _bool("terminate-unmatched-request")),
        _one(
            _req(_list("allowed-origins", _text("origin"), 1)),
            Element(
                "allowed-methods",
                (_int("preflight-result-max-age"),),
                (_many(_text("method")),),
            ),
            _list("allowed-headers", _text("header"), 1),
            _list("expose-headers", _text("header"), 1),
        ),
        sections=_IN,
    ),
    # The content is an Adobe cross-domain policy file, not validated here.
    Element(
        "cross-domain",
        children=(Child(Element("cross-domain-policy", text=Text.PAYLOAD, opaque=True)),),
        sections=_IN,
    ),
    Element(
        "emit-metric",
        (
            _a("name", req=True, expr=False),
            _a("namespace", expr=False),
            _a("value", Kind.NUMBER),
        ),
        (Child(Element("dimension", (_a("name", req=True), _a("value"))), 1, 10),),
        sections=ALL_SECTIONS,
    ),
    Element(
        "invoke-dapr-binding",
        (
            _a("name", req=True),
            _a("operation", req=True),
            _bool("ignore-error"),
            _a("response-variable-name"),
            _int("timeout"),
            _a("template", values="liquid"),
            _a("content-type"),
        ),
        _one(
            _list("metadata", Element("item", (_a("key", req=True),), text=Text.EXPR)),
            Element("data", text=Text.PAYLOAD),
        ),
        sections=_IN_OUT_ERROR,
    ),
    Element(
        "ip-filter",
        (_a("action", req=True, values="allow forbid"),),
        (
            _many(_text("address")),
            _many(Element("address-range", (_a("from", req=True), _a("to", req=True)))),
        ),
        order=Order.ANY,
        sections=_IN,
    ),
    Element(
        "json-to-xml",
        (
            _a("apply", req=True, values="always content-type-json"),
            _bool("consider-accept-header"),
            _bool("parse-date", expr=False),
            _a("namespace-separator"),
            _a("namespace-prefix"),
            _a("attribute-block-name"),
        ),
        sections=_IN_OUT_ERROR,
    ),
    Element("jsonp", (_a("callback-parameter-name", req=True),), sections=_OUT),
    Element(
        "limit-concurrency",
        (_a("key", req=True), _int("max-count", req=True, expr=False)),
        statements=True,
        sections=ALL_SECTIONS,
    ),
    Element(
        "llm-content-safety",
        (
            _a("backend-id", req=True, ref="backend"),
            _bool("shield-prompt"),
            _bool("enforce-on-completions"),
            _int("window-size"),
            _int("window-overlap-size"),
        ),
        _one(
            Element(
                "categories",
                (_a("output-type", values="FourSeverityLevels EightSeverityLevels"),),
                (
                    _many(
                        Element(
                            "category",
                            (
                                _a("name", req=True, values="Hate SelfHarm Sexual Violence"),
                                _int("threshold", req=True),
                            ),
                        ),
                        1,
                    ),
                ),
            ),
            _list("blocklists", _text("id"), 1),
        ),
        sections=_IN,
    ),
    Element(
        "log-to-eventhub",
        (
            _a("logger-id", req=True, expr=False),
            _a("partition-id", expr=False),
            _a("partition-key"),
        ),
        text=Text.EXPR,
        rules=(_at_most_one("partition-id", "partition-key"),),
        sections=ALL_SECTIONS,
    ),
    Element(
        "mock-response",
        (_int("status-code", expr=False), _a("content-type", expr=False)),
        sections=_IN_OUT_ERROR,
    ),
    Element(
        "publish-to-dapr",
        (
            _a("pubsub-name", req=True),
            _a("topic", req=True),
            _bool("ignore-error"),
            _a("response-variable-name"),
            _int("timeout"),
            _a("template", values="liquid"),
            _a("content-type"),
        ),
        text=Text.PAYLOAD,
        sections=_IN_OUT_ERROR,
    ),
    Element(
        "quota",
        _QUOTA_ATTRS,
        (
            _many(
                _rate_limit_scope(
                    "api", *_QUOTA_ATTRS, child=_rate_limit_scope("operation", *_QUOTA_ATTRS)
                )
            ),
        ),
        rules=(_at_least_one("calls", "bandwidth"),),
        sections=_IN,
    ),
    Element(
        "quota-by-key",
        (
            _int("calls", expr=False),
            _int("bandwidth", expr=False),
            _int("renewal-period", req=True, expr=False),
            _a("counter-key", req=True),
            _bool("increment-condition"),
            _int("increment-count"),
            _a("first-period-start", expr=False),
        ),
        rules=(_at_least_one("calls", "bandwidth"),),
        sections=_IN,
    ),
    Element(
        "rate-limit",
        (
            _int("calls", req=True),
            _int("renewal-period", req=True),
            _a("retry-after-header-name", expr=False),
            _a("retry-after-variable-name", expr=False),
            _a("remaining-calls-header-name", expr=False),
            _a("remaining-calls-variable-name", expr=False),
            _a("total-calls-header-name", expr=False),
        ),
        (
            _many(
                _rate_limit_scope(
                    "api", *_LIMIT_ATTRS, child=_rate_limit_scope("operation", *_LIMIT_ATTRS)
                )
            ),
        ),
        sections=_IN,
    ),
    Element(
        "rate-limit-by-key",
        (
            _int("calls", req=True),
            _int("renewal-period", req=True),
            _a("counter-key", req=True),
            _bool("increment-condition"),
            _int("increment-count"),
            _a("retry-after-header-name", expr=False),
            _a("retry-after-variable-name", expr=False),
            _a("remaining-calls-header-name", expr=False),
            _a("remaining-calls-variable-name", expr=False),
            _a("total-calls-header-name", expr=False),
        ),
        sections=_IN,
    ),
    Element("redirect-content-urls", sections=_IN_OUT),
    Element(
        "retry",
        (
            _bool("condition", req=True),
            _int("count", req=True),
            _int("interval", req=True),
            _int("max-interval"),
            _int("delta"),
            _bool("first-fast-retry"),
        ),
        statements=True,
        sections=ALL_SECTIONS,
    ),
    Element(
        "return-response",
        (_a("response-variable-name", expr=False),),
        _one(SET_STATUS, _many(SET_HEADER), SET_BODY),
        sections=ALL_SECTIONS,
    ),
    Element(
        "rewrite-uri",
        (_a("template", req=True), _bool("copy-unmatched-params")),
        sections=_IN,
    ),
    _send("send-one-way-request", response_variable=False),
    _send("send-request", response_variable=True),
    Element(
        "send-service-bus-message",
        (_a("queue-name"), _a("topic-name"), _a("namespace"), _a("client-id")),
        _one(
            _list(
                "message-properties",
                Element("message-property", (_a("name", req=True),), text=Text.EXPR),
            ),
            _req(_text("payload")),
        ),
        rules=(_exactly_one("queue-name", "topic-name"),),
        sections=_IN_OUT_ERROR,
    ),
    Element(
        "set-variable",
        (_a("name", req=True, expr=False), _a("value", req=True)),
        sections=ALL_SECTIONS,
    ),
    Element(
        "trace",
        (
            _a("source", req=True, expr=False),
            _a("severity", expr=False, values="verbose information error"),
        ),
        _one(
            _text("message"),
            _many(Element("metadata", (_a("name", req=True), _a("value", req=True)))),
        ),
        # Before `message` (2021) the trace text was the element's own text; both are accepted.
        text=Text.EXPR,
        sections=ALL_SECTIONS,
    ),
    Element(
        "validate-azure-ad-token",
        (
            _a("tenant-id", req=True),
            _a("header-name"),
            _a("query-parameter-name"),
            _a("token-value"),
            _a("authentication-endpoint"),
            _int("failed-validation-httpcode"),
            _a("failed-validation-error-message"),
            _a("output-token-variable-name"),
        ),
        _one(
            _list("backend-application-ids", _text("application-id"), 1),
            _list("client-application-ids", _text("application-id"), 1),
            _list("audiences", _text("audience"), 1),
            _list("required-claims", _CLAIM, 1),
            _list("decryption-keys", Element("key", (_a("certificate-id", req=True),)), 1),
        ),
        rules=(_at_most_one("header-name", "query-parameter-name", "token-value"),),
        sections=_IN,
    ),
    Element(
        "validate-client-certificate",
        (
            _bool("validate-revocation", expr=False),
            _bool("validate-trust", expr=False),
            _bool("validate-not-before", expr=False),
            _bool("validate-not-after", expr=False),
            _bool("ignore-error", expr=False),
        ),
        (
            Child(
                _list(
                    "identities",
                    Element(
                        "identity",
                        tuple(
                            _a(name, expr=False)
                            for name in (
                                "thumbprint",
                                "serial-number",
                                "common-name",
                                "subject",
                                "dns-name",
                                "issuer-subject",
                                "issuer-thumbprint",
                                "issuer-certificate-id",
                            )
                        ),
                    ),
                    1,
                )
            ),
        ),
        sections=_IN,
    ),
    Element(
        "validate-content",
        (
            _a("unspecified-content-type-action", req=True, values=_ACTION),
            _int("max-size", req=True),
            _a("size-exceeded-action", req=True, values=_ACTION),
            _a("errors-variable-name"),
        ),
        _one(
            Element(
                "content-type-map",
                (_a("any-content-type-value"), _a("missing-content-type-value")),
                (_many(Element("type", (_a("from"), _a("when"), _a("to", req=True)))),),
            ),
            _many(
                Element(
                    "content",
                    (
                        _a("type"),
                        _a("validate-as", req=True, values="json xml soap"),
                        _a("schema-id"),
                        _a("schema-ref"),
                        _a("action", req=True, values=_ACTION),
                        _bool("allow-additional-properties"),
                        _bool("case-insensitive-property-names"),
                    ),
                )
            ),
        ),
        sections=_IN_OUT_ERROR,
    ),
    Element(
        "validate-graphql-request",
        (_a("error-variable-name"), _int("max-size"), _int("max-depth")),
        (
            Child(
                _list(
                    "authorize",
                    Element("rule", (_a("path", req=True), _a("action", req=True))),
                )
            ),
        ),
        sections=_IN,
    ),
    Element(
        "validate-headers",
        (
            _a("specified-header-action", req=True, values=_ACTION),
            _a("unspecified-header-action", req=True, values=_ACTION),
            _a("errors-variable-name"),
        ),
        (_many(Element("header", (_a("name", req=True), _a("action", req=True, values=_ACTION)))),),
        sections=_OUT_ERROR,
    ),
    Element(
        "validate-jwt",
        (
            _a("header-name"),
            _a("query-parameter-name"),
            _a("token-value"),
            _int("failed-validation-httpcode"),
            _a("failed-validation-error-message"),
            _bool("require-expiration-time"),
            _a("require-scheme"),
            _bool("require-signed-tokens"),
            _int("clock-skew"),
            _a("output-token-variable-name"),
        ),
        _one(
            _many(Element("openid-config", (_a("url", req=True), _bool("validate-connectivity")))),
            _list("issuer-signing-keys", _KEY, 1),
            _list("decryption-keys", _KEY, 1),
            _list("audiences", _text("audience"), 1),
            _list("issuers", _text("issuer"), 1),
            _list("required-claims", _CLAIM, 1),
        ),
        rules=(_exactly_one("header-name", "query-parameter-name", "token-value"),),
        sections=_IN,
    ),
    Element(
        "validate-odata-request",
        (
            _a("error-variable-name"),
            _a("default-odata-version"),
            _a("min-odata-version"),
            _a("max-odata-version"),
            _int("max-size"),
        ),
        sections=_IN,
    ),
    Element(
        "validate-parameters",
        (
            _a("specified-parameter-action", req=True, values=_ACTION),
            _a("unspecified-parameter-action", req=True, values=_ACTION),
            _a("errors-variable-name"),
        ),
        _one(
            _parameter_group("headers"),
            _parameter_group("query"),
            _parameter_group("path", unspecified=False),
        ),
        sections=_IN,
    ),
    Element(
        "validate-status-code",
        (
            _a("unspecified-status-code-action", req=True, values=_ACTION),
            _a("errors-variable-name"),
        ),
        (
            _many(
                Element(
                    "status-code",
                    (_int("code", req=True), _a("action", req=True, values=_ACTION)),
                )
            ),
        ),
        sections=_OUT_ERROR,
    ),
    Element(
        "wait",
        (_a("for", values="all any"),),
        statements=True,
        statement_filter=frozenset({"send-request", "cache-lookup-value", "choose"}),
        sections=_IN_OUT_BACKEND,
    ),
    # The template writes `parameter-name`, the documented example `name`: both are accepted.
    Element(
        "xsl-transform",
        children=(
            _many(
                Element(
                    "parameter",
                    (_a("parameter-name"), _a("name")),
                    text=Text.EXPR,
                    rules=(_exactly_one("parameter-name", "name"),),
                )
            ),
            _req(Element("xsl:stylesheet", text=Text.PAYLOAD, opaque=True)),
        ),
        sections=_IN_OUT,
    ),
    # GraphQL resolver policies: the root of a resolver policy document.
    Element(
        "http-data-source",
        children=(
            _req(
                Element(
                    "http-request",
                    children=_one(
                        GET_AUTHORIZATION_CONTEXT,
                        SET_BACKEND_SERVICE,
                        SET_METHOD,
                        SET_URL,
                        _many(INCLUDE_FRAGMENT),
                        _many(SET_HEADER),
                        SET_BODY,
                        AUTHENTICATION_CERTIFICATE,
                    ),
                )
            ),
            Child(Element("backend", children=_one(FORWARD_REQUEST))),
            Child(
                Element(
                    "http-response",
                    children=_one(
                        SET_BODY,
                        XML_TO_JSON,
                        FIND_AND_REPLACE,
                        PUBLISH_EVENT,
                        _many(INCLUDE_FRAGMENT),
                    ),
                )
            ),
        ),
        sections=_NOT_A_STATEMENT,
    ),
    Element(
        "sql-data-source",
        children=(
            _req(
                Element(
                    "connection-info",
                    children=_one(
                        _req(_CONNECTION_STRING),
                        _many(INCLUDE_FRAGMENT),
                        AUTHENTICATION_CERTIFICATE,
                    ),
                )
            ),
            _many(INCLUDE_FRAGMENT),
            _req(
                Element(
                    "request",
                    (_bool("single-result"),),
                    _one(
                        _many(INCLUDE_FRAGMENT),
                        SET_BODY,
                        _req(_text("sql-statement")),
                        _list("parameters", _SQL_PARAMETER),
                    ),
                )
            ),
            Child(
                Element(
                    "response",
                    children=_one(_many(INCLUDE_FRAGMENT), SET_BODY, PUBLISH_EVENT),
                )
            ),
        ),
        sections=_NOT_A_STATEMENT,
    ),
    Element(
        "cosmosdb-data-source",
        children=(
            _req(
                Element(
                    "connection-info",
                    children=_one(
                        _req(_CONNECTION_STRING),
                        _req(_text("database-name")),
                        _req(_text("container-name")),
                    ),
                )
            ),
            Child(
                Element(
                    "query-request",
                    (_bool("enable-low-precision-order-by"),),
                    _one(
                        _req(_text("sql-statement")),
                        _list("parameters", _COSMOS_PARAMETER),
                        _PARTITION_KEY,
                        Element(
                            "paging",
                            children=_one(_liquid("max-item-count"), _liquid("continuation-token")),
                        ),
                    ),
                )
            ),
            Child(Element("read-request", children=_one(_req(_liquid("id")), _PARTITION_KEY))),
            Child(
                Element(
                    "delete-request",
                    (_CONSISTENCY, _a("pre-trigger"), _a("post-trigger")),
                    _one(
                        Element("etag", (_a("type"), _LIQUID), text=Text.PAYLOAD),
                        _req(_liquid("id")),
                        _PARTITION_KEY,
                    ),
                )
            ),
            Child(
                Element(
                    "write-request",
                    (
                        _a("type", values="insert replace upsert"),
                        _CONSISTENCY,
                        _a("pre-trigger"),
                        _a("post-trigger"),
                    ),
                    _one(
                        _liquid("id"),
                        _PARTITION_KEY,
                        Element(
                            "etag",
                            (_a("type", values="match no-match"), _LIQUID),
                            text=Text.PAYLOAD,
                        ),
                        SET_BODY,
                    ),
                )
            ),
            Child(Element("response", children=_one(SET_BODY, PUBLISH_EVENT))),
        ),
        sections=_NOT_A_STATEMENT,
    ),
    # Deprecated GraphQL resolver policy (superseded by resolver documents).
    Element(
        "set-graphql-resolver",
        (_a("parent-type", req=True), _a("field", req=True)),
        _one(Element("http-data-source", text=Text.PAYLOAD, opaque=True)),
        sections=frozenset({"backend"}),
    ),
)

POLICIES: Final[Mapping[str, Element]] = MappingProxyType({p.name: p for p in _POLICY_LIST})

# --- the expression surface APIM documents beyond type names (spec §2, §3.3) ----------------------
#
# `check` uses these to tell an expression APIM refuses from one certgate cannot compile *yet*:
# the compiler reports a member of a context type it does not model, or an APIM type it does not
# know, in APIM's own words ("Usage of member ... is not supported within expressions"); when APIM
# documents that member or type, the document is valid APIM and only not runnable.

#: Members APIM documents per type: its context interfaces (spec §2) and the allow-listed types
#: expressions use most.
CONTEXT_MEMBERS: Final[Mapping[str, frozenset[str]]] = MappingProxyType(
    {
        name: frozenset(members.split())
        for name, members in {
            "IProxyRequestContext": "Api Backend Deployment Elapsed GraphQL LastError Operation "
            "Product Request RequestId Response Subscription Timestamp Tracing User Variables "
            "Trace Workspace",
            "IApi": "Id IsCurrentRevision Name Path Protocols Revision ServiceUrl "
            "SubscriptionKeyParameterNames Version",
            "IBackend": "AzureRegion Id Type",
            "IDeployment": "Certificates Gateway GatewayId Region ServiceId ServiceName "
            "SustainabilityInfo",
            "IGateway": "Id InstanceId IsManaged",
            "ILastError": "Source Reason Message Scope Section Path PolicyId",
            "IOperation": "Id Method Name UrlTemplate",
            "IProduct": "ApprovalRequired Apis Groups Id Name State SubscriptionLimit "
            "SubscriptionsLimit SubscriptionRequired",
            "IRequest": "Body Certificate Headers IpAddress MatchedParameters Method OriginalUrl "
            "Url PrivateEndpointConnection Foundry",
            "IResponse": "Body Headers StatusCode StatusReason",
            "IUrl": "Host Path Port Query QueryString Scheme ToUri ToString",
            "ISubscription": "CreatedDate CreatedTime EndDate Id Key Name PrimaryKey SecondaryKey "
            "StartDate",
            "IUser": "Email FirstName Groups Id Identities LastName Note RegistrationDate",
            "IGroup": "Id Name",
            "IUserIdentity": "Id Provider",
            "IMessageBody": "As AsFormUrlEncodedContent",
            "IPrivateEndpointConnection": "Name GroupId MemberName",
            "ISubscriptionKeyParameterNames": "Header Query",
            "IWorkspace": "Id Name",
            "BasicAuthCredentials": "UserId Password",
            "Jwt": "Algorithm Audiences Claims ExpirationTime Id Issuer IssuedAt NotBefore "
            "Subject Type",
            # The object `get-authorization-context` stores (its reference page).
            "Authorization": "AccessToken Claims",
            # Allow-listed .NET types with "All" members whose members certgate meets most: the
            # members that exist (spec §2.2, §2.6), so that a misspelt member stays an error.
            "X509Certificate2": "Thumbprint Subject SubjectName Issuer IssuerName NotBefore "
            "NotAfter SerialNumber GetSerialNumber GetSerialNumberString RawData GetRawCertData "
            "GetCertHash GetCertHashString Version SignatureAlgorithm PublicKey HasPrivateKey "
            "FriendlyName GetNameInfo GetExpirationDateString GetEffectiveDateString Verify "
            "VerifyNoRevocation ToString GetRSAPublicKey GetRSAPrivateKey Export Equals "
            "GetHashCode GetPublicKey GetPublicKeyString GetKeyAlgorithm "
            "GetKeyAlgorithmParameters GetKeyAlgorithmParametersString GetFormat Archived",
            "IReadOnlyDictionary": "ContainsKey TryGetValue Keys Values Count GetEnumerator "
            "Item GetValueOrDefault Equals GetHashCode ToString",
        }.items()
    }
)

#: APIM-specific type names an expression may use (casts, generic arguments), spec §2.
APIM_CONTEXT_TYPES: Final = frozenset(CONTEXT_MEMBERS) - {
    "X509Certificate2",
    "IReadOnlyDictionary",
} | frozenset({"IGraphQLDataObject", "BackendType", "ProductState", "CarbonIntensityCategory"})

#: Allow-listed types whose members are *all* allowed (spec §3.3 "All"), short and full names.
UNRESTRICTED_TYPES: Final = frozenset(
    name
    for full in _words(
        """
    Newtonsoft.Json.Formatting Newtonsoft.Json.Linq.Extensions Newtonsoft.Json.Linq.JArray
    Newtonsoft.Json.Linq.JConstructor Newtonsoft.Json.Linq.JContainer Newtonsoft.Json.Linq.JObject
    Newtonsoft.Json.Linq.JProperty Newtonsoft.Json.Linq.JRaw Newtonsoft.Json.Linq.JToken
    Newtonsoft.Json.Linq.JTokenType Newtonsoft.Json.Linq.JValue System.Array System.BitConverter
    System.Boolean System.Byte System.Char System.Convert System.DateTimeOffset System.Decimal
    System.Double System.Exception System.Guid System.Int16 System.Int32 System.Int64 System.Math
    System.MidpointRounding System.Nullable System.Random System.SByte System.Single System.String
    System.StringComparer System.StringComparison System.StringSplitOptions System.TimeSpan
    System.TimeZone System.TimeZoneInfo System.Tuple System.UInt16 System.UInt32 System.UInt64
    System.Uri System.UriPartial System.Text.Encoding System.Text.StringBuilder
    System.Collections.Generic.Dictionary System.Collections.Generic.HashSet
    System.Collections.Generic.ICollection System.Collections.Generic.IDictionary
    System.Collections.Generic.IEnumerable System.Collections.Generic.IEnumerator
    System.Collections.Generic.IList System.Collections.Generic.IReadOnlyCollection
    System.Collections.Generic.IReadOnlyDictionary System.Collections.Generic.ISet
    System.Collections.Generic.KeyValuePair System.Collections.Generic.List
    System.Collections.Generic.Queue System.Collections.Generic.Stack
    System.Security.Cryptography.X509Certificates.X509Certificate
    System.Security.Cryptography.X509Certificates.X509Certificate2
    System.Security.Cryptography.X509Certificates.PublicKey
    System.Security.Cryptography.X509Certificates.RSACertificateExtensions
    System.Security.Cryptography.X509Certificates.X509ContentType
    System.Security.Cryptography.X509Certificates.X509NameType
    System.Xml.Linq.XElement System.Xml.Linq.XDocument System.Xml.Linq.XNode
    System.Xml.Linq.XAttribute System.Xml.Linq.XContainer System.Xml.Linq.XName
    """
    )
    for name in (full, full.rsplit(".", 1)[-1])
)

#: `System.Linq.Enumerable` (allowed "All"): extension methods on any sequence.
LINQ_METHODS: Final = frozenset(
    _words(
        """
    Aggregate All Any Append AsEnumerable Average Cast Concat Contains Count DefaultIfEmpty
    Distinct ElementAt ElementAtOrDefault Except First FirstOrDefault GroupBy GroupJoin Intersect
    Join Last LastOrDefault LongCount Max Min OfType OrderBy OrderByDescending Prepend Reverse
    Select SelectMany SequenceEqual Single SingleOrDefault Skip SkipWhile Sum Take TakeWhile
    ThenBy ThenByDescending ToArray ToDictionary ToHashSet ToList ToLookup Union Where Zip
    """
    )
)

#: APIM's own extension methods (spec §2.15).
EXTENSION_METHODS: Final = frozenset(
    _words("AsBasic TryParseBasic AsJwt TryParseJwt Encrypt Decrypt VerifyNoRevocation")
)
