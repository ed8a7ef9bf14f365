"""Live apply in one `certgate serve` process (both TLS backends): a change acknowledged by the
admin API is served from the very next request, with no restart and no failed request, while
requests in flight finish on the configuration they started with. Every accepting test has its
refusing twin: a change the store refuses changes nothing, for any request."""

from __future__ import annotations

import http.client
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from certgate.io.live import COUNTER_FILE, SharedCounter
from certgate.store import Store
from certgate.testing.pki import Issued
from tests.conftest import TLS_BACKENDS, Pki
from tests.serve_proc import Served, b64, prepare
from tests.unit.admin.promtext import parse

BAD_POLICY = "<policies><inbound><rate-limit calls='1' renewal-period='1'/></inbound></policies>"


@pytest.fixture
def served(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    pki: Pki,
    backend: tuple[int, list[object]],
) -> Iterator[Served]:
    """One `certgate serve` process (the stdlib TLS backend unless parametrized)."""
    tls = getattr(request, "param", None)
    node = prepare(tmp_path, pki, backend[0], tls_backend=tls).start()
    try:
        yield node
    finally:
        code = node.stop()
        assert code == 0, node.log()
        assert "Traceback" not in node.log()


@dataclass
class Load:
    """Client threads sending requests in a loop, each request recorded as (sent, status|error,
    answered): monotonic times of sending and of the answer. Half keep one connection open (to see existing connections change too), half connect anew
    for every request."""

    served: Served
    cert: Issued
    threads: int = 4
    records: list[tuple[float, int | str, float]] = field(default_factory=list)
    running: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Load:
        self.workers = [
            threading.Thread(target=self._run, args=(i % 2 == 0,), daemon=True)
            for i in range(self.threads)
        ]
        for worker in self.workers:
            worker.start()
        return self

    def _run(self, keep_alive: bool) -> None:
        conn: http.client.HTTPSConnection | None = None
        while self.running:
            if keep_alive and conn is None:
                conn = self.served.connection(self.cert)
            sent = time.monotonic()
            outcome: int | str
            try:
                outcome = self.served.request(cert=self.cert, conn=conn).status
            except Exception as exc:
                outcome = f"{type(exc).__name__}: {exc}"
                if conn is not None:
                    conn.close()
                    conn = None
            with self.lock:
                self.records.append((sent, outcome, time.monotonic()))
        if conn is not None:
            conn.close()

    def stop(self) -> list[tuple[float, int | str, float]]:
        self.running = False
        for worker in self.workers:
            worker.join(20)
        return self.records


def put_certificate(served: Served, name: str, cert: Issued, password: str = "pfx-pw") -> int:
    pfx = cert.pfx(b"pfx-pw")
    with served.admin() as admin:
        response = admin.put(
            f"/certificates/{name}",
            json={"properties": {"data": b64(pfx), "password": password}},
        )
    return response.status_code


# --- the acceptance: a PFX uploaded under load --------------------------------------------------


@pytest.mark.parametrize("served", TLS_BACKENDS, indirect=True)
def test_pfx_upload_under_load_applies_at_once_with_no_failed_request(
    served: Served, pki: Pki
) -> None:
    assert served.request(cert=pki.client).status == 401  # not uploaded yet
    load = Load(served, pki.client).start()
    time.sleep(0.6)
    put_at = time.monotonic()
    assert put_certificate(served, "partner", pki.client) == 201
    acked = time.monotonic()
    first = served.request(cert=pki.client)  # the first request after the 201
    time.sleep(0.6)
    records = load.stop()

    assert first.status == 200 and first.body == b"backend-ok"
    failures = [r for r in records if r[1] not in (200, 401)]
    assert failures == [], failures[:5]
    # Answered before the upload began: the old configuration. (One sent before but answered
    # after may have been handled either side of the swap.)
    before = [s for _, s, answered in records if answered < put_at]
    after = [s for sent, s, _ in records if sent > acked]
    assert before and set(before) == {401}  # the swap happened under a steady stream
    assert after and set(after) == {200}  # nothing sent after the ack saw the old configuration
    assert "live apply: store version" in served.log()


