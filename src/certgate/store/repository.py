"""The store: resources in SQLite (default, one file under the data folder) or PostgreSQL.

Every write is one transaction that (1) takes the writer lock: a process-wide lock plus SQLite's
`BEGIN IMMEDIATE` (or, on PostgreSQL, a row lock on `meta`), so writers from any thread or process
run one at a time; (2) reads the whole configuration, applies the change in memory and builds the
snapshot it would serve (`compose.check`); (3) only if that succeeds, writes the rows, seals the
secrets, bumps the version and appends the audit row, and commits. A refused change stores
nothing. Commits are durable when `put` returns: WAL with `synchronous=FULL` (the WAL is synced at
every commit, so an acknowledged write survives `kill -9` and power loss; management writes are
rare enough that the fsync does not matter).
"""

from __future__ import annotations

import base64
import builtins
import contextlib
import datetime as dt
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from certgate.config import Config
from certgate.errors import (
    Conflict,
    MasterKeyError,
    NotFound,
    PreconditionFailed,
    StoreError,
    ValidationFailed,
)
from certgate.snapshot import Snapshot, build_snapshot
from certgate.store import crypto
from certgate.store.compose import State, Stored, check, compose
from certgate.store.resources import (
    Address,
    Content,
    Resource,
    body_properties,
    describe,
    parse_collection,
    parse_path,
)
from certgate.store.schema import HEAD_REVISION, audit, meta, resources, secrets

log = logging.getLogger("certgate.store")

