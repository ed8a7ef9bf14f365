"""The one error tree of certgate.

Load-time errors (configuration, policy documents, expressions) carry where they happened: the
file, the element or key, and the line and column, so that `certgate serve` and `certgate policy
check` can print one precise line instead of a traceback. Run-time errors carry the fields APIM
exposes as `context.LastError`. Foreign exceptions are mapped to these at the `io/` edge; a client
never sees a traceback.
"""

from __future__ import annotations


class CertgateError(Exception):
    """Base of every error certgate raises on purpose."""


# --- load time ----------------------------------------------------------------------------------


class LoadError(CertgateError):
    """Something certgate was asked to load is wrong; it names where."""

    element_label = "element"

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        element: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.element = element
        self.line = line
        self.column = column

    def located(self, **where: str | int | None) -> LoadError:
        """Fill in location fields that are still unknown (inner code may not know the file)."""
        for key, value in where.items():
            if getattr(self, key) is None:
                setattr(self, key, value)
        return self

    def __str__(self) -> str:
        parts: list[str] = []
        if self.source:
            parts.append(self.source)
        if self.element:
            parts.append(f"{self.element_label} '{self.element}'")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        where = ", ".join(parts)
        return f"{where}: {self.message}" if where else self.message


class ConfigError(LoadError):
    """The YAML configuration is invalid; `element` holds the key path (e.g. `apis.orders.path`)."""

    element_label = "key"


class PolicyError(LoadError):
    """A policy document is malformed or uses a policy or attribute wrongly."""


class ExpressionError(PolicyError):
    """A C# policy expression does not compile (syntax, or a type/member outside the allow-list)."""


class NotSupportedError(PolicyError):
    """Valid APIM that certgate cannot run yet; the message starts with 'not supported yet: '."""

    def __init__(
        self,
        what: str,
        *,
        source: str | None = None,
        element: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(
            f"not supported yet: {what}", source=source, element=element, line=line, column=column
        )
        self.what = what


class TLSSetupError(CertgateError):
    """The TLS mechanism failed its start-up self-check or a certificate cannot be used."""


class CertificateLoadError(LoadError):
    """A certificate, key or PFX cannot be read (bad format, wrong password, no private key)."""


# --- run time -----------------------------------------------------------------------------------


class PolicyRuntimeError(CertgateError):
    """A policy failed while a request ran; fields are APIM's `context.LastError`."""

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        source: str = "",
        status: int = 500,
        status_reason: str = "Internal Server Error",
        client_message: str = "Internal server error",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.source = source
        self.status = status
        self.status_reason = status_reason
        self.client_message = client_message
        # Filled by the engine when the error crosses a policy element.
        self.scope: str | None = None
        self.section: str | None = None
        self.path: str | None = None
        self.policy_id: str | None = None


class ExpressionRuntimeError(PolicyRuntimeError):
    """A .NET exception thrown by an expression (`exception_type`: e.g. NullReferenceException)."""

    def __init__(self, exception_type: str, message: str) -> None:
        super().__init__(message, reason="ExpressionValueEvaluationFailure")
        self.exception_type = exception_type

    def __str__(self) -> str:
        return f"{self.exception_type}: {self.message}"


class ExpressionBudgetExceeded(ExpressionRuntimeError):
    """A request's expressions ran past their time budget (`expressionTimeoutMs`). The
    expression's own `catch` never sees it, so a runaway loop cannot swallow its own stop."""

    def __init__(self, budget_ms: float) -> None:
        super().__init__(
            "TimeoutException", f"expression exceeded its time budget of {budget_ms:g} ms"
        )


class UpstreamError(PolicyRuntimeError):
    """The backend could not be reached or did not answer in time."""


class UpstreamConnectError(UpstreamError):
    def __init__(self, message: str) -> None:
        super().__init__(
            message,
            reason="BackendConnectionFailure",
            source="forward-request",
            status=502,
            status_reason="Bad Gateway",
            client_message="Bad gateway",
        )


class UpstreamTlsError(UpstreamError):
    """The backend's server certificate failed the checks its backend entity asks for. APIM
    answers 500 here, not 502 (spec TV-32), with .NET's message."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The remote certificate is invalid according to the validation procedure: {detail}",
            reason="BackendConnectionFailure",
            source="forward-request",
            status=500,
            status_reason="Internal Server Error",
            client_message="Internal server error",
        )


class UpstreamTimeout(UpstreamError):
    def __init__(self, message: str) -> None:
        super().__init__(
            message,
            reason="Timeout",
            source="forward-request",
            status=504,
            status_reason="Gateway Timeout",
            client_message="Gateway timeout",
        )


# --- the configuration store --------------------------------------------------------------------


class StoreError(CertgateError):
    """The store refused a request; `status` and `code` are what the management API answers."""

    status = 500
    code = "InternalError"

    def __init__(self, message: str, *, details: list[dict[str, object]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: list[dict[str, object]] = details or []

    def to_json(self) -> dict[str, object]:
        """APIM's error body: `{"error": {"code", "message", "details"}}`."""
        error: dict[str, object] = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        return {"error": error}


class ValidationFailed(StoreError):
    """Bad input, or a change that would leave a configuration that does not load; nothing stored.

    Each detail is `{"code": "ValidationError", "target", "message"}`, plus `source`, `element`,
    `line` and `column` when the configuration's loader named them.
    """

    status = 400
    code = "ValidationError"


class NotFound(StoreError):
    status = 404
    code = "ResourceNotFound"


class PreconditionFailed(StoreError):
    """If-Match does not match the resource's current ETag."""

    status = 412
    code = "PreconditionFailed"


class Conflict(StoreError):
    """The change conflicts with other resources (e.g. deleting a certificate a hostname uses)."""

    status = 409
    code = "Conflict"


class MasterKeyError(StoreError):
    """The master key is missing, malformed, or not the one the store's secrets are sealed with."""

    code = "MasterKeyError"
