"""Starts the listeners of a snapshot on one event loop and runs until told to stop."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from typing import cast

from certgate.io import accesslog
from certgate.io.http_server import ClientConnection, Limits
from certgate.io.proxy import Proxy
from certgate.io.tls import get_backend
from certgate.io.tls.base import TlsBackend
from certgate.io.upstream import Pool
from certgate.snapshot import Snapshot

log = logging.getLogger("certgate.server")


class Gateway:
    """The running data plane of one worker process."""

    def __init__(self, snapshot: Snapshot, tls_backend: str | None = None) -> None:
        settings = snapshot.settings
        self.tls: TlsBackend = get_backend(tls_backend or settings.tls_backend or "default")
        self.pool = Pool(
            connect_timeout=settings.backend_connect_timeout,
            max_body=settings.max_response_body_bytes,
        )
        self.proxy = Proxy(snapshot, self.pool)
        self.limits = Limits(
            max_header_bytes=settings.max_header_bytes,
            keepalive_timeout=settings.keepalive_timeout,
        )
        self.servers: list[asyncio.AbstractServer] = []

    async def start(self, *, reuse_port: bool = False) -> list[tuple[str, int]]:
        """Self-check TLS, then listen; returns the bound (host, port) of each listener."""
        self.tls.self_check()
        bound = []
        for (host, port), hostnames in self.proxy.snapshot.listeners.items():
            server = await self.tls.start_server(
                self._connection, host, port, hostnames, reuse_port=reuse_port
            )
            self.servers.append(server)
            for sock in cast(asyncio.Server, server).sockets:
                address = sock.getsockname()
                bound.append((str(address[0]), int(address[1])))
                names = ", ".join(h.name for h in hostnames)
                log.info("listening on %s:%s for %s (tls: %s)", *address[:2], names, self.tls.name)
        return bound

    def _connection(self) -> ClientConnection:
        return ClientConnection(self.proxy.handle, self.tls, self.limits)

    async def stop(self) -> None:
        for server in self.servers:
            server.close()
        for server in self.servers:
            await server.wait_closed()
        self.pool.close()


async def serve_forever(snapshot: Snapshot, tls_backend: str | None = None) -> None:
    # `gateway.accessLog`: stderr (default), stdout, off, or a file path. Embedders (the tests)
    # leave logger `certgate.access` to their own logging set-up.
    accesslog.configure(getattr(snapshot.settings, "access_log", None))
    gateway = Gateway(snapshot, tls_backend)
    await gateway.start()
    # Everything loaded so far (modules, the compiled snapshot) lives as long as the process:
    # keep it out of the cyclic collector, whose full passes would otherwise walk it all (tens
    # of ms, during which no request moves) and grow with the configuration.
    gc.collect()
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    log.info("stopping")
    await gateway.stop()
