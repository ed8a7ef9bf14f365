"""How the gateway reaches a backend: backend entities and the TLS identity of a backend call.

A backend entity (spec §6.4) names a URL, the client certificates the gateway presents there and
whether the backend's server certificate is checked. `set-backend-service backend-id` picks one;
without it, an outgoing URL equal to an entity's URL still gets that entity's settings (§5.8).
`authentication-certificate` (§5.2) overrides the client certificate of one request.

The core only records what the policies chose (`BackendTls`); the I/O shell turns it into TLS
contexts and keeps a separate connection pool per choice, so a connection opened with one
client identity never carries another's request.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from certgate.core.certs import LoadedCertificate, load_certificate
from certgate.errors import CertificateLoadError, PolicyRuntimeError


@dataclass(frozen=True, slots=True)
class BackendTls:
    """The TLS side of a backend call. Equal values may share connections: the identity is
    compared by thumbprint, the key material rides along uncompared."""

    client_thumbprint: str | None = None
    validate_chain: bool = True
    validate_name: bool = True
    identity: LoadedCertificate | None = field(default=None, compare=False, repr=False)

    def presenting(self, identity: LoadedCertificate) -> BackendTls:
        return replace(self, client_thumbprint=identity.view().Thumbprint, identity=identity)


DEFAULT_TLS = BackendTls()

BaseKey = tuple[str, str, int, str]  # scheme, lower-case host, port, base path without '/'


@dataclass(frozen=True, slots=True)
class BackendEntity:
    backend_id: str
    url: str
    tls: BackendTls

    @property
    def key(self) -> BaseKey:
        return base_key(self.url)


def base_key(url: str) -> BaseKey:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port, parts.path.rstrip("/")


class BackendDirectory:
    """What backend calls may refer to, for one configuration snapshot: backend entities by id
    and by URL, and the certificates with private keys by id and by thumbprint."""

    def __init__(
        self, entities: Iterable[BackendEntity], identities: Mapping[str, LoadedCertificate]
    ) -> None:
        self.entities = {e.backend_id.lower(): e for e in entities}  # ids are case-insensitive
        self.by_base = {e.key: e for e in self.entities.values()}
        self.identities = {k.lower(): v for k, v in identities.items() if v.key_pem is not None}
        self.by_thumbprint = {v.view().Thumbprint: v for v in self.identities.values()}
        self._pfx: OrderedDict[bytes, LoadedCertificate] = OrderedDict()

    def entity(self, backend_id: str) -> BackendEntity:
        found = self.entities.get(backend_id.lower())
        if found is None:
            raise PolicyRuntimeError(
                f"Backend with id '{backend_id}' could not be found.", source="set-backend-service"
            )
        return found

    def resolve(self, kind: str, value: str) -> object:
        """A literal reference of a policy (`backend`, `certificate-id`, `thumbprint`);
        PolicyRuntimeError when it names nothing usable."""
        if kind == "backend":
            return self.entity(value)
        return self.by_id(value) if kind == "certificate-id" else self.by_thumb(value)

    def by_id(self, certificate_id: str) -> LoadedCertificate:
        found = self.identities.get(certificate_id.lower())
        if found is None:
            raise _missing(f"Certificate with id '{certificate_id}' with a private key")
        return found

    def by_thumb(self, thumbprint: str) -> LoadedCertificate:
        found = self.by_thumbprint.get(thumbprint.strip().upper())
        if found is None:
            raise _missing(f"Certificate with thumbprint '{thumbprint}' with a private key")
        return found

    def from_pfx(self, body: bytes, password: str | None) -> LoadedCertificate:
        """A certificate sent as a PFX by the policy; parsed once per (body, password)."""
        digest = hashlib.sha256(body + b"\0" + (password or "").encode()).digest()
        found = self._pfx.get(digest)
        if found is None:
            try:
                secret = None if password is None else password.encode()
                found = load_certificate(body, password=secret)
            except CertificateLoadError as exc:
                raise PolicyRuntimeError(
                    f"The certificate body cannot be read: {exc.message}",
                    source="authentication-certificate",
                ) from None
            if found.key_pem is None:
                raise _missing("A private key in the certificate body")
            self._pfx[digest] = found
            if len(self._pfx) > 64:  # bounded: a policy may build bodies per request
                self._pfx.popitem(last=False)
        return found


EMPTY_DIRECTORY = BackendDirectory((), {})


def _missing(what: str) -> PolicyRuntimeError:
    return PolicyRuntimeError(f"{what} was not found.", source="authentication-certificate")
