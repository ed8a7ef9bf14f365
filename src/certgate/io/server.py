"""Starts the listeners of a snapshot on one event loop and runs until told to stop.

`Gateway` is the data plane of one process. `serve_forever` is `certgate serve` in one process
(`--workers 1`): the gateway, the admin listener when the configuration has `admin:`, live apply
of committed store changes, SIGHUP reload of the YAML file, and a graceful drain on SIGTERM. With
`--workers N` each worker runs `serve_forever` (`certgate.workers`), and only worker 0 the admin
listener.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from certgate.io import accesslog
from certgate.io.http_server import ClientConnection, Limits
from certgate.io.live import LiveSnapshot, listener_changes
from certgate.io.proxy import Proxy
from certgate.io.tls import get_backend
from certgate.io.tls.base import TlsBackend, TlsHostname
from certgate.io.upstream import Pool
from certgate.metrics import Metrics
from certgate.snapshot import Snapshot

if TYPE_CHECKING:
    from certgate.admin.asgi_host import AsgiServer
    from certgate.config import Config
    from certgate.store import Store

log = logging.getLogger("certgate.server")

DRAIN_SECONDS = 30.0  # SIGTERM: how long requests in flight may take to finish
_GC_YOUNG = 7000  # allocations between young-generation collections (CPython's default: 700)


class Gateway:
    """The running data plane of one worker process (`live` and `metrics`: see `Proxy`)."""

    def __init__(
        self,
        snapshot: Snapshot,
        tls_backend: str | None = None,
        *,
        live: LiveSnapshot | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        settings = snapshot.settings
        self.tls: TlsBackend = get_backend(tls_backend or settings.tls_backend or "default")
        self.pool = Pool(
            connect_timeout=settings.backend_connect_timeout,
            max_body=settings.max_response_body_bytes,
        )
        self.proxy = Proxy(snapshot, self.pool, live=live, metrics=metrics)
        self.limits = Limits.from_settings(settings)
        # The TLS listeners are those of the snapshot the process started with: live apply
        # swaps what requests see, not the listening sockets (see `live.listener_changes`).
        self.listeners: dict[tuple[str, int], tuple[TlsHostname, ...]] = snapshot.listeners
        self.servers: list[asyncio.AbstractServer] = []
        self.connections: weakref.WeakSet[ClientConnection] = weakref.WeakSet()
        self.live = live
        self.metrics = metrics
        if live is not None:
            live.on_swap.append(self._swapped)

    def _swapped(self, old: Snapshot, new: Snapshot) -> None:
        changes = listener_changes(old, new)
        if changes:
            log.warning(
                "live apply: TLS listener settings changed (%s); the running listeners keep "
                "theirs until the next start",
                ", ".join(changes),
            )

    async def start(self, *, reuse_port: bool = False) -> list[tuple[str, int]]:
        """Self-check TLS, then listen; returns the bound (host, port) of each listener."""
        self.tls.self_check()
        bound = []
        for (host, port), hostnames in self.listeners.items():
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
        connection = ClientConnection(self.proxy.handle, self.tls, self.limits)
        self.connections.add(connection)
        return connection

    async def drain(self, timeout: float = DRAIN_SECONDS) -> int:
        """Stop accepting, close idle keep-alive connections, let requests in flight finish (up
        to `timeout` seconds); returns how many connections were still busy at the deadline.

        A connection whose response is written but still in the transport's buffer counts as
        busy: the process exits after the drain, and those bytes would be lost."""
        for server in self.servers:
            server.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            busy = 0
            for connection in list(self.connections):
                transport = connection.transport
                if transport is None:
                    continue
                unsent = transport.get_write_buffer_size()
                if not connection.busy and not connection.queue and not unsent:
                    transport.close()  # idle between requests
                else:
                    busy += 1
            if not busy or loop.time() >= deadline:
                return busy
            await asyncio.sleep(0.05)

    async def stop(self) -> None:
        for server in self.servers:
            server.close()
        for server in self.servers:
            await server.wait_closed()
        self.pool.close()


@dataclass
class Node:
    """What `certgate serve` runs in one process besides the gateway: the store it serves from,
    the node's own configuration (the YAML file's `gateway:`/`admin:` sections), the live
    snapshot, the admin listener (only in one process of the node) and the metrics."""

    store: Store | None = None
    config: Config | None = None  # the configuration served at start (node sections + store)
    config_path: Path | None = None  # the YAML file, reloaded on SIGHUP
    live: LiveSnapshot | None = None
    metrics: Metrics | None = None
    admin: bool = False  # start the admin listener here
    worker: int | None = None  # the worker index under `--workers N`, else None
    reuse_port: bool = False
    on_ready: Callable[[], None] | None = None
    on_reload: Callable[[], object] | None = None  # SIGHUP (None: the worker ignores it)
    background: list[asyncio.Task[None]] = field(default_factory=list)


async def serve_forever(
    snapshot: Snapshot, tls_backend: str | None = None, node: Node | None = None
) -> None:
    """Serve until SIGTERM/SIGINT, then drain. `gateway.accessLog`: stderr (default), stdout,
    off, or a file path ("{worker}" in it is replaced by the worker index, 0 without workers).
    Embedders (the tests) leave logger `certgate.access` to their own logging set-up."""
    node = node or Node()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if node.on_reload is not None:
        reload = node.on_reload
        loop.add_signal_handler(signal.SIGHUP, lambda: _reload(loop, reload))
    elif node.worker is not None:
        loop.add_signal_handler(signal.SIGHUP, lambda: None)  # the supervisor reloads
    destination = getattr(snapshot.settings, "access_log", None)
    if destination is not None and "{worker}" in destination:
        destination = destination.replace("{worker}", str(node.worker or 0))
    accesslog.configure(destination)
    live = node.live
    if live is not None and live.stale:
        live.refresh()  # a worker (re)started after changes: serve the current configuration
    gateway = Gateway(snapshot, tls_backend, live=live, metrics=node.metrics)
    if live is not None:
        gateway.proxy.snapshot = live.snapshot
    await gateway.start(reuse_port=node.reuse_port)
    admin = await _start_admin(node, gateway.tls) if node.admin else None
    if live is not None:
        node.background.append(asyncio.create_task(live.watch()))
    # Everything loaded so far (modules, the compiled snapshot) lives as long as the process:
    # keep it out of the cyclic collector, whose full passes would otherwise walk it all (tens
    # of ms, during which no request moves) and grow with the configuration.
    gc.collect()
    gc.freeze()
    # What a request allocates is freed by reference counting (the data plane keeps no cycles),
    # so the young-generation collections that CPython's 700 net allocations trigger (one per
    # ~50 requests with 32 in flight, ~2% of the CPU) only walk requests still in flight.
    gc.set_threshold(_GC_YOUNG, *gc.get_threshold()[1:])
    if node.on_ready is not None:
        node.on_ready()
    if node.worker is None:
        log.info("serving (pid %d)", os.getpid())
    await stop.wait()
    log.info("stopping: draining requests in flight (up to %.0f s)", DRAIN_SECONDS)
    if admin is not None:
        admin.close()
    busy = await gateway.drain()
    if busy:
        log.warning("stopping: %d connections still busy after %.0f s", busy, DRAIN_SECONDS)
    for task in node.background:
        task.cancel()
    if admin is not None:
        await admin.wait_closed()
    await gateway.stop()


def _reload(loop: asyncio.AbstractEventLoop, reload: Callable[[], object]) -> None:
    """SIGHUP in a single-process node: the store work runs off the event loop."""

    def run() -> None:
        try:
            reload()
        except Exception:
            log.exception("reload failed")

    loop.run_in_executor(None, run)


async def _start_admin(node: Node, tls: TlsBackend) -> AsgiServer:
    from certgate.admin.listener import start_admin  # noqa: PLC0415 - only nodes with admin:

    assert node.store is not None and node.config is not None
    base_dir = node.config_path.parent if node.config_path is not None else None
    return await start_admin(
        node.config, node.store, tls, metrics=node.metrics, base_dir=base_dir, environ=os.environ
    )
