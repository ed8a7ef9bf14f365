"""One generic set of REST routes, generated from the store's resource kinds.

A kind is a path template relative to the service, as APIM has it (`apis/{apiId}/operations/
{operationId}`, `policies/policy`); for each kind the same handlers are registered:

    GET    /{collection}                 list: {"value", "count", "nextLink"}; $top, $skip
    GET    /{collection}/{id}            the entity, with its ETag
    HEAD   /{collection}/{id}            the ETag only
    PUT    /{collection}/{id}            create (201) or replace (200); If-Match optional
    PATCH  /{collection}/{id}            merge into the existing entity (200)
    DELETE /{collection}/{id}            200 when deleted, 204 when there was nothing

Adding a kind to the store adds its routes and its OpenAPI operations; no route code changes. The
handlers parse and check what HTTP brings (ids, query, JSON, If-Match) and leave every rule about
the configuration itself to the store, which validates the whole resulting configuration
atomically and stores nothing when it fails. Store calls run on one worker thread: SQLite work and
policy compilation must not stall the data plane sharing this event loop.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Literal, Protocol, TypeVar

from fastapi import FastAPI, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from certgate.admin.auth import principal_of
from certgate.admin.errors import VALIDATION_MESSAGE, AdminError, log, validation_error
from certgate.admin.kinds import ID_PATTERN, WRITE_ONLY, Kind
from certgate.errors import StoreError, ValidationFailed

T = TypeVar("T")

_ID = re.compile(ID_PATTERN)
DEFAULT_TOP = 100
MAX_TOP = 1000
_JSON_TYPES = ("application/json", "text/json")


class ResourceLike(Protocol):
    @property
    def etag(self) -> str: ...

    def to_json(self, *, policy_format: str | None = None) -> dict[str, Any]: ...


class StoreLike(Protocol):
    """The part of `certgate.store.Store` the admin API uses."""

    def get(self, path: str) -> Any: ...

    def list(
        self, collection: str, *, skip: int = 0, top: int = 100
    ) -> tuple[Sequence[Any], int]: ...

    def put(
        self, path: str, body: dict[str, Any], *, if_match: str | None = None, actor: str
    ) -> tuple[Any, bool]: ...

    def patch(
        self, path: str, body: dict[str, Any], *, if_match: str | None = None, actor: str
    ) -> Any: ...

    def delete(self, path: str, *, if_match: str | None = None, actor: str) -> bool: ...

    def version(self) -> int: ...

    def audit(
        self,
        *,
        actor: str,
        method: str,
        path: str,
        status: int,
        etag_before: str | None = None,
        etag_after: str | None = None,
        detail: str | None = None,
    ) -> None: ...


class StoreRunner:
    """Runs blocking store calls on one dedicated thread (writes are serialized anyway)."""

    def __init__(self, store: StoreLike) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="certgate-admin")

    async def __call__(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        with _store_errors():
            return await loop.run_in_executor(self._executor, partial(fn, *args, **kwargs))

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


@contextmanager
def _store_errors() -> Iterator[None]:
    """StoreError → its APIM error: ValidationFailed 400, NotFound 404, PreconditionFailed 412,
    Conflict 409 (the store's classes carry status, code and details)."""
    try:
        yield
    except StoreError as exc:
        raise store_error(exc) from None


def store_error(exc: StoreError) -> AdminError:
    if exc.status >= 500:  # the store's own failure (e.g. its master key): nothing to show
        log.error("admin: store failure: %s", exc)
        return AdminError(500, "Internal server error.")
    details = [dict(d) for d in exc.details]
    if isinstance(exc, ValidationFailed):
        return AdminError(exc.status, VALIDATION_MESSAGE, code=exc.code, details=details)
    return AdminError(exc.status, exc.message, code=exc.code, details=details)


# --- request parsing ------------------------------------------------------------------------------


def check_id(name: str, value: str) -> None:
    """Ids are path segments: no '/', no '..', a conservative alphabet (as the YAML config)."""
    if not _ID.match(value) or ".." in value:
        raise validation_error(name, f"'{name}' must match {ID_PATTERN} and contain no '..'.")


async def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; 400 (APIM-shaped) for anything else."""
    content_type = request.headers.get("content-type", "application/json").lower()
    if not any(t in content_type for t in _JSON_TYPES) and "+json" not in content_type:
        raise AdminError(415, "The request body must be application/json.")
    raw = await request.body()
    if not raw.strip():
        raise validation_error("body", 'The request body is empty; send {"properties": {...}}.')
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise validation_error("body", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise validation_error("body", "The request body must be a JSON object.")
    props = body.get("properties", {})
    if props is not None and not isinstance(props, dict):
        raise validation_error("properties", "'properties' must be a JSON object.")
    return body


def if_match_value(header: str | None) -> str | None:
    """If-Match → the store's etag ('*' stays '*'); quotes and a weak marker are taken off."""
    if header is None:
        return None
    value = header.strip()
    if value == "*":
        return value
    if "," in value:
        raise validation_error("If-Match", "Give one entity tag in If-Match.")
    value = value.removeprefix("W/")
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value:
        raise validation_error("If-Match", "If-Match is empty.")
    return value


def quote_etag(etag: str) -> str:
    return etag if etag.startswith(('"', 'W/"')) else f'"{etag}"'


# --- redaction (belt and braces: the store omits secrets already) --------------------------------


def redact(kind: Kind, body: dict[str, Any]) -> dict[str, Any]:
    """Drop write-only material from an entity on its way out."""
    props = body.get("properties")
    if not isinstance(props, dict):
        return body
    clean = _drop(props)
    if kind.secret_flag and clean.get(kind.secret_flag):
        clean.pop("value", None)
    return {**body, "properties": clean}


def _drop(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop(v) for k, v in value.items() if k not in WRITE_ONLY}
    if isinstance(value, list):
        return [_drop(v) for v in value]
    return value


# --- routes ---------------------------------------------------------------------------------------

Handler = Callable[[Request, dict[str, Any]], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class _Query:
    name: str
    annotation: Any


_API_VERSION = _Query(
    "api_version",
    Annotated[
        str | None,
        Query(alias="api-version", max_length=40, description="Accepted and ignored."),
    ],
)
_TOP = _Query(
    "top",
    Annotated[
        int | None,
        Query(alias="$top", ge=1, le=MAX_TOP, description=f"Page size (default {DEFAULT_TOP})."),
    ],
)
_FORMAT = _Query(
    "format",
    Annotated[
        Literal["xml", "rawxml"] | None,
        Query(description="Read the policy back entity-encoded (xml, default) or raw."),
    ],
)
_SKIP = _Query("skip", Annotated[int | None, Query(alias="$skip", ge=0)])
_IF_MATCH = _Query(
    "if_match",
    Annotated[str | None, Header(alias="If-Match", max_length=200, description="ETag, or '*'.")],
)


def _endpoint(path_params: Sequence[str], queries: Sequence[_Query], handler: Handler) -> Any:
    """A FastAPI endpoint whose signature declares the path ids and the query/header params
    (so they are validated and documented), and whose body the handler reads itself."""

    async def endpoint(request: Request, **values: Any) -> Response:
        for name in path_params:
            check_id(name, values[name])
        return await handler(request, values)

    params = [inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request)]
    params += [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=Annotated[str, Path(pattern=ID_PATTERN, max_length=80)],
        )
        for name in path_params
    ]
    params += [
        inspect.Parameter(
            q.name, inspect.Parameter.KEYWORD_ONLY, annotation=q.annotation, default=None
        )
        for q in queries
    ]
    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    return endpoint