DB_FILE = "certgate.db"
_KEY_CHECK = b"certgate master key check"
_KEY_CHECK_AAD = crypto.associated_data("meta", "key_check")
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _writer_lock(url: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(url, threading.Lock())


def etag_for(version: int) -> str:
    """APIM-like entity tag: the store version that wrote the row (8 bytes, base64)."""
    return base64.b64encode(version.to_bytes(8, "big")).decode()


def _normalise_match(value: str) -> str:
    value = value.strip().removeprefix("W/")
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: dt.datetime
    actor: str
    method: str
    path: str
    status: int
    etag_before: str | None
    etag_after: str | None
    version: int | None
    detail: str | None


@dataclass(frozen=True)
class _Change:
    method: str
    before: Stored | None
    after: Stored | None
    status: int
    detail: str | None = None

    @property
    def path(self) -> str:
        stored = self.after or self.before
        assert stored is not None
        return stored.address.path


class Store:
    """See the module docstring; `Store.open` is the way in."""

    def __init__(self, engine: Engine, data_dir: Path, key: crypto.MasterKey, url: str) -> None:
        self._engine = engine
        self.data_dir = data_dir
        self._key = key
        self.url = url
        self._lock = _writer_lock(url)
        # The serving node's own sections (gateway:, admin: of its YAML file): the base every
        # check and `to_config` use when none is given, so that what a write is checked against
        # is exactly what the gateway will build (`certgate serve` sets it).
        self.node_config: Config | None = None
        self._commit_hooks: list[Callable[[int], None]] = []
        self._committed: int | None = None  # the version the current write transaction bumped to

    # --- opening ------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        data_dir: Path,
        *,
        url: str | None = None,
        master_key: bytes | None = None,
        master_key_file: Path | None = None,
    ) -> Store:
        """Open (creating if needed) the store; runs migrations and checks the master key."""
        data_dir = Path(data_dir).absolute()
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if url is None:
            db = data_dir / DB_FILE
            if not db.exists():  # created private: it holds sealed secrets and the audit log
                os.close(os.open(db, os.O_WRONLY | os.O_CREAT, 0o600))
            url = f"sqlite+pysqlite:///{db}"
        engine = _engine(url)
        key = crypto.resolve_master_key(data_dir, key=master_key, key_file=master_key_file)
        store = cls(engine, data_dir, key, url)
        try:
            store._migrate_and_check_key()
        except BaseException:
            engine.dispose()
            raise
        return store

    def close(self) -> None:
        self._engine.dispose()

    def after_fork(self) -> None:
        """In a forked child: forget the parent's pooled connections without closing them (they
        are the parent's); new ones are opened on first use."""
        self._engine.dispose(close=False)

    def on_commit(self, hook: Callable[[int], None]) -> None:
        """Call `hook(version)` after every committed change, once the commit is durable and
        before the writing call returns (so before any acknowledgement of it). A hook that
        raises does not undo the commit; it is logged."""
        self._commit_hooks.append(hook)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def master_key(self) -> crypto.MasterKey:
        return self._key

    def _migrate_and_check_key(self) -> None:
        with self._writing() as conn:
            if _revision(conn) != HEAD_REVISION:
                _run_migrations(conn)
            row = conn.execute(sa.select(meta).where(meta.c.id == 1)).one()
            if row.key_check is None:
                conn.execute(
                    meta.update()
                    .where(meta.c.id == 1)
                    .values(key_id=self._key.key_id, key_check=self._seal_check(self._key))
                )
            else:
                self._key = self._recover_key(row.key_check)

    def _seal_check(self, key: crypto.MasterKey) -> bytes:
        return key.seal(_KEY_CHECK, _KEY_CHECK_AAD)

    def _opens_check(self, key: crypto.MasterKey, sealed: bytes) -> bool:
        try:
            return key.open(sealed, _KEY_CHECK_AAD) == _KEY_CHECK
        except StoreError:
            return False

    def _recover_key(self, sealed: bytes) -> crypto.MasterKey:
        """The key that opens the store; finishes or discards an interrupted rotation."""
        key = self._key
        pending = crypto.pending_key_file(key.path) if key.path is not None else None
        if self._opens_check(key, sealed):
            if pending is not None and pending.exists():
                pending.unlink()  # a rotation that did not commit: the old key stays
            return key
        if key.path is not None and pending is not None and pending.exists():
            new = crypto.read_key_file(pending)
            if self._opens_check(new, sealed):  # a rotation committed; finish its file swap
                with contextlib.suppress(FileNotFoundError):  # unless its process just did
                    os.replace(pending, key.path)
                return crypto.read_key_file(key.path)
        if key.path is not None:  # another process may have rotated: read the file again
            fresh = crypto.read_key_file(key.path)
            if self._opens_check(fresh, sealed):
                return fresh
        key_id = sealed[1:9].hex() if len(sealed) > 9 else "?"
        raise MasterKeyError(
            f"the master key from {key.source} (id {key.key_id}) is not the store's "
            f"(id {key_id}): set {crypto.ENV_KEY} or the key file to the key the store was "
            "created or last rotated with"
        )

    # --- transactions ---------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[Connection]:
        """One write transaction at a time, across threads (lock) and processes (database).
        After a commit that bumped the version, the commit hooks run (still under the lock)."""
        with self._lock:
            self._committed = None
            with self._engine.connect() as conn:
                conn.execution_options(certgate_write=True)
                with conn.begin():
                    if conn.dialect.name == "postgresql":
                        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7420115)"))
                    yield conn
            committed, self._committed = self._committed, None
            if committed is not None:
                for hook in self._commit_hooks:
                    try:
                        hook(committed)
                    except Exception:
                        log.exception("after commit %d: a commit hook failed", committed)

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    # --- reads ----------------------------------------------------------------------------------

    def get(self, path: str) -> Resource | None:
        address = parse_path(path)
        with self._reading() as conn:
            row = conn.execute(
                sa.select(resources).where(resources.c.path == address.path)
            ).one_or_none()
        return None if row is None else _resource(row)

    def list(self, collection: str, *, skip: int = 0, top: int = 100) -> tuple[list[Resource], int]:
        """One page of a collection, ordered by name, and the collection's size."""
        _, parent = parse_collection(collection)
        collection = collection.strip("/")
        skip, top = max(0, int(skip)), max(0, min(int(top), 1000))
        with self._reading() as conn:
            if parent is not None and not _exists(conn, parent):
                raise NotFound(f"'{parent}' was not found.")
            where = resources.c.parent == collection
            total = conn.execute(sa.select(sa.func.count()).where(where)).scalar_one()
            rows = conn.execute(
                sa.select(resources).where(where).order_by(resources.c.name).offset(skip).limit(top)
            ).all()
        return [_resource(r) for r in rows], int(total)

    def version(self) -> int:
        """Increases with every committed change; cheap enough to poll from any process."""
        with self._reading() as conn:
            return int(conn.execute(sa.select(meta.c.version).where(meta.c.id == 1)).scalar_one())

    def to_config(self, base: Config | None = None) -> Config:
        """The whole store as the `Config` model (certificates inline with their decrypted keys,
        in memory only). Node-local sections (gateway, admin ...) are taken from `base` (default
        `node_config`)."""
        return self.versioned_config(base)[1]

    def versioned_config(self, base: Config | None = None) -> tuple[int, Config]:
        """`to_config` and the version it is at, read in one transaction."""
        with self._reading() as conn:
            version = self._current_version(conn)
            state = self._state(conn)
        return version, compose(state, base or self.node_config).config

    def snapshot(self, base: Config | None = None) -> Snapshot:
        return build_snapshot(self.to_config(base), self.data_dir)

    def secret_value(self, path: str, *, actor: str) -> str:
        """A named value's value, secret or not (APIM's `listValue`); the read is audited."""
        address = parse_path(path)
        if address.kind.name != "namedValue":
            raise NotFound(f"'{address.path}' has no value to list.")
        with self._writing() as conn:
            state = self._state(conn)
            stored = state.get(address.path)
            if stored is None:
                raise NotFound(f"'{address.path}' was not found.")
            version = self._current_version(conn)
            self._audit_rows(
                conn, actor, [_Change("POST listValue", stored, stored, 200)], version, bump=False
            )
        if "value" in stored.content.secrets:
            return stored.content.secrets["value"].decode()
        return str(stored.properties["value"])

    # --- writes ---------------------------------------------------------------------------------

    def put(
        self,
        path: str,
        body: dict[str, Any],
        *,
        if_match: str | None = None,
        actor: str,
        source: str = "api",
    ) -> tuple[Resource, bool]:
        """Create or replace; returns (resource, created). Idempotent: the same body twice is
        one change (the second returns the same ETag and bumps nothing)."""
        address = parse_path(path)
        content = address.kind.prepare(address, body_properties(body))
        with self._writing() as conn:
            state = self._state(conn)
            before = state.get(address.path)
            _precondition(before, if_match, address)
            self._require_parent(state, address)
            if before is not None and before.content == content:
                return _public(before), False
            status = 200 if before else 201
            changes = [_Change("PUT", before, _new(address, content, source), status)]
            stored = self._commit(conn, state, changes, actor)
        return _public(stored[address.path]), before is None

    def patch(
        self,
        path: str,
        body: dict[str, Any],
        *,
        if_match: str | None = None,
        actor: str,
        source: str = "api",
    ) -> Resource:
        address = parse_path(path)
        props = body_properties(body)
        with self._writing() as conn:
            state = self._state(conn)
            before = state.get(address.path)
            if before is None:
                raise NotFound(f"'{address.path}' was not found.")
            _precondition(before, if_match, address)
            content = address.kind.merge(address, before.content, props)
            if content == before.content:
                return _public(before)
            changes = [_Change("PATCH", before, _new(address, content, source), 200)]
            stored = self._commit(conn, state, changes, actor)
        return _public(stored[address.path])

    def delete(self, path: str, *, if_match: str | None = None, actor: str) -> bool:
        """Delete with what hangs under it (an API's operations and policies ...); False if there
        was nothing to delete. Conflict when what remains would not load (a hostname's
        certificate, a named value a policy uses ...)."""
        address = parse_path(path)
        with self._writing() as conn:
            state = self._state(conn)
            before = state.get(address.path)
            if before is None:
                if if_match not in (None, "*"):
                    raise PreconditionFailed(f"'{address.path}' does not exist.")
                return False
            _precondition(before, if_match, address)
            changes = [_Change("DELETE", before, None, 200)]
            changes += [
                _Change("DELETE", s, None, 200, f"with {address.path}")
                for s in _dependents(state, address)
            ]
            self._commit(conn, state, changes, actor, deleting=True)
        return True

    def apply(
        self,
        items: Sequence[tuple[str, dict[str, Any]]],
        *,
        actor: str,
        source: str = "import",
        prune: bool = False,
        base: Config | None = None,
    ) -> Config:
        """Create-or-replace many resources in ONE transaction, checked once as a whole.

        With `prune`, resources last written by `source` that are not in `items` are deleted
        (what `certgate serve --config` does, so that removing something from the file removes
        it). Returns the configuration as committed, read inside the same transaction.
        """
        prepared = []
        problems: list[dict[str, object]] = []  # every refused resource, not just the first
        for path, body in items:
            try:
                address = parse_path(path)
                prepared.append((address, address.kind.prepare(address, body_properties(body))))
            except ValidationFailed as exc:
                for entry in exc.details:
                    problems.append({**entry, "target": f"{path}: {entry.get('target')}"})
        if problems:
            raise ValidationFailed(describe(problems[0]), details=problems)
        with self._writing() as conn:
            state = self._state(conn)
            new: dict[str, Stored] = dict(state)
            changes: list[_Change] = []
            for address, content in prepared:
                self._require_parent(new, address)
                before = state.get(address.path)
                if before is not None and before.content == content:
                    continue
                after = _new(address, content, source)
                new[address.path] = after
                status = 200 if before else 201
                changes.append(_Change("PUT", before, after, status, source))
            if prune:
                wanted = {a.path for a, _ in prepared}
                for path, stored in state.items():
                    if stored.source == source and path not in wanted and path in new:
                        doomed = [stored, *_dependents(new, stored.address)]
                        for gone in doomed:
                            if gone.address.path in new:
                                del new[gone.address.path]
                                detail = f"pruned: not in the {source} any more"
                                changes.append(_Change("DELETE", gone, None, 200, detail))
            if changes:
                self._commit(conn, state, changes, actor, base=base)
                state = self._state(conn)
            return compose(state, base).config

    def _commit(
        self,
        conn: Connection,
        state: State,
        changes: Sequence[_Change],
        actor: str,
        *,
        deleting: bool = False,
        base: Config | None = None,
    ) -> dict[str, Stored]:
        """Check the configuration the changes produce, then write them; all or nothing."""
        version = self._current_version(conn) + 1
        new = dict(state)
        stamped: list[_Change] = []
        for change in changes:
            after = change.after
            if after is not None:
                after = replace(after, etag=etag_for(version))
                new[after.address.path] = after
            else:
                new.pop(change.path, None)
            stamped.append(replace(change, after=after))
        try:
            check(new, self.data_dir, base or self.node_config)
        except StoreError as exc:
            if deleting:
                raise Conflict(
                    f"cannot delete {changes[0].path}: {exc.message}", details=exc.details
                ) from None
            raise
        now = dt.datetime.now(dt.UTC)
        for change in stamped:
            self._write_row(conn, change, version, now)
        self._audit_rows(conn, actor, stamped, version, bump=True)
        return new

    def _write_row(self, conn: Connection, change: _Change, version: int, now: dt.datetime) -> None:
        path = change.path
        conn.execute(secrets.delete().where(secrets.c.path == path))
        after = change.after
        if after is None:
            conn.execute(resources.delete().where(resources.c.path == path))
            return
        values = {
            "parent": after.address.collection,
            "name": after.address.name,
            "kind": after.address.kind.name,
            "properties": json.dumps(after.properties, ensure_ascii=False, sort_keys=True),
            "public_data": after.content.public,
            "etag": after.etag,
            "version": version,
            "source": after.source,
            "updated_at": now,
        }
        if change.before is None:
            conn.execute(resources.insert().values(path=path, created_at=now, **values))
        else:
            conn.execute(resources.update().where(resources.c.path == path).values(**values))
        for name, plaintext in after.content.secrets.items():
            sealed = self._key.seal(plaintext, crypto.associated_data(path, name))
            conn.execute(secrets.insert().values(path=path, field=name, sealed=sealed))

    def _audit_rows(
        self,
        conn: Connection,
        actor: str,
        changes: Sequence[_Change],
        version: int,
        *,
        bump: bool,
    ) -> None:
        if bump:
            conn.execute(meta.update().where(meta.c.id == 1).values(version=version))
            self._committed = version
        now = dt.datetime.now(dt.UTC)
        conn.execute(
            audit.insert(),
            [
                {
                    "at": now,
                    "actor": actor[:200],
                    "method": c.method[:16],
                    "path": c.path,
                    "status": c.status,
                    "etag_before": c.before.etag if c.before else None,
                    "etag_after": c.after.etag if c.after else None,
                    "version": version,
                    "detail": c.detail,
                }
                for c in changes
            ],
        )

    def _require_parent(self, state: State, address: Address) -> None:
        parent = address.parent
        if parent is not None and parent not in state:
            raise NotFound(f"'{parent}' was not found; create it before '{address.path}'.")

    def _current_version(self, conn: Connection) -> int:
        return int(conn.execute(sa.select(meta.c.version).where(meta.c.id == 1)).scalar_one())

    def _state(self, conn: Connection) -> dict[str, Stored]:
        """Every resource with its secrets opened. Reloads the master key if another process
        rotated it."""
        row = conn.execute(sa.select(meta.c.key_id, meta.c.key_check).where(meta.c.id == 1)).one()
        if row.key_id != self._key.key_id and row.key_check is not None:
            self._key = self._recover_key(row.key_check)
        opened: dict[str, dict[str, bytes]] = {}
        for path, name, sealed in conn.execute(sa.select(secrets)).all():
            plaintext = self._key.open(sealed, crypto.associated_data(path, name))
            opened.setdefault(path, {})[name] = plaintext
        state: dict[str, Stored] = {}
        for r in conn.execute(sa.select(resources)).all():
            address = parse_path(r.path)
            content = Content(json.loads(r.properties), r.public_data, opened.get(r.path, {}))
            state[r.path] = Stored(address, content, r.etag, r.source)
        return state

    # --- audit ----------------------------------------------------------------------------------

    def audit(
        self,
        *,
        actor: str,
        method: str,
        path: str,
        status: int,
        etag_before: str | None = None,
        etag_after: str | None = None,
        detail: str | None = None,
    ) -> None:
        """Record an event the store did not see (a refused request, a read of a secret ...).
        Successful writes are audited by the store itself, in their own transaction."""
        with self._writing() as conn:
            version = self._current_version(conn)
            conn.execute(
                audit.insert().values(
                    at=dt.datetime.now(dt.UTC),
                    actor=actor[:200],
                    method=method[:16],
                    path=path[:512],
                    status=status,
                    etag_before=etag_before,
                    etag_after=etag_after,
                    version=version,
                    detail=detail[:2000] if detail else None,
                )
            )

    def audit_log(
        self, *, path: str | None = None, skip: int = 0, top: int = 100
    ) -> tuple[builtins.list[AuditEntry], int]:
        """Audit rows, newest first, optionally for one path."""
        where = sa.true() if path is None else audit.c.path == path.strip("/")
        with self._reading() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(audit).where(where))
            count = int(total.scalar_one())
            rows = conn.execute(
                sa.select(audit).where(where).order_by(audit.c.id.desc()).offset(skip).limit(top)
            ).all()
        entries = []
        for r in rows:
            values = r._asdict()
            if values["at"].tzinfo is None:  # SQLite keeps no zone; the store writes UTC
                values["at"] = values["at"].replace(tzinfo=dt.UTC)
            entries.append(AuditEntry(**values))
        return entries, count

    # --- keys and maintenance -----------------------------------------------------------------

    def rotate_master_key(self, new_key: bytes | None = None) -> int:
        """Re-seal every secret under a new master key; returns how many were re-sealed.

        With a key file (the default), a new key is generated unless given, written next to the
        old one first (`master.key.new`), the database re-sealed in one transaction, then the file
        swapped in; `Store.open` finishes a swap a crash interrupted. With `CERTGATE_MASTER_KEY`
        the new key must be given, and the variable updated before the next start.
        """
        old = self._key
        if old.path is None and new_key is None:
            raise MasterKeyError(
                f"the master key comes from {old.source}: give the new key "
                f"({crypto.ENV_KEY} must then be set to it before the next start)"
            )
        new = crypto.MasterKey(new_key or crypto.generate_key(), old.source, old.path)
        pending = crypto.pending_key_file(old.path) if old.path is not None else None
        with self._writing() as conn:
            self._state(conn)  # proves the old key opens everything before anything changes
            # Written under the writer lock: a store opening meanwhile (which discards a stale
            # pending key under the same lock) cannot take it for a rotation that never committed.
            if pending is not None:
                crypto.replace_key_file(pending, new.key)
            rows = conn.execute(sa.select(secrets)).all()
            for path, name, sealed in rows:
                aad = crypto.associated_data(path, name)
                resealed = new.seal(self._key.open(sealed, aad), aad)
                conn.execute(
                    secrets.update()
                    .where(secrets.c.path == path, secrets.c.field == name)
                    .values(sealed=resealed)
                )
            conn.execute(
                meta.update()
                .where(meta.c.id == 1)
                .values(key_id=new.key_id, key_check=self._seal_check(new))
            )
            version = self._current_version(conn)
            conn.execute(
                audit.insert().values(
                    at=dt.datetime.now(dt.UTC),
                    actor="certgate",
                    method="ROTATE",
                    path="meta/masterKey",
                    status=200,
                    version=version,
                    detail=f"key {old.key_id} -> {new.key_id}; {len(rows)} secrets re-sealed",
                )
            )
        if pending is not None and old.path is not None:
            try:
                os.replace(pending, old.path)
                crypto.sync_dir(old.path.parent)
            except FileNotFoundError:  # a store opened meanwhile finished the swap; make sure
                if crypto.read_key_file(old.path).key != new.key:
                    crypto.replace_key_file(old.path, new.key)
        self._key = new
        return len(rows)

    def integrity_check(self) -> str:
        """SQLite's `PRAGMA integrity_check` ('ok' when sound); 'ok' on other databases."""
        with self._engine.connect() as conn:
            if conn.dialect.name != "sqlite":
                return "ok"
            rows = conn.exec_driver_sql("PRAGMA integrity_check").all()
        return "\n".join(str(r[0]) for r in rows)


