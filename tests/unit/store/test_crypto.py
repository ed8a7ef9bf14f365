"""Secrets at rest: AES-GCM bound to resource and field, the master key's sources, rotation."""

from __future__ import annotations

import logging
import os
import stat
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from certgate.errors import MasterKeyError
from certgate.store import Store, crypto
from certgate.store.crypto import MasterKey, SealError, associated_data
from certgate.store.schema import secrets
from tests.unit.store.conftest import KEY, Certs, pfx_body

OTHER = bytes(range(1, 33))


def nv(value: str, secret: bool = True) -> dict[str, object]:
    return {"properties": {"displayName": "nv", "value": value, "secret": secret}}


# --- sealing -------------------------------------------------------------------------------------


def test_seal_opens_under_the_same_path_and_field() -> None:
    key = MasterKey(KEY, "test")
    sealed = key.seal(b"private", associated_data("certificates/a", "key"))
    assert key.open(sealed, associated_data("certificates/a", "key")) == b"private"
    assert b"private" not in sealed


@pytest.mark.parametrize(
    ("path", "field"), [("certificates/b", "key"), ("certificates/a", "value"), ("a", "key")]
)
def test_seal_refuses_another_path_or_field(path: str, field: str) -> None:
    key = MasterKey(KEY, "test")
    sealed = key.seal(b"private", associated_data("certificates/a", "key"))
    with pytest.raises(SealError):
        key.open(sealed, associated_data(path, field))


def test_altered_or_truncated_ciphertext_is_refused() -> None:
    key = MasterKey(KEY, "test")
    aad = associated_data("x/y", "key")
    sealed = bytearray(key.seal(b"private", aad))
    sealed[-1] ^= 1
    with pytest.raises(SealError):
        key.open(bytes(sealed), aad)
    with pytest.raises(SealError):
        key.open(bytes(sealed[:20]), aad)


def test_another_key_is_reported_as_a_key_mismatch() -> None:
    sealed = MasterKey(KEY, "a").seal(b"x", b"aad")
    with pytest.raises(MasterKeyError, match="another master key"):
        MasterKey(OTHER, "b").open(sealed, b"aad")


def test_ciphertext_moved_to_another_resource_in_the_database_does_not_open(
    tmp_path: Path,
) -> None:
    store = Store.open(tmp_path, master_key=KEY)
    store.put(
        "namedValues/a",
        {"properties": {"displayName": "a", "value": "AAA", "secret": True}},
        actor="t",
    )
    store.put(
        "namedValues/b",
        {"properties": {"displayName": "b", "value": "BBB", "secret": True}},
        actor="t",
    )
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'certgate.db'}")
    with engine.begin() as conn:
        sealed_a = conn.execute(
            sa.select(secrets.c.sealed).where(secrets.c.path == "namedValues/a")
        ).scalar_one()
        conn.execute(
            secrets.update().where(secrets.c.path == "namedValues/b").values(sealed=sealed_a)
        )
    engine.dispose()
    with pytest.raises(SealError, match="moved from another resource"):
        store.to_config()
    store.close()


# --- the master key ------------------------------------------------------------------------------


def test_key_file_is_created_0600_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv(crypto.ENV_KEY, raising=False)
    monkeypatch.delenv(crypto.ENV_KEY_FILE, raising=False)
    with caplog.at_level(logging.WARNING, "certgate.store"):
        store = Store.open(tmp_path / "data")
    key_file = tmp_path / "data" / "master.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "data" / "certgate.db").stat().st_mode) == 0o600
    assert any("backup of the data folder" in r.getMessage() for r in caplog.records)
    key_id = store.master_key.key_id
    store.close()
    caplog.clear()
    with caplog.at_level(logging.WARNING, "certgate.store"):
        again = Store.open(tmp_path / "data")  # the same key, and no second warning
    assert again.master_key.key_id == key_id
    assert not caplog.records
    again.close()


def test_key_from_the_environment_creates_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(crypto.ENV_KEY, crypto.encode_key(KEY))
    store = Store.open(tmp_path)
    assert store.master_key.key == KEY and store.master_key.source == crypto.ENV_KEY
    assert not (tmp_path / "master.key").exists()
    store.close()


def test_hex_key_and_key_file_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(crypto.ENV_KEY, raising=False)
    assert crypto.parse_key(KEY.hex(), what="x") == KEY
    outside = tmp_path / "keys" / "certgate.key"
    outside.parent.mkdir()
    outside.write_text(crypto.encode_key(OTHER))
    outside.chmod(0o600)
    monkeypatch.setenv(crypto.ENV_KEY_FILE, str(outside))
    store = Store.open(tmp_path / "data")
    assert store.master_key.key == OTHER
    assert not (tmp_path / "data" / "master.key").exists()
    store.close()


@pytest.mark.parametrize("value", ["short", "", "A" * 43, "zz" * 32])
def test_malformed_environment_key_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(crypto.ENV_KEY, value or " ")
    with pytest.raises(MasterKeyError, match="not a master key"):
        Store.open(tmp_path)


def test_missing_explicit_key_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(MasterKeyError, match="does not exist"):
        Store.open(tmp_path, master_key_file=tmp_path / "nope.key")


def test_key_file_readable_by_others_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "k"
    path.write_text(crypto.encode_key(KEY))
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, "certgate.store"):
        assert crypto.read_key_file(path).key == KEY
    assert "readable by others" in caplog.text


