"""Processes a benchmark starts: pinned to a CPU, in their own process group, always stopped.

Each server runs in a new session so that one signal to its process group reaches every worker
(nginx forks its worker), and so that a Ctrl-C in the terminal reaches only the driver, whose
`finally` then stops everything in order.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

LOAD_CPU = 0  # ab and the backend
SERVER_CPU = 1  # the server under test, alone


@dataclass(frozen=True)
class Pinning:
    """Where the load generator and the server under test run; None: not pinned."""

    load_cpu: int | None
    server_cpu: int | None

    @classmethod
    def detect(cls) -> Pinning:
        """Pin when CPUs 0 and 1 are both ours and taskset exists; otherwise run unpinned."""
        allowed = os.sched_getaffinity(0)
        if {LOAD_CPU, SERVER_CPU} <= allowed and shutil.which("taskset"):
            return cls(LOAD_CPU, SERVER_CPU)
        return cls(None, None)

    @property
    def pinned(self) -> bool:
        return self.server_cpu is not None


def on_cpu(cpu: int | None, argv: Sequence[str]) -> list[str]:
    """`argv` prefixed with `taskset -c CPU` (unchanged when cpu is None)."""
    return ["taskset", "-c", str(cpu), *argv] if cpu is not None else list(argv)


def free_port() -> int:
    """A loopback TCP port that was free a moment ago (nginx needs the number in its config)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Started:
    """A process this benchmark started: its Popen, log file and what it is for."""

    name: str
    proc: subprocess.Popen[bytes]
    log: Path

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@dataclass
class Supervisor:
    """Starts processes and stops all of them on exit, whatever the exit path."""

    stop_timeout: float = 5.0
    started: list[Started] = field(default_factory=list)
    _saved: dict[signal.Signals, Any] = field(default_factory=dict)

    def __enter__(self) -> Supervisor:
        # SIGTERM/SIGHUP to the driver must run the same cleanup as an exception does.
        for sig in (signal.SIGTERM, signal.SIGHUP):
            self._saved[sig] = signal.signal(sig, _raise_exit)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.stop_all()
        finally:
            for sig, handler in self._saved.items():
                signal.signal(sig, handler)

    def start(self, name: str, argv: Sequence[str], log: Path) -> Started:
        with log.open("wb") as out:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        started = Started(name, proc, log)
        self.started.append(started)
        return started

    def stop_all(self) -> None:
        """SIGTERM every group (newest first), then SIGKILL what is still there."""
        for item in reversed(self.started):
            _signal_group(item.proc, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for item in reversed(self.started):
            try:
                item.proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(item.proc, signal.SIGKILL)
                item.proc.wait()
            # nginx workers may outlive their master by a moment: make sure the group is gone.
            _signal_group(item.proc, signal.SIGKILL)
        self.started.clear()


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)  # start_new_session: the group id is the leader's pid


def _raise_exit(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def wait_listening(item: Started, port: int, timeout: float = 15.0) -> None:
    """Block until 127.0.0.1:port accepts TCP connections; fail with the log if the process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if item.proc.poll() is not None:
            raise RuntimeError(
                f"{item.name} exited with {item.proc.returncode}:\n{item.log_tail()}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{item.name} did not listen on port {port} in {timeout:.0f}s")


def tree_cpu_seconds(root: int) -> float:
    """utime+stime of `root` and all its descendants, plus what their reaped children used."""
    return sum(tree_cpu_split(root))


def tree_cpu_split(root: int) -> tuple[float, float]:
    """(user, system) CPU seconds of `root` and all its descendants, plus their reaped
    children's: system time is the kernel's work for them (syscalls, the loopback TCP stack).

    Scans /proc once for parent links (/proc/PID/task/*/children needs a kernel option).
    """
    stats = _all_stats()
    kids: dict[int, list[int]] = {}
    for pid, (ppid, _, _) in stats.items():
        kids.setdefault(ppid, []).append(pid)
    user = system = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            user += stats[pid][1]
            system += stats[pid][2]
        todo.extend(kids.get(pid, ()))
    tick = os.sysconf("SC_CLK_TCK")
    return user / tick, system / tick


def _all_stats() -> dict[int, tuple[int, int, int]]:
    """pid -> (ppid, user ticks, system ticks, both incl. reaped children) for every process
    visible now."""
    stats: dict[int, tuple[int, int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(entry.path, "stat").read_text()
        except OSError:  # exited while we looked
            continue
        f = text.rsplit(")", 1)[1].split()  # the command name may contain spaces
        # f[1] ppid; [11] utime, [12] stime, [13] cutime, [14] cstime (proc(5), minus 3)
        stats[int(entry.name)] = (int(f[1]), int(f[11]) + int(f[13]), int(f[12]) + int(f[14]))
    return stats


def cpu_busy_seconds() -> dict[int, float]:
    """Per CPU, the time it was not idle since boot (/proc/stat, USER_HZ ticks).

    Compared with what our own processes used over the same interval, this shows how much of a
    CPU went to someone else (other tests on the machine, the hypervisor's steal).
    """
    busy: dict[int, float] = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *ticks = line.split()
        if not (name.startswith("cpu") and name[3:].isdigit()):
            continue
        values = [int(t) for t in ticks[:8]]  # user nice system idle iowait irq softirq steal
        busy[int(name[3:])] = (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")
    return busy


def reaped_children_cpu_seconds() -> float:
    """CPU of this process's finished, waited-for children (here: each ab run)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
