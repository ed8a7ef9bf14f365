"""Policies that change the request or the response: set-header, set-query-parameter,
rewrite-uri, set-backend-service, set-method, set-body, set-variable (spec §5.6-5.8, §8)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, quote

from certgate.core.context import RequestContext
from certgate.core.expr import CsArray, Expression, to_dotnet_string
from certgate.core.expr.binary import to_bytes
from certgate.core.expr.convert import from_base64_string
from certgate.core.expr.encoding import utf8
from certgate.core.model import (
    EXISTS_ACTIONS,
    Response,
    field_text_problem,
    header_name_problem,
    set_header,
)
from certgate.core.policy.builders import (
    REGISTRY,
    Location,
    Where,
    at,
    build_set_body,
    check_attributes,
    expression_or_literal,
    literal,
    literal_bool,
    no_children,
    origin,
    require,
    text_value,
)
from certgate.core.policy.nodes import Node, Origin
from certgate.core.policy.values import evaluate, to_text
from certgate.core.policy.xmltree import Pos, XmlElement
from certgate.core.url import UrlInfo
from certgate.errors import (
    ExpressionRuntimeError,
    NotSupportedError,
    PolicyError,
    PolicyRuntimeError,
)

Value = str | Expression


def _exists_action(el: XmlElement, where: Where) -> Value:
    attr = el.attrs.get("exists-action")
    if attr is None:
        return "override"
    value = expression_or_literal(attr, el, where)
    if isinstance(value, str) and value not in EXISTS_ACTIONS:
        raise PolicyError(
            f"'exists-action' must be one of {', '.join(EXISTS_ACTIONS)}.",
            **at(el, where, attr.pos),
        )
    return value


def _values(el: XmlElement, where: Where) -> tuple[Value, ...]:
    values = []
    for child in el.children:
        if child.tag != "value":
            raise PolicyError(
                f"The element '{el.tag}' cannot contain '{child.tag}'; expected 'value'.",
                **at(child, where),
            )
        check_attributes(child, where, frozenset())
        values.append(text_value(child, where))
    return tuple(values)


def _action(value: Value, ctx: RequestContext) -> str:
    action = to_text(value, ctx)
    if action not in EXISTS_ACTIONS:
        raise PolicyRuntimeError(f"Invalid exists-action '{action}'.")
    return action


class SetHeader(Node):
    __slots__ = ("action", "name", "on_response", "values")

    def __init__(
        self, origin: Origin, name: Value, action: Value, values: tuple[Value, ...], response: bool
    ) -> None:
        super().__init__(origin)
        self.name, self.action, self.values, self.on_response = name, action, values, response

    def set_on(self, response: Response, ctx: RequestContext) -> None:
        """Inside return-response: act on the response being built."""
        set_header(response.headers, *self._arguments(ctx))

    def _arguments(self, ctx: RequestContext) -> tuple[str, list[str], str]:
        """Name, values and action; a computed name or value HTTP cannot carry fails the policy
        (literals were checked at load): written as is, CR LF would inject headers or a
        request."""
        name = to_text(self.name, ctx)
        if isinstance(self.name, Expression) and (problem := header_name_problem(name)):
            raise PolicyRuntimeError(
                f"Invalid header name {name!r}: {problem}.", source="set-header"
            )
        values = [to_text(v, ctx) for v in self.values]
        for value, text in zip(self.values, values, strict=True):
            if isinstance(value, Expression) and (problem := field_text_problem(text)):
                raise PolicyRuntimeError(
                    f"Invalid value for header '{name}': {problem}.", source="set-header"
                )
        return name, values, _action(self.action, ctx)

    def apply(self, ctx: RequestContext) -> Response | None:
        target = ctx.Response if self.on_response else ctx.Request
        target.set_header(*self._arguments(ctx))
        return None


def build_set_header(el: XmlElement, where: Where, *, response: bool | None = None) -> SetHeader:
    check_attributes(el, where, frozenset({"name", "exists-action"}))
    name_attr = require(el, where, "name")
    name = expression_or_literal(name_attr, el, where)
    if isinstance(name, str) and (problem := header_name_problem(name)):
        raise PolicyError(
            f"Invalid header name {name!r}: {problem}.", **at(el, where, name_attr.pos)
        )
    on_response = where.section in ("outbound", "on-error") if response is None else response
    values = _values(el, where)
    for child, value in zip(el.children, values, strict=True):
        if isinstance(value, str) and (problem := field_text_problem(value)):
            raise PolicyError(f"Invalid header value: {problem}.", **at(child, where))
    return SetHeader(origin(el, where), name, _exists_action(el, where), values, on_response)


REGISTRY.register("set-header")(build_set_header)
REGISTRY.children["return-response/set-header"] = lambda el, where: build_set_header(
    el, where, response=True
)


class SetVariable(Node):
    __slots__ = ("name", "value")

    def __init__(self, origin: Origin, name: str, value: Value) -> None:
        super().__init__(origin)
        self.name, self.value = name, value

    def apply(self, ctx: RequestContext) -> Response | None:
        # An expression keeps its .NET type; a literal is a System.String (spec §3.5).
        clr_type = None if isinstance(self.value, str) else self.value.clr_type
        ctx.set_variable(self.name, evaluate(self.value, ctx), clr_type)
        return None


@REGISTRY.register("set-variable")
def _set_variable(el: XmlElement, where: Where) -> Node:
    check_attributes(el, where, frozenset({"name", "value"}))
    no_children(el, where)
    name = literal(require(el, where, "name"), el, where)
    value = expression_or_literal(require(el, where, "value"), el, where)
    return SetVariable(origin(el, where), name, value)


class SetQueryParameter(Node):
    __slots__ = ("action", "name", "values")

    def __init__(self, origin: Origin, name: Value, action: Value, values: tuple[Value, ...]):
        super().__init__(origin)
        self.name, self.action, self.values = name, action, values

    def apply(self, ctx: RequestContext) -> Response | None:
        values = [to_text(v, ctx) for v in self.values]
        ctx.Request.Url.set_query_parameter(
            to_text(self.name, ctx), values, _action(self.action, ctx)
        )
        return None


@REGISTRY.register("set-query-parameter", frozenset({"inbound", "backend"}))
def _set_query_parameter(el: XmlElement, where: Where) -> Node:
    check_attributes(el, where, frozenset({"name", "exists-action"}))
    name = expression_or_literal(require(el, where, "name"), el, where)
    return SetQueryParameter(origin(el, where), name, _exists_action(el, where), _values(el, where))


class RewriteUri(Node):
    """`rewrite-uri`: the path after the service URL becomes the template, with `{param}` taken
    from the matched operation parameters; unmatched query parameters are kept when asked."""

    __slots__ = ("copy_unmatched", "template")

    def __init__(self, origin: Origin, template: Value, copy_unmatched: bool) -> None:
        super().__init__(origin)
        self.template, self.copy_unmatched = template, copy_unmatched

    def apply(self, ctx: RequestContext) -> Response | None:
        params = {str(p.Key).lower(): str(p.Value) for p in ctx.Request.MatchedParameters}
        path, _, query = to_text(self.template, ctx).partition("?")
        pairs = parse_qsl(_fill(query, params, ""), keep_blank_values=True)
        url = ctx.Request.Url
        if self.copy_unmatched:
            template_query = ctx.Operation.UrlTemplate.partition("?")[2]
            used = {k.lower() for k, _ in parse_qsl(template_query)} | {k.lower() for k, _ in pairs}
            pairs += [(k, v) for k, v in url.pairs() if k.lower() not in used]
        url.set_rest(_fill(path, params, "/"))
        url.set_query(pairs)
        return None


def _fill(template: str, params: dict[str, str], safe: str) -> str:
    out: list[str] = []
    i = 0
    while (start := template.find("{", i)) >= 0:
        end = template.find("}", start)
        if end < 0:
            break
        name = template[start + 1 : end].lstrip("*").lower()
        if name not in params:
            raise PolicyRuntimeError(
                f"Template parameter '{name}' is not a parameter of the operation.",
                source="rewrite-uri",
            )
        out += (template[i:start], quote(params[name], safe=safe))
        i = end + 1
    out.append(template[i:])
    return "".join(out)


@REGISTRY.register("rewrite-uri", frozenset({"inbound"}))
def _rewrite_uri(el: XmlElement, where: Where) -> Node:
    check_attributes(el, where, frozenset({"template", "copy-unmatched-params"}))
    no_children(el, where)
    template = expression_or_literal(require(el, where, "template"), el, where)
    copy = literal_bool(el, where, "copy-unmatched-params", True)
    return RewriteUri(origin(el, where), template, copy)


class SetBackendService(Node):
    __slots__ = ("backend_id", "base_url", "references")

    def __init__(
        self,
        origin: Origin,
        base_url: UrlInfo | Expression | None,
        backend_id: Value | None,
        references: tuple[Reference, ...] = (),
    ) -> None:
        super().__init__(origin)
        self.base_url = base_url  # a literal parsed at load
        self.backend_id = backend_id
        self.references = references  # a literal backend id, checked when the snapshot loads

    def apply(self, ctx: RequestContext) -> Response | None:
        if self.backend_id is not None:
            # The entity's URL, client certificates and TLS settings (spec §5.8, §6.4).
            entity = ctx.Deployment.backends.entity(to_text(self.backend_id, ctx))
            ctx.Request.Url.set_base(entity.url)
            ctx.backend = entity
            return None
        assert self.base_url is not None
        if isinstance(self.base_url, UrlInfo):
            ctx.Request.Url.set_base(self.base_url)
            ctx.backend = None
            return None
        url = to_text(self.base_url, ctx)
        if not url.startswith(("http://", "https://")):
            raise PolicyRuntimeError(
                f"base-url '{url}' is not an absolute http(s) URL.", source="set-backend-service"
            )
        try:
            ctx.Request.Url.set_base(url)
        except ValueError as err:
            raise PolicyRuntimeError(
                f"base-url '{url}' is not a valid URL: {err}.", source="set-backend-service"
            ) from None
        ctx.backend = None  # an entity whose URL this equals still applies when forwarding
        return None


@REGISTRY.register("set-backend-service", frozenset({"inbound", "backend"}))
def _set_backend_service(el: XmlElement, where: Where) -> Node:
    if any(name.startswith("dapr-") for name in el.attrs):
        raise NotSupportedError("set-backend-service for Dapr", **at(el, where))
    allowed = {"base-url", "backend-id", "sf-resolve-condition", "sf-service-instance-name"}
    allowed |= {"sf-partition-key", "sf-listener-name", "sf-replica-type"}
    check_attributes(el, where, frozenset(allowed))
    no_children(el, where)
    if any(name.startswith("sf-") for name in el.attrs):
        raise NotSupportedError("set-backend-service for Service Fabric", **at(el, where))
    if ("backend-id" in el.attrs) == ("base-url" in el.attrs):
        raise PolicyError(
            "Exactly one of the attributes 'base-url' and 'backend-id' must be given.",
            **at(el, where),
        )
    if "backend-id" in el.attrs:
        attr = el.attrs["backend-id"]
        backend_id = expression_or_literal(attr, el, where)
        refs = _reference("backend", backend_id, el, where, attr.pos)
        return SetBackendService(origin(el, where), None, backend_id, refs)
    attr = el.attrs["base-url"]
    base = expression_or_literal(attr, el, where)
    if isinstance(base, Expression):
        return SetBackendService(origin(el, where), base, None)
    if not base.startswith(("http://", "https://")):
        raise PolicyError(
            "'base-url' must be an absolute http:// or https:// URL.", **at(el, where, attr.pos)
        )
    try:
        return SetBackendService(origin(el, where), UrlInfo.parse(base), None)
    except ValueError as err:
        pos = attr.pos
        raise PolicyError(f"'base-url' is not a valid URL: {err}.", **at(el, where, pos)) from None


class AuthenticationCertificate(Node):
    """The certificate the gateway presents to the backend in the TLS handshake (spec §5.2)."""

    __slots__ = ("body", "certificate_id", "password", "references", "thumbprint")

    def __init__(
        self,
        origin: Origin,
        values: tuple[Value | None, ...],
        references: tuple[Reference, ...] = (),
    ) -> None:
        super().__init__(origin)
        self.thumbprint, self.certificate_id, self.body, self.password = values
        self.references = references  # literal certificate references, checked at load

    def apply(self, ctx: RequestContext) -> Response | None:
        backends = ctx.Deployment.backends
        if self.certificate_id is not None:
            ctx.backend_identity = backends.by_id(to_text(self.certificate_id, ctx))
        elif self.thumbprint is not None:
            ctx.backend_identity = backends.by_thumb(to_text(self.thumbprint, ctx))
        else:
            assert self.body is not None
            body = evaluate(self.body, ctx)
            if isinstance(body, str):  # a literal: the PFX in Base64
                body = from_base64_string(body)
            password = None if self.password is None else to_text(self.password, ctx)
            try:
                data = to_bytes(body)
            except ExpressionRuntimeError:
                raise PolicyRuntimeError(
                    "The 'body' attribute must be a byte[] holding a PFX.",
                    source="authentication-certificate",
                ) from None
            ctx.backend_identity = backends.from_pfx(data, password)
        return None


@REGISTRY.register("authentication-certificate", frozenset({"inbound"}))
def _authentication_certificate(el: XmlElement, where: Where) -> Node:
    names = ("thumbprint", "certificate-id", "body", "password")
    check_attributes(el, where, frozenset(names))
    no_children(el, where)
    given = [n for n in ("thumbprint", "certificate-id", "body") if n in el.attrs]
    if len(given) != 1:
        raise PolicyError(
            "Exactly one of the attributes 'thumbprint', 'certificate-id' and 'body' must be "
            "given.",
            **at(el, where),
        )
    if "password" in el.attrs and "body" not in el.attrs:
        raise PolicyError(
            "The 'password' attribute applies to 'body' only.",
            **at(el, where, el.attrs["password"].pos),
        )
    values = tuple(
        expression_or_literal(el.attrs[n], el, where) if n in el.attrs else None for n in names
    )
    kind, attr = given[0], el.attrs[given[0]]
    refs = (
        () if kind == "body" else _reference(kind, values[names.index(kind)], el, where, attr.pos)
    )
    return AuthenticationCertificate(origin(el, where), values, refs)


@dataclass(frozen=True, slots=True)
class Reference:
    """A literal reference to a configured entity (`backend`, `certificate-id`, `thumbprint`);
    the snapshot checks it exists, as APIM's save-time validation does."""

    kind: str
    value: str
    location: Location


