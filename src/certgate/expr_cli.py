"""`certgate expr eval 'EXPRESSION' [--context FILE.json]`: run one policy expression.

The argument is a bare C# expression (`1 + 1`), `@(...)` or `@{...}`. The result is printed as
APIM turns an expression result into text (.NET `ToString()`, spec §3.5; `null` prints an empty
line) and the exit status is 0. A .NET exception prints `ExceptionType: message` on stderr and
exits 1; an expression that does not compile prints its position and exits 2, as does an unusable
context file.

The context file (JSON) describes the request and the variables; every key is optional:

    {"method": "POST", "url": "https://api.contoso.com/orders/7?debug=1", "ip": "10.0.0.1",
     "headers": {"Content-Type": "application/json", "X-Multi": ["a", "b"]},
     "body": {"any": "JSON value, or a string"}, "certificate": "client.pem",
     "matchedParameters": {"id": "7"}, "variables": {"n": 42, "doc": {"a": 1}},
     "api": {"id": "orders", "path": "orders", "serviceUrl": "https://backend.local"},
     "operation": {"id": "get-order", "method": "GET", "urlTemplate": "/orders/{id}"},
     "deployment": {"serviceName": "certgate", "region": "local", "certificates": ["ca.pem"]},
     "requestId": "...", "timestamp": "2024-01-02T03:04:05Z"}

`certificate` is a PEM or DER file (relative to the context file); JSON objects and arrays among
the variables become `JObject`/`JArray`, and integers `int` (`long` beyond its range), as a
policy would have stored them. `requestId` is a GUID.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from certgate.errors import CertgateError, ExpressionRuntimeError, LoadError

USAGE_ERROR = 2


class ContextFileError(Exception):
    pass


def add_parser(commands: Any) -> None:
    """Add `expr eval` to the `certgate` subcommands (an argparse subparsers action)."""
    expr = commands.add_parser("expr", help="work with C# policy expressions")
    actions = expr.add_subparsers(dest="expr_command", required=True)
    evaluate = actions.add_parser(
        "eval",
        help="compile and run one policy expression",
        description="Compile and run one APIM policy expression against a described request.",
    )
    evaluate.add_argument("expression", help="a C# expression, @(...) or @{...}")
    evaluate.add_argument("--context", type=Path, help="JSON file describing the request")


def run(args: argparse.Namespace) -> int:
    from certgate.core.context import RequestContext  # noqa: PLC0415 (keeps --help fast)
    from certgate.core.expr import compile_expression, to_dotnet_string  # noqa: PLC0415 (keeps --help fast)

    text, column = _expression_text(args.expression)
    try:
        context = build_context(args.context)
    except ContextFileError as exc:
        print(f"certgate: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    try:
        expression = compile_expression(text, column=column, context_type=RequestContext)
    except LoadError as exc:
        print(f"certgate: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    try:
        value = expression.evaluate(context)
    except ExpressionRuntimeError as exc:
        _write(sys.stderr, f"{exc.exception_type}: {exc.message}\n")
        return 1
    _write(sys.stdout, to_dotnet_string(value) + "\n")
    return 0


def _write(stream: TextIO, text: str) -> None:
    """.NET text may hold a lone surrogate; it is written as U+FFFD, as .NET's UTF-8 does."""
    from certgate.core.expr.encoding import utf8  # noqa: PLC0415 (keeps --help fast)

    stream.flush()
    stream.buffer.write(utf8(text))
    stream.buffer.flush()


def _expression_text(argument: str) -> tuple[str, int]:
    """(text to compile, column of its first character) so that positions point into the
    argument as typed: a bare expression is wrapped in `@(...)`."""
    stripped = argument.strip()
    if stripped.startswith(("@(", "@{")):
        return argument, 1
    return f"@({argument})", -1