def audited(run: StoreRunner, kind: Kind) -> Callable[[Handler], Handler]:
    """A write refused after authentication (bad input, a stale ETag, a conflict) goes into the
    audit log too, through the store's audit call: who tried what, the status and the error code,
    never the body. Successful writes are audited by the store in their own transaction."""

    def wrap(handler: Handler) -> Handler:
        async def audited_handler(request: Request, values: dict[str, Any]) -> Response:
            try:
                return await handler(request, values)
            except AdminError as exc:
                if 400 <= exc.status < 500:
                    await _audit_refusal(run, request, _path_or_raw(kind, values, request), exc)
                raise

        return audited_handler

    return wrap


def _path_or_raw(kind: Kind, values: Mapping[str, Any], request: Request) -> str:
    try:
        return kind.path(values)
    except KeyError:
        return request.url.path.strip("/")


async def _audit_refusal(run: StoreRunner, request: Request, path: str, exc: AdminError) -> None:
    try:
        await run(
            run.store.audit,
            actor=principal_of(request.scope).actor,
            method=request.method,
            path=path[:512],
            status=exc.status,
            detail=exc.code,
        )
    except Exception:  # auditing a refusal must not turn it into a 500
        log.exception("admin: could not audit a refused %s %s", request.method, path)


def add_kind_routes(app: FastAPI, run: StoreRunner, kind: Kind) -> None:
    """Register the six routes of one kind."""
    store = run.store
    item_path = "/" + kind.template
    collection_path = "/" + kind.collection_route
    item_params = kind.params
    parent_params = kind.parent_params
    tag = kind.tag
    label = kind.name

    def entity(resource: ResourceLike, status: int = 200, fmt: str | None = None) -> Response:
        body = resource.to_json(policy_format=fmt) if fmt else resource.to_json()
        return JSONResponse(
            redact(kind, body),
            status_code=status,
            headers={"ETag": quote_etag(resource.etag)},
        )

    async def list_items(request: Request, values: dict[str, Any]) -> Response:
        top = values.get("top") or DEFAULT_TOP
        skip = values.get("skip") or 0
        # The store answers NotFound when the collection's parent (an API ...) does not exist.
        items, total = await run(store.list, kind.collection_path(values), skip=skip, top=top)
        body: dict[str, Any] = {
            "value": [redact(kind, r.to_json()) for r in items],
            "count": total,
        }
        if items and skip + len(items) < total:
            body["nextLink"] = str(
                request.url.include_query_params(**{"$skip": skip + len(items), "$top": top})
            )
        return JSONResponse(body)

    async def get_item(request: Request, values: dict[str, Any]) -> Response:
        path = kind.path(values)
        resource = await run(store.get, path)
        if resource is None:
            raise AdminError(404, f"'{path}' was not found.")
        if request.method == "HEAD":
            return Response(status_code=200, headers={"ETag": quote_etag(resource.etag)})
        return entity(resource, fmt=values.get("format"))

    @audited(run, kind)
    async def put_item(request: Request, values: dict[str, Any]) -> Response:
        body = await json_body(request)
        actor = principal_of(request.scope).actor
        match = if_match_value(values.get("if_match"))
        resource, created = await run(
            store.put, kind.path(values), body, if_match=match, actor=actor
        )
        return entity(resource, 201 if created else 200)

    @audited(run, kind)
    async def patch_item(request: Request, values: dict[str, Any]) -> Response:
        body = await json_body(request)
        actor = principal_of(request.scope).actor
        match = if_match_value(values.get("if_match"))
        resource = await run(store.patch, kind.path(values), body, if_match=match, actor=actor)
        return entity(resource)

    @audited(run, kind)
    async def delete_item(request: Request, values: dict[str, Any]) -> Response:
        actor = principal_of(request.scope).actor
        match = if_match_value(values.get("if_match"))
        deleted = await run(store.delete, kind.path(values), if_match=match, actor=actor)
        return Response(status_code=200 if deleted else 204)

    ref = kind.schema_ref
    read = [_API_VERSION, _FORMAT] if kind.policy_formats else [_API_VERSION]
    write = [_API_VERSION, _IF_MATCH]
    app.add_api_route(
        collection_path,
        _endpoint(parent_params, [_API_VERSION, _TOP, _SKIP], list_items),
        methods=["GET"],
        operation_id=f"{kind.name}_ListByService",
        summary=f"List {label} entities",
        tags=[tag],
        responses=_responses({200: ("The page.", kind.list_ref)}, 400, 404),
    )
    app.add_api_route(
        item_path,
        _endpoint(item_params, read, get_item),
        methods=["GET"],
        operation_id=f"{kind.name}_Get",
        summary=f"Get a {label}",
        tags=[tag],
        responses=_responses({200: ("The entity.", ref)}, 400, 404, etag=200),
    )
    app.add_api_route(
        item_path,
        _endpoint(item_params, read, get_item),
        methods=["HEAD"],
        response_class=Response,  # no body: FastAPI must not document one
        operation_id=f"{kind.name}_GetEntityTag",
        summary=f"ETag of a {label}",
        tags=[tag],
        responses=_responses({200: ("The entity exists.", None)}, 400, 404, etag=200),
    )
    app.add_api_route(
        item_path,
        _endpoint(item_params, write, put_item),
        methods=["PUT"],
        operation_id=f"{kind.name}_CreateOrUpdate",
        summary=f"Create or replace a {label}",
        tags=[tag],
        responses=_responses(
            {200: ("Replaced.", ref), 201: ("Created.", ref)},
            400,
            404,
            409,
            412,
            413,
            415,
            etag=(200, 201),
        ),
        openapi_extra={"requestBody": _request_body(kind.body_ref)},
    )
    app.add_api_route(
        item_path,
        _endpoint(item_params, write, patch_item),
        methods=["PATCH"],
        operation_id=f"{kind.name}_Update",
        summary=f"Update a {label}",
        tags=[tag],
        responses=_responses({200: ("Updated.", ref)}, 400, 404, 409, 412, 413, 415, etag=200),
        openapi_extra={"requestBody": _request_body(kind.patch_ref)},
    )
    app.add_api_route(
        item_path,
        _endpoint(item_params, write, delete_item),
        methods=["DELETE"],
        response_class=Response,
        operation_id=f"{kind.name}_Delete",
        summary=f"Delete a {label}",
        tags=[tag],
        responses=_responses(
            {200: ("Deleted.", None), 204: ("There was nothing to delete.", None)},
            400,
            409,
            412,
        ),
    )


