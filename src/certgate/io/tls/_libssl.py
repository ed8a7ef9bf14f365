"""ctypes bridge to the OpenSSL that CPython's `_ssl` module runs on (stdlib backend only).

The stdlib `ssl` module cannot do five things the gateway needs, so this module does them on the
very `SSL_CTX`/`SSL` objects that `_ssl` owns, through OpenSSL's public C API:

1. **Accept any client certificate.** `SSL_CTX_set_cert_verify_callback` replaces OpenSSL's chain
   building (`X509_verify_cert`) by our callback, which returns 1. Only chain *validation* is
   skipped: OpenSSL still checks the client's CertificateVerify signature against the key in the
   presented certificate, i.e. proof of key possession stays enforced by the protocol code.
2. **Capture the chain the client sent.** Python 3.11 has no `get_unverified_chain()`. The same
   callback receives the `X509_STORE_CTX` whose target is the leaf and whose "untrusted" stack is
   the Certificate message as received; it DER-encodes them (`i2d_X509`) and files them under the
   Python `SSLObject` of the connection (found through `SSL_get_app_data`, see `_owner_of`).
3. **Choose per connection whether to ask for a certificate.** `SSL_CTX` switching in the SNI
   callback does not switch the verify mode (OpenSSL copies it into the `SSL` at creation), so the
   SNI callback calls `SSL_set_verify` on the connection itself.
4. **Keep the chain over session resumption.** OpenSSL serialises only the leaf into a session
   ticket. `SSL_CTX_set_session_ticket_cb` lets the server put its own bytes into the (encrypted,
   authenticated) ticket: we store the certificates the client sent after its leaf, and read them
   back when the ticket is presented. A ticket without our data is refused (full handshake), so a
   resumed connection always reports exactly the chain of the handshake that created the session.
   The stateful server session cache is switched off so that no resumption bypasses tickets.
5. **Rotate the ticket keys.** `SSL_CTX_ctrl(SSL_CTRL_SET_TLSEXT_TICKET_KEYS)` with fresh bytes
   from `RAND_bytes` (the stdlib backend calls `new_ticket_keys` on a timer).

Safety of reaching into `_ssl` objects: the `SSL_CTX *` and `SSL *` pointers are read from the
CPython structs (`PySSLContext { PyObject_HEAD; SSL_CTX *ctx; ... }` and
`PySSLSocket { PyObject_HEAD; PyObject *Socket; SSL *ssl; ... }`, unchanged from 3.7 to 3.14).
Every read is checked against OpenSSL getters before anything is written (`checked_ctx_pointer`,
`check_layout`), the checks only read plain struct fields, and the library is the one `_ssl` is
linked to (same `OpenSSL_version_num`). If any check fails the stdlib backend refuses to start and
names the pyOpenSSL backend as the way out.
"""

from __future__ import annotations

import ctypes
import functools
import importlib
import logging
import platform
import ssl
import weakref
from typing import Any

from certgate.errors import TLSSetupError
from certgate.io.tls._common import Binding
from certgate.io.tls.base import PeerInfo

_log = logging.getLogger(__name__)

# --- constants from <openssl/ssl.h> (stable ABI values) ------------------------------------------
SSL_VERIFY_NONE = 0
SSL_VERIFY_PEER = 1
_SSL_CTRL_SET_SESS_CACHE_MODE = 44
_SSL_CTRL_GET_SESS_CACHE_MODE = 45
_SSL_CTRL_GET_TLSEXT_TICKET_KEYS = 58
_SSL_CTRL_SET_TLSEXT_TICKET_KEYS = 59
_SSL_SESS_CACHE_OFF = 0
_TICKET_SUCCESS = 5
_TICKET_SUCCESS_RENEW = 6
_TICKET_RETURN_IGNORE_RENEW = 2  # don't resume; full handshake, issue a fresh ticket
_TICKET_RETURN_USE = 3
_TICKET_RETURN_USE_RENEW = 4

# --- CPython struct layout ------------------------------------------------------------------------
_PTR = ctypes.sizeof(ctypes.c_void_p)
CTX_OFFSET = object.__basicsize__  # PySSLContext: PyObject_HEAD, then SSL_CTX *ctx
SSL_OFFSET = object.__basicsize__ + _PTR  # PySSLSocket: PyObject_HEAD, PyObject *Socket, SSL *ssl

