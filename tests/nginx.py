"""A real nginx (Debian's package) on loopback, started by a test with its own prefix folder."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from certgate.testing.nginx import prepare
from tests.harness import free_port

__all__ = ["Nginx", "free_port"]


class Nginx:
    """nginx running `servers` (http-block server sections) until `stop()`."""

    def __init__(self, prefix: Path, servers: str, ports: list[int]) -> None:
        if shutil.which("nginx") is None:
            pytest.skip("nginx is not installed (.ci/run installs it)")
        self.prefix = prefix
        argv = prepare(prefix, servers)
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for port in ports:
            self._wait(port)

    def _wait(self, port: int) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (self.prefix / "error.log").read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"nginx did not listen on {port}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
