"""The initial schema: resources, secrets, meta, audit.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

PATH = 512
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "resources",
        sa.Column("path", sa.String(PATH), primary_key=True),
        sa.Column("parent", sa.String(PATH), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("properties", sa.Text(), nullable=False),
        sa.Column("public_data", sa.LargeBinary(), nullable=True),
        sa.Column("etag", sa.String(40), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_resources_parent_name", "resources", ["parent", "name"])
    op.create_index("ix_resources_kind", "resources", ["kind"])
    op.create_table(
        "secrets",
        sa.Column(
            "path",
            sa.String(PATH),
            sa.ForeignKey("resources.path", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("field", sa.String(40), primary_key=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
    )
    op.create_table(
        "meta",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=True),
        sa.Column("key_check", sa.LargeBinary(), nullable=True),
    )
    op.create_table(
        "audit",
        sa.Column("id", BIG_ID, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("path", sa.String(PATH), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("etag_before", sa.String(40), nullable=True),
        sa.Column("etag_after", sa.String(40), nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
    )
    op.create_index("ix_audit_path", "audit", ["path"])
    op.bulk_insert(
        sa.table(
            "meta",
            sa.column("id", sa.Integer()),
            sa.column("version", sa.BigInteger()),
        ),
        [{"id": 1, "version": 0}],
    )


def downgrade() -> None:
    op.drop_table("audit")
    op.drop_table("meta")
    op.drop_table("secrets")
    op.drop_table("resources")