def test_the_wrong_master_key_does_not_open_the_store(tmp_path: Path) -> None:
    Store.open(tmp_path, master_key=KEY).close()
    with pytest.raises(MasterKeyError, match="is not the store's"):
        Store.open(tmp_path, master_key=OTHER)


def test_concurrent_first_runs_agree_on_one_key_file(tmp_path: Path) -> None:
    results: list[bool] = []
    keys = [crypto.generate_key() for _ in range(8)]

    def create(key: bytes) -> None:
        results.append(crypto.create_key_file(tmp_path / "master.key", key))

    threads = [threading.Thread(target=create, args=(k,)) for k in keys]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count(True) == 1
    assert crypto.read_key_file(tmp_path / "master.key").key in keys
    assert [p.name for p in tmp_path.iterdir()] == ["master.key"]  # no temporary files left


# --- rotation ------------------------------------------------------------------------------------


def _file_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.delenv(crypto.ENV_KEY, raising=False)
    monkeypatch.delenv(crypto.ENV_KEY_FILE, raising=False)
    return Store.open(tmp_path)


def test_rotation_reseals_everything_and_replaces_the_key_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, certs: Certs
) -> None:
    store = _file_store(tmp_path, monkeypatch)
    store.put("certificates/gw", pfx_body(certs.gateway), actor="t")
    store.put("namedValues/nv", nv("hush"), actor="t")
    old = (tmp_path / "master.key").read_text()
    assert store.rotate_master_key() == 2
    assert (tmp_path / "master.key").read_text() != old
    assert stat.S_IMODE((tmp_path / "master.key").stat().st_mode) == 0o600
    assert not (tmp_path / "master.key.new").exists()
    config = store.to_config()
    assert config.named_values["nv"].value == "hush"  # type: ignore[union-attr]
    store.close()
    reopened = Store.open(tmp_path)  # the new key file opens it
    assert reopened.to_config().certificates["gw"].data
    reopened.close()
    with pytest.raises(MasterKeyError):
        Store.open(tmp_path, master_key=crypto.parse_key(old, what="old"))


def test_rotation_with_an_environment_key_needs_the_new_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(crypto.ENV_KEY, crypto.encode_key(KEY))
    store = Store.open(tmp_path)
    store.put("namedValues/nv", nv("hush"), actor="t")
    with pytest.raises(MasterKeyError, match="give the new key"):
        store.rotate_master_key()
    assert store.rotate_master_key(OTHER) == 1
    store.close()
    with pytest.raises(MasterKeyError):
        Store.open(tmp_path)  # the variable still holds the old key
    monkeypatch.setenv(crypto.ENV_KEY, crypto.encode_key(OTHER))
    reopened = Store.open(tmp_path)
    assert reopened.to_config().named_values["nv"].value == "hush"  # type: ignore[union-attr]
    reopened.close()


def test_rotation_interrupted_after_commit_is_finished_at_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _file_store(tmp_path, monkeypatch)
    store.put("namedValues/nv", nv("hush"), actor="t")

    real_replace = os.replace

    def crash(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if str(src).endswith("master.key.new"):  # the swap after the commit: the power goes
            raise OSError("power cut")
        real_replace(src, dst)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", crash)
        with pytest.raises(OSError, match="power cut"):
            store.rotate_master_key()
    store.close()
    assert (tmp_path / "master.key.new").exists()
    reopened = Store.open(tmp_path)  # the old file no longer opens it; the pending one does
    assert not (tmp_path / "master.key.new").exists()
    assert reopened.to_config().named_values["nv"].value == "hush"  # type: ignore[union-attr]
    reopened.close()


def test_rotation_interrupted_before_commit_keeps_the_old_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _file_store(tmp_path, monkeypatch)
    store.put("namedValues/nv", nv("hush"), actor="t")
    old = (tmp_path / "master.key").read_text()
    crypto.replace_key_file(tmp_path / "master.key.new", crypto.generate_key())  # then a crash
    store.close()
    reopened = Store.open(tmp_path)
    assert not (tmp_path / "master.key.new").exists()
    assert (tmp_path / "master.key").read_text() == old
    assert reopened.to_config().named_values["nv"].value == "hush"  # type: ignore[union-attr]
    reopened.close()


def test_another_process_rotating_is_picked_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _file_store(tmp_path, monkeypatch)
    second = Store.open(tmp_path)
    first.put("namedValues/nv", nv("hush"), actor="t")
    first.rotate_master_key()
    # `second` still holds the old key in memory; it re-reads the file when the store's changed.
    assert second.to_config().named_values["nv"].value == "hush"  # type: ignore[union-attr]
    second.put(
        "namedValues/nv2",
        {"properties": {"displayName": "nv2", "value": "x", "secret": True}},
        actor="t",
    )
    assert first.to_config().named_values["nv2"].value == "x"  # type: ignore[union-attr]
    first.close()
    second.close()


def test_key_file_mode_survives_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        crypto.create_key_file(tmp_path / "k", KEY)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "k").stat().st_mode) == 0o600


def test_rotation_whose_swap_another_process_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _file_store(tmp_path, monkeypatch)
    store.put("namedValues/nv", nv("hush"), actor="t")
    real_replace = os.replace

    def raced(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        real_replace(src, dst)
        if str(src).endswith("master.key.new"):  # someone else moved it first
            raise FileNotFoundError(src)

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", raced)
        store.rotate_master_key()
    assert crypto.read_key_file(tmp_path / "master.key").key == store.master_key.key
    store.close()
    reopened = Store.open(tmp_path)
    assert reopened.to_config().named_values["nv"].value == "hush"  # type: ignore[union-attr]
    reopened.close()
