"""APIM's `byte[].Encrypt/Decrypt`, `System.Array`'s statics and `new string(...)`: what the
Mono vectors (tests/conformance/vectors) cannot show: our refusals and the .NET 5+ messages."""

from __future__ import annotations

import pytest

from certgate.errors import ExpressionRuntimeError

from .conftest import evaluate

KEY, IV = "new byte[16]", "new byte[16]"


@pytest.mark.parametrize(
    ("text", "exception", "message"),
    [
        (
            f'@(new byte[1].Encrypt("RC2", {KEY}, {IV}))',
            "NotSupportedException",
            "not supported yet",
        ),
        (
            f'@(new byte[1].Encrypt("NoSuchCipher", {KEY}, {IV}))',
            "NullReferenceException",  # SymmetricAlgorithm.Create gives null for unknown names
            "Object reference",
        ),
        (f'@(new byte[1].Encrypt("Aes", {KEY}, new byte[8]))', "CryptographicException", "(IV)"),
        (
            f'@(new byte[17].Decrypt("Aes", {KEY}, {IV}))',
            "CryptographicException",
            "complete block",
        ),
        (
            f'@(new[] {{ "a" }}.Encrypt("Aes", {KEY}, {IV}))',
            "InvalidCastException",
            "System.Byte[]",
        ),
        (
            "@{ var a = new int[1]; Array.Copy(new[] { 1 }, 0, a, 1, 1); return 0; }",
            "ArgumentException",
            "Destination array",
        ),
        ("@(new string('x', 1 << 27))", "OutOfMemoryException", "the limit is"),
    ],
)
def test_refused(text: str, exception: str, message: str) -> None:
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate(text)
    assert info.value.exception_type == exception
    assert message in info.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f'@(new byte[1].Encrypt("system.security.cryptography.aesmanaged", {KEY}, {IV}).Length)',
            16,
        ),
        (
            f'@(new byte[16].Encrypt("Aes", new byte[24], {IV}).Decrypt("Aes", new byte[24], {IV}).Length)',
            16,
        ),
        ("@{ var a = new int[2]; Array.Copy(new[] { 1 }, 0, a, 1, 1); return a[1]; }", 1),
        ("@(new string('x', 3))", "xxx"),
    ],
)
def test_accepted(text: str, expected: object) -> None:
    assert evaluate(text) == expected


def test_string_hash_code_is_stable_within_the_process_only() -> None:
    """.NET Core randomizes string hashes per process, so there is no value to compare with."""
    first = evaluate('@("req-1".GetHashCode())')
    assert first == evaluate('@("req-1".GetHashCode())')
    assert isinstance(first, int) and -(2**31) <= first < 2**31
    assert evaluate('@("req-1".GetHashCode() == "req-2".GetHashCode())') is False
    assert 1 <= evaluate('@(new Random("req-1".GetHashCode()).Next(1, 3))') < 3  # type: ignore[operator]