@pytest.mark.parametrize("served", TLS_BACKENDS, indirect=True)
def test_refused_pfx_upload_changes_nothing_under_load(served: Served, pki: Pki) -> None:
    load = Load(served, pki.client).start()
    time.sleep(0.4)
    assert put_certificate(served, "partner", pki.client, password="wrong") == 400
    assert put_certificate(served, "bad", pki.client, password="") == 400
    time.sleep(0.4)
    records = load.stop()
    assert records and {s for _, s, _ in records} == {401}  # no failure, nothing admitted
    assert "live apply: store version" not in served.log()  # no rebuild: nothing committed


def test_only_the_uploaded_certificate_passes(served: Served, pki: Pki) -> None:
    assert put_certificate(served, "partner", pki.client) == 201
    assert served.request(cert=pki.client).status == 200
    assert served.request(cert=pki.second).status == 401  # trusted, but not uploaded
    assert served.request(cert=None).status == 401


def test_deleting_the_certificate_applies_at_once(served: Served, pki: Pki) -> None:
    assert put_certificate(served, "partner", pki.client) == 201
    conn = served.connection(pki.client)
    try:
        assert served.request(conn=conn).status == 200
        with served.admin() as admin:
            assert admin.delete("/certificates/partner").status_code == 200
        assert served.request(conn=conn).status == 401  # the same connection, the new config
    finally:
        conn.close()


# --- in-flight requests keep their snapshot -----------------------------------------------------


def test_request_in_flight_finishes_on_the_configuration_it_started_with(
    served: Served, pki: Pki
) -> None:
    assert put_certificate(served, "partner", pki.client) == 201
    slow: dict[str, object] = {}

    def run() -> None:
        reply = served.request("/echo/sleep/1.5", cert=pki.client)
        slow["status"], slow["marker"] = reply.status, reply.header("X-Marker")

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.5)  # the slow request is at the backend now
    with served.admin() as admin:
        response = admin.put(
            "/namedValues/marker",
            json={"properties": {"displayName": "marker", "value": "two"}},
        )
    assert response.status_code == 200, response.text
    fresh = served.request(cert=pki.client)
    thread.join(10)
    assert (fresh.status, fresh.header("X-Marker")) == (200, "two")
    assert slow == {"status": 200, "marker": "one"}


# --- a refused policy leaves traffic as it was ---------------------------------------------------


def test_valid_policy_put_applies_to_the_next_request(served: Served, pki: Pki) -> None:
    policy = (
        "<policies><inbound><return-response><set-status code='418' reason='Teapot'/>"
        "</return-response></inbound></policies>"
    )
    with served.admin() as admin:
        response = admin.put(
            "/apis/echo/policies/policy",
            json={"properties": {"format": "rawxml", "value": policy}},
        )
    assert response.status_code == 200, response.text
    assert served.request(cert=pki.client).status == 418


def test_invalid_policy_put_is_refused_and_traffic_keeps_the_old_behaviour(
    served: Served, pki: Pki
) -> None:
    assert put_certificate(served, "partner", pki.client) == 201
    load = Load(served, pki.client, threads=2).start()
    time.sleep(0.3)
    with served.admin() as admin:
        response = admin.put(
            "/apis/echo/policies/policy",
            json={"properties": {"format": "rawxml", "value": BAD_POLICY}},
        )
    time.sleep(0.3)
    records = load.stop()
    assert response.status_code == 400
    assert "not supported yet: policy 'rate-limit'" in response.text
    assert records and {s for _, s, _ in records} == {200}
    assert served.request(cert=pki.second).status == 401  # the old policy, still judging


# --- writers other than the admin API --------------------------------------------------------


