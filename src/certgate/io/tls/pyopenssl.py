"""TLS on pyOpenSSL (the OpenSSL bundled in `cryptography`) over memory BIOs, pumped by our own
protocol on a plain TCP transport. Public APIs only, except `SSL_session_reused` (below).

The inner (HTTP) protocol sees an ordinary transport: its `connection_made` runs only after the
handshake, writes are encrypted into the memory BIO and flushed to the socket at once, flow
control is forwarded both ways, and `close()` sends close_notify. A handshake that fails or times
out closes the socket quietly (debug log); the inner protocol never hears of it.

Accepting any client certificate: `set_verify(VERIFY_PEER, always-true callback)` - OpenSSL still
builds and checks the chain, the callback overrides every verdict, and the client's
CertificateVerify signature (proof of key possession) is checked by the protocol code regardless.
Per-hostname request mode: the SNI callback switches the context and, when the chosen hostname
differs from the listening one, calls `Connection.set_verify` (OpenSSL copies the verify mode into
the connection at creation, so switching the context alone would not change it).

Client certificate chain (`PeerInfo.chain_der`) and session resumption: OpenSSL keeps the chain a
client sent in the in-memory `SSL_SESSION` (`get_peer_cert_chain()`, which server side excludes
the leaf), but a stateless ticket carries only the leaf, and pyOpenSSL offers no hook to add data
to tickets. So this backend resumes through OpenSSL's stateful server session cache
(`OP_NO_TICKET`: TLS 1.3 still sends NewSessionTicket messages, but they name a cached session;
TLS 1.2 resumes by session id). A resumed connection then gets the very session object of the
original handshake, chain included: exact. The cache is bounded by OpenSSL (20,480 sessions per
listener, least recently used evicted) and entries expire after 7200 s; a session that is gone
simply cannot be resumed, so the client does a full handshake and the chain is again exact.
OpenSSL drops a session whose connection ended without our close_notify (errors, aborts).
Like stateless tickets under the stdlib, sessions are per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from OpenSSL import SSL

from certgate.errors import TLSSetupError
from certgate.io.tls import selfcheck
from certgate.io.tls._common import (
    HANDSHAKE_TIMEOUT,
    SESSION_LIFETIME,
    TLS12_CIPHERS,
    Binding,
    HostTable,
    load_identity,
    make_peer_info,
)
from certgate.io.tls.base import PeerInfo, TlsHostname

_log = logging.getLogger(__name__)

_OPTIONS = (
    SSL.OP_NO_COMPRESSION
    | SSL.OP_NO_RENEGOTIATION
    | SSL.OP_CIPHER_SERVER_PREFERENCE
    | SSL.OP_NO_TICKET  # stateful resumption: the cached session keeps the chain (see above)
)
_SESSION_ID_CONTEXT = b"certgate"  # required to resume sessions that carry a client certificate
_CHUNK = 65536  # below glibc's mmap threshold: pyOpenSSL allocates a buffer of this size per call
_SIGNING_KEYS = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    dsa.DSAPrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
)

# pyOpenSSL has no public "was this session resumed"; its cffi binding has the OpenSSL call.
_ossl_lib: Any = getattr(SSL, "_lib", None)


def _accept_any(_conn: SSL.Connection, _cert: Any, _errno: int, _depth: int, _ok: int) -> bool:
    return True  # every chain verdict overridden; the policies judge the certificate


def _server_context(h: TlsHostname) -> SSL.Context:
    certs, key = load_identity(h)
    if not isinstance(key, _SIGNING_KEYS):
        raise TLSSetupError(f"hostname {h.name!r}: the private key cannot sign TLS handshakes")
    ctx = SSL.Context(SSL.TLS_SERVER_METHOD)
    try:
        ctx.set_min_proto_version(SSL.TLS1_2_VERSION)
        ctx.set_max_proto_version(SSL.TLS1_3_VERSION)
        ctx.set_options(_OPTIONS)
        ctx.set_cipher_list(TLS12_CIPHERS.encode())
        ctx.use_certificate(certs[0])
        for extra in certs[1:]:
            ctx.add_extra_chain_cert(extra)
        ctx.use_privatekey(key)
        ctx.check_privatekey()
    except SSL.Error as exc:
        raise TLSSetupError(f"hostname {h.name!r}: cannot use the certificate/key: {exc}") from None
    ctx.set_session_id(_SESSION_ID_CONTEXT)
    ctx.set_session_cache_mode(SSL.SESS_CACHE_SERVER)
    ctx.set_timeout(SESSION_LIFETIME)
    # The listening context's callback is copied into every connection and stays in force after
    # a context switch; the mode is the hostname's own.
    ctx.set_verify(
        SSL.VERIFY_PEER if h.negotiate_client_certificate else SSL.VERIFY_NONE, _accept_any
    )
    return ctx


class _Hello:
    """What the SNI callback decided for one connection (the Connection's app data)."""

    __slots__ = ("binding", "server_name")

    def __init__(self) -> None:
        self.server_name: str | None = None
        self.binding: Binding[SSL.Context] | None = None


class _Listener:
    """Contexts of one `start_server`, built once; makes the per-connection `SSL.Connection`s."""

    def __init__(self, hostnames: Sequence[TlsHostname]) -> None:
        self.table = HostTable([Binding(h, _server_context(h)) for h in hostnames])
        self.listening = self.table.default
        self.listening.context.set_tlsext_servername_callback(self._on_client_hello)

    def new_connection(self, hello: _Hello) -> SSL.Connection:
        conn = SSL.Connection(self.listening.context, None)  # None: memory BIOs
        conn.set_app_data(hello)
        conn.set_accept_state()
        return conn

    def _on_client_hello(self, conn: SSL.Connection) -> None:
        # Called for every handshake (no SNI: get_servername() is None). pyOpenSSL prints a
        # traceback for exceptions, so none may escape: an unset binding fails the connection.
        hello: _Hello = conn.get_app_data()
        try:
            raw = conn.get_servername()
            hello.server_name = raw.decode("ascii", "replace").lower() if raw else None
            binding = self.table.select(hello.server_name)
            if binding is not self.listening:
                conn.set_context(binding.context)
            if binding.negotiate != self.listening.negotiate:
                conn.set_verify(SSL.VERIFY_PEER if binding.negotiate else SSL.VERIFY_NONE)
            hello.binding = binding
        except Exception as exc:
            _log.error("TLS: SNI selection failed: %r", exc)


def _peer_info(conn: SSL.Connection, hello: _Hello) -> PeerInfo:
    if hello.binding is None:
        raise TLSSetupError("connection was not accepted by the pyopenssl TLS backend")
    cert = conn.get_peer_certificate(as_cryptography=True)
    leaf = cert.public_bytes(Encoding.DER) if cert is not None else None
    tail: list[bytes] = []
    if leaf is not None:
        # Server side, OpenSSL's peer chain is what followed the leaf; drop a leaf if one shows.
        tail = [
            c.public_bytes(Encoding.DER)
            for c in conn.get_peer_cert_chain(as_cryptography=True) or ()
        ]
        if tail and tail[0] == leaf:
            del tail[0]
    return make_peer_info(
        hello.binding,
        hello.server_name,
        leaf,
        tail,
        resumed=_session_reused(conn),
        version=conn.get_protocol_version_name(),
    )


def _session_reused(conn: SSL.Connection) -> bool:
    return bool(_ossl_lib.SSL_session_reused(conn._ssl))


def _drain(conn: SSL.Connection) -> bytes:
    """All encrypted bytes OpenSSL has queued in the outgoing memory BIO."""
    parts = []
    while True:
        try:
            out = conn.bio_read(_CHUNK)
        except SSL.WantReadError:
            break
        parts.append(out)
        if len(out) < _CHUNK:
            break
    return b"".join(parts)


class _Pump(asyncio.Protocol):
    """Raw TCP side: feeds the memory BIO, runs the handshake, then serves the inner protocol."""

    def __init__(self, listener: _Listener, factory: Callable[[], asyncio.Protocol]) -> None:
        self._listener = listener
        self._factory = factory
        self._hello = _Hello()
        self._conn: SSL.Connection | None = None
        self._raw: asyncio.Transport | None = None
        self._app: asyncio.Protocol | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._peer: PeerInfo | None = None
        self._error: Exception | None = None
        self.paused = False
        self.closing = False

    # -- raw transport events ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses: no isinstance check here.
        self._raw = cast(asyncio.Transport, transport)
        self._conn = self._listener.new_connection(self._hello)
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(HANDSHAKE_TIMEOUT, self._handshake_timed_out)

    def data_received(self, data: bytes) -> None:
        conn = self._conn
        if conn is None or self.closing:
            return
        conn.bio_write(data)
        if self._app is None and not self._handshake(conn):
            return
        self._deliver(conn)
        self._flush()

    def eof_received(self) -> bool | None:
        if self._app is None:
            return None  # mid-handshake: let the transport close
        self._peer_closed()
        return True  # we close (with close_notify) ourselves, or the app keeps writing

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self.closing = True
        app, self._app = self._app, None
        if app is not None:
            app.connection_lost(exc or self._error)

    def pause_writing(self) -> None:
        if self._app is not None:
            self._app.pause_writing()

    def resume_writing(self) -> None:
        if self._app is not None:
            self._app.resume_writing()

    # -- handshake -----------------------------------------------------------------------------

    def _handshake(self, conn: SSL.Connection) -> bool:
        try:
            conn.do_handshake()
        except SSL.WantReadError:
            self._flush()
            return False
        except Exception as exc:  # SSL.Error, garbage input, SNI failure re-raised by pyOpenSSL
            self._handshake_failed(exc)
            return False
        if self._hello.binding is None:
            self._handshake_failed(TLSSetupError("no hostname selected"))
            return False
        if self._timer is not None:
            self._timer.cancel()
        self._flush()  # the server's last flight (TLS 1.3: session tickets)
        self._app = self._factory()
        self._app.connection_made(_TlsTransport(self))
        return True

    def _handshake_failed(self, exc: Exception) -> None:
        _log.debug("TLS handshake from %s failed: %r", self.get_extra_info("peername"), exc)
        self.closing = True
        self._flush()  # the alert, if OpenSSL produced one
        if self._raw is not None:
            self._raw.close()

    def _handshake_timed_out(self) -> None:
        if self._app is None and self._raw is not None:
            _log.debug("TLS handshake from %s timed out", self.get_extra_info("peername"))
            self.closing = True
            self._raw.abort()

    # -- application data ----------------------------------------------------------------------

    def _deliver(self, conn: SSL.Connection) -> None:
        """Hand decrypted data to the app until the BIO is empty, the app pauses or closes."""
        while not self.paused and not self.closing and self._app is not None:
            try:
                chunk = conn.recv(_CHUNK)
            except SSL.WantReadError:
                return
            except SSL.ZeroReturnError:  # close_notify from the client
                self._peer_closed()
                return
            except SSL.Error as exc:
                self._fail(exc)
                return
            self._app.data_received(chunk)

    def _peer_closed(self) -> None:
        if self._app is not None and not self.closing and not self._app.eof_received():
            self.close()

    def _fail(self, exc: Exception) -> None:
        _log.debug("TLS error from %s: %r", self.get_extra_info("peername"), exc)
        self._error = exc
        self.close()

    def _flush(self) -> None:
        if self._conn is not None and self._raw is not None:
            out = _drain(self._conn)
            if out:
                self._raw.write(out)

    # -- what the app's transport calls --------------------------------------------------------

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self.closing or self._conn is None or not data:
            return
        try:
            self._conn.sendall(data)  # into the memory BIO: never blocks
        except SSL.Error as exc:
            self._fail(exc)
            return
        self._flush()

    def close(self) -> None:
        if self.closing:
            return
        self.closing = True
        if self._conn is not None:
            with contextlib.suppress(SSL.Error):
                self._conn.shutdown()  # queue close_notify (also keeps the session resumable)
            self._flush()
        if self._raw is not None:
            self._raw.close()

    def abort(self) -> None:
        self.closing = True
        if self._raw is not None:
            self._raw.abort()

    def pause_reading(self) -> None:
        if not self.paused and self._raw is not None:
            self.paused = True
            self._raw.pause_reading()

    def resume_reading(self) -> None:
        if self.paused and self._raw is not None:
            self.paused = False
            self._raw.resume_reading()
            # Records already decrypted-able in the BIO would otherwise wait for the next packet.
            asyncio.get_running_loop().call_soon(self._resume)

    def _resume(self) -> None:
        if self._conn is not None and not self.closing:
            self._deliver(self._conn)
            self._flush()

    def raw(self) -> asyncio.Transport:
        assert self._raw is not None
        return self._raw

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        if name == "ssl_object":
            return self._conn
        return default if self._raw is None else self._raw.get_extra_info(name, default)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._app = cast(asyncio.Protocol, protocol)

    def get_protocol(self) -> asyncio.BaseProtocol | None:
        return self._app

    def peer_info(self) -> PeerInfo:
        if self._peer is None:
            assert self._conn is not None
            self._peer = _peer_info(self._conn, self._hello)
        return self._peer


class _TlsTransport(asyncio.Transport):
    """The transport the inner protocol gets: plaintext in, plaintext out."""

    __slots__ = ("_pump",)

    def __init__(self, pump: _Pump) -> None:
        super().__init__()
        self._pump = pump

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._pump.write(data)

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        self._pump.write(b"".join(list_of_data))

    def write_eof(self) -> None:
        raise NotImplementedError("TLS transports do not support write_eof()")

    def can_write_eof(self) -> bool:
        return False

    def close(self) -> None:
        self._pump.close()

    def abort(self) -> None:
        self._pump.abort()

    def is_closing(self) -> bool:
        return self._pump.closing or self._pump.raw().is_closing()

    def pause_reading(self) -> None:
        self._pump.pause_reading()

    def resume_reading(self) -> None:
        self._pump.resume_reading()

    def is_reading(self) -> bool:
        return not self._pump.paused and not self.is_closing()

    def get_write_buffer_size(self) -> int:
        return self._pump.raw().get_write_buffer_size()  # plaintext is encrypted at once

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._pump.raw().get_write_buffer_limits()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._pump.raw().set_write_buffer_limits(high, low)

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._pump.get_extra_info(name, default)

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._pump.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        protocol = self._pump.get_protocol()
        assert protocol is not None
        return protocol

    def peer_info(self) -> PeerInfo:
        return self._pump.peer_info()


class _MemoryServer:
    """A server-side connection over memory BIOs (for the self-check)."""

    def __init__(self, listener: _Listener) -> None:
        self._hello = _Hello()
        self._conn = listener.new_connection(self._hello)
        self.handshake_done = False

    def feed(self, incoming: bytes) -> bytes:
        if incoming:
            self._conn.bio_write(incoming)
        try:
            if not self.handshake_done:
                self._conn.do_handshake()
                self.handshake_done = True
            self._conn.sendall(self._conn.recv(_CHUNK))
        except SSL.WantReadError:
            pass
        return _drain(self._conn)

    def close(self) -> None:
        self._conn.shutdown()

    def peer_info(self) -> PeerInfo:
        return _peer_info(self._conn, self._hello)


def _memory_listener(hostnames: Sequence[TlsHostname]) -> Callable[[], _MemoryServer]:
    listener = _Listener(hostnames)
    return lambda: _MemoryServer(listener)


class PyOpenSSLBackend:
    """pyOpenSSL over memory BIOs on a plain TCP server."""

    name = "pyopenssl"

    def __init__(self) -> None:
        self._checked = False

    def self_check(self) -> None:
        try:
            if _ossl_lib is None or not hasattr(_ossl_lib, "SSL_session_reused"):
                raise TLSSetupError("pyOpenSSL no longer exposes SSL_session_reused")
            selfcheck.run(_memory_listener)
        except TLSSetupError as exc:
            raise TLSSetupError(
                f"TLS self-check failed (pyopenssl backend): {exc}; use --tls-backend stdlib"
            ) from None
        self._checked = True

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
        if not self._checked:
            self.self_check()
        listener = _Listener(hostnames)
        loop = asyncio.get_running_loop()
        return await loop.create_server(
            lambda: _Pump(listener, protocol_factory),
            host,
            port,
            reuse_port=reuse_port,
            backlog=backlog,
        )

    def peer_info(self, transport: asyncio.BaseTransport) -> PeerInfo:
        if not isinstance(transport, _TlsTransport):
            raise TLSSetupError("transport is not a TLS transport of the pyopenssl backend")
        return transport.peer_info()
