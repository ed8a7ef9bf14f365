"""A small `context` made of CsObject test classes (the real one is built by the policy engine)."""

from __future__ import annotations

import pytest

from certgate.core.expr import CsArray, CsObject, ReadOnlyDictionary, compile_expression

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
