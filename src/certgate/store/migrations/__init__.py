"""Alembic migrations of the store, run programmatically by `Store.open` (no alembic.ini).

To add one: copy `versions/0001_initial.py`, set `revision`/`down_revision`, write `upgrade()`
with portable `op` calls (SQLite and PostgreSQL), and bump `schema.HEAD_REVISION`.
"""