# C callback signatures.
_CertVerifyFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_GenTicketFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_DecTicketFn = ctypes.CFUNCTYPE(
    ctypes.c_int,  # SSL_TICKET_RETURN
    ctypes.c_void_p,  # SSL *s
    ctypes.c_void_p,  # SSL_SESSION *ss
    ctypes.c_void_p,  # const unsigned char *keyname
    ctypes.c_size_t,  # size_t keyname_length
    ctypes.c_int,  # SSL_TICKET_STATUS status
    ctypes.c_void_p,  # void *arg
)

_V, _I = ctypes.c_void_p, ctypes.c_int
_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "OpenSSL_version_num": (ctypes.c_ulong, []),
    "RAND_bytes": (_I, [_V, _I]),
    "SSL_CTX_get_options": (ctypes.c_uint64, [_V]),
    "SSL_CTX_get_verify_mode": (_I, [_V]),
    "SSL_CTX_ctrl": (ctypes.c_long, [_V, _I, ctypes.c_long, _V]),
    "SSL_CTX_set_cert_verify_callback": (None, [_V, _CertVerifyFn, _V]),
    "SSL_CTX_set_session_ticket_cb": (_I, [_V, _GenTicketFn, _DecTicketFn, _V]),
    "SSL_get_SSL_CTX": (_V, [_V]),
    "SSL_get_ex_data": (_V, [_V, _I]),
    "SSL_get_ex_data_X509_STORE_CTX_idx": (_I, []),
    "SSL_set_verify": (None, [_V, _I, _V]),
    "SSL_get_session": (_V, [_V]),
    "SSL_session_reused": (_I, [_V]),
    "SSL_SESSION_get0_peer": (_V, [_V]),
    "SSL_SESSION_set1_ticket_appdata": (_I, [_V, ctypes.c_char_p, ctypes.c_size_t]),
    "SSL_SESSION_get0_ticket_appdata": (
        _I,
        [_V, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)],
    ),
    "X509_STORE_CTX_get_ex_data": (_V, [_V, _I]),
    "X509_STORE_CTX_get0_cert": (_V, [_V]),
    "X509_STORE_CTX_get0_untrusted": (_V, [_V]),
    "OPENSSL_sk_num": (_I, [_V]),
    "OPENSSL_sk_value": (_V, [_V, _I]),
    "i2d_X509": (_I, [_V, _V]),
}


class _Lib:
    """The configured library plus the `SSL*` ex-data index OpenSSL uses in X509_STORE_CTX."""

    def __init__(self, cdll: ctypes.CDLL) -> None:
        self.c = cdll
        # Index under which libssl stores the SSL* in the X509_STORE_CTX it verifies with.
        self.ssl_idx: int = cdll.SSL_get_ex_data_X509_STORE_CTX_idx()


@functools.cache
def lib() -> _Lib:
    """Open the libssl/libcrypto that `_ssl` was linked against, or raise TLSSetupError."""
    if platform.python_implementation() != "CPython":
        raise TLSSetupError(f"needs CPython's _ssl, this is {platform.python_implementation()}")
    # dlopen() of the `_ssl` extension returns the handle already loaded; dlsym() on it searches
    # `_ssl` and then its dependencies (libssl, libcrypto) - exactly the OpenSSL `ssl` uses, not
    # another copy that may be in the process (cryptography bundles its own, with hidden symbols).
    path = importlib.import_module("_ssl").__file__
    try:
        cdll = ctypes.CDLL(path)
        for name, (restype, argtypes) in _SIGNATURES.items():
            fn = getattr(cdll, name)
            fn.restype, fn.argtypes = restype, argtypes
    except (OSError, AttributeError) as exc:
        raise TLSSetupError(f"cannot reach OpenSSL's C API through {path}: {exc}") from None
    if cdll.OpenSSL_version_num() != ssl.OPENSSL_VERSION_NUMBER:
        raise TLSSetupError("the OpenSSL found by ctypes is not the one the ssl module uses")
    if ssl.OPENSSL_VERSION_INFO < (3, 0):  # SSL_CTX_get_options returns unsigned long before 3.0
        cdll.SSL_CTX_get_options.restype = ctypes.c_ulong
    return _Lib(cdll)


# --- pointers out of _ssl objects -----------------------------------------------------------------


def _read_pointer(obj: object, offset: int) -> int:
    """The pointer-sized field at `offset` inside the C struct of `obj` (never past its end)."""
    if type(obj).__basicsize__ < offset + _PTR:
        raise TLSSetupError(f"{type(obj).__name__} is smaller than expected")
    return ctypes.c_void_p.from_address(id(obj) + offset).value or 0


def _plausible(pointer: int) -> bool:
    # malloc() results are non-NULL, above the zero page and at least pointer-aligned; anything
    # else means the layout assumption is wrong, and we must not hand it to OpenSSL at all.
    return pointer >= 0x10000 and pointer % _PTR == 0


