"""The seed scenarios: thumbprint checks (TV-04..07), null-safe access (TV-21), short-circuit
(TV-25), bool formatting (TV-28), runtime failure (TV-20)."""

from __future__ import annotations

import pytest

from certgate.errors import ExpressionRuntimeError

from .conftest import T1, T2, Certificate, evaluate, make_context

THUMBPRINT_CHECK = (
    '@(context.Request.Certificate == null || context.Request.Certificate.Thumbprint != "{}")'
)
UPLOADED_2017 = (
    "@(context.Request.Certificate == null || context.Deployment.Certificates.Any("
    "c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))"
)
UPLOADED_CURRENT = (
    "@(context.Request.Certificate == null || !context.Request.Certificate.VerifyNoRevocation() || "
    "!context.Deployment.Certificates.Any("
    "c => c.Value.Thumbprint == context.Request.Certificate.Thumbprint))"
)


def test_tv04_uppercase_thumbprint_passes(typed: bool) -> None:
    context = make_context(Certificate(T1))
    assert evaluate(THUMBPRINT_CHECK.format(T1), context, typed=typed) is False


def test_tv04_lowercase_thumbprint_never_matches(typed: bool) -> None:
    context = make_context(Certificate(T1))
    assert evaluate(THUMBPRINT_CHECK.format(T1.lower()), context, typed=typed) is True


def test_tv04_no_certificate_is_rejected(typed: bool) -> None:
    assert evaluate(THUMBPRINT_CHECK.format(T1), make_context(None), typed=typed) is True


def test_tv05_2017_condition_rejects_the_uploaded_certificate(typed: bool) -> None:
    # the documented logic is inverted; the gateway evaluates it literally
    assert evaluate(UPLOADED_2017, make_context(Certificate(T1)), typed=typed) is True


def test_tv06_2017_condition_lets_unknown_certificates_through(typed: bool) -> None:
    assert evaluate(UPLOADED_2017, make_context(Certificate(T2)), typed=typed) is False
    assert evaluate(UPLOADED_2017, make_context(None), typed=typed) is True


def test_tv07_current_condition_accepts_uploaded_valid_certificate(typed: bool) -> None:
    assert evaluate(UPLOADED_CURRENT, make_context(Certificate(T1)), typed=typed) is False


@pytest.mark.parametrize(
    "certificate",
    [Certificate(T2), None, Certificate(T1, valid=False)],
    ids=["not-uploaded", "no-cert", "untrusted"],
)
def test_tv07_current_condition_rejects(certificate: Certificate | None, typed: bool) -> None:
    assert evaluate(UPLOADED_CURRENT, make_context(certificate), typed=typed) is True


def test_tv20_thumbprint_of_missing_certificate_throws(typed: bool) -> None:
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate("@(context.Request.Certificate.Thumbprint)", make_context(None), typed=typed)
    assert info.value.exception_type == "NullReferenceException"
    assert info.value.message == "Object reference not set to an instance of an object."
    assert info.value.reason == "ExpressionValueEvaluationFailure"


def test_tv20_thumbprint_of_present_certificate(typed: bool) -> None:
    text = "@(context.Request.Certificate.Thumbprint)"
    assert evaluate(text, make_context(Certificate(T1)), typed=typed) == T1


def test_tv21_null_safe_access_falls_back(typed: bool) -> None:
    text = '@(context.Request.Certificate?.Thumbprint ?? "none")'
    assert evaluate(text, make_context(None), typed=typed) == "none"
    assert evaluate(text, make_context(Certificate(T1)), typed=typed) == T1


def test_tv25_later_branch_that_would_throw_is_not_evaluated(typed: bool) -> None:
    assert evaluate('@(true || context.Variables["missing"] != null)', typed=typed) is True
    assert evaluate('@(false && context.Variables["missing"] != null)', typed=typed) is False


def test_tv25_branch_that_is_evaluated_throws(typed: bool) -> None:
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate('@(false || context.Variables["missing"] != null)', typed=typed)
    assert info.value.exception_type == "KeyNotFoundException"
    assert info.value.message == "The given key 'missing' was not present in the dictionary."


def test_tv28_contains_key_and_bool_concatenation(typed: bool) -> None:
    text = (
        f'@(context.Deployment.Certificates.ContainsKey("{T1}") + "|" + '
        'context.Deployment.Certificates.ContainsKey("client01"))'
    )
    assert evaluate(text, typed=typed) == "True|False"


def test_tv28_lowercase_key_is_not_found(typed: bool) -> None:
    text = f'@(context.Deployment.Certificates.ContainsKey("{T1.lower()}"))'
    assert evaluate(text, typed=typed) is False


def test_tv29_typed_variable_read(typed: bool) -> None:
    assert (
        evaluate('@(context.Variables.GetValueOrDefault<int>("n").ToString())', typed=typed) == "42"
    )


def test_tv29_typed_variable_read_with_wrong_type_throws(typed: bool) -> None:
    with pytest.raises(ExpressionRuntimeError) as info:
        evaluate('@(context.Variables.GetValueOrDefault<string>("n"))', typed=typed)
    assert info.value.exception_type == "InvalidCastException"
    assert "System.Int32" in info.value.message and "System.String" in info.value.message
