"""`certgate serve`: one process (`--workers 1`) or a supervisor and N worker processes.

With `--workers N` (N ≥ 2) the parent loads and checks everything first (the YAML file applied to
the store, the snapshot built, the admin section's credentials and certificate), so a bad
configuration is refused before any process starts. Then it forks N workers. Each worker runs its
own uvloop and binds every gateway listener with SO_REUSEPORT (the kernel spreads connections
over them), self-checks TLS before it listens, and serves the store's current configuration
through its `LiveSnapshot`. Worker 0 also runs the admin listener (one process binds it) and
serves `/metrics` for the node.

The parent stays single-threaded and runs no event loop (so forking a replacement is always
safe). It

- restarts a worker that dies, after 0.1 s, doubling up to 10 s while replacements keep dying
  within 10 s of their start (logged with the exit status or signal);
- forwards SIGTERM/SIGINT as SIGTERM (each worker drains: stops accepting, closes idle
  connections, lets requests in flight finish for up to `server.DRAIN_SECONDS`), and SIGKILLs
  what is left 5 s after that;
- on SIGHUP re-applies the YAML file to the store (`store_cli.reload_config`: a bad file is
  refused, logged, and nothing changes) and publishes the change, so every worker rebuilds.

A worker that fails before it is listening during the first start (TLS self-check, a port in
use) stops the whole node with exit status 2.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import select
import signal
import socket
import sys
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from certgate.errors import CertgateError
from certgate.metrics import DUMP_SECONDS, Metrics, NodeMetrics, read_state, state_file, write_state

if TYPE_CHECKING:
    from certgate.io.live import LiveSnapshot, SharedCounter
    from certgate.store import Store
    from certgate.store_cli import Serving

log = logging.getLogger("certgate.workers")

EXIT_STARTUP = 3  # a worker's status when it failed before it was listening
MAX_WORKERS = 256
FIRST_BACKOFF = 0.1
MAX_BACKOFF = 10.0
STABLE_SECONDS = 10.0  # a worker that ran this long resets the back-off
KILL_GRACE = 5.0  # after the drain time, SIGKILL
METRICS_FOLDER = "metrics"


@dataclass
class Settings:
    serving: Serving
    tls_backend: str | None
    config_path: Path | None


# --- one process ----------------------------------------------------------------------------


def serve_single(settings: Settings) -> None:
    """`--workers 1`: everything in this process (the gateway, live apply, the admin listener
    when configured, SIGHUP reload, SIGTERM drain)."""
    import uvloop  # noqa: PLC0415

    from certgate.io.live import LiveSnapshot, SharedCounter, publish_commits  # noqa: PLC0415
    from certgate.io.server import Node, serve_forever  # noqa: PLC0415

    serving = settings.serving
    store = serving.store
    counter = SharedCounter.open(store.data_dir)
    counter.restart(serving.version)
    generation = _generation_of(serving, counter)
    publish_commits(store, counter)
    live = LiveSnapshot(
        serving.snapshot,
        store,
        counter,
        base=serving.base,
        generation=generation,
        store_version=serving.version,
    )
    # Metrics only where someone can read them (the admin listener serves /metrics).
    metrics = Metrics() if serving.config.admin is not None else None
    if metrics is not None:
        _observe_verdicts(metrics)
    node = Node(
        store=store,
        config=serving.config,
        config_path=settings.config_path,
        live=live,
        metrics=metrics,
        admin=serving.config.admin is not None,
        on_reload=lambda: reload(settings.config_path, store, counter),
    )
    try:
        uvloop.run(serve_forever(serving.snapshot, settings.tls_backend, node))
    finally:
        counter.close()


def check_admin(serving: Serving, config_path: Path | None) -> None:
    """Refuse an admin section that cannot start (credentials, its certificate) before anything
    listens; ConfigError names the key (and the file)."""
    config = serving.config
    if config.admin is None:
        return
    from certgate.admin.auth import AdminAuth  # noqa: PLC0415
    from certgate.admin.listener import admin_hostname  # noqa: PLC0415
    from certgate.errors import ConfigError  # noqa: PLC0415

    try:
        auth = AdminAuth.from_config(config.admin, os.environ)
        if config.admin.certificate_id is not None:
            admin_hostname(
                config,
                config.admin.certificate_id,
                config_path.parent if config_path is not None else Path(),
                os.environ,
                client_certificates=auth.wants_client_certificates,
            )
    except ConfigError as exc:
        raise exc.located(source=str(config_path)) if config_path is not None else exc from None


def check_ports_free(listeners: Iterable[tuple[str, int]]) -> None:
    """Workers share their ports through SO_REUSEPORT, which would just as well let them join a
    port that another process of this user (a second certgate) already listens on and silently
    take part of its traffic. Each port is first bound here without SO_REUSEPORT, so a port in
    use is refused, as a single process would be (OSError: address already in use)."""
    for host, port in listeners:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the listeners do
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise OSError(exc.errno, f"{host}:{port}: {exc.strerror}") from None


def reload(config_path: Path | None, store: Store, counter: SharedCounter) -> bool:
    """SIGHUP: apply the YAML file again; either way, every process then rebuilds from the store
    (which also re-reads files the configuration names, such as CRLs). Returns False when the
    file was refused (logged; nothing changed)."""
    from certgate.errors import LoadError, StoreError  # noqa: PLC0415
    from certgate.store_cli import reload_config  # noqa: PLC0415

    changed = False
    if config_path is None:
        log.info("SIGHUP: no --config file; rebuilding from the store")
    else:
        try:
            changed = reload_config(config_path, store)
        except (LoadError, StoreError) as exc:
            log.error("SIGHUP: %s refused, the configuration stays as it was: %s", config_path, exc)
            for entry in getattr(exc, "details", ()):
                log.error("  - %s", entry)
            return False
        log.info("SIGHUP: %s applied (%s)", config_path, "changed" if changed else "no change")
    if not changed:
        counter.publish(store.version())
    return True


def _generation_of(serving: Serving, counter: SharedCounter) -> int:
    """The generation `serving.snapshot` is at: the counter's, unless the store moved since the
    snapshot was built (then -1: rebuild before serving)."""
    generation = counter.generation
    return generation if serving.store.version() == serving.version else -1


def _observe_verdicts(metrics: Metrics) -> None:
    from certgate.core.validation import observe  # noqa: PLC0415

    observe.observer = metrics.client_certificate


# --- supervisor -----------------------------------------------------------------------------


@dataclass
class _Slot:
    index: int
    pid: int = 0
    started: float = 0.0
    ready: bool = False
    backoff: float = FIRST_BACKOFF
    due: float | None = None  # when to start a replacement


@dataclass
class Supervisor:
    settings: Settings
    count: int
    slots: list[_Slot] = field(default_factory=list)
    started: bool = False  # every worker was listening once (the first start is over)
    stopping: bool = False
    kill_at: float | None = None
    failed: bool = False  # a worker failed during the first start: exit 2

    def run(self) -> int:
        from certgate.io.live import SharedCounter, publish_commits  # noqa: PLC0415

        serving = self.settings.serving
        store = serving.store
        self.counter = SharedCounter.open(store.data_dir)
        self.counter.restart(serving.version)
        self.generation = _generation_of(serving, self.counter)
        publish_commits(store, self.counter)
        self.metrics_folder = store.data_dir / METRICS_FOLDER
        self.metrics_folder.mkdir(mode=0o700, exist_ok=True)
        for old in self.metrics_folder.glob("*worker-*"):
            with contextlib.suppress(OSError):
                old.unlink()
        self.wake_r, self.wake_w = os.pipe()
        self.ready_r, self.ready_w = os.pipe()
        for fd in (self.wake_r, self.wake_w, self.ready_r):
            os.set_blocking(fd, False)
        signal.set_wakeup_fd(self.wake_w, warn_on_full_buffer=False)
        handled = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD)
        previous = {sig: signal.signal(sig, _noop) for sig in handled}
        try:
            self.slots = [_Slot(i) for i in range(self.count)]
            for slot in self.slots:
                self._spawn(slot)
            return self._loop()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            signal.set_wakeup_fd(-1)
            for fd in (self.wake_r, self.wake_w, self.ready_r, self.ready_w):
                os.close(fd)
            self.counter.close()

    def _loop(self) -> int:
        while True:
            now = time.monotonic()
            due = [s.due for s in self.slots if s.due is not None and not self.stopping]
            deadlines = [*due, *([self.kill_at] if self.kill_at is not None else [])]
            timeout = max(0.0, min(deadlines) - now) if deadlines else 1.0
            with contextlib.suppress(InterruptedError):
                select.select([self.wake_r, self.ready_r], [], [], timeout)
            for sig in _drain(self.wake_r):
                self._signal(sig)
            for index in _drain(self.ready_r):
                if index < len(self.slots):
                    self._ready(self.slots[index])
            self._reap()
            if not self.started and not self.stopping and all(s.ready for s in self.slots):
                self.started = True
                log.info("%d workers serving (pids %s)", self.count, self._pids())
            now = time.monotonic()
            if self.stopping:
                if not any(s.pid for s in self.slots):
                    return 2 if self.failed else 0
                if self.kill_at is not None and now >= self.kill_at:
                    for slot in self.slots:
                        if slot.pid:
                            log.warning("worker %d (pid %d) did not stop: killed", *_id(slot))
                            _kill(slot.pid, signal.SIGKILL)
                    self.kill_at = None
                continue
            for slot in self.slots:
                if slot.due is not None and now >= slot.due:
                    slot.due = None
                    self._spawn(slot)

    def _pids(self) -> str:
        return ", ".join(str(s.pid) for s in self.slots)

    def _signal(self, sig: int) -> None:
        if sig in (signal.SIGTERM, signal.SIGINT):
            if not self.stopping:
                log.info("stopping %d workers (draining requests in flight)", self.count)
                self._stop()
        elif sig == signal.SIGHUP and not self.stopping:
            serving = self.settings.serving
            reload(self.settings.config_path, serving.store, self.counter)
            serving.store.close()  # no pooled connection may be open when a worker is forked

    def _stop(self) -> None:
        from certgate.io.server import DRAIN_SECONDS  # noqa: PLC0415

        self.stopping = True
        self.kill_at = time.monotonic() + DRAIN_SECONDS + KILL_GRACE
        for slot in self.slots:
            slot.due = None
            if slot.pid:
                _kill(slot.pid, signal.SIGTERM)

    def _ready(self, slot: _Slot) -> None:
        slot.ready = True
        log.info("worker %d (pid %d) listening", *_id(slot))

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            slot = next((s for s in self.slots if s.pid == pid), None)
            if slot is None:
                continue
            self._exited(slot, status)

    def _exited(self, slot: _Slot, status: int) -> None:
        how = _describe(status)
        ran = time.monotonic() - slot.started
        slot.ready, slot.pid = False, 0
        if self.stopping:
            log.info("worker %d %s", slot.index, how)
            return
        if not self.started:
            log.error("worker %d %s before it was listening: stopping", slot.index, how)
            self.failed = True
            self._stop()
            return
        if ran >= STABLE_SECONDS:
            slot.backoff = FIRST_BACKOFF
        delay = slot.backoff
        slot.backoff = min(slot.backoff * 2, MAX_BACKOFF)
        slot.due = time.monotonic() + delay
        log.warning("worker %d %s after %.1f s; restarting in %.1f s", slot.index, how, ran, delay)

    def _spawn(self, slot: _Slot) -> None:
        serving = self.settings.serving
        serving.store.close()  # dispose pooled connections: none may cross the fork
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                code = self._child(slot.index)
            except BaseException:  # whatever happens, this process must _exit
                traceback.print_exc()
            finally:
                with contextlib.suppress(Exception):
                    sys.stdout.flush()
                    sys.stderr.flush()
                os._exit(code)
        slot.pid, slot.started, slot.ready = pid, time.monotonic(), False
        log.info("worker %d started (pid %d)", slot.index, pid)

    def _child(self, index: int) -> int:
        """The worker process (never returns to the supervisor's code)."""
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # the supervisor reloads
        for fd in (self.wake_r, self.wake_w, self.ready_r):
            os.close(fd)
        ready_w = self.ready_w
        try:
            live, metrics = self._worker_state(index)
        except (CertgateError, OSError) as exc:
            print(f"certgate: worker {index}: error: {exc}", file=sys.stderr)
            return EXIT_STARTUP
        return run_worker(index, self.settings, live, metrics, ready_w, self.metrics_folder)

    def _worker_state(self, index: int) -> tuple[LiveSnapshot, Metrics | None]:
        from certgate.io.live import LiveSnapshot, SharedCounter, publish_commits  # noqa: PLC0415
        from certgate.store import Store  # noqa: PLC0415

        serving = self.settings.serving
        # Our own store and counter: the parent's pool and the counter's open file (whose flock
        # would be shared with the parent's) stay the parent's.
        store = Store.open(serving.store.data_dir, url=serving.store.url)
        store.node_config = serving.base
        counter = SharedCounter.open(store.data_dir)
        publish_commits(store, counter)
        live = LiveSnapshot(
            serving.snapshot,
            store,
            counter,
            base=serving.base,
            generation=self.generation,
            store_version=serving.version,
        )
        if serving.config.admin is None:
            return live, None  # nobody could read them: no metrics at all
        own = state_file(self.metrics_folder, index)
        metrics: Metrics
        if index == 0:
            metrics = NodeMetrics(folder=self.metrics_folder, own_file=own.name)
        else:
            metrics = Metrics()
        earlier = read_state(own)  # a replaced worker's counters go on from its predecessor's
        if earlier is not None:
            metrics.add_state(earlier)
        return live, metrics


def run_worker(
    index: int,
    settings: Settings,
    live: LiveSnapshot,
    metrics: Metrics | None,
    ready_w: int,
    metrics_folder: Path,
) -> int:
    import asyncio  # noqa: PLC0415

    import uvloop  # noqa: PLC0415

    from certgate.io import accesslog  # noqa: PLC0415
    from certgate.io.server import Node, serve_forever  # noqa: PLC0415

    if metrics is not None:
        _observe_verdicts(metrics)
    path = state_file(metrics_folder, index)
    parent = os.getppid()
    ready = False

    def on_ready() -> None:
        nonlocal ready
        ready = True
        os.write(ready_w, bytes([index]))
        os.close(ready_w)

    async def dump() -> None:
        """Every second: write the counters for worker 0's /metrics; stop if orphaned."""
        while True:
            await asyncio.sleep(DUMP_SECONDS)
            if metrics is not None:
                _write_metrics(metrics, path)
            if os.getppid() != parent:  # the supervisor is gone (SIGKILL): stop, draining
                log.error("worker %d: the supervisor (pid %d) is gone; stopping", index, parent)
                os.kill(os.getpid(), signal.SIGTERM)
                return

    serving = settings.serving
    node = Node(
        store=live.store,
        config=serving.config,
        config_path=settings.config_path,
        live=live,
        metrics=metrics,
        admin=index == 0 and serving.config.admin is not None,
        worker=index,
        reuse_port=True,
        on_ready=on_ready,
    )

    async def main() -> None:
        node.background.append(asyncio.create_task(dump()))
        await serve_forever(serving.snapshot, settings.tls_backend, node)

    try:
        uvloop.run(main())
    except (CertgateError, OSError) as exc:
        message = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        print(f"certgate: worker {index}: error: {message}", file=sys.stderr)
        return 1 if ready else EXIT_STARTUP
    finally:
        if ready and metrics is not None:
            _write_metrics(metrics, path)
        accesslog.reset()  # flushes the last lines
    return 0


def _write_metrics(metrics: Metrics, path: Path) -> None:
    try:
        write_state(metrics, path)
    except OSError as exc:
        log.warning("metrics not written to %s: %s", path, exc)


def _drain(fd: int) -> list[int]:
    data = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except BlockingIOError:
            break
        except OSError as exc:
            if exc.errno == errno.EINTR:
                continue
            raise
        if not chunk:
            break
        data += chunk
    return list(data)


def _kill(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = str(number)
        return f"was killed by {name}"
    code = os.waitstatus_to_exitcode(status)
    return f"exited with status {code}"


def _id(slot: _Slot) -> tuple[int, int]:
    return slot.index, slot.pid


def _noop(_sig: int, _frame: object) -> None:
    """Signals only wake the supervisor's loop (through the wakeup fd)."""