def ctx_pointer(ctx: ssl.SSLContext) -> int:
    return _read_pointer(ctx, CTX_OFFSET)


def ssl_pointer(sslobj: ssl.SSLObject) -> int:
    return _read_pointer(sslobj._sslobj, SSL_OFFSET)  # type: ignore[attr-defined]


def checked_ctx_pointer(ctx: ssl.SSLContext) -> int:
    """SSL_CTX* of `ctx`, proven by two getters that only read plain SSL_CTX fields."""
    p = ctx_pointer(ctx)
    c = lib().c
    expected_mode = {ssl.CERT_NONE: 0, ssl.CERT_OPTIONAL: 1, ssl.CERT_REQUIRED: 3}[ctx.verify_mode]
    if (
        not _plausible(p)
        or c.SSL_CTX_get_options(p) != ctx.options
        or c.SSL_CTX_get_verify_mode(p) != expected_mode
    ):
        raise TLSSetupError("unexpected PySSLContext layout (SSL_CTX pointer check failed)")
    return p


def checked_ssl_pointer(sslobj: ssl.SSLObject, ctx_ptr: int) -> int:
    """SSL* of `sslobj`; `ctx_ptr` is the (checked) SSL_CTX* of `sslobj.context`."""
    p = ssl_pointer(sslobj)
    c = lib().c
    # SSL_get_SSL_CTX reads one field: a wrong pointer fails here before anything dereferences.
    if not _plausible(p) or c.SSL_get_SSL_CTX(p) != ctx_ptr:
        raise TLSSetupError("unexpected PySSLSocket layout (SSL pointer check failed)")
    return p


def check_layout() -> None:
    """Prove every pointer assumption on scratch objects; raise TLSSetupError if one fails."""
    c = lib().c
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    for mode in (ssl.CERT_OPTIONAL, ssl.CERT_NONE):  # two distinct states must both read back
        ctx.verify_mode = mode
        ctx_ptr = checked_ctx_pointer(ctx)
    sslobj = ctx.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_side=True)
    p = checked_ssl_pointer(sslobj, ctx_ptr)
    # CPython stores its PySSLSocket* as the SSL's app data (its own SNI callback relies on it);
    # our OpenSSL callbacks use that to find the Python connection.
    if c.SSL_get_ex_data(p, 0) != id(sslobj._sslobj) or _owner_of(p) is not sslobj:  # type: ignore[attr-defined]
        raise TLSSetupError("unexpected SSL app data (PySSLSocket back-pointer check failed)")


# --- per-connection state filled by the callbacks -------------------------------------------------


class ConnState:
    """What OpenSSL's callbacks learnt about one connection, keyed by its Python SSLObject."""

    __slots__ = ("binding", "peer", "sent", "server_name", "ticket_tail")

    def __init__(self) -> None:
        self.binding: Binding[Any] | None = None  # chosen in the SNI callback
        self.server_name: str | None = None  # SNI as sent, lower-cased
        self.sent: tuple[bytes, ...] | None = None  # full handshake: certificates sent, leaf first
        self.ticket_tail: tuple[bytes, ...] | None = None  # resumption: certs after the leaf
        self.peer: PeerInfo | None = None  # computed once, on first peer_info()


# Weak keys: an entry lives exactly as long as the connection's SSLObject, with no clean-up path
# to forget (a handshake that fails half-way leaves nothing behind).
STATES: weakref.WeakKeyDictionary[object, ConnState] = weakref.WeakKeyDictionary()


def state_of(owner: object) -> ConnState:
    state = STATES.get(owner)
    if state is None:
        state = STATES[owner] = ConnState()
    return state


def _owner_of(ssl_p: int) -> object:
    """The Python object that owns `SSL *ssl_p` (the `ssl.SSLObject` uvloop created)."""
    app = lib().c.SSL_get_ex_data(ssl_p, 0)  # SSL_get_app_data(): CPython's PySSLSocket*
    if not app:
        raise LookupError("SSL without CPython app data")
    # A borrowed pointer to a live object (we are inside a handshake step called on it): casting
    # to py_object takes a new strong reference, so the object cannot vanish under us.
    sock = ctypes.cast(app, ctypes.py_object).value
    owner = sock.owner  # the SSLObject; _ssl holds it by weak reference
    return owner if owner is not None else sock


# --- the OpenSSL callbacks ------------------------------------------------------------------------


