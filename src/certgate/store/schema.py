"""The store's tables (SQLAlchemy Core), portable between SQLite and PostgreSQL.

Only portable types and statements: strings with lengths, TEXT for JSON (serialised by us, so the
bytes are the same on both databases), LargeBinary for sealed secrets and public certificate
material, BigInteger counters. Migrations in `migrations/versions` create exactly these; a test
compares the two.

- `resources`: one row per resource (an API, an operation, a policy, a certificate ...), keyed by
  its path relative to the service (`apis/orders/operations/get`). `parent` is the collection the
  row is listed in (`apis/orders/operations`), `properties` the JSON that contains no secret,
  `public_data` non-secret material (a certificate's chain as PEM), `source` who wrote it last
  (`config` for `certgate serve --config`, which prunes its own rows that left the file).
- `secrets`: sealed (AES-GCM) fields of a resource: a private key, a secret named value.
- `meta`: one row: the store's version (every committed change increments it, so another process
  can poll it cheaply), the master key's id and a sealed check value that proves the key.
- `audit`: who changed what, with ETags before and after; never a secret.
"""

from __future__ import annotations

import sqlalchemy as sa

PATH_LENGTH = 512

metadata = sa.MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets BIGINT (identity).
_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

resources = sa.Table(
    "resources",
    metadata,
    sa.Column("path", sa.String(PATH_LENGTH), primary_key=True),
    sa.Column("parent", sa.String(PATH_LENGTH), nullable=False),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("properties", sa.Text(), nullable=False),
    sa.Column("public_data", sa.LargeBinary(), nullable=True),
    sa.Column("etag", sa.String(40), nullable=False),
    sa.Column("version", sa.BigInteger(), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_resources_parent_name", "parent", "name"),
    sa.Index("ix_resources_kind", "kind"),
)

secrets = sa.Table(
    "secrets",
    metadata,
    sa.Column(
        "path",
        sa.String(PATH_LENGTH),
        sa.ForeignKey("resources.path", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("field", sa.String(40), primary_key=True),
    sa.Column("sealed", sa.LargeBinary(), nullable=False),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("version", sa.BigInteger(), nullable=False),
    sa.Column("key_id", sa.String(32), nullable=True),
    sa.Column("key_check", sa.LargeBinary(), nullable=True),
)

audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", _BIG_ID, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("method", sa.String(16), nullable=False),
    sa.Column("path", sa.String(PATH_LENGTH), nullable=False),
    sa.Column("status", sa.Integer(), nullable=False),
    sa.Column("etag_before", sa.String(40), nullable=True),
    sa.Column("etag_after", sa.String(40), nullable=True),
    sa.Column("version", sa.BigInteger(), nullable=True),
    sa.Column("detail", sa.Text(), nullable=True),
    sa.Index("ix_audit_path", "path"),
)

# The newest migration; `Store.open` compares it with the database's and runs alembic only when
# they differ (a test checks this equals the migration scripts' head).
HEAD_REVISION = "0001"
