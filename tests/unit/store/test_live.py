"""Live apply's pieces on a real store: the shared counter (also across processes), the store's
commit hooks (called after a commit, never for a refused or empty change), `LiveSnapshot`'s
rebuild (and what it does when a rebuild fails), the metrics a worker writes and the admin
process adds up, and the client-certificate verdict hook."""

from __future__ import annotations

import multiprocessing
import stat
from pathlib import Path

import pytest

from certgate.core.validation import observe
from certgate.errors import ValidationFailed
from certgate.io.live import COUNTER_FILE, LiveSnapshot, SharedCounter, publish_commits
from certgate.metrics import Metrics, NodeMetrics, read_state, state_file, write_state
from certgate.snapshot import Snapshot, build_snapshot
from certgate.store import Store
from tests.unit.admin.promtext import parse
from tests.unit.store.conftest import KEY, Certs, api_body, pfx_body, policy_body, serving

BAD_POLICY = "<policies><inbound><rate-limit calls='1' renewal-period='1'/></inbound></policies>"

# --- the shared counter ------------------------------------------------------------------------


def test_counter_file_is_private_and_shared_between_mappings(tmp_path: Path) -> None:
    one = SharedCounter.open(tmp_path)
    two = SharedCounter.open(tmp_path)
    try:
        path = tmp_path / COUNTER_FILE
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert path.stat().st_size == 16
        assert (one.generation, two.generation) == (0, 0)
        assert one.publish(7) == 1
        assert (two.generation, two.store_version) == (1, 7)
        assert two.publish(3) == 2  # the store version only goes up
        assert (one.generation, one.store_version) == (2, 7)
        one.restart(4)  # a node starts on a store restored to version 4
        assert (two.generation, two.store_version) == (2, 4)  # the generation never goes back
    finally:
        one.close()
        two.close()


def _publish_many(folder: str, count: int) -> None:
    counter = SharedCounter.open(Path(folder))
    for i in range(count):
        counter.publish(i)
    counter.close()


