"""`certgate serve --workers 2`: two worker processes on the same port under a supervisor.

Once a write is acknowledged, every following request is served by the new configuration
whichever worker takes it (requests on fresh connections; the per-worker access logs show that
both workers served); a refused write changes nothing anywhere; a worker killed with SIGKILL is
replaced while the other one's requests go on; SIGTERM drains; SIGHUP reloads a good file and
refuses a bad one; `/metrics` adds up the workers' counters. Each accepting test has its
refusing twin.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Pki
from tests.serve_proc import CONFIG, Served, b64, prepare
from tests.unit.admin.promtext import parse

FRESH = 40  # requests on fresh connections per check: both workers get some


@pytest.fixture
def node(tmp_path: Path, pki: Pki, backend: tuple[int, list[object]]) -> Iterator[Served]:
    served = prepare(tmp_path, pki, backend[0], workers=2).start()
    try:
        yield served
    finally:
        code = served.stop()
        assert code == 0, served.log()
        assert "Traceback" not in served.log()


def upload(node: Served, pki: Pki, password: str = "pw") -> int:
    props = {"data": b64(pki.client.pfx(b"pw")), "password": password}
    with node.admin() as admin:
        return admin.put("/certificates/partner", json={"properties": props}).status_code


def statuses(node: Served, pki: Pki, count: int = FRESH) -> list[int]:
    return [node.request(cert=pki.client).status for _ in range(count)]


def served_by(node: Served, since: dict[int, int]) -> dict[int, list[int]]:
    """Statuses each worker logged after `since` (line counts), once the logs are flushed."""
    time.sleep(0.6)  # access-log lines go out in batches, at most 0.25 s late
    return {
        index: [line["status"] for line in lines[since.get(index, 0) :]]
        for index, lines in node.access_lines().items()
    }


def line_counts(node: Served) -> dict[int, int]:
    time.sleep(0.6)
    return {index: len(lines) for index, lines in node.access_lines().items()}


# --- an acknowledged write is seen by every worker ---------------------------------------------


def test_after_an_acknowledged_write_every_request_sees_it_whichever_worker(
    node: Served, pki: Pki
) -> None:
    before = line_counts(node)
    assert set(statuses(node, pki)) == {401}
    old = served_by(node, before)
    assert set(old) == {0, 1} and all(old.values())  # both workers served, all refused

    assert upload(node, pki) == 201
    before = line_counts(node)
    assert set(statuses(node, pki)) == {200}  # from the first request after the 201
    new = served_by(node, before)
    assert set(new) == {0, 1} and all(new.values())
    assert {s for found in new.values() for s in found} == {200}
    pids = node.worker_pids()
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()


def test_a_refused_write_changes_nothing_on_any_worker(node: Served, pki: Pki) -> None:
    assert upload(node, pki) == 201
    with node.admin() as admin:
        bad = "<policies><inbound><rate-limit calls='1' renewal-period='1'/></inbound></policies>"
        response = admin.put(
            "/apis/echo/policies/policy", json={"properties": {"format": "rawxml", "value": bad}}
        )
        assert response.status_code == 400
        assert upload(node, pki, password="wrong") == 400
    before = line_counts(node)
    assert set(statuses(node, pki)) == {200}  # the old policy and certificates, everywhere
    after = served_by(node, before)
    assert set(after) == {0, 1} and {s for v in after.values() for s in v} == {200}


# --- a killed worker is replaced; the other one's requests do not fail -----------------------


def test_kill_9_of_a_worker_restarts_it_and_the_other_keeps_serving(node: Served, pki: Pki) -> None:
    assert upload(node, pki) == 201
    # One keep-alive connection per worker: open connections until both workers hold one.
    pinned: dict[int, object] = {}
    for _ in range(40):
        before = line_counts(node)
        conn = node.connection(pki.client)
        assert node.request(conn=conn).status == 200
        worker = next(i for i, n in line_counts(node).items() if n > before.get(i, 0))
        if worker in pinned:
            conn.close()
        else:
            pinned[worker] = conn
        if len(pinned) == 2:
            break
    assert set(pinned) == {0, 1}
    pids = node.worker_pids()
    victim, survivor = 1, 0
    outcomes: list[object] = []
    running = True

    def keep_asking() -> None:
        while running:
            try:
                outcomes.append(node.request(conn=pinned[survivor]).status)  # type: ignore[arg-type]
            except Exception as exc:
                outcomes.append(exc)
            time.sleep(0.01)

    thread = threading.Thread(target=keep_asking)
    thread.start()
    time.sleep(0.3)
    os.kill(pids[victim], signal.SIGKILL)
    node.wait_log(rf"worker {victim} was killed by SIGKILL")
    node.wait_log(rf"worker {victim} \(pid \d+\) listening", count=2)
    time.sleep(0.3)
    running = False
    thread.join(10)
    assert outcomes and set(outcomes) == {200}  # the survivor's requests never failed
    # The twin: the killed worker's own connection is gone.
    with pytest.raises((ConnectionError, OSError)):
        node.request(conn=pinned[victim])  # type: ignore[arg-type]
    new_pid = node.worker_pids()[victim]
    assert new_pid != pids[victim]
    assert set(statuses(node, pki)) == {200}  # and the replacement serves the current config
    for conn in pinned.values():
        conn.close()  # type: ignore[attr-defined]


# --- SIGTERM drains -------------------------------------------------------------------------


def test_sigterm_drains_requests_in_flight_then_refuses_connections(node: Served, pki: Pki) -> None:
    assert upload(node, pki) == 201
    slow: list[object] = []

    def run() -> None:
        try:
            slow.append(node.request("/echo/sleep/1.5", cert=pki.client).status)
        except Exception as exc:
            slow.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # at the backend now
    node.signal(signal.SIGTERM)
    deadline = time.monotonic() + 5
    refused = False
    while not refused and time.monotonic() < deadline:  # the twin: no new connection is taken
        try:
            socket.create_connection(("127.0.0.1", node.port), timeout=2).close()
            time.sleep(0.05)
        except OSError:
            refused = True
    assert refused
    for thread in threads:
        thread.join(10)
    assert slow == [200, 200, 200, 200]
    assert node.proc is not None and node.proc.wait(20) == 0
    log = node.log()
    assert "worker 0 exited with status 0" in log and "worker 1 exited with status 0" in log


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_finishes_a_streaming_response_and_closes_idle_connections_at_once(
    tmp_path: Path, pki: Pki, backend: tuple[int, list[object]], workers: int
) -> None:
    """A response whose body is still streaming when SIGTERM comes is completed, byte for byte;
    a keep-alive connection idle between requests is closed at once (it does not hold the
    drain); then the process exits 0. With and without a supervisor."""
    node = prepare(tmp_path, pki, backend[0], workers=workers).start()
    try:
        assert upload(node, pki) == 201
        idle = node.connection(pki.client)
        assert node.request(conn=idle).status == 200  # now idle, kept alive
        size = 32 * 1024 * 1024  # more than the socket buffers hold: it cannot finish unread
        download = node.context(pki.client).wrap_socket(
            socket.create_connection(("127.0.0.1", node.port), timeout=15),
            server_hostname="localhost",
        )
        download.sendall(f"GET /echo/bytes/{size} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode())
        got = b""
        while b"\r\n\r\n" not in got:
            piece = download.recv(65536)
            assert piece, got
            got += piece
        head, _, body = got.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200") and b"Content-Length: %d" % size in head
        node.signal(signal.SIGTERM)
        assert idle.sock is not None
        idle.sock.settimeout(15)
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            assert idle.sock.recv(1) == b""  # closed by the gateway, while the download runs
        assert len(body) < size  # the download was in flight all along
        chunks = [body]
        received = len(body)
        while received < size:
            piece = download.recv(1 << 20)
            assert piece, f"cut after {received} of {size} bytes"
            chunks.append(piece)
            received += len(piece)
        assert b"".join(chunks) == (bytes(range(256)) * (size // 256))
        download.close()
        idle.close()
        assert node.proc is not None and node.proc.wait(30) == 0
        assert "Traceback" not in node.log()
    finally:
        node.stop()


# --- SIGHUP ---------------------------------------------------------------------------------


def test_sighup_reloads_a_good_file_everywhere_and_refuses_a_bad_one(
    node: Served, pki: Pki
) -> None:
    assert upload(node, pki) == 201
    config = node.folder / "config.yaml"
    text = config.read_text()
    config.write_text(text.replace("marker: one", "marker: two"))
    node.signal(signal.SIGHUP)
    node.wait_log(r"SIGHUP: .* applied \(changed\)")
    markers = {node.request(cert=pki.client).header("X-Marker") for _ in range(FRESH)}
    assert markers == {"two"}

    config.write_text(
        text.replace("marker: one", "marker: three").replace("policy.xml", "nope.xml")
    )
    node.signal(signal.SIGHUP)
    node.wait_log(r"SIGHUP: .* refused")
    assert "nope.xml" in node.log()
    replies = [node.request(cert=pki.client) for _ in range(FRESH)]
    assert {(r.status, r.header("X-Marker")) for r in replies} == {(200, "two")}


def test_sighup_with_any_kind_of_bad_file_keeps_serving_the_old_configuration(
    node: Served, pki: Pki
) -> None:
    """Broken YAML, a bad value, a malformed policy document: each is refused, every worker
    keeps the configuration it had; the twin: a good file afterwards still applies."""
    assert upload(node, pki) == 201
    config = node.folder / "config.yaml"
    policy = node.folder / "policy.xml"
    text, good_policy = config.read_text(), policy.read_text()
    bad_files = [
        (text.replace("marker: one", "marker: [two"), good_policy),  # YAML syntax
        (text.replace("serviceUrl: http://", "serviceUrl: ftp://"), good_policy),  # a value
        (text.replace("marker: one", "marker: two"), good_policy.replace("</inbound>", "")),
    ]
    for refused, (yaml_text, policy_text) in enumerate(bad_files, start=1):
        config.write_text(yaml_text)
        policy.write_text(policy_text)
        node.signal(signal.SIGHUP)
        node.wait_log(r"SIGHUP: .* refused", count=refused)
        replies = [node.request(cert=pki.client) for _ in range(FRESH)]
        assert {(r.status, r.header("X-Marker")) for r in replies} == {(200, "one")}
    assert "Traceback" not in node.log()
    config.write_text(text.replace("marker: one", "marker: four"))
    policy.write_text(good_policy)
    node.signal(signal.SIGHUP)
    node.wait_log(r"SIGHUP: .* applied \(changed\)")
    assert {node.request(cert=pki.client).header("X-Marker") for _ in range(FRESH)} == {"four"}


# --- metrics add up over the workers --------------------------------------------------------


def test_metrics_add_up_the_workers_counters(node: Served, pki: Pki) -> None:
    before = line_counts(node)
    assert set(statuses(node, pki)) == {401}
    per_worker = {i: len(v) for i, v in served_by(node, before).items()}
    assert set(per_worker) == {0, 1} and all(per_worker.values())  # both counted something
    total: dict[tuple[str, str], float] = {}
    deadline = time.monotonic() + 10  # the other worker's share is up to ~1 s late
    while time.monotonic() < deadline and total != {("echo", "401"): FRESH}:
        time.sleep(0.2)
        with node.admin() as admin:
            families = parse(admin.get("/metrics").text)
        samples = families["certgate_requests_total"]["samples"]
        total = {(s[1]["api"], s[1]["status"]): s[2] for s in samples}
    assert total == {("echo", "401"): FRESH}  # not just the admin worker's share


# --- refused before any worker starts --------------------------------------------------------


def run_serve(node: Served, *extra: str) -> subprocess.CompletedProcess[str]:
    """`certgate serve` with the node's files, without CG_LIVE_TOKEN, and `extra` arguments."""
    args = node.args[: node.args.index("--workers")] if "--workers" in node.args else node.args
    return subprocess.run(
        [*args, *extra], capture_output=True, text=True, timeout=60, env={**os.environ}
    )


