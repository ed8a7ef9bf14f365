"""TLS on the stdlib `ssl` module, run by uvloop's C TLS transport (the fast keep-alive path).

Per `start_server` one `ssl.SSLContext` is built per configured hostname; the default binding's
context listens, and its SNI callback moves each connection to its hostname's context and sets,
on that connection, whether a client certificate is requested (see `_libssl` for why and how).

Client certificate chain (`PeerInfo.chain_der`):

- Full handshake: captured inside OpenSSL's cert-verify callback, exactly as the client sent it.
- Resumed session: OpenSSL's ticket holds only the leaf, so at ticket creation we add the rest of
  the chain as ticket application data (encrypted and authenticated with the ticket key) and read
  it back when the ticket is presented. Exact, stateless, and it lives exactly as long as the
  ticket (lifetime 7200 s). A ticket that lacks this data is not resumed: the client does a full
  handshake, so a resumed connection never reports a missing or a foreign chain. The stateful
  session cache is off, so TLS 1.2 resumes through tickets only.
- The only degraded case: if capturing fails inside the callback (logged as an error; it does not
  happen in practice), that connection reports `(leaf,)` and its tickets are never resumed.

Ticket keys: OpenSSL makes random ones per listener when it starts; every TICKET_KEY_ROTATION
they are replaced by fresh random ones (through `_libssl`: the `ssl` module cannot set them), so
no key protects resumed sessions for longer. A ticket sealed under the previous keys no longer
decrypts: its client does one full handshake. Keys never leave the process, so with several
SO_REUSEPORT processes a client resumes only when it returns to the same process.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from certgate.errors import TLSSetupError
from certgate.io.tls import _libssl, selfcheck
from certgate.io.tls._common import (
    HANDSHAKE_TIMEOUT,
    TLS12_CIPHERS,
    Binding,
    HostTable,
    load_identity,
    make_peer_info,
    pem_files,
)
from certgate.io.tls.base import PeerInfo, TlsHostname

_log = logging.getLogger(__name__)

_OPTIONS = ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION | ssl.OP_CIPHER_SERVER_PREFERENCE

# Session ticket keys are replaced this often (seconds). Tickets live SESSION_LIFETIME (2 h), so
# at most the tickets of the last 2 h before a rotation lose their resumption, once.
TICKET_KEY_ROTATION = 12 * 3600.0


@dataclass(frozen=True, slots=True)
class _Ctx:
    """A hostname's server context and its (checked) SSL_CTX pointer."""

    ssl: ssl.SSLContext
    ptr: int


def _server_context(h: TlsHostname) -> _Ctx:
    load_identity(h)  # precise errors (bad PEM, key mismatch) before OpenSSL's terse ones
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.options = (ctx.options | _OPTIONS) & ~ssl.OP_NO_TICKET
    ctx.set_ciphers(TLS12_CIPHERS)
    try:
        with pem_files(h.cert_chain_pem, h.key_pem) as (cert_path, key_path):
            ctx.load_cert_chain(cert_path, key_path)
    except (ssl.SSLError, OSError) as exc:
        raise TLSSetupError(f"hostname {h.name!r}: cannot use the certificate/key: {exc}") from None
    # Optional: a client without a certificate still connects (leaf None). Must be final before
    # prepare_server_context, which proves the SSL_CTX pointer by reading this mode back.
    ctx.verify_mode = ssl.CERT_OPTIONAL if h.negotiate_client_certificate else ssl.CERT_NONE
    ptr = _libssl.prepare_server_context(ctx)
    _libssl.new_ticket_keys(ptr)  # what the rotation does, proven at start rather than in 12 h
    return _Ctx(ctx, ptr)


def build_table(hostnames: Sequence[TlsHostname]) -> HostTable[_Ctx]:
    """All contexts of one listener, with the SNI callback installed on the listening one."""
    table = HostTable([Binding(h, _server_context(h)) for h in hostnames])
    table.default.context.ssl.sni_callback = _sni_callback(table)
    return table


def _sni_callback(
    table: HostTable[_Ctx],
) -> Callable[[ssl.SSLObject, str | None, ssl.SSLContext], int | None]:
    listening = table.default

    def on_client_hello(sslobj: ssl.SSLObject, server_name: str | None, _: object) -> int | None:
        # Called for every handshake, with server_name None when the client sent no SNI.
        try:
            binding = table.select(server_name)
            state = _libssl.state_of(sslobj)
            state.server_name = server_name.lower() if server_name else None
            state.binding = binding
            if binding is not listening:
                sslobj.context = binding.context.ssl  # SSL_set_SSL_CTX: its cert and key
            if binding.negotiate != listening.negotiate:  # the verify mode did not follow
                _libssl.set_connection_verify(sslobj, binding.context.ptr, binding.negotiate)
        except Exception as exc:  # an exception here would print a traceback from C
            _log.error("TLS: SNI selection failed: %r", exc)
            return ssl.ALERT_DESCRIPTION_INTERNAL_ERROR
        return None

    return on_client_hello


