"""certgate's configuration store: resources in APIM's shapes, secrets sealed at rest.

`Store.open(data_dir)` opens (or creates) `data_dir/certgate.db` (SQLite, WAL), runs migrations and
checks the master key; `url=` selects another database (PostgreSQL) with the same code.
"""

from certgate.errors import (
    Conflict,
    MasterKeyError,
    NotFound,
    PreconditionFailed,
    StoreError,
    ValidationFailed,
)
from certgate.store.repository import DB_FILE, AuditEntry, Store
from certgate.store.resources import ID_PATTERN, KINDS, Resource, check_id, parse_path

__all__ = [
    "DB_FILE",
    "ID_PATTERN",
    "KINDS",
    "AuditEntry",
    "Conflict",
    "MasterKeyError",
    "NotFound",
    "PreconditionFailed",
    "Resource",
    "Store",
    "StoreError",
    "ValidationFailed",
    "check_id",
    "parse_path",
]
