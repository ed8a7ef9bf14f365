"""One small interface over the TLS mechanism, so the listener does not care which library runs it.

Two implementations exist: `stdlib` (the `ssl` module on uvloop's C TLS transport, with OpenSSL's
cert-verify callback installed so that any client certificate is accepted) and `pyopenssl`
(pyOpenSSL over memory BIOs on a plain TCP transport). Both must behave identically: the
integration tests run against each.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class TlsHostname:
    """TLS settings of one configured gateway hostname (APIM `hostnameConfigurations[i]`)."""

    name: str  # host name as configured (case-insensitive match against SNI)
    cert_chain_pem: bytes  # server certificate, then its intermediates, PEM
    key_pem: bytes  # unencrypted PKCS#8 PEM private key
    negotiate_client_certificate: bool
    default_ssl_binding: bool = False


@dataclass(frozen=True, slots=True)
class PeerInfo:
    """What the TLS handshake told us about one client connection."""

    server_name: str | None  # SNI the client sent, lower-cased; None without SNI
    hostname: str  # name of the configured hostname whose settings the connection got
    leaf_der: bytes | None  # the client's certificate, or None when none was presented/asked
    chain_der: tuple[bytes, ...]  # certificates the client sent, leaf first; () without a cert
    resumed: bool  # the session was resumed (the chain is still the one the client sent)
    version: str  # e.g. "TLSv1.3"
    # The data plane's memo for this connection: the certificate view its last request was
    # given (io.proxy), reused by the next one with the same snapshot and API.
    bound: list[Any] = field(default_factory=list, compare=False, repr=False)


class TlsBackend(Protocol):
    """A TLS implementation for the gateway listener."""

    name: str

    def self_check(self) -> None:
        """Prove the mechanism works in this process (raise TLSSetupError with a clear message)."""

    async def start_server(
        self,
        protocol_factory: Callable[[], asyncio.Protocol],
        host: str,
        port: int,
        hostnames: Sequence[TlsHostname],
        *,
        reuse_port: bool = False,
        backlog: int = 1024,
    ) -> asyncio.AbstractServer:
        """Listen on host:port; each accepted connection gets a protocol from the factory whose
        `connection_made` is called only after the handshake completed."""

    def peer_info(self, transport: asyncio.BaseTransport) -> PeerInfo:
        """Handshake facts of the connection behind `transport` (valid from connection_made)."""
