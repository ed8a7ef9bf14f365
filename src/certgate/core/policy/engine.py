"""Runs one request through an effective policy (spec §4.4), without doing any I/O.

`execute` is a generator: it yields `Forward` when the backend must be called and receives the
backend's `Response` (or has an `UpstreamError` thrown in); it returns the response to send. On a
policy error the rest of inbound/backend/outbound is skipped, `context.LastError` is filled, the
error's own response is preloaded into `context.Response`, and the effective on-error runs.
"""

from __future__ import annotations

from collections.abc import Generator

from certgate.core.context import ErrorInfo, LastError, RequestContext
from certgate.core.model import Response, gateway_error
from certgate.core.policy.document import EffectivePolicy
from certgate.core.policy.nodes import Forward, run_nodes
from certgate.errors import ExpressionRuntimeError, PolicyRuntimeError

Execution = Generator[Forward, Response, Response]


def execute(policy: EffectivePolicy, ctx: RequestContext) -> Execution:
    try:
        done = yield from run_nodes(policy.pipeline, ctx)
        # return-response ends the pipeline: nothing else runs, in any section
        return done if done is not None else ctx.final_response()
    except PolicyRuntimeError as err:
        return (yield from _on_error(policy, ctx, err))


def _on_error(policy: EffectivePolicy, ctx: RequestContext, err: PolicyRuntimeError) -> Execution:
    ctx.LastError = LastError(_error_info(err))
    ctx.response = error_response(err, ctx.request_id)
    try:
        done = yield from run_nodes(policy.on_error, ctx)
    except PolicyRuntimeError:
        # An error inside on-error is not documented; APIM users see the generic 500 (§4.4).
        return gateway_error(500, "Internal server error", ctx.request_id)
    return done if done is not None else ctx.final_response()


def _error_info(err: PolicyRuntimeError) -> ErrorInfo:
    message = err.message
    if isinstance(err, ExpressionRuntimeError):
        message = f"Expression evaluation failed. {err.message}"
    return ErrorInfo(
        source=err.source or "gateway",
        reason=err.reason,
        message=message,
        scope=err.scope,
        section=err.section,
        path=err.path,
        policy_id=err.policy_id,
    )


def error_response(err: PolicyRuntimeError, activity_id: str) -> Response:
    """The response a policy error produces when on-error does not replace it."""
    return gateway_error(err.status, err.client_message, activity_id)