def _reference(
    kind: str, value: Value | None, el: XmlElement, where: Where, pos: Pos
) -> tuple[Reference, ...]:
    if not isinstance(value, str):
        return ()
    return (Reference(kind, value, at(el, where, pos)),)


class SetMethod(Node):
    __slots__ = ("method",)

    def __init__(self, origin: Origin, method: Value) -> None:
        super().__init__(origin)
        self.method = method

    def apply(self, ctx: RequestContext) -> Response | None:
        method = to_text(self.method, ctx).strip()
        if not (method.isascii() and method.isalpha()):
            raise PolicyRuntimeError(f"{method!r} is not an HTTP method.", source="set-method")
        ctx.Request.Method = method.upper()
        return None


@REGISTRY.register("set-method", frozenset({"inbound", "on-error"}))
def _set_method(el: XmlElement, where: Where) -> Node:
    check_attributes(el, where, frozenset())
    no_children(el, where)
    method = text_value(el, where)
    if isinstance(method, str) and not method.strip().isalpha():
        raise PolicyError("set-method needs an HTTP method such as POST.", **at(el, where))
    return SetMethod(origin(el, where), method)


def body_bytes(value: object) -> bytes:
    """A set-body result as bytes: byte[] as is, anything else as .NET would print it."""
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    if isinstance(value, CsArray) and all(isinstance(b, int) for b in value):
        return bytes(value)  # type: ignore[arg-type]
    return utf8(to_dotnet_string(value))


class SetBodyPolicy(Node):
    __slots__ = ("on_response", "value")

    def __init__(self, origin: Origin, value: Value, on_response: bool) -> None:
        super().__init__(origin)
        self.value, self.on_response = value, on_response

    def apply(self, ctx: RequestContext) -> Response | None:
        data = body_bytes(evaluate(self.value, ctx))
        if self.on_response:
            ctx.Response.set_body(data)
        else:
            ctx.Request.set_body(data)
        return None


@REGISTRY.register("set-body")
def _set_body_policy(el: XmlElement, where: Where) -> Node:
    inner = build_set_body(el, where)
    return SetBodyPolicy(inner.origin, inner.value, where.section in ("outbound", "on-error"))
