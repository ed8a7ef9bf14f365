from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from certgate.admin.app import create_app
from certgate.admin.asgi_host import ASGIApp, HostLimits, serve
from certgate.admin.auth import AdminAuth
from certgate.metrics import Metrics
from tests.harness import LoopThread
from tests.unit.admin.fakestore import FakeStore

TOKEN = "ci-token-0123456789abcdef"
OPS_TOKEN = "ops-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

Serve = Callable[..., httpx.Client]


@pytest.fixture(scope="module")
def loop() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.stop()


@pytest.fixture
def serve_app(loop: LoopThread) -> Iterator[Serve]:
    """Serve an ASGI app on 127.0.0.1 (plain) through certgate's host; returns a client."""
    servers = []
    clients: list[httpx.Client] = []

    def start(app: ASGIApp, limits: HostLimits | None = None) -> httpx.Client:
        server = loop.run(serve(app, "127.0.0.1", 0, limits=limits))
        servers.append(server)
        host, port = server.address
        client = httpx.Client(base_url=f"http://{host}:{port}", timeout=10)
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.close()
    for server in servers:
        loop.call(server.close)  # uvloop objects belong to their loop's thread
        loop.run(server.wait_closed())


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def client(store: FakeStore, metrics: Metrics, serve_app: Serve) -> httpx.Client:
    return serve_app(create_app(store, AdminAuth({"ci": TOKEN, "ops": OPS_TOKEN}), metrics))