def schedule_ticket_key_rotation(
    loop: asyncio.AbstractEventLoop, table: weakref.ref[HostTable[_Ctx]]
) -> asyncio.TimerHandle:
    """Replace the listener's ticket keys in TICKET_KEY_ROTATION, and so on. Only a weak
    reference is held: the chain ends once the listener (server, contexts) is gone."""
    return loop.call_later(TICKET_KEY_ROTATION, rotate_ticket_keys, loop, table)


def rotate_ticket_keys(
    loop: asyncio.AbstractEventLoop, table: weakref.ref[HostTable[_Ctx]]
) -> asyncio.TimerHandle | None:
    """New random ticket keys on every context of the listener (OpenSSL seals tickets with
    those of the listening one); returns the next rotation's timer, None when it is gone."""
    live = table()
    if live is None:
        return None
    try:
        for binding in live.bindings:
            _libssl.new_ticket_keys(binding.context.ptr)
    except TLSSetupError as exc:  # keep serving with the current keys; try again next time
        _log.error("TLS: session ticket key rotation failed: %s", exc)
    return schedule_ticket_key_rotation(loop, table)


def memory_peer_info(sslobj: ssl.SSLObject) -> PeerInfo:
    """PeerInfo of a server-side SSLObject whose handshake is complete."""
    state = _libssl.STATES.get(sslobj)
    if state is None or state.binding is None:
        raise TLSSetupError("connection was not accepted by the stdlib TLS backend")
    if state.peer is None:
        leaf = sslobj.getpeercert(binary_form=True)
        resumed = sslobj.session_reused
        state.peer = make_peer_info(
            state.binding,
            state.server_name,
            leaf,
            _tail(state, leaf, resumed),
            resumed=resumed,
            version=sslobj.version() or "",
        )
    return state.peer


def _tail(state: _libssl.ConnState, leaf: bytes | None, resumed: bool) -> tuple[bytes, ...]:
    if leaf is None:
        return ()
    if resumed:
        return state.ticket_tail or ()
    sent = state.sent
    return sent[1:] if sent and sent[0] == leaf else ()


class _MemoryServer:
    """A server-side connection over memory BIOs (for the self-check)."""

    def __init__(self, ctx: ssl.SSLContext) -> None:
        self._in, self._out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self._obj = ctx.wrap_bio(self._in, self._out, server_side=True)
        self.handshake_done = False

    def feed(self, incoming: bytes) -> bytes:
        self._in.write(incoming)
        try:
            if not self.handshake_done:
                self._obj.do_handshake()
                self.handshake_done = True
            self._obj.write(self._obj.read(65536))
        except ssl.SSLWantReadError:
            pass
        return self._out.read()

    def close(self) -> None:
        pass  # stateless tickets: nothing to keep

    def peer_info(self) -> PeerInfo:
        return memory_peer_info(self._obj)


def _memory_listener(hostnames: Sequence[TlsHostname]) -> Callable[[], _MemoryServer]:
    listening = build_table(hostnames).default.context.ssl
    return lambda: _MemoryServer(listening)


class StdlibBackend:
    """`ssl` + uvloop; the accept-any / chain / per-host verify parts come from `_libssl`."""

    name = "stdlib"

    def __init__(self) -> None:
        self._checked = False

    def self_check(self) -> None:
        try:
            _libssl.check_layout()
            selfcheck.run(_memory_listener)
        except TLSSetupError as exc:
            raise TLSSetupError(
                f"TLS self-check failed (stdlib backend): {exc}; use --tls-backend pyopenssl"
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
        table = build_table(hostnames)
        loop = asyncio.get_running_loop()
        # uvloop calls protocol.connection_made only once the handshake is complete.
        server = await loop.create_server(
            protocol_factory,
            host,
            port,
            ssl=table.default.context.ssl,
            reuse_port=reuse_port,
            backlog=backlog,
            ssl_handshake_timeout=HANDSHAKE_TIMEOUT,
        )
        # The server holds the listening context, whose SNI callback holds the table.
        schedule_ticket_key_rotation(loop, weakref.ref(table))
        return server

    def peer_info(self, transport: asyncio.BaseTransport) -> PeerInfo:
        sslobj = transport.get_extra_info("ssl_object")
        if not isinstance(sslobj, ssl.SSLObject):
            raise TLSSetupError("transport is not a TLS transport of the stdlib backend")
        return memory_peer_info(sslobj)
