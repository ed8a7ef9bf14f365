"""The block ciphers behind `SymmetricAlgorithm` (`symalg`) and APIM's `byte[].Encrypt`:
AES, TripleDES and DES in CBC, ECB and CFB (8-bit or full-block feedback), with .NET's
padding modes, and the DES weak-key rules .NET applies.

`CipherMode`/`PaddingMode` are the .NET enums (their numbers are .NET's). Padding works on
`unit` bytes: the block, or the feedback size in CFB, as .NET's SymmetricPadding does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.decrepit.ciphers.modes import CFB as FullBlockCFB
from cryptography.hazmat.decrepit.ciphers.modes import CFB8
from cryptography.hazmat.primitives.ciphers import BlockCipherAlgorithm, Cipher, algorithms, modes

from . import exceptions as exc
from .strings import CsEnum, enum_members

_NS = "System.Security.Cryptography."


class CipherMode(CsEnum):
    __slots__ = ()
    CS_TYPE = _NS + "CipherMode"


class PaddingMode(CsEnum):
    __slots__ = ()
    CS_TYPE = _NS + "PaddingMode"


CIPHER_MODES = enum_members(CipherMode, "CBC", "ECB", "OFB", "CFB", "CTS", start=1)
PADDING_MODES = enum_members(PaddingMode, "None", "PKCS7", "Zeros", "ANSIX923", "ISO10126", start=1)
CBC, ECB, CFB = CIPHER_MODES["CBC"], CIPHER_MODES["ECB"], CIPHER_MODES["CFB"]
NO_PADDING, PKCS7, ZEROS = PADDING_MODES["None"], PADDING_MODES["PKCS7"], PADDING_MODES["Zeros"]
ANSIX923, ISO10126 = PADDING_MODES["ANSIX923"], PADDING_MODES["ISO10126"]

PARTIAL_BLOCK = "The input data is not a complete block."
_BAD_PADDING = "Padding is invalid and cannot be removed."


def crypto_error(message: str) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError("CryptographicException", message)


# --- padding -------------------------------------------------------------------------------------


def pad(data: bytes, padding: PaddingMode, unit: int) -> bytes:
    """`data` padded to a multiple of `unit` bytes, as .NET's SymmetricPadding does."""
    short = -len(data) % unit
    if padding is NO_PADDING:
        if short:
            raise crypto_error(PARTIAL_BLOCK)
        return data
    if padding is ZEROS:
        return data + bytes(short)
    count = short or unit
    if padding is PKCS7:
        return data + bytes([count]) * count
    filler = os.urandom(count - 1) if padding is ISO10126 else bytes(count - 1)
    return data + filler + bytes([count])


def unpad(data: bytes, padding: PaddingMode, unit: int) -> bytes:
    """`data` without its padding; CryptographicException when the padding does not check."""
    if padding is NO_PADDING or padding is ZEROS:
        return data
    count = data[-1] if data else 0
    if not 0 < count <= min(unit, len(data)):
        raise crypto_error(_BAD_PADDING)
    tail = data[-count:-1]
    if (padding is PKCS7 and tail != bytes([count]) * (count - 1)) or (
        padding is ANSIX923 and any(tail)
    ):
        raise crypto_error(_BAD_PADDING)
    return data[:-count]


# --- DES keys ------------------------------------------------------------------------------------


def _odd_parity(key: bytes) -> bytes:
    """The key with each byte's low bit set for odd parity (.NET's FixupKeyParity)."""
    return bytes((b & 0xFE) | (bin(b & 0xFE).count("1") + 1) % 2 for b in key)


_DES_WEAK = frozenset(
    bytes.fromhex(k)
    for k in ("0101010101010101", "fefefefefefefefe", "1f1f1f1f0e0e0e0e", "e0e0e0e0f1f1f1f1")
)
_DES_SEMI_WEAK = frozenset(
    bytes.fromhex(k)
    for k in (
        "01fe01fe01fe01fe", "fe01fe01fe01fe01", "1fe01fe00ef10ef1", "e01fe01ff10ef10e",
        "01e001e001f101f1", "e001e001f101f101", "1ffe1ffe0efe0efe", "fe1ffe1ffe0efe0e",
        "011f011f010e010e", "1f011f010e010e01", "e0fee0fef1fef1fe", "fee0fee0fef1fef1",
    )
)  # fmt: skip


def des_key_problem(key: bytes) -> str | None:
    """.NET's message when a DES key is weak or semi-weak; None for a good key."""
    fixed = _odd_parity(key)
    if fixed in _DES_WEAK:
        return "Specified key is a known weak key for 'DES' and cannot be used."
    if fixed in _DES_SEMI_WEAK:
        return "Specified key is a known semi-weak key for 'DES' and cannot be used."
    return None


def triple_des_key_is_weak(key: bytes) -> bool:
    """TripleDES.IsWeakKey: K1 == K2, or (three keys) K2 == K3, parity bits aside."""
    fixed = _odd_parity(key)
    return fixed[:8] == fixed[8:16] or (len(fixed) == 24 and fixed[8:16] == fixed[16:])


def _three_keys(key: bytes) -> bytes:
    """K1 K2 K3 for TripleDES: DES is K1 K1 K1, two-key TripleDES K1 K2 K1 (as .NET expands it)."""
    if len(key) == 8:
        return key * 3
    return key + key[:8] if len(key) == 16 else key


# --- the cipher ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CipherSpec:
    """What one transform needs; `feedback` and `block` in bytes."""

    aes: bool  # AES, else TripleDES (DES: an 8-byte TripleDES key, K1 = K2 = K3)
    key: bytes
    mode: CipherMode
    iv: bytes
    padding: PaddingMode
    feedback: int
    block: int

    @property
    def unit(self) -> int:
        return self.feedback if self.mode is CFB else self.block

    def _cipher(self) -> Cipher[modes.ModeWithInitializationVector | modes.ECB]:
        algorithm: BlockCipherAlgorithm = (
            algorithms.AES(self.key) if self.aes else TripleDES(_three_keys(self.key))
        )
        mode: modes.ModeWithInitializationVector | modes.ECB
        if self.mode is ECB:
            mode = modes.ECB()  # noqa: S305 (APIM's allow-list has CipherMode.ECB; .NET runs it)
        elif self.mode is CBC:
            mode = modes.CBC(self.iv)
        else:
            mode = CFB8(self.iv) if self.feedback == 1 else FullBlockCFB(self.iv)
        return Cipher(algorithm, mode)

    def encrypt(self, data: bytes) -> bytes:
        padded = pad(data, self.padding, self.unit)
        encryptor = self._cipher().encryptor()
        return encryptor.update(padded) + encryptor.finalize()

    def decrypt(self, data: bytes) -> bytes:
        if len(data) % self.unit:
            raise crypto_error(PARTIAL_BLOCK)
        decryptor = self._cipher().decryptor()
        return unpad(decryptor.update(data) + decryptor.finalize(), self.padding, self.unit)
