"""Facts about the machine and the code under test, recorded with every benchmark run."""

from __future__ import annotations

import hashlib
import os
import platform
import ssl
import subprocess
from pathlib import Path
from typing import Any

from anchor import nginx_version
from cryptography.hazmat.backends.openssl import backend as ossl

import certgate

ROOT = Path(__file__).resolve().parent.parent


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def machine_facts(pinned: bool) -> dict[str, Any]:
    """What the results depend on: CPU, kernel, library versions, load, the code measured."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "stdlib_openssl": ssl.OPENSSL_VERSION,
        "pyopenssl_openssl": ossl.openssl_version_text(),
        "nginx": nginx_version(),
        "pinned": pinned,
        "loadavg_at_start": loadavg(),
        "source": source_state(),
    }


def source_state() -> str:
    """Which certgate code ran: the commit, plus a digest of src/ when it has uncommitted
    changes (others edit the tree while benchmarks run), or the folder it was imported from."""
    package = Path(certgate.__file__).resolve().parent
    if not package.is_relative_to(ROOT / "src"):
        return f"certgate imported from {package.parent} (digest {tree_digest(package)})"
    head = _git("rev-parse", "--short", "HEAD")
    if head.returncode != 0:
        return f"not a git checkout (digest {tree_digest(package)})"
    if _git("status", "--porcelain", "--", "src").stdout.strip():
        return (
            f"{head.stdout.strip()} + uncommitted changes in src/ (digest {tree_digest(package)})"
        )
    return head.stdout.strip()


def tree_digest(package: Path) -> str:
    """Short SHA-256 over the package's .py files: tells two dirty trees apart."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    argv = ["git", "-C", str(ROOT), *args]
    return subprocess.run(argv, capture_output=True, text=True, check=False)