def _x509_der(x509: int) -> bytes:
    c = lib().c
    size = c.i2d_X509(x509, None)  # with a NULL output: the encoded length only
    if size <= 0:
        raise ValueError("i2d_X509 failed")
    buf = ctypes.create_string_buffer(size)
    cursor = ctypes.c_void_p(ctypes.addressof(buf))  # i2d writes at *cursor and advances it
    if c.i2d_X509(x509, ctypes.byref(cursor)) != size:
        raise ValueError("i2d_X509 wrote an unexpected length")
    return buf.raw


def _sent_chain(store_ctx: int) -> tuple[bytes, ...]:
    """DER of the client's Certificate message: the leaf, then what followed it, in order."""
    c = lib().c
    leaf = c.X509_STORE_CTX_get0_cert(store_ctx)
    # Server side, libssl passes the received list as "untrusted" with the leaf still at index 0.
    untrusted = c.X509_STORE_CTX_get0_untrusted(store_ctx)
    count = c.OPENSSL_sk_num(untrusted) if untrusted else 0
    chain = [_x509_der(leaf)]
    for i in range(count):
        cert = c.OPENSSL_sk_value(untrusted, i)
        if not (i == 0 and cert == leaf):
            chain.append(_x509_der(cert))
    return tuple(chain)


def _on_cert_verify(store_ctx: int, _arg: int | None) -> int:
    """Instead of X509_verify_cert: runs once per full handshake in which the client sent a
    non-empty Certificate message. Returns 1 = accept (the policies judge the certificate)."""
    try:
        ssl_p = lib().c.X509_STORE_CTX_get_ex_data(store_ctx, lib().ssl_idx)
        state_of(_owner_of(ssl_p)).sent = _sent_chain(store_ctx)
    except Exception as exc:  # never raise into C; the chain then degrades to (leaf,)
        _log.error("TLS: could not capture the client certificate chain: %r", exc)
    return 1


# Ticket app data: magic, then per certificate a 3-byte length and the DER (the leaf is already
# in the session). Capped so a ticket stays far below the 64 KiB a ticket may hold.
_TICKET_MAGIC = b"cg1\x00"
_TICKET_DATA_MAX = 16 * 1024


def encode_tail(tail: tuple[bytes, ...]) -> bytes | None:
    parts = [_TICKET_MAGIC]
    for der in tail:
        parts += [len(der).to_bytes(3, "big"), der]
    data = b"".join(parts)
    return data if len(data) <= _TICKET_DATA_MAX else None


def decode_tail(data: bytes | None) -> tuple[bytes, ...] | None:
    if data is None or not data.startswith(_TICKET_MAGIC):
        return None
    pos, tail = len(_TICKET_MAGIC), []
    while pos < len(data):
        size = int.from_bytes(data[pos : pos + 3], "big")
        pos += 3
        if size == 0 or pos + size > len(data):
            return None
        tail.append(data[pos : pos + size])
        pos += size
    return tuple(tail)


def _ticket_tail(ssl_p: int, session: int) -> tuple[bytes, ...] | None:
    """Certificates after the leaf for the session a ticket is being made of; None = unknown."""
    c = lib().c
    if not c.SSL_SESSION_get0_peer(session):
        return ()  # no client certificate in this session
    state = STATES.get(_owner_of(ssl_p))
    if state is None:
        return None
    if c.SSL_session_reused(ssl_p):
        return state.ticket_tail  # a resumed session re-ticketed: carry the chain forward
    return state.sent[1:] if state.sent else None


def _on_ticket_generated(ssl_p: int, _arg: int | None) -> int:
    """OpenSSL is about to seal `SSL_get_session(ssl_p)` into a ticket: attach the chain tail.
    Without data (unknown chain) the ticket will be refused at resumption, never misreported."""
    c = lib().c
    session = c.SSL_get_session(ssl_p)
    try:
        tail = _ticket_tail(ssl_p, session)
        data = None if tail is None else encode_tail(tail)
    except Exception as exc:
        _log.error("TLS: could not attach the chain to a session ticket: %r", exc)
        data = None
    # Set or clear: a TLS 1.3 ticket session is a copy of the previous one, app data included.
    c.SSL_SESSION_set1_ticket_appdata(session, data, len(data) if data else 0)
    return 1  # 0 would abort the connection with internal_error


def _ticket_appdata(session: int) -> bytes | None:
    data, size = ctypes.c_void_p(), ctypes.c_size_t()
    if lib().c.SSL_SESSION_get0_ticket_appdata(session, ctypes.byref(data), ctypes.byref(size)):
        return ctypes.string_at(data.value, size.value) if data.value else None
    return None


