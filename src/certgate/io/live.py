"""Live configuration: every committed store change is served from the next request on, in every
worker process, with no polling window.

How (docs/operations.md, "Live apply"):

- `SharedCounter` is 16 bytes of a file under the data folder (`live.version`), mapped shared
  (`mmap`) by every process of the node: word 0 is a *generation* that goes up by one after each
  committed change, word 1 the highest store version published. The committer bumps it after the
  commit is durable and before its call returns, so before the admin API (or the CLI, or a
  SIGHUP reload) acknowledges anything (`publish_commits` hooks it into `Store.on_commit`).
  Bumps take an `flock` on the file, so two committers never publish the same generation.
- `LiveSnapshot` is per process: the snapshot being served and the generation it was built at.
  Before a request is routed, the data plane compares the two (`LiveSnapshot.stale`: one read of
  shared memory, ~40 ns). When the generation moved, the snapshot is rebuilt from the store
  (`store.versioned_config` → `build_snapshot`) synchronously on the event loop, before that
  request is served: a request that arrives after an acknowledgement cannot be served by the old
  configuration, whichever worker takes it. A request already running keeps the snapshot object
  it started with.
- Writers that do not bump the counter (another node on the same PostgreSQL, a process that
  crashed between its commit and its bump) are caught by a slow fallback: `watch` reads the
  store version every `POLL_SECONDS` (off the event loop) and publishes when the store is ahead.

The rebuild reads the generation *before* it reads the store, so what it built is at least as new
as the generation it records; a concurrent commit only causes one more rebuild.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import mmap
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from certgate.snapshot import Snapshot, build_snapshot

if TYPE_CHECKING:
    from certgate.config import Config
    from certgate.store import Store

log = logging.getLogger("certgate.live")

COUNTER_FILE = "live.version"
POLL_SECONDS = 1.0  # the fallback for writers that do not publish (not the guarantee)
RETRY_SECONDS = 1.0  # after a failed rebuild, how long the old snapshot is served before a retry
_SIZE = 16


class SharedCounter:
    """The node's change generation in shared memory (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < _SIZE:
                fcntl.flock(fd, fcntl.LOCK_EX)
                try:
                    if os.fstat(fd).st_size < _SIZE:
                        os.ftruncate(fd, _SIZE)  # zero-filled
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            self._map = mmap.mmap(fd, _SIZE, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        # Native 8-byte words: reading `words[0]` is one aligned load, no allocation.
        self.words = memoryview(self._map).cast("Q")

    @classmethod
    def open(cls, data_dir: Path) -> SharedCounter:
        return cls(Path(data_dir) / COUNTER_FILE)

    @property
    def generation(self) -> int:
        return int(self.words[0])

    @property
    def store_version(self) -> int:
        return int(self.words[1])

    def publish(self, store_version: int) -> int:
        """A change was committed (at `store_version`): move the generation; returns it."""
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            words = self.words
            words[1] = max(int(words[1]), store_version)
            words[0] = generation = int(words[0]) + 1
            return generation
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def restart(self, store_version: int) -> None:
        """At a node's start: the store may have been restored to an older version since the
        counter last saw it; record its version as is (the generation never goes back)."""
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            self.words[1] = store_version
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.words.release()
        self._map.close()
        os.close(self._fd)


def publish_commits(store: Store, counter: SharedCounter) -> None:
    """Bump `counter` after every change `store` commits (before the write call returns)."""

    def committed(version: int) -> None:
        generation = counter.publish(version)
        log.debug("store version %d committed: generation %d", version, generation)

    store.on_commit(committed)


def publish_if_served(store: Store) -> None:
    """For store commands (`certgate cert add` ...): when a gateway serves this data folder (its
    counter file exists), publish this process's commits to it too."""
    path = Path(store.data_dir) / COUNTER_FILE
    if path.exists():
        with contextlib.suppress(OSError):
            publish_commits(store, SharedCounter(path))


class LiveSnapshot:
    """One process's current snapshot and the generation it was built at.

    `stale` is the hot-path check; `refresh` rebuilds and returns the new snapshot (or the old
    one, when the rebuild failed: logged, retried after `RETRY_SECONDS`). `on_swap` callbacks
    get (old, new) after each swap.
    """

    def __init__(
        self,
        snapshot: Snapshot,
        store: Store,
        counter: SharedCounter,
        *,
        base: Config | None = None,
        generation: int | None = None,
        store_version: int = 0,
    ) -> None:
        self.snapshot = snapshot
        self.store = store
        self.counter = counter
        self.base = base
        self.words = counter.words
        # The generation `snapshot` is at; -1 forces a rebuild at the first request.
        self.generation = counter.generation if generation is None else generation
        self.store_version = store_version
        self.on_swap: list[Callable[[Snapshot, Snapshot], None]] = []
        self.rebuilds = 0
        self.failures = 0
        self._retry_at = 0.0

    @property
    def stale(self) -> bool:
        """Whether a change was committed since `snapshot` was built (one shared-memory read)."""
        return self.words[0] != self.generation

    def refresh(self) -> Snapshot:
        """Rebuild from the store if a change was committed since; returns the snapshot to serve.
        Synchronous: the event loop serves nothing else meanwhile, so no request that arrives
        after the change was acknowledged can get the old snapshot."""
        generation = int(self.words[0])
        if generation == self.generation:
            return self.snapshot
        now = time.monotonic()
        if now < self._retry_at:
            return self.snapshot
        started = time.perf_counter()
        try:
            version, config = self.store.versioned_config(self.base)
            snapshot = build_snapshot(config, self.store.data_dir)
        except Exception as exc:
            # The store checked this configuration when it was written, so this is the
            # environment (the database unreachable, a file gone): keep serving what we have.
            self.failures += 1
            self._retry_at = now + RETRY_SECONDS
            log.error(
                "live apply: cannot rebuild the configuration at generation %d (%s); "
                "serving the previous one, retrying in %.0f s",
                generation,
                exc,
                RETRY_SECONDS,
            )
            return self.snapshot
        old, self.snapshot = self.snapshot, snapshot
        self.generation, self.store_version = generation, version
        self.rebuilds += 1
        log.info(
            "live apply: store version %d (generation %d) in %.1f ms",
            version,
            generation,
            (time.perf_counter() - started) * 1000,
        )
        for callback in self.on_swap:
            try:
                callback(old, snapshot)
            except Exception:
                log.exception("live apply: a swap callback failed")
        return snapshot

    async def watch(self, interval: float = POLL_SECONDS) -> None:
        """The fallback for writers that do not publish: when the store's version is ahead of
        what was published, publish it (every process of the node then rebuilds)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(interval)
            try:
                version = await loop.run_in_executor(None, self.store.version)
            except Exception as exc:
                log.warning("live apply: cannot read the store version: %s", exc)
                continue
            if version > self.counter.store_version and version > self.store_version:
                log.info("live apply: store version %d was not published; publishing", version)
                self.counter.publish(version)


def listener_changes(old: Snapshot, new: Snapshot) -> list[str]:
    """What changed in the TLS listeners (addresses, hostnames, their certificates and client
    certificate settings): a running listener keeps its own until the next start."""
    if old.listeners == new.listeners:
        return []
    changes = [f"{h}:{p}" for (h, p) in new.listeners.keys() - old.listeners.keys()]
    changes += [f"{h}:{p} removed" for (h, p) in old.listeners.keys() - new.listeners.keys()]
    for key in old.listeners.keys() & new.listeners.keys():
        if old.listeners[key] != new.listeners[key]:
            changes.append(f"hostnames on {key[0]}:{key[1]}")
    return changes
