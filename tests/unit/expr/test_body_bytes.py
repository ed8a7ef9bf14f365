"""`Body.As<byte[]>()` (APIM-only, so no Mono vectors): the body as .NET's byte[], which the
rest of the runtime takes like any other byte[]."""

from __future__ import annotations

import pytest

from certgate.errors import ExpressionRuntimeError

from .test_forms import make_context, run

BODY = '{"a": "é"}'.encode()


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("@(context.Request.Body.As<byte[]>().Length)", len(BODY)),
        ("@(context.Request.Body.As<byte[]>()[0])", BODY[0]),
        ("@(context.Request.Body.As<byte[]>().ToString())", "System.Byte[]"),
        ("@(Encoding.UTF8.GetString(context.Request.Body.As<byte[]>()))", BODY.decode()),
        ("@(Convert.ToBase64String(context.Request.Body.As<byte[]>()))", "eyJhIjogIsOpIn0="),
        ("@(context.Request.Body.As<byte[]>().Skip(1).First())", BODY[1]),
    ],
)
def test_body_as_bytes_is_a_byte_array(expression: str, expected: object) -> None:
    assert run(expression, make_context(BODY)) == expected


def test_body_as_bytes_is_read_once_like_any_read() -> None:
    """Without `preserveContent: true` the read consumes the body: a second read throws."""
    twice = "@{ var a = context.Request.Body.As<byte[]>(); return context.Request.Body.As<byte[]>().Length; }"
    with pytest.raises(ExpressionRuntimeError):
        run(twice, make_context(BODY))
    kept = (
        "@{ var a = context.Request.Body.As<byte[]>(preserveContent: true);"
        " return context.Request.Body.As<byte[]>().Length; }"
    )
    assert run(kept, make_context(BODY)) == len(BODY)