def test_cli_write_to_the_served_data_folder_is_live(served: Served, pki: Pki) -> None:
    import subprocess
    import sys

    pfx = served.folder / "partner.pfx"
    pfx.write_bytes(pki.client.pfx(b"pw"))
    args = [sys.executable, "-m", "certgate.cli", "cert", "add", "partner", str(pfx)]
    args += ["--password-env", "CG_PFX", "--data", str(served.folder / "data")]
    refused = subprocess.run(args, env={"CG_PFX": "wrong", "PATH": ""}, capture_output=True)
    assert refused.returncode == 1
    assert served.request(cert=pki.client).status == 401
    done = subprocess.run(args, env={"CG_PFX": "pw", "PATH": ""}, capture_output=True)
    assert done.returncode == 0, done.stderr
    assert served.request(cert=pki.client).status == 200  # published by the CLI: at once


def test_writer_that_does_not_publish_is_caught_by_the_fallback(served: Served, pki: Pki) -> None:
    store = Store.open(served.folder / "data")  # no counter attached: it does not publish
    try:
        version = store.version()
        store.put(
            "certificates/partner",
            {"properties": {"data": b64(pki.client.pfx(b"pw")), "password": "pw"}},
            actor="test",
        )
        assert store.version() == version + 1
    finally:
        store.close()
    deadline = time.monotonic() + 5
    status = served.request(cert=pki.client).status
    while status != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
        status = served.request(cert=pki.client).status
    assert status == 200
    counter = SharedCounter(served.folder / "data" / COUNTER_FILE)
    try:
        assert counter.store_version == version + 1
    finally:
        counter.close()


# --- SIGHUP ----------------------------------------------------------------------------------


def test_sighup_applies_a_good_file_and_refuses_a_bad_one(served: Served, pki: Pki) -> None:
    config = served.folder / "config.yaml"
    text = config.read_text()
    config.write_text(text.replace("marker: one", "marker: three"))
    served.signal(signal.SIGHUP)
    served.wait_log(r"SIGHUP: .* applied \(changed\)")
    assert put_certificate(served, "partner", pki.client) == 201
    assert served.request(cert=pki.client).header("X-Marker") == "three"

    config.write_text(text.replace("marker: one", "marker: four\n  colour: blue: x"))
    served.signal(signal.SIGHUP)
    served.wait_log(r"SIGHUP: .* refused")
    reply = served.request(cert=pki.client)
    assert (reply.status, reply.header("X-Marker")) == (200, "three")


# --- metrics --------------------------------------------------------------------------------------


def test_metrics_count_requests_verdicts_and_show_certificate_expiry(
    served: Served, pki: Pki
) -> None:
    policy = (
        "<policies><inbound><validate-client-certificate validate-revocation='false' />"
        "</inbound><backend><forward-request /></backend></policies>"
    )
    with served.admin() as admin:
        root = {"encodedCertificate": b64(pki.demo.root.der), "storeName": "Root"}
        assert admin.put("/caCertificates/root", json={"properties": root}).status_code == 201
        response = admin.put(
            "/apis/echo/policies/policy",
            json={"properties": {"format": "rawxml", "value": policy}},
        )
        assert response.status_code == 200, response.text
    assert put_certificate(served, "partner", pki.client) == 201
    statuses = [served.request(cert=cert).status for cert in (pki.client, pki.client, pki.expired)]
    statuses.append(served.request(cert=pki.foreign).status)
    statuses.append(served.request("/nothing-here", cert=pki.client).status)
    assert statuses == [200, 200, 401, 401, 404]
    with served.admin() as admin:
        families = parse(admin.get("/metrics").text)
    requests = {
        (s[1]["api"], s[1]["operation"], s[1]["status"]): s[2]
        for s in families["certgate_requests_total"]["samples"]
    }
    assert requests == {("echo", "echo", "200"): 2, ("echo", "echo", "401"): 2, ("", "", "404"): 1}
    verdicts = {
        s[1]["reason"]: s[2]
        for s in families["certgate_client_certificate_verdicts_total"]["samples"]
    }
    assert verdicts == {"valid": 2, "expired": 1, "untrusted": 1}
    counts = [
        s[2]
        for s in families["certgate_request_duration_seconds"]["samples"]
        if s[0].endswith("_count")
    ]
    assert sum(counts) == 5
    expiry = {s[1]["id"]: s[2] for s in families["certgate_certificate_expiry_days"]["samples"]}
    assert 360 < expiry["partner"] < 366 and "gateway-tls" in expiry
