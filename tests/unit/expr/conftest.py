"""A small `context` made of CsObject test classes (the real one is built by the policy engine)."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from certgate.core.expr import (
    CsArray,
    CsObject,
    ReadOnlyDictionary,
    compile_expression,
    to_dotnet_string,
)
from certgate.core.expr.jsonio import parse
from certgate.core.expr.jsonpath import select
from certgate.errors import ExpressionError, ExpressionRuntimeError, NotSupportedError

T1 = "0F5E4A4C8B1D2E3F405162738495A6B7C8D9E0F1"  # uploaded client certificate (C1)
T2 = "1122334455667788990011223344556677889900"  # not uploaded (C2)


class Certificate(CsObject):
    __slots__ = ("Issuer", "Thumbprint", "_valid")
    CS_TYPE = "X509Certificate2"
    CS_MEMBERS = frozenset({"Thumbprint", "Issuer", "Verify", "VerifyNoRevocation"})

    Thumbprint: str
    Issuer: str

    def __init__(self, thumbprint: str, valid: bool = True) -> None:
        self.Thumbprint = thumbprint
        self.Issuer = "CN=Test Intermediate CA"
        self._valid = valid

    def Verify(self) -> bool:
        return self._valid

    def VerifyNoRevocation(self) -> bool:
        return self._valid


class Request(CsObject):
    __slots__ = ("Certificate", "Headers", "StatusCode")
    CS_MEMBERS = frozenset({"Certificate", "Headers", "StatusCode"})

    Certificate: Certificate | None
    Headers: ReadOnlyDictionary
    StatusCode: int

    def __init__(self, certificate: Certificate | None, headers: dict[str, list[str]]) -> None:
        self.Certificate = certificate
        self.Headers = ReadOnlyDictionary(
            {k: CsArray(v) for k, v in headers.items()}, ignore_case=True, comma_join=True
        )
        self.StatusCode = 200


class Deployment(CsObject):
    __slots__ = ("Certificates",)
    CS_MEMBERS = frozenset({"Certificates"})

    Certificates: ReadOnlyDictionary

    def __init__(self, certificates: list[Certificate]) -> None:
        self.Certificates = ReadOnlyDictionary({c.Thumbprint: c for c in certificates})


class Context(CsObject):
    __slots__ = ("Deployment", "Request", "Variables")
    CS_MEMBERS = frozenset({"Request", "Deployment", "Variables"})

    Request: Request
    Deployment: Deployment
    Variables: ReadOnlyDictionary


def make_context(
    certificate: Certificate | None = None,
    variables: dict[str, object] | None = None,
    headers: dict[str, list[str]] | None = None,
) -> Context:
    context = Context()
    context.Request = Request(certificate, headers or {"X-Forwarded-For": ["10.0.0.1", "10.0.0.2"]})
    context.Deployment = Deployment([Certificate(T1)])
    context.Variables = ReadOnlyDictionary(variables or {"n": 42, "s": "text", "flag": True})
    return context


def evaluate(text: str, context: object | None = None, *, typed: bool = True) -> object:
    """Compile (with or without the static context type) and run once."""
    expression = compile_expression(text, context_type=Context if typed else None)
    return expression.evaluate(make_context() if context is None else context)


@pytest.fixture(params=[True, False], ids=["typed", "untyped"])
def typed(request: pytest.FixtureRequest) -> bool:
    """Run a test with the static context type known, and with everything checked at run time."""
    return bool(request.param)


def value_of(text: str) -> object:
    """A context-free expression's result (no `context`)."""
    return compile_expression(text).evaluate(None)


def text_of(text: str) -> str:
    """A context-free expression's result as .NET's ToString() prints it."""
    return to_dotnet_string(value_of(text))


def path_failure(json: str, path: str) -> ExpressionRuntimeError:
    """The error `SelectTokens(path)` on `json` raises (JSONPath tests)."""
    with pytest.raises(ExpressionRuntimeError) as info:
        select(parse(json), path, False)
    return info.value


def load_error(text: str) -> str:
    """APIM's (or csc's) refusal at load time, not certgate's "not supported yet"."""
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    assert not isinstance(info.value, NotSupportedError), info.value.message
    return info.value.message


def exception_of(text: str) -> str:
    """The .NET exception type a context-free expression throws."""
    with pytest.raises(ExpressionRuntimeError) as info:
        compile_expression(text).evaluate(None)
    return info.value.exception_type


def rsa_self_signed(
    common_name: str, serial: int = 7
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A 2048-bit RSA key and a one-day self-signed certificate for it, made per test run."""
    key = rsa.generate_private_key(65537, 2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return key, cert