def test_bad_configuration_is_refused_before_forking(
    tmp_path: Path, pki: Pki, backend: tuple[int, list[object]]
) -> None:
    node = prepare(tmp_path, pki, backend[0], workers=2, policy="<policies><inbound><nope/>")
    proc = run_serve(node, "--workers", "2")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "policy.xml" in proc.stderr and "worker" not in proc.stderr

    node = prepare(tmp_path, pki, backend[0], workers=2)  # no admin token in the environment
    proc = run_serve(node, "--workers", "2")
    assert proc.returncode == 2 and "admin.tokenEnv" in proc.stderr
    assert "worker 0 started" not in proc.stderr


def test_workers_need_fixed_ports_and_a_positive_count(
    tmp_path: Path, pki: Pki, backend: tuple[int, list[object]]
) -> None:
    node = prepare(tmp_path, pki, backend[0], workers=2)
    for count in ("0", "-1", "257"):
        proc = run_serve(node, "--workers", count)
        assert proc.returncode == 2 and "--workers must be 1 to 256" in proc.stderr
    config = CONFIG.replace("listen: 127.0.0.1:{port}", "listen: 127.0.0.1:0")
    node = prepare(tmp_path, pki, backend[0], workers=2, config=config)
    env = {**os.environ, "CG_LIVE_TOKEN": "x" * 32}
    proc = subprocess.run(node.args, capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 2 and "needs fixed ports" in proc.stderr


def test_a_worker_that_cannot_listen_at_first_start_stops_the_node(
    tmp_path: Path, pki: Pki, backend: tuple[int, list[object]]
) -> None:
    node = prepare(tmp_path, pki, backend[0], workers=2)
    with socket.socket() as taken:  # the admin listener's port, which worker 0 binds
        taken.bind(("127.0.0.1", node.admin_port))
        taken.listen()
        env = {**os.environ, "CG_LIVE_TOKEN": "x" * 32}
        proc = subprocess.run(node.args, capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 2, proc.stderr
    assert "address already in use" in proc.stderr
    assert "before it was listening: stopping" in proc.stderr


def test_a_second_node_on_the_same_port_is_refused_not_joined(node: Served, pki: Pki) -> None:
    # SO_REUSEPORT would let a second supervisor's workers join the port and take part of the
    # first node's traffic; it must be refused as a single process would be.
    args = list(node.args)
    args[args.index("--data") + 1] = str(node.folder / "second-data")
    env = {**os.environ, "CG_LIVE_TOKEN": "x" * 32}
    proc = subprocess.run(args, capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 2, proc.stderr
    assert f"127.0.0.1:{node.port}: Address already in use" in proc.stderr
    assert set(statuses(node, pki)) == {401}  # the first node still answers every request alone


def test_workers_stop_when_the_supervisor_is_killed(
    tmp_path: Path, pki: Pki, backend: tuple[int, list[object]]
) -> None:
    node = prepare(tmp_path, pki, backend[0], workers=2).start()
    pids = node.worker_pids()
    assert node.request(cert=pki.client).status == 401  # serving
    assert node.proc is not None
    node.proc.kill()  # SIGKILL: no chance to forward anything
    node.proc.wait(10)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids.values()):
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in pids.values()), node.log()
    assert "the supervisor" in node.log() and "is gone; stopping" in node.log()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", node.port), timeout=2).close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # An exited child of a killed parent is reaped by init; a zombie still counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_without_admin_the_store_commands_are_live_on_every_worker(
    tmp_path: Path, pki: Pki, backend: tuple[int, list[object]]
) -> None:
    config = CONFIG[: CONFIG.index("admin:")] + CONFIG[CONFIG.index("gateway:") :]
    node = prepare(tmp_path, pki, backend[0], workers=2, config=config).start()
    try:
        assert set(statuses(node, pki, 10)) == {401}
        pfx = tmp_path / "partner.pfx"
        pfx.write_bytes(pki.client.pfx(b"pw"))
        args = [*node.args[:3], "cert", "add", "partner", str(pfx), "--password-env", "CG_PFX"]
        args += ["--data", str(tmp_path / "data")]
        env = {**os.environ, "CG_PFX": "wrong"}
        assert subprocess.run(args, env=env, capture_output=True, timeout=60).returncode == 1
        assert set(statuses(node, pki, 10)) == {401}  # refused: nothing changed
        env["CG_PFX"] = "pw"
        done = subprocess.run(args, env=env, capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr
        before = line_counts(node)
        assert set(statuses(node, pki)) == {200}  # at once, whichever worker
        assert set(served_by(node, before)) == {0, 1}
        assert not list((tmp_path / "data" / "metrics").glob("worker-*.json"))  # no /metrics
    finally:
        assert node.stop() == 0, node.log()
