"""APIM-shaped errors of the admin API: `{"error": {"code", "message", "details"}}`.

APIM (and ARM) answer a validation failure with 400 `ValidationError` and a `details` list whose
items carry `code`, `target` and `message` (spec §9); FastAPI's own 422 and `{"detail": ...}`
never reach a client: `install` replaces every default handler. Messages never echo secrets: a
validation detail names the field and what is wrong, not the value that was sent.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

log = logging.getLogger("certgate.admin")

# The code of an error by HTTP status, when nothing more precise is known.
CODES: Mapping[int, str] = {
    400: "ValidationError",
    401: "Unauthorized",
    403: "Forbidden",
    404: "ResourceNotFound",
    405: "MethodNotAllowed",
    408: "RequestTimeout",
    409: "Conflict",
    411: "LengthRequired",
    412: "PreconditionFailed",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    431: "RequestHeaderFieldsTooLarge",
    500: "InternalServerError",
    501: "NotImplemented",
    503: "ServiceUnavailable",
}

VALIDATION_MESSAGE = "One or more fields contain incorrect values:"


class AdminError(Exception):
    """An error answered as APIM does; raised by routes, mapped by the app's handler."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        details: Sequence[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, HTTPStatus(status).phrase.replace(" ", ""))
        self.message = message
        self.details = [dict(d) for d in details]
        self.headers = dict(headers or {})


def validation_error(target: str, message: str) -> AdminError:
    return AdminError(
        400,
        VALIDATION_MESSAGE,
        details=[{"code": "ValidationError", "target": target, "message": message}],
    )


def error_json(
    code: str, message: str, details: Sequence[Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details:
        error["details"] = [dict(d) for d in details]
    return {"error": error}


def error_bytes(status: int, message: str, code: str | None = None) -> bytes:
    """The body of an error answered outside the app (by the ASGI host): 413, 400, 408, 500."""
    body = error_json(code or CODES.get(status, "Error"), message)
    return json.dumps(body, separators=(",", ":")).encode()
