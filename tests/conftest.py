from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from certgate.testing.pki import DemoPki, Issued, issue
from tests.harness import Harness, LoopThread, start_backend
from tests.raw_backend import RawBackend

TLS_BACKENDS = ["stdlib", "pyopenssl"]


@dataclass(frozen=True)
class Pki:
    demo: DemoPki
    other_host: Issued  # server certificate for other.localhost
    expired: Issued  # trusted CA, expired
    foreign: Issued  # issued by a CA nobody trusts
    second: Issued  # trusted CA, valid, never uploaded
    folder: Path

    @property
    def client(self) -> Issued:
        return self.demo.client

    @property
    def stranger(self) -> Issued:
        return self.demo.stranger


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    folder = tmp_path_factory.mktemp("pki")
    demo = DemoPki.create(("localhost",))
    demo.write(folder)
    now = dt.datetime.now(dt.UTC)
    other = issue("other.localhost", demo.intermediate, dns_names=("other.localhost",), server=True)
    other.write_pem(folder / "other.pem")
    expired = issue(
        "Expired Client",
        demo.intermediate,
        client=True,
        not_before=now - dt.timedelta(days=30),
        not_after=now - dt.timedelta(days=1),
    )
    foreign_root = issue("Foreign Root", ca=True)
    foreign = issue("Foreign Client", foreign_root, client=True)
    second = issue("Client 02", demo.intermediate, client=True)
    return Pki(demo, other, expired, foreign, second, folder)


@pytest.fixture(scope="session")
def loop_thread() -> Iterator[LoopThread]:
    thread = LoopThread()
    yield thread
    thread.stop()


@pytest.fixture(scope="session")
def backend(loop_thread: LoopThread) -> Iterator[tuple[int, list[object]]]:
    server, port, log = start_backend(loop_thread)
    yield port, log

    async def close() -> None:
        server.close()
        await server.wait_closed()

    loop_thread.run(close())


@pytest.fixture
def raw(loop_thread: LoopThread) -> Iterator[RawBackend]:
    """A backend with its own strict HTTP parser that records each request it received."""
    backend = loop_thread.run(RawBackend().start())
    yield backend
    loop_thread.run(backend.stop())


@pytest.fixture(params=TLS_BACKENDS)
def harness(
    request: pytest.FixtureRequest,
    loop_thread: LoopThread,
    backend: tuple[int, list[object]],
    pki: Pki,
    tmp_path: Path,
) -> Iterator[Harness]:
    (tmp_path / "pki").symlink_to(pki.folder)
    h = Harness(
        loop_thread, tmp_path, backend[0], backend[1], request.param, pki.folder / "root.crt"
    )
    yield h
    h.stop_gateway()
