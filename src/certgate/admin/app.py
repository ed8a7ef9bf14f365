"""The admin API as a FastAPI app: `create_app(store, auth, metrics)`.

Layers, outermost first: admin request metrics → authentication (401 before anything else runs)
→ a path guard (400 for '..' segments and encoded '/' in ids) → FastAPI with APIM-shaped error
handlers → the generic resource routes (routes.py), `/metrics` and `/openapi.json`. FastAPI's
interactive docs are off (they load scripts from a CDN); the OpenAPI document is served, behind
the same authentication as everything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from certgate import __version__
from certgate.admin.asgi_host import ASGIApp, Message, Receive, Scope, Send
from certgate.admin.auth import AdminAuth, AuthMiddleware
from certgate.admin.errors import (
    CODES,
    VALIDATION_MESSAGE,
    AdminError,
    error_json,
    log,
    validation_error,
)
from certgate.admin.kinds import Kind, store_kinds
from certgate.admin.routes import ERROR_REF, StoreLike, StoreRunner, add_kind_routes
from certgate.metrics import CONTENT_TYPE, Metrics

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "code": {"type": "string"},
                            "target": {"type": "string"},
                            "message": {"type": "string"},
                        },
                    },
                },
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}


def create_app(
    store: StoreLike,
    auth: AdminAuth,
    metrics: Metrics,
    *,
    kinds: Sequence[Kind] | None = None,
) -> FastAPI:
    kinds = tuple(kinds if kinds is not None else store_kinds())
    app = FastAPI(
        title="certgate admin API",
        version=__version__,
        description=(
            "APIM's management resources relative to a service (`PUT /apis/{apiId}`, "
            "`PUT /certificates/{certificateId}` ...). Authenticate with "
            "`Authorization: Bearer <token>` or an admin client certificate."
        ),
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    run = StoreRunner(store)
    app.state.store_runner = run
    _install_error_handlers(app)

    async def prometheus() -> Response:
        text = await run(metrics.render, store)
        return Response(text, media_type=CONTENT_TYPE)

    app.add_api_route(
        "/metrics",
        prometheus,
        methods=["GET"],
        operation_id="Metrics_Get",
        summary="Prometheus metrics (text exposition format 0.0.4)",
        tags=["Metrics"],
        response_class=Response,
        responses={
            200: {"description": "The metrics.", "content": {"text/plain": {"schema": _TEXT}}},
            401: _error_response("Missing or invalid credentials."),
        },
    )

    async def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    app.add_api_route("/openapi.json", openapi, methods=["GET"], include_in_schema=False)
    for kind in kinds:
        add_kind_routes(app, run, kind)

    def build_openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _openapi(app, kinds)
        return app.openapi_schema

    app.openapi = build_openapi  # type: ignore[method-assign]
    # add_middleware puts each new one outside the previous ones.
    app.add_middleware(PathGuard)
    app.add_middleware(AuthMiddleware, auth=auth, metrics=metrics)
    app.add_middleware(AdminMetrics, metrics=metrics)
    return app


_TEXT: dict[str, Any] = {"type": "string"}


def _error_response(text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"schema": {"$ref": ERROR_REF}}}}


def _openapi(app: FastAPI, kinds: Sequence[Kind]) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    # FastAPI documents 422 for every route with parameters; we answer 400 ValidationError.
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if isinstance(operation, dict):
                operation.get("responses", {}).pop("422", None)
    for kind in kinds:
        schemas.update(kind.components())
    schemas["ErrorResponse"] = ERROR_SCHEMA
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "A named admin token."},
        "adminCertificate": {
            "type": "mutualTLS",
            "description": "A client certificate whose thumbprint is configured.",
        },
    }
    schema["security"] = [{"bearer": []}, {"adminCertificate": []}]
    return schema


# --- errors ---------------------------------------------------------------------------------------


def _install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AdminError, _admin_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _request_validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _unexpected)


def admin_error_response(exc: AdminError) -> JSONResponse:
    return JSONResponse(
        error_json(exc.code, exc.message, exc.details), status_code=exc.status, headers=exc.headers
    )


async def _admin_error(_: Request, exc: AdminError) -> JSONResponse:
    return admin_error_response(exc)


async def _request_validation(_: Request, exc: RequestValidationError) -> JSONResponse:
    details = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        target = ".".join(loc[1:] if loc and loc[0] in ("path", "query", "header", "body") else loc)
        # Never echo the input: it may be a secret (a password sent in the wrong place).
        details.append(
            {"code": "ValidationError", "target": target, "message": str(error.get("msg"))}
        )
    return admin_error_response(AdminError(400, VALIDATION_MESSAGE, details=details))


async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
    status = exc.status_code
    message = {
        404: "The requested resource was not found.",
        405: "The HTTP method is not supported for this resource.",
    }.get(status, str(exc.detail))
    return admin_error_response(
        AdminError(status, message, code=CODES.get(status), headers=dict(exc.headers or {}))
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("admin: %s %s failed", request.method, request.url.path, exc_info=exc)
    return admin_error_response(AdminError(500, "Internal server error."))


# --- middleware -----------------------------------------------------------------------------------


class PathGuard:
    """Ids are single path segments: a '.' or '..' segment, or a '/' or '\\' hidden in one by
    percent-encoding, is a 400 before routing (Starlette would route on the decoded path)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path") or scope.get("path", "").encode()
            for segment in raw.decode("latin-1").split("/")[1:]:
                decoded = unquote(segment)
                if decoded in (".", "..") or "/" in decoded or "\\" in decoded:
                    exc = validation_error(
                        "path", "A path segment (an id) may not be '.' or '..' nor contain '/'."
                    )
                    await admin_error_response(exc)(scope, receive, send)
                    return
        await self.app(scope, receive, send)


class AdminMetrics:
    """Counts admin requests by method and status (401s included)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self.metrics.observe_admin(str(scope.get("method", "")), status)
