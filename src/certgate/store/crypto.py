"""Secrets at rest: the master key, and AES-256-GCM sealing bound to where a secret lives.

A sealed value is `version (1) | key id (8) | nonce (12) | ciphertext + tag`. The associated data
is the resource's path and the field (`associated_data`), so a ciphertext copied into another
resource's row, or into another field of the same one, does not open. The key id (a hash of the
key, not the key) says which master key sealed a value: a wrong key is reported as such instead of
as corruption, and a rotation that was interrupted can be finished (`Store.open`).

Where the master key comes from, first match wins:

1. the `master_key` argument of `Store.open` (tests, embedding);
2. `CERTGATE_MASTER_KEY`: 32 bytes in base64 (`openssl rand -base64 32`) or 64 hex digits;
3. a key file: `CERTGATE_MASTER_KEY_FILE` (or `--master-key-file`), else `<data>/master.key`;
4. none of these: `<data>/master.key` is created (mode 0600) with a warning, because a backup of
   the data folder then holds the key next to what it protects.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from certgate.errors import MasterKeyError, StoreError

log = logging.getLogger("certgate.store")

KEY_BYTES = 32
KEY_FILE = "master.key"
PENDING_SUFFIX = ".new"  # a rotation writes the new key here first (see Store.rotate_master_key)
ENV_KEY = "CERTGATE_MASTER_KEY"
ENV_KEY_FILE = "CERTGATE_MASTER_KEY_FILE"
_FORMAT = 1
_ID_BYTES = 8
_NONCE_BYTES = 12
_TAG_BYTES = 16
_HEADER = 1 + _ID_BYTES + _NONCE_BYTES


class SealError(StoreError):
    """A sealed value does not open under its path and field: moved, altered or truncated."""

    code = "SecretUnreadable"


def associated_data(path: str, field: str) -> bytes:
    """What a secret is bound to: the resource path and the field name."""
    return b"certgate/v1\x00" + path.encode() + b"\x00" + field.encode()


@dataclass(frozen=True)
class MasterKey:
    key: bytes = field(repr=False)
    source: str  # for messages: "CERTGATE_MASTER_KEY", "file /x/master.key", "argument"
    path: Path | None = None  # the key file it was read from (rotation replaces that file)

    def __post_init__(self) -> None:
        if len(self.key) != KEY_BYTES:
            raise MasterKeyError(f"the master key ({self.source}) must be {KEY_BYTES} bytes")

    @functools.cached_property
    def key_id(self) -> str:
        digest = hashlib.sha256(b"certgate master key id\x00" + self.key).digest()
        return digest[:_ID_BYTES].hex()

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(self.key).encrypt(nonce, plaintext, aad)
        return bytes([_FORMAT]) + bytes.fromhex(self.key_id) + nonce + sealed

    def open(self, sealed: bytes, aad: bytes) -> bytes:
        if len(sealed) < _HEADER + _TAG_BYTES or sealed[0] != _FORMAT:
            raise SealError("a stored secret is not a sealed value (truncated or altered)")
        key_id = sealed[1 : 1 + _ID_BYTES].hex()
        if key_id != self.key_id:
            raise MasterKeyError(
                f"a stored secret was sealed with another master key (id {key_id}; the key from "
                f"{self.source} has id {self.key_id})"
            )
        nonce = sealed[1 + _ID_BYTES : _HEADER]
        try:
            return AESGCM(self.key).decrypt(nonce, sealed[_HEADER:], aad)
        except InvalidTag:
            raise SealError(
                "a stored secret does not open: it was moved from another resource or altered"
            ) from None


def generate_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode()


def parse_key(text: str, *, what: str) -> bytes:
    """32 bytes written as base64 (standard or URL-safe) or as 64 hex digits."""
    value = text.strip()
    if len(value) == 2 * KEY_BYTES:
        with contextlib.suppress(ValueError):
            return bytes.fromhex(value)
    try:
        key = base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise MasterKeyError(
            f"{what} is not a master key: give {KEY_BYTES} random bytes in base64 "
            "(e.g. `openssl rand -base64 32`) or as 64 hex digits"
        )
    return key


def resolve_master_key(
    data_dir: Path,
    *,
    key: bytes | None = None,
    key_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> MasterKey:
    """Find the master key (module docstring), creating `<data>/master.key` if there is none."""
    env = os.environ if environ is None else environ
    if key is not None:
        return MasterKey(key, "argument")
    if env.get(ENV_KEY):
        return MasterKey(parse_key(env[ENV_KEY], what=ENV_KEY), ENV_KEY)
    explicit = key_file or (Path(env[ENV_KEY_FILE]) if env.get(ENV_KEY_FILE) else None)
    path = explicit or data_dir / KEY_FILE
    if path.exists():
        return read_key_file(path)
    if explicit is not None:
        raise MasterKeyError(f"the master key file {path} does not exist")
    created = create_key_file(path, generate_key())
    if created:
        log.warning(
            "created the master key file %s (mode 0600): it decrypts the private keys and secret "
            "named values in the store, so a backup of the data folder holds the key next to what "
            "it protects. Set %s, or %s to a file outside the data folder, to keep them apart.",
            path,
            ENV_KEY,
            ENV_KEY_FILE,
        )
    return read_key_file(path)


def read_key_file(path: Path) -> MasterKey:
    try:
        text = path.read_text(encoding="ascii")
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError) as exc:
        raise MasterKeyError(f"cannot read the master key file {path}: {exc}") from None
    if mode & 0o077:
        log.warning("the master key file %s is readable by others (mode %o)", path, mode & 0o777)
    return MasterKey(parse_key(text, what=f"the file {path}"), f"file {path}", path)


def pending_key_file(path: Path) -> Path:
    return path.with_name(path.name + PENDING_SUFFIX)


def create_key_file(path: Path, key: bytes) -> bool:
    """Write a new key file (0600) unless one exists; False when another process won the race.

    The key is written to a temporary file first and linked into place, so no reader ever sees a
    partly written key file.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = _write_private(path, key)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    sync_dir(path.parent)
    return True


def replace_key_file(path: Path, key: bytes) -> None:
    """Atomically put `key` at `path` (0600), durable before this returns."""
    temporary = _write_private(path, key)
    os.replace(temporary, path)
    sync_dir(path.parent)


def _write_private(path: Path, key: bytes) -> Path:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (encode_key(key) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return temporary


def sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