def build_context(path: Path | None) -> object:
    spec: dict[str, Any] = {}
    if path is not None:
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ContextFileError(f"{path}: {exc.strerror or exc}") from None
        except json.JSONDecodeError as exc:
            raise ContextFileError(
                f"{path}: line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
        if not isinstance(spec, dict):
            raise ContextFileError(f"{path}: the context must be a JSON object")
    try:
        return _context(spec, path.parent if path else Path.cwd())
    except CertgateError as exc:
        raise ContextFileError(f"{path}: {exc}") from None
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise ContextFileError(f"{path}: {exc}") from None


def _context(spec: dict[str, Any], base: Path) -> object:
    from certgate.core.context import (  # noqa: PLC0415 (keeps --help fast)
        ApiInfo,
        DeploymentInfo,
        OperationInfo,
        RequestContext,
        RequestInfo,
        UrlInfo,
    )

    url = str(spec.get("url", "https://api.contoso.com/"))
    api = dict(spec.get("api") or {})
    operation = dict(spec.get("operation") or {})
    deployment = dict(spec.get("deployment") or {})
    method = str(spec.get("method", "GET")).upper()
    certificate = _certificate(spec.get("certificate"), base)
    request = RequestInfo(
        method,
        UrlInfo.parse(url),
        UrlInfo.parse(str(spec.get("originalUrl", url))),
        _headers(spec.get("headers") or {}),
        str(spec.get("ip", "127.0.0.1")),
        lambda: certificate,
        {str(k): str(v) for k, v in (spec.get("matchedParameters") or {}).items()},
        _body(spec.get("body")),
    )
    trusted = {}
    for item in deployment.get("certificates") or []:
        view = _certificate(item, base)
        if view is not None:
            trusted[view.Thumbprint] = view
    context = RequestContext(
        request,
        DeploymentInfo(
            trusted,
            str(deployment.get("serviceName", "certgate")),
            str(deployment.get("region", "local")),
        ),
        ApiInfo(
            str(api.get("id", "api")),
            str(api.get("path", "")),
            str(api.get("serviceUrl", "https://backend.local")),
        ),
        OperationInfo(
            str(operation.get("id", "operation")),
            str(operation.get("method", method)),
            str(operation.get("urlTemplate", "/*")),
            str(operation.get("name", operation.get("id", "operation"))),
        ),
        str(spec.get("requestId", "00000000-0000-0000-0000-000000000000")),
        _timestamp(spec.get("timestamp")),
    )
    for name, value in (spec.get("variables") or {}).items():
        stored = _variable(value)
        context.set_variable(str(name), stored, _integral_type(stored))
    context.RequestId  # noqa: B018 - a requestId that is no GUID fails here, not in an expression
    return context


def _headers(raw: dict[str, Any]) -> list[tuple[bytes, bytes]]:
    from certgate.core.model import field_text_problem, header_name_problem  # noqa: PLC0415

    headers: list[tuple[bytes, bytes]] = []
    for key, value in raw.items():
        name = str(key)
        for text in map(str, value if isinstance(value, list) else [value]):
            if problem := header_name_problem(name) or field_text_problem(text):
                raise ContextFileError(f"header {name!r}: {problem}")
            headers.append((name.encode("latin-1"), text.encode("latin-1")))
    return headers


def _body(value: object) -> bytes | None:
    from certgate.core.expr.encoding import utf8  # noqa: PLC0415 (keeps --help fast)

    if value is None:
        return None
    if isinstance(value, str):
        return utf8(value)
    return utf8(json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def _certificate(value: object, base: Path) -> Any:
    if value is None:
        return None
    from certgate.core.certs import load_certificate  # noqa: PLC0415 (keeps --help fast)

    path = base / str(value)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ContextFileError(f"certificate {path}: {exc.strerror or exc}") from None
    return load_certificate(data).view()


def _timestamp(value: object) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _integral_type(value: object) -> str | None:
    """A JSON integer is stored as `set-variable value="@(5)"` stores it: an Int32, or an
    Int64 beyond its range (so `(long)context.Variables["n"]` of 5 throws, as in APIM)."""
    if type(value) is not int:
        return None
    return "System.Int32" if -(2**31) <= value < 2**31 else "System.Int64"


def _variable(value: object) -> object:
    """JSON values as a policy would have stored them: objects/arrays become JObject/JArray."""
    if isinstance(value, (dict, list)):
        from certgate.core.expr.jsonio import parse  # noqa: PLC0415 (keeps --help fast)

        return parse(json.dumps(value))
    return value