def test_concurrent_publishers_in_other_processes_never_lose_a_bump(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_publish_many, args=(str(tmp_path), 300)) for _ in range(3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    counter = SharedCounter.open(tmp_path)
    try:
        assert counter.generation == 900
        assert counter.store_version == 299
    finally:
        counter.close()


# --- commit hooks ----------------------------------------------------------------------------


def test_commit_hook_runs_after_the_commit_with_the_new_version(store: Store, certs: Certs) -> None:
    seen: list[tuple[int, int]] = []
    reader = Store.open(store.data_dir, url=store.url, master_key=KEY)
    try:
        # What another process reads when the hook runs: the change is already committed.
        store.on_commit(lambda version: seen.append((version, reader.version())))
        serving(store, certs)
        store.put("apis/orders", api_body(), actor="test")
    finally:
        reader.close()
    assert [v for v, _ in seen] == [1, 2, 3, 4]
    assert all(version == committed for version, committed in seen)


def test_no_hook_for_a_refused_or_an_empty_change(store: Store, certs: Certs) -> None:
    serving(store, certs)
    store.put("apis/orders", api_body(), actor="test")
    seen: list[int] = []
    store.on_commit(seen.append)
    with pytest.raises(ValidationFailed):
        store.put("apis/orders/policies/policy", policy_body(BAD_POLICY), actor="test")
    wrong_password = pfx_body(certs.gateway)
    wrong_password["properties"]["password"] = "wrong"
    with pytest.raises(ValidationFailed):
        store.put("certificates/x", wrong_password, actor="test")
    store.put("apis/orders", api_body(), actor="test")  # identical: nothing to commit
    store.audit(actor="test", method="GET", path="apis/orders", status=200)  # not a change
    assert seen == []
    store.put("apis/orders", api_body(displayName="Orders"), actor="test")
    assert seen == [store.version()]


def test_a_failing_hook_does_not_undo_the_commit(store: Store, certs: Certs) -> None:
    serving(store, certs)

    def broken(_version: int) -> None:
        raise RuntimeError("hook failed")

    store.on_commit(broken)
    store.put("apis/orders", api_body(), actor="test")
    assert store.get("apis/orders") is not None


# --- LiveSnapshot ----------------------------------------------------------------------------


def _live(store: Store) -> tuple[LiveSnapshot, SharedCounter]:
    counter = SharedCounter.open(store.data_dir)
    publish_commits(store, counter)
    version, config = store.versioned_config()
    snapshot = build_snapshot(config, store.data_dir)
    return LiveSnapshot(snapshot, store, counter, store_version=version), counter


def test_a_commit_makes_the_snapshot_stale_and_refresh_rebuilds_it(
    store: Store, certs: Certs
) -> None:
    serving(store, certs)
    live, counter = _live(store)
    try:
        first = live.snapshot
        assert not live.stale
        assert live.refresh() is first  # nothing moved: no rebuild
        store.put("apis/orders", api_body(), actor="test")
        assert live.stale
        swaps: list[tuple[Snapshot, Snapshot]] = []
        live.on_swap.append(lambda old, new: swaps.append((old, new)))
        new = live.refresh()
        assert new is not first and live.snapshot is new
        assert new.router.match("/orders/x") is not None
        assert first.router.match("/orders/x") is None  # the old one is untouched
        assert swaps == [(first, new)]
        assert (live.generation, live.store_version) == (counter.generation, store.version())
        assert not live.stale and live.rebuilds == 1
    finally:
        counter.close()


def test_a_refused_change_leaves_the_snapshot_alone(store: Store, certs: Certs) -> None:
    serving(store, certs)
    store.put("apis/orders", api_body(), actor="test")
    live, counter = _live(store)
    try:
        with pytest.raises(ValidationFailed):
            store.put("apis/orders/policies/policy", policy_body(BAD_POLICY), actor="test")
        assert not live.stale and live.rebuilds == 0
    finally:
        counter.close()


def test_a_failed_rebuild_keeps_serving_the_old_snapshot_and_retries_later(
    store: Store, certs: Certs, monkeypatch: pytest.MonkeyPatch
) -> None:
    serving(store, certs)
    live, counter = _live(store)
    try:
        first = live.snapshot
        store.put("apis/orders", api_body(), actor="test")

        def unreachable(*_: object) -> None:
            raise OSError("database unreachable")

        monkeypatch.setattr(store, "versioned_config", unreachable)
        assert live.refresh() is first and live.failures == 1
        assert live.refresh() is first and live.failures == 1  # not again before the retry
        assert live.stale
        monkeypatch.undo()
        live._retry_at = 0.0  # the retry time has come
        assert live.refresh() is not first and not live.stale
    finally:
        counter.close()


# --- metrics across processes -----------------------------------------------------------------


def test_worker_states_add_up_in_node_metrics(tmp_path: Path) -> None:
    one, two = Metrics(), Metrics()
    one.observe_request("orders", "get", 200, 0.004)
    one.client_certificate("valid")
    two.observe_request("orders", "get", 200, 0.2)
    two.observe_request("", "", 404, 0.0005)
    two.client_certificate("expired")
    write_state(two, state_file(tmp_path, 1))
    (tmp_path / "worker-2.json").write_text("{not json")  # a torn or foreign file counts nothing
    node = NodeMetrics(folder=tmp_path, own_file=state_file(tmp_path, 0).name)
    node.add_state(one.state())
    write_state(Metrics(), state_file(tmp_path, 0))  # its own file is not counted twice
    families = parse(node.render())
    requests = {
        (s[1]["api"], s[1]["status"]): s[2] for s in families["certgate_requests_total"]["samples"]
    }
    assert requests == {("orders", "200"): 2, ("", "404"): 1}
    count = [
        s[2]
        for s in families["certgate_request_duration_seconds"]["samples"]
        if s[0].endswith("_count") and s[1]["api"] == "orders"
    ]
    assert count == [2]
    verdicts = families["certgate_client_certificate_verdicts_total"]["samples"]
    assert {s[1]["reason"]: s[2] for s in verdicts} == {"valid": 1, "expired": 1}
    assert read_state(tmp_path / "worker-9.json") is None


def test_latency_buckets_are_inclusive_upper_bounds() -> None:
    m = Metrics(buckets=(0.001, 0.01))
    for seconds in (0.001, 0.0011, 0.01, 0.5):
        m.observe_request("a", "o", 200, seconds)
    assert m.latency[("a", "o")].buckets == [1, 2, 1]


def test_verdicts_reach_the_observer(monkeypatch: pytest.MonkeyPatch) -> None:
    heard: list[str] = []
    observe.verdict("valid")  # without an observer: nothing happens
    monkeypatch.setattr(observe, "observer", heard.append)
    observe.verdict("expired")
    assert heard == ["expired"]
