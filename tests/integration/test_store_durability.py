"""`kill -9` during concurrent management writes loses no acknowledged write.

Two writer processes with four threads each put 500 resources (secret named values and, every
25th, a certificate with its private key) through `Store.put`, printing an acknowledgement after
each `put` returned. The test SIGKILLs both at a random moment, reopens the store and checks that
every acknowledged write is there with the ETag it was acknowledged with, that SQLite's integrity
check passes, and that no private key (DER or PEM body) and no secret value is in the database
files in plaintext.
"""

from __future__ import annotations

import base64
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from certgate.store import Store, crypto
from certgate.testing.pki import Issued, issue

WRITES = 500
PROCESSES = 2
THREADS = 4
CERT_EVERY = 25
KEY = bytes(range(100, 132))

WRITER = r"""
import base64, sys, threading
from pathlib import Path
from certgate.store import Store

data, pfx_dir = sys.argv[1], Path(sys.argv[2])
first, count, threads, every = map(int, sys.argv[3:7])
store = Store.open(Path(data))
work = iter(range(first, first + count))
lock = threading.Lock()

def body(i):
    if i % every == 0:
        pfx = (pfx_dir / f"{i}.pfx").read_bytes()
        props = {"data": base64.b64encode(pfx).decode(), "password": f"pw-{i}"}
        return f"certificates/c{i}", {"properties": props}
    props = {"displayName": f"nv{i}", "value": f"secret-value-{i:05d}-certgate", "secret": True}
    return f"namedValues/nv{i}", {"properties": props}

def run():
    while True:
        with lock:
            i = next(work, None)
        if i is None:
            return
        path, payload = body(i)
        try:
            resource, _ = store.put(path, payload, actor=f"writer-{first}")
        except Exception as exc:
            with lock:
                sys.stdout.write(f"fail {path} {type(exc).__name__}:{exc}".replace("\n", " ") + "\n")
                sys.stdout.flush()
            continue
        with lock:
            sys.stdout.write(f"ack {path} {resource.etag}\n")
            sys.stdout.flush()

workers = [threading.Thread(target=run) for _ in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
"""


def _keys(issued: Issued) -> list[bytes]:
    """What a plaintext key looks like on disk: its DER, and each line of its PEM body."""
    der = issued.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    pem = issued.key_pem().splitlines()[1:-1]
    return [der, *pem, base64.b64encode(der)[:64]]


def _run(tmp_path: Path, kill_at: int) -> tuple[dict[str, str], list[Issued], list[int]]:
    data, pfx_dir = tmp_path / "data", tmp_path / "pfx"
    pfx_dir.mkdir()
    certs: list[Issued] = []
    for i in range(0, WRITES, CERT_EVERY):
        cert = issue(f"Partner {i}", client=True)
        (pfx_dir / f"{i}.pfx").write_bytes(cert.pfx(f"pw-{i}".encode()))
        certs.append(cert)
    Store.open(data, master_key=KEY).close()  # created (and migrated) once, before the race
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {**os.environ, crypto.ENV_KEY: crypto.encode_key(KEY)}
    per = WRITES // PROCESSES
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(script),
                str(data),
                str(pfx_dir),
                str(n * per),
                str(per),
                str(THREADS),
                str(CERT_EVERY),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(PROCESSES)
    ]
    acks: dict[str, str] = {}
    failures: list[str] = []
    guard = threading.Lock()
    reached = threading.Event()

    def read(proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("fail "):
                failures.append(line.strip())
                continue
            _, path, etag = line.split()
            with guard:
                acks[path] = etag
                if len(acks) >= kill_at:
                    reached.set()

    started = time.monotonic()
    readers = [threading.Thread(target=read, args=(p,)) for p in procs]
    for r in readers:
        r.start()
    assert reached.wait(timeout=300), f"only {len(acks)} acknowledged writes in 300 s"
    for proc in procs:
        os.kill(proc.pid, signal.SIGKILL)
    with guard:
        acknowledged_at_kill = len(acks)
    elapsed = time.monotonic() - started
    for proc in procs:
        proc.wait(timeout=30)
    for r in readers:
        r.join(timeout=30)  # acknowledgements already in the pipes still count
    for proc in procs:
        assert proc.stdout is not None
        proc.stdout.close()
    codes = [p.returncode for p in procs]
    assert not failures, f"writes refused during the race: {failures[:3]}"
    print(
        f"\nkill -9 after {acknowledged_at_kill} acknowledged writes "
        f"({len(acks)} with those still in the pipes) of {WRITES} in {elapsed:.1f} s; "
        f"exit codes {codes}"
    )
    return acks, certs, codes


def _verify(tmp_path: Path, acks: dict[str, str], certs: list[Issued]) -> None:
    store = Store.open(tmp_path / "data", master_key=KEY)
    try:
        assert store.integrity_check() == "ok"
        missing = [p for p, etag in acks.items() if (r := store.get(p)) is None or r.etag != etag]
        assert not missing, f"{len(missing)} acknowledged writes lost: {missing[:5]}"
        assert store.version() >= len(acks)
        config = store.to_config()  # everything that is there opens under the key
        assert len(config.named_values) + len(config.certificates) == store.version()
    finally:
        store.close()
    blob = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("certgate.db*"))
    assert all(p.encode() in blob for p in acks)  # the search reads the right files
    for cert in certs:
        for needle in _keys(cert):
            assert needle not in blob, "a private key is in the database in plaintext"
    assert b"secret-value-" not in blob and b"-----BEGIN PRIVATE KEY" not in blob


@pytest.mark.slow
def test_kill_9_near_the_end_loses_no_acknowledged_write(tmp_path: Path) -> None:
    kill_at = random.randint(WRITES - 5, WRITES - 1)  # ≥ 99 % acknowledged, some in flight
    acks, certs, codes = _run(tmp_path, kill_at)
    assert len(acks) >= 0.99 * WRITES
    assert -signal.SIGKILL in codes  # the kill landed while writes were still going on
    _verify(tmp_path, acks, certs)


@pytest.mark.slow
def test_kill_9_at_a_random_moment_loses_no_acknowledged_write(tmp_path: Path) -> None:
    acks, certs, _ = _run(tmp_path, random.randint(20, WRITES - 20))
    _verify(tmp_path, acks, certs)


def test_a_committed_write_is_durable_without_close(tmp_path: Path) -> None:
    """The twin on the small scale: a write that returned is there after a SIGKILL before any
    checkpoint or close, and one that was refused is not."""
    script = tmp_path / "one.py"
    script.write_text(
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from certgate.store import Store, ValidationFailed\n"
        "s = Store.open(Path(sys.argv[1]))\n"
        "s.put('namedValues/kept', {'properties': {'displayName': 'kept', 'value': 'v'}},"
        " actor='t')\n"
        "try:\n"
        "    s.put('namedValues/bad', {'properties': {'displayName': 'a b', 'value': 'v'}},"
        " actor='t')\n"
        "except ValidationFailed:\n"
        "    pass\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    env = {**os.environ, crypto.ENV_KEY: crypto.encode_key(KEY)}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, str(script), str(tmp_path / "d")], env=env, timeout=60)
    assert proc.returncode == -signal.SIGKILL and time.monotonic() - started < 60
    assert (tmp_path / "d" / "certgate.db-wal").exists()  # the commit is in the WAL, unmerged
    store = Store.open(tmp_path / "d", master_key=KEY)
    assert store.get("namedValues/kept") is not None and store.get("namedValues/bad") is None
    assert store.integrity_check() == "ok"
    store.close()
