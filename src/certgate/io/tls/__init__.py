"""TLS for the gateway listener: one small interface (`TlsBackend`), two implementations.

`get_backend("stdlib")` runs the stdlib `ssl` module on uvloop's C TLS transport, with OpenSSL's
verify and ticket callbacks installed through ctypes (`_libssl`); `get_backend("pyopenssl")` runs
pyOpenSSL over memory BIOs on a plain TCP transport. Both accept any client certificate on
hostnames that negotiate one, report the chain the client sent (also after resumption), and pass
the same integration tests. Call `self_check()` at start-up; `start_server` runs it once if not.
"""

from __future__ import annotations

from certgate.errors import TLSSetupError
from certgate.io.tls.base import PeerInfo, TlsBackend, TlsHostname

__all__ = [
    "BACKEND_NAMES",
    "DEFAULT_BACKEND",
    "PeerInfo",
    "TlsBackend",
    "TlsHostname",
    "get_backend",
]

BACKEND_NAMES = ("stdlib", "pyopenssl")

# Chosen by bench/tls_backends.py (5 alternating rounds, medians; server pinned to one core of a
# 2-vCPU VM, ab on the other; client cert + intermediate, ECDSA P-256; OpenSSL 3.0.19 in `ssl`,
# 4.0.3 in pyOpenSSL):
#                server CPU per full mTLS handshake   server CPU per keep-alive round trip
#   stdlib       1,587 µs  (611 handshakes/s)         15.4 µs  (39,887 rt/s)
#   pyopenssl      850 µs  (1,083 handshakes/s)       27.4 µs  (36,107 rt/s)
# (a run while other jobs shared the server's core: 1,953 vs 1,103 µs and 21.7 vs 36.2 µs.)
# Rates are partly capped by the single-threaded ab client; the CPU figures are the server's.
# Per request stdlib is cheaper once a connection carries more than ~60 requests
# ((1587 - 850) / (27.4 - 15.4)). API clients of a gateway keep connections alive and resume
# TLS sessions, so the uvloop C TLS path is the default; for clients that reconnect every few
# requests, `--tls-backend pyopenssl` halves the handshake cost.
DEFAULT_BACKEND = "stdlib"

_instances: dict[str, TlsBackend] = {}


def get_backend(name: str) -> TlsBackend:
    """The backend called `name`, or `"default"` for DEFAULT_BACKEND (one instance per process,
    so its self-check runs once)."""
    if name == "default":
        name = DEFAULT_BACKEND
    backend = _instances.get(name)
    if backend is None:
        backend = _instances[name] = _create(name)
    return backend


def _create(name: str) -> TlsBackend:
    # Imported on demand: the stdlib backend loads ctypes bindings, pyOpenSSL is a large import.
    if name == "stdlib":
        from certgate.io.tls.stdlib import StdlibBackend  # noqa: PLC0415

        return StdlibBackend()
    if name == "pyopenssl":
        from certgate.io.tls.pyopenssl import PyOpenSSLBackend  # noqa: PLC0415

        return PyOpenSSLBackend()
    raise TLSSetupError(f"unknown TLS backend {name!r}; choose one of {', '.join(BACKEND_NAMES)}")