ERROR_REF = "#/components/schemas/ErrorResponse"
_ERROR_TEXT = {
    400: "Invalid request (ValidationError).",
    401: "Missing or invalid credentials.",
    404: "Not found (ResourceNotFound).",
    409: "Conflict with another entity.",
    412: "If-Match does not match the entity's ETag.",
    413: "The request body is too large.",
    415: "The request body is not JSON.",
}


def _responses(
    ok: Mapping[int, tuple[str, str | None]],
    *errors: int,
    etag: int | tuple[int, ...] = (),
) -> dict[int | str, dict[str, Any]]:
    with_etag = (etag,) if isinstance(etag, int) else etag
    out: dict[int | str, dict[str, Any]] = {}
    for status, (text, ref) in ok.items():
        entry: dict[str, Any] = {"description": text}
        if ref is not None:
            entry["content"] = {"application/json": {"schema": {"$ref": ref}}}
        else:
            entry["content"] = {}
        if status in with_etag:
            entry["headers"] = {
                "ETag": {"description": "The entity tag.", "schema": {"type": "string"}}
            }
        out[status] = entry
    for status in (*errors, 401):
        out[status] = {
            "description": _ERROR_TEXT[status],
            "content": {"application/json": {"schema": {"$ref": ERROR_REF}}},
        }
    return out


def _request_body(ref: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": ref}}}}