def _on_ticket_decrypted(
    ssl_p: int,
    session: int | None,
    _name: int | None,
    _name_len: int,
    status: int,
    _arg: int | None,
) -> int:
    """A client presented a ticket. Resume only if it carries our chain data; a ticket that
    could not be decrypted (or is empty) keeps OpenSSL's default: full handshake, new ticket."""
    if status not in (_TICKET_SUCCESS, _TICKET_SUCCESS_RENEW) or not session:
        return _TICKET_RETURN_IGNORE_RENEW
    try:
        tail = decode_tail(_ticket_appdata(session))
        if tail is not None:
            # Runs before the SNI callback, so this may create the connection's state.
            state_of(_owner_of(ssl_p)).ticket_tail = tail
    except Exception as exc:
        _log.error("TLS: could not read the chain from a session ticket: %r", exc)
        tail = None
    if tail is None:
        return _TICKET_RETURN_IGNORE_RENEW
    return _TICKET_RETURN_USE if status == _TICKET_SUCCESS else _TICKET_RETURN_USE_RENEW


# The C-callable thunks; module globals so they live as long as any SSL_CTX that points at them.
_CERT_VERIFY_THUNK = _CertVerifyFn(_on_cert_verify)
_GEN_TICKET_THUNK = _GenTicketFn(_on_ticket_generated)
_DEC_TICKET_THUNK = _DecTicketFn(_on_ticket_decrypted)


def prepare_server_context(ctx: ssl.SSLContext) -> int:
    """Install accept-any + chain capture + ticket chain data on a fully configured server context
    (its `verify_mode` must be final). Returns the checked SSL_CTX*."""
    c = lib().c
    p = checked_ctx_pointer(ctx)
    c.SSL_CTX_set_cert_verify_callback(p, _CERT_VERIFY_THUNK, None)
    if c.SSL_CTX_set_session_ticket_cb(p, _GEN_TICKET_THUNK, _DEC_TICKET_THUNK, None) != 1:
        raise TLSSetupError("SSL_CTX_set_session_ticket_cb failed")
    # Stateful session-ID resumption would bypass the ticket data: tickets only.
    c.SSL_CTX_ctrl(p, _SSL_CTRL_SET_SESS_CACHE_MODE, _SSL_SESS_CACHE_OFF, None)
    if c.SSL_CTX_ctrl(p, _SSL_CTRL_GET_SESS_CACHE_MODE, 0, None) != _SSL_SESS_CACHE_OFF:
        raise TLSSetupError("could not switch the server session cache off")
    return p


def ticket_keys(ctx_ptr: int) -> bytes:
    """The SSL_CTX's session ticket keys (key name, HMAC secret, AES key), for tests."""
    c = lib().c
    size = c.SSL_CTX_ctrl(ctx_ptr, _SSL_CTRL_GET_TLSEXT_TICKET_KEYS, 0, None)  # NULL: the length
    buf = ctypes.create_string_buffer(size)
    if size <= 0 or c.SSL_CTX_ctrl(ctx_ptr, _SSL_CTRL_GET_TLSEXT_TICKET_KEYS, size, buf) != 1:
        raise TLSSetupError("could not read the session ticket keys")
    return buf.raw


def new_ticket_keys(ctx_ptr: int) -> None:
    """Replace the SSL_CTX's session ticket keys by fresh random ones. The keys are made by
    OpenSSL's RAND_bytes in a C buffer that is wiped afterwards: no copy stays in Python objects.
    Tickets sealed under the old keys no longer decrypt (those clients do a full handshake)."""
    c = lib().c
    size = c.SSL_CTX_ctrl(ctx_ptr, _SSL_CTRL_SET_TLSEXT_TICKET_KEYS, 0, None)  # NULL: the length
    if size <= 0:
        raise TLSSetupError("could not learn the session ticket key length")
    buf = ctypes.create_string_buffer(size)
    try:
        if c.RAND_bytes(buf, size) != 1:
            raise TLSSetupError("RAND_bytes failed")
        if c.SSL_CTX_ctrl(ctx_ptr, _SSL_CTRL_SET_TLSEXT_TICKET_KEYS, size, buf) != 1:
            raise TLSSetupError("could not set the session ticket keys")
    finally:
        ctypes.memset(buf, 0, size)


def set_connection_verify(sslobj: ssl.SSLObject, ctx_ptr: int, request: bool) -> None:
    """Per connection (from the SNI callback): send a CertificateRequest or not. The callback
    argument stays NULL, which OpenSSL reads as "keep the current verify callback"."""
    p = checked_ssl_pointer(sslobj, ctx_ptr)
    lib().c.SSL_set_verify(p, SSL_VERIFY_PEER if request else SSL_VERIFY_NONE, None)
