"""Policies that admit or refuse a request, or answer it themselves: check-header, ip-filter,
mock-response (spec §5.10-5.12, §4.5 for their LastError reasons and messages)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from certgate.core.context import RequestContext
from certgate.core.expr import Expression
from certgate.core.model import Response, field_text_problem, reason_phrase
from certgate.core.policy.builders import (
    REGISTRY,
    Where,
    at,
    bool_value,
    check_attributes,
    expression_or_literal,
    int_value,
    literal,
    no_children,
    origin,
    require,
    text_value,
)
from certgate.core.policy.nodes import Node, Origin
from certgate.core.policy.values import to_bool, to_int, to_text
from certgate.core.policy.xmltree import XmlElement
from certgate.errors import PolicyError, PolicyRuntimeError

Value = str | Expression
IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def refusal(source: str, reason: str, message: str, status: int, body: str) -> PolicyRuntimeError:
    return PolicyRuntimeError(
        message,
        reason=reason,
        source=source,
        status=status,
        status_reason=reason_phrase(status),
        client_message=body,
    )


class CheckHeader(Node):
    __slots__ = ("code", "ignore_case", "message", "name", "values")

    def __init__(
        self,
        origin: Origin,
        name: Value,
        code: int | Expression,
        message: Value,
        ignore_case: bool | Expression,
        values: tuple[Value, ...],
    ) -> None:
        super().__init__(origin)
        self.name, self.code, self.message = name, code, message
        self.ignore_case, self.values = ignore_case, values

    def apply(self, ctx: RequestContext) -> Response | None:
        name = to_text(self.name, ctx)
        found = [
            v.decode("latin-1")
            for n, v in ctx.Request.headers
            if n.decode("latin-1").lower() == name.lower()
        ]
        if not found:
            raise self._fail(ctx, "HeaderNotFound", f"Header {name} was not found in the request.")
        if not self.values:
            return None
        fold = to_bool(self.ignore_case, ctx)
        allowed = {_fold(to_text(v, ctx), fold) for v in self.values}
        if any(_fold(value, fold) in allowed for value in found):
            return None
        shown = ",".join(found)
        raise self._fail(
            ctx, "HeaderValueNotAllowed", f"Header {name} value of {shown} is not allowed."
        )

    def _fail(self, ctx: RequestContext, reason: str, message: str) -> PolicyRuntimeError:
        status = to_int(self.code, ctx)
        return refusal(
            "check-header", reason, f"{message} Access denied.", status, to_text(self.message, ctx)
        )


def _fold(value: str, fold: bool) -> str:
    return value.lower() if fold else value


@REGISTRY.register("check-header", frozenset({"inbound"}))
def _check_header(el: XmlElement, where: Where) -> Node:
    names = ("name", "failed-check-httpcode", "failed-check-error-message", "ignore-case")
    check_attributes(el, where, frozenset(names))
    attrs = [require(el, where, n) for n in names]
    values = []
    for child in el.children:
        if child.tag != "value":
            raise PolicyError(
                f"The element 'check-header' cannot contain '{child.tag}'.", **at(child, where)
            )
        values.append(text_value(child, where))
    return CheckHeader(
        origin(el, where),
        expression_or_literal(attrs[0], el, where),
        int_value(attrs[1], el, where),
        expression_or_literal(attrs[2], el, where),
        bool_value(attrs[3], el, where),
        tuple(values),
    )


@dataclass(frozen=True, slots=True)
class IpRange:
    first: Value
    last: Value

    def contains(self, ip: IpAddress, ctx: RequestContext) -> bool:
        low, high = _ip(to_text(self.first, ctx)), _ip(to_text(self.last, ctx))
        return type(low) is type(ip) and low <= ip <= high  # type: ignore[operator]


def _ip(text: str) -> IpAddress:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        raise PolicyRuntimeError(f"'{text}' is not an IP address.", source="ip-filter") from None


class IpFilter(Node):
    __slots__ = ("action", "addresses", "ranges")

    def __init__(
        self,
        origin: Origin,
        action: Value,
        addresses: tuple[Value, ...],
        ranges: tuple[IpRange, ...],
    ) -> None:
        super().__init__(origin)
        self.action, self.addresses, self.ranges = action, addresses, ranges

    def apply(self, ctx: RequestContext) -> Response | None:
        caller = ctx.Request.IpAddress
        try:
            ip = ipaddress.ip_address(caller)
        except ValueError:
            message = "Failed to establish IP address for the caller. Access denied."
            raise refusal("ip-filter", "FailedToParseCallerIP", message, 403, message) from None
        listed = any(_ip(to_text(a, ctx)) == ip for a in self.addresses) or any(
            r.contains(ip, ctx) for r in self.ranges
        )
        if to_text(self.action, ctx) == "allow" and not listed:
            message = f"Caller IP address {caller} is not allowed. Access denied."
            raise refusal("ip-filter", "CallerIpNotAllowed", message, 403, message)
        if to_text(self.action, ctx) == "forbid" and listed:
            message = "Caller IP address is blocked. Access denied."
            raise refusal("ip-filter", "CallerIpBlocked", message, 403, message)
        return None


@REGISTRY.register("ip-filter", frozenset({"inbound"}))
def _ip_filter(el: XmlElement, where: Where) -> Node:
    check_attributes(el, where, frozenset({"action"}))
    action = expression_or_literal(require(el, where, "action"), el, where)
    if isinstance(action, str) and action not in ("allow", "forbid"):
        raise PolicyError("'action' must be 'allow' or 'forbid'.", **at(el, where))
    addresses: list[Value] = []
    ranges: list[IpRange] = []
    for child in el.children:
        if child.tag == "address":
            check_attributes(child, where, frozenset())
            addresses.append(_literal_ip(text_value(child, where), child, where))
        elif child.tag == "address-range":
            check_attributes(child, where, frozenset({"from", "to"}))
            no_children(child, where)
            first = expression_or_literal(require(child, where, "from"), child, where)
            last = expression_or_literal(require(child, where, "to"), child, where)
            ranges.append(
                IpRange(_literal_ip(first, child, where), _literal_ip(last, child, where))
            )
        else:
            raise PolicyError(
                f"The element 'ip-filter' cannot contain '{child.tag}'.", **at(child, where)
            )
    if not addresses and not ranges:
        raise PolicyError("ip-filter needs an 'address' or an 'address-range'.", **at(el, where))
    return IpFilter(origin(el, where), action, tuple(addresses), tuple(ranges))


def _literal_ip(value: Value, el: XmlElement, where: Where) -> Value:
    """Check literal addresses at load time; expressions are checked when they run."""
    if isinstance(value, str):
        try:
            ipaddress.ip_address(value.strip())
        except ValueError:
            raise PolicyError(f"'{value}' is not an IP address.", **at(el, where)) from None
    return value


class MockResponse(Node):
    """Ends the pipeline with a canned response. certgate holds no OpenAPI examples or schemas
    yet, so the body is empty (APIM's answer for an operation without them)."""

    __slots__ = ("content_type", "status")

    def __init__(self, origin: Origin, status: int, content_type: str | None) -> None:
        super().__init__(origin)
        self.status, self.content_type = status, content_type

    def apply(self, ctx: RequestContext) -> Response | None:
        headers = (
            [(b"Content-Type", self.content_type.encode("latin-1"))] if self.content_type else []
        )
        return Response(status=self.status, headers=headers)


@REGISTRY.register("mock-response", frozenset({"inbound", "outbound", "on-error"}))
def _mock_response(el: XmlElement, where: Where) -> Node:
    check_attributes(el, where, frozenset({"status-code", "content-type"}))
    no_children(el, where)
    for attr in el.attrs.values():
        literal(attr, el, where)
    status = 200
    if "status-code" in el.attrs:
        value = int_value(el.attrs["status-code"], el, where)
        assert isinstance(value, int)
        status = value
    content_type = el.attrs["content-type"].value if "content-type" in el.attrs else None
    if content_type is not None and (problem := field_text_problem(content_type)):
        pos = el.attrs["content-type"].pos
        raise PolicyError(f"Invalid content-type: {problem}.", **at(el, where, pos))
    return MockResponse(origin(el, where), status, content_type)
