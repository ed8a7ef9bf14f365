"""Who is calling the admin API: named bearer tokens and pinned admin client certificates.

Every request is authenticated before the app sees it (`AuthMiddleware`, outermost but for the
metrics), so a refused request reads no body, touches no route and changes nothing.

- Tokens come from environment variables (never from the YAML file). Only their SHA-256 digests
  are kept; a presented token is hashed and compared with every configured digest with
  `hmac.compare_digest`, without stopping at a match, so timing says nothing about which or how
  much matched. The actor is `token:<name>` (`tokenEnv` is the token named `default`).
- Client certificates: the TLS listener accepts any certificate (the handshake proves the client
  holds its key); the leaf's SHA-1 (APIM's thumbprint) or SHA-256 must be configured, and the
  certificate must be inside its validity period. The actor is `certificate:<name>`, or
  `certificate:<SHA-1 thumbprint>` when the thumbprints are a list.
- A request that presents an `Authorization` header is judged by it alone: a wrong token is
  refused even when the connection also carries an admin certificate.
- `insecureLocalOnly` (no tokens, no certificates, a loopback listener) lets loopback clients in
  as `local:insecure`; `from_config` refuses every other way of having no credentials.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509

from certgate.admin.asgi_host import ASGIApp, Receive, Scope, Send
from certgate.admin.errors import error_json
from certgate.config import AdminConfig
from certgate.errors import ConfigError
from certgate.metrics import Metrics

log = logging.getLogger("certgate.admin.auth")

MIN_TOKEN_LENGTH = 16
PRINCIPAL_KEY = "certgate.principal"  # where the authenticated Principal goes in the ASGI scope
REALM = 'Bearer realm="certgate-admin"'


@dataclass(frozen=True, slots=True)
class Principal:
    actor: str  # "token:ci", "certificate:ops", "local:insecure"
    kind: str  # "token" | "certificate" | "insecure-local"


@dataclass(frozen=True, slots=True)
class Refusal:
    code: str  # APIM/ARM error code
    message: str
    reason: str  # metrics label


class AdminAuth:
    """The admin API's credentials; `authenticate` judges one request's scope."""

    def __init__(
        self,
        tokens: Mapping[str, str] | None = None,
        thumbprints: Mapping[str, str] | None = None,
        *,
        insecure_local: bool = False,
    ) -> None:
        """`tokens`: name → token; `thumbprints`: SHA-1 or SHA-256 hex → actor name."""
        self._digests = [
            (name, hashlib.sha256(token.encode()).digest())
            for name, token in (tokens or {}).items()
        ]
        self._thumbprints = {_norm(t): name for t, name in (thumbprints or {}).items()}
        self.insecure_local = insecure_local and not self._digests and not self._thumbprints

    @property
    def token_names(self) -> list[str]:
        return [name for name, _ in self._digests]

    @property
    def wants_client_certificates(self) -> bool:
        return bool(self._thumbprints)

    @classmethod
    def from_config(cls, admin: AdminConfig, environ: Mapping[str, str]) -> AdminAuth:
        """Credentials of an `admin:` section; ConfigError when they are missing or weak."""
        tokens: dict[str, str] = {}
        wanted = {name: t.env for name, t in admin.tokens.items()}
        if admin.token_env is not None:
            wanted["default"] = admin.token_env
        for name, env in wanted.items():
            key = "admin.tokenEnv" if name == "default" else f"admin.tokens.{name}.env"
            value = environ.get(env, "")
            if not value:
                raise ConfigError(f"environment variable {env} is not set or empty", element=key)
            if len(value) < MIN_TOKEN_LENGTH or value != value.strip():
                raise ConfigError(
                    f"the token in {env} must be at least {MIN_TOKEN_LENGTH} characters without"
                    " surrounding spaces",
                    element=key,
                )
            tokens[name] = value
        prints = admin.client_certificate_thumbprints
        if isinstance(prints, dict):
            thumbprints = {t: f"certificate:{name}" for name, t in prints.items()}
        else:
            thumbprints = {t: f"certificate:{_norm(t)}" for t in prints}
        if not tokens and not thumbprints:
            if not (admin.insecure_local_only and admin.loopback):
                raise ConfigError(
                    "the admin API needs credentials: set tokenEnv or tokens, or"
                    " clientCertificateThumbprints (insecureLocalOnly: true opens it without"
                    " credentials, on a loopback address only)",
                    element="admin",
                )
            log.warning("admin API without credentials (insecureLocalOnly) on %s", admin.listen)
        return cls(tokens, thumbprints, insecure_local=admin.insecure_local_only)

    def authenticate(self, scope: Scope) -> Principal | Refusal:
        authorization = [v for k, v in scope.get("headers", ()) if k == b"authorization"]
        if authorization:
            return self._token(authorization)
        tls = scope.get("extensions", {}).get("tls") or {}
        der = tls.get("client_cert_der")
        if isinstance(der, bytes | bytearray) and self._thumbprints:
            return self._certificate(bytes(der))
        if self.insecure_local and _loopback_client(scope):
            return Principal("local:insecure", "insecure-local")
        if der is not None:
            return Refusal(
                "InvalidClientCertificate", "The client certificate is not an admin.", "certificate"
            )
        return Refusal(
            "AuthenticationFailed",
            "Authentication failed. The 'Authorization' header is missing.",
            "missing",
        )

    def _token(self, values: list[bytes]) -> Principal | Refusal:
        bad = Refusal(
            "InvalidAuthenticationToken",
            "The access token is invalid.",
            "token",
        )
        if len(values) != 1:
            return bad
        scheme, _, token = values[0].strip().partition(b" ")
        if scheme.lower() != b"bearer" or not token.strip():
            return bad
        digest = hashlib.sha256(token.strip()).digest()
        found: str | None = None
        for name, expected in self._digests:  # no early exit: constant work per request
            if hmac.compare_digest(digest, expected):
                found = name
        return bad if found is None else Principal(f"token:{found}", "token")

    def _certificate(self, der: bytes) -> Principal | Refusal:
        refused = Refusal(
            "InvalidClientCertificate", "The client certificate is not an admin.", "certificate"
        )
        sha1 = hashlib.sha1(der, usedforsecurity=False).hexdigest().upper()
        sha256 = hashlib.sha256(der).hexdigest().upper()
        actor = self._thumbprints.get(sha1) or self._thumbprints.get(sha256)
        if actor is None:
            return refused
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError:
            return refused
        now = dt.datetime.now(dt.UTC)
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            return Refusal(
                "InvalidClientCertificate",
                "The admin client certificate is expired or not yet valid.",
                "certificate_expired",
            )
        return Principal(actor, "certificate")


def _norm(thumbprint: str) -> str:
    return thumbprint.replace(":", "").strip().upper()


def _loopback_client(scope: Scope) -> bool:
    client = scope.get("client")
    if not client:
        return False
    try:
        return ipaddress.ip_address(str(client[0])).is_loopback
    except ValueError:
        return False


def principal_of(scope: Scope) -> Principal:
    """The Principal `AuthMiddleware` put in the scope (routes run only after it did)."""
    principal = scope.get(PRINCIPAL_KEY)
    if not isinstance(principal, Principal):
        raise RuntimeError("request reached a route without authentication")
    return principal


class AuthMiddleware:
    """Refuses unauthenticated requests with 401 before anything else runs."""

    def __init__(self, app: ASGIApp, auth: AdminAuth, metrics: Metrics | None = None) -> None:
        self.app = app
        self.auth = auth
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        verdict = self.auth.authenticate(scope)
        if isinstance(verdict, Principal):
            scope[PRINCIPAL_KEY] = verdict
            await self.app(scope, receive, send)
            return
        if self.metrics is not None:
            self.metrics.admin_auth_failure(verdict.reason)
        client = scope.get("client") or ("?",)
        log.warning(
            "admin: refused %s %s from %s (%s)",
            scope.get("method"),
            scope.get("path"),
            client[0],
            verdict.reason,
        )
        await _send_json(send, 401, error_json(verdict.code, verdict.message), REALM)


async def _send_json(send: Send, status: int, body: Mapping[str, Any], challenge: str) -> None:
    data = json.dumps(body, separators=(",", ":")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", b"%d" % len(data)),
                (b"www-authenticate", challenge.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})