# --- helpers -------------------------------------------------------------------------------------


def _new(address: Address, content: Content, source: str) -> Stored:
    return Stored(address, content, "", source)


def _public(stored: Stored) -> Resource:
    return Resource(
        stored.address.path,
        stored.address.name,
        stored.address.kind.type,
        dict(stored.properties),
        stored.etag,
    )


def _resource(row: Any) -> Resource:
    address = parse_path(row.path)
    return Resource(row.path, row.name, address.kind.type, json.loads(row.properties), row.etag)


def _exists(conn: Connection, path: str) -> bool:
    found = conn.execute(sa.select(resources.c.path).where(resources.c.path == path))
    return found.first() is not None


def _precondition(before: Stored | None, if_match: str | None, address: Address) -> None:
    if if_match is None:
        return
    if if_match.strip() == "*":
        if before is None:
            raise PreconditionFailed(f"'{address.path}' does not exist (If-Match: *).")
        return
    if before is None:
        raise PreconditionFailed(f"'{address.path}' does not exist.")
    if _normalise_match(if_match) != before.etag:
        raise PreconditionFailed(
            f"'{address.path}' has changed: its ETag is not the one in If-Match."
        )


def _dependents(state: State, address: Address) -> list[Stored]:
    """What goes with a deleted resource: everything under its path, and product links to a
    deleted API."""
    prefix = address.path + "/"
    found = [s for p, s in state.items() if p.startswith(prefix)]
    if address.kind.name == "api":
        found += [
            s
            for s in state.values()
            if s.address.kind.name == "productApi" and s.address.name == address.name
        ]
    return sorted(found, key=lambda s: len(s.address.parts), reverse=True)


def _revision(conn: Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _run_migrations(conn: Connection) -> None:
    quiet = logging.getLogger("alembic")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # its INFO lines are about its plugins, not about the store
    try:
        from alembic import command  # noqa: PLC0415 - only when the schema is behind
        from alembic.config import Config as AlembicConfig  # noqa: PLC0415

        location = str(Path(__file__).with_name("migrations"))
        config = AlembicConfig()
        config.set_main_option("script_location", location.replace("%", "%%"))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
    finally:
        quiet.setLevel(level)
    log.info("store schema migrated to revision %s", HEAD_REVISION)


def _engine(url: str) -> Engine:
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":
        _sqlite_events(engine)
    return engine


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin() emit BEGIN itself (the driver's implicit BEGIN is DEFERRED).
        dbapi.isolation_level = None
        cursor = dbapi.cursor()
        for pragma in (
            "busy_timeout = 30000",
            "journal_mode = WAL",
            "synchronous = FULL",
            "foreign_keys = ON",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("certgate_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
