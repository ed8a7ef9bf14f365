"""Compiled policy statements: immutable, built once at load, run per request.

A node's `apply(ctx)` runs it; it returns a `Response` when the pipeline must end there
(`return-response`), else None. Nodes that must talk to the outside world (`forward-request`, or a
`choose` that contains one) set `yields = True` and are run through `steps(ctx)` instead: a
generator that yields `Forward` actions to the I/O driver and receives the backend's response.
That keeps the core free of I/O (architecture rule 2).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import ClassVar, Protocol

from certgate.core.context import RequestContext, ResponseView
from certgate.core.expr import Expression
from certgate.core.expr.encoding import utf8
from certgate.core.model import Response, field_text_problem
from certgate.core.policy.values import to_bool, to_int, to_text
from certgate.errors import PolicyRuntimeError


@dataclass(frozen=True, slots=True)
class Forward:
    """Action: send the current request to the backend, wait at most `timeout` seconds for the
    response head."""

    timeout: float


Steps = Generator[Forward, Response, Response | None]


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a statement sits, for `context.LastError` (Scope, Section, Path, PolicyId)."""

    name: str
    scope: str
    section: str
    path: str
    policy_id: str | None


class Node:
    __slots__ = ("origin", "yields")
    YIELDS: ClassVar[bool] = False

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.yields = self.YIELDS

    def apply(self, ctx: RequestContext) -> Response | None:
        raise NotImplementedError

    def steps(self, ctx: RequestContext) -> Steps:
        """Generator form; only nodes with `yields = True` override it."""
        return self.apply(ctx)
        yield  # pragma: no cover - makes this a generator


def run_nodes(nodes: tuple[Node, ...], ctx: RequestContext) -> Steps:
    """Run statements top to bottom; stop at the first that ends the pipeline."""
    for node in nodes:
        try:
            if node.yields:
                if type(node) is ForwardRequest:  # the usual backend: no generator of its own
                    node.received(ctx, (yield node.request(ctx)))
                    continue
                done = yield from node.steps(ctx)
            else:
                done = node.apply(ctx)
        except PolicyRuntimeError as err:
            _locate(err, node.origin)
            raise
        if done is not None:
            return done
    return None


def _locate(err: PolicyRuntimeError, origin: Origin) -> None:
    # The innermost statement that failed names the error; outer ones leave it alone.
    if err.section is None:
        err.source = err.source or origin.name
        err.scope, err.section = origin.scope, origin.section
        err.path, err.policy_id = origin.path, origin.policy_id


class When:
    __slots__ = ("body", "condition")

    def __init__(self, condition: bool | Expression, body: tuple[Node, ...]) -> None:
        self.condition = condition
        self.body = body


class Choose(Node):
    __slots__ = ("otherwise", "whens")

    def __init__(self, origin: Origin, whens: tuple[When, ...], otherwise: tuple[Node, ...]):
        super().__init__(origin)
        self.whens = whens
        self.otherwise = otherwise
        branches = [w.body for w in whens] + [otherwise]
        self.yields = any(n.yields for body in branches for n in body)

    def _branch(self, ctx: RequestContext) -> tuple[Node, ...]:
        # First true condition wins; later conditions are never evaluated (spec §5.3, TV-25).
        for when in self.whens:
            if to_bool(when.condition, ctx):
                return when.body
        return self.otherwise

    def apply(self, ctx: RequestContext) -> Response | None:
        for node in self._branch(ctx):
            try:
                done = node.apply(ctx)
            except PolicyRuntimeError as err:
                _locate(err, node.origin)
                raise
            if done is not None:
                return done
        return None

    def steps(self, ctx: RequestContext) -> Steps:
        return (yield from run_nodes(self._branch(ctx), ctx))


class SetStatus(Node):
    __slots__ = ("code", "reason")

    def __init__(self, origin: Origin, code: int | Expression, reason: str | Expression | None):
        super().__init__(origin)
        self.code = code
        self.reason = reason

    def set_on(self, response: Response, ctx: RequestContext) -> None:
        response.status = to_int(self.code, ctx)
        if self.reason is None:
            response.reason = None
            return
        reason = to_text(self.reason, ctx)
        if isinstance(self.reason, Expression) and (problem := field_text_problem(reason)):
            raise PolicyRuntimeError(f"Invalid reason phrase: {problem}.", source="set-status")
        response.reason = reason

    def apply(self, ctx: RequestContext) -> Response | None:
        self.set_on(ctx.response, ctx)
        return None


class SetBody(Node):
    __slots__ = ("value",)

    def __init__(self, origin: Origin, value: str | Expression) -> None:
        super().__init__(origin)
        self.value = value

    def set_on(self, response: Response, ctx: RequestContext) -> None:
        response.body = utf8(to_text(self.value, ctx))


class ResponsePart(Protocol):
    origin: Origin

    def set_on(self, response: Response, ctx: RequestContext) -> None: ...


class ReturnResponse(Node):
    """Ends the pipeline with a fresh response (spec §5.4): nothing else runs, in any section."""

    __slots__ = ("parts", "status", "variable")

    def __init__(
        self,
        origin: Origin,
        status: SetStatus | None,
        headers: tuple[ResponsePart, ...],
        body: SetBody | None,
        variable: str | None = None,
    ) -> None:
        super().__init__(origin)
        self.status = status
        self.variable = variable
        parts: list[ResponsePart] = [status] if status else []
        self.parts = (*parts, *headers, *([body] if body else []))

    def apply(self, ctx: RequestContext) -> Response | None:
        response = Response() if self.variable is None else self._from_variable(ctx)
        for child in self.parts:
            try:
                child.set_on(response, ctx)
            except PolicyRuntimeError as err:
                _locate(err, child.origin)
                raise
        return response

    def _from_variable(self, ctx: RequestContext) -> Response:
        """`response-variable-name`: start from a copy of the IResponse the variable holds."""
        value = ctx.Variables.GetValueOrDefault(self.variable)
        if not isinstance(value, ResponseView):
            kind = "null" if value is None else type(value).__name__
            raise PolicyRuntimeError(
                f"Variable '{self.variable}' does not hold a response ({kind}).",
                source="return-response",
            )
        held = value.response
        return Response(held.status, held.reason, list(held.headers), held.body)


class ForwardRequest(Node):
    __slots__ = ("fail_on_error_status", "fixed", "timeout")
    YIELDS = True

    def __init__(self, origin: Origin, timeout: float | Expression, fail_on_error: bool) -> None:
        super().__init__(origin)
        self.timeout = timeout
        self.fail_on_error_status = fail_on_error
        self.fixed = Forward(timeout) if isinstance(timeout, float) else None  # made once

    def steps(self, ctx: RequestContext) -> Steps:
        self.received(ctx, (yield self.request(ctx)))
        return None

    def request(self, ctx: RequestContext) -> Forward:
        if self.fixed is not None:
            return self.fixed
        assert not isinstance(self.timeout, float)
        return Forward(float(to_int(self.timeout, ctx)))

    def received(self, ctx: RequestContext, response: Response) -> None:
        ctx.response = response
        if self.fail_on_error_status and 400 <= response.status <= 599:
            raise PolicyRuntimeError(
                f"Backend returned status code {response.status}.",
                source="forward-request",
                status=response.status,
                status_reason=response.reason_text,
            )
