"""`check_document`: APIM's save-time reading, runnability, named values, warnings, positions."""

from __future__ import annotations

import pytest

from certgate.core.policy import check
from certgate.core.policy.check import (
    CheckReport,
    DocumentReport,
    certgate_gap,
    check_document,
)
from certgate.errors import ExpressionError, NotSupportedError, PolicyError


def run(text: str) -> DocumentReport:
    return check_document(text, "p.xml")


def policies(inbound: str = "", backend: str = "", outbound: str = "") -> str:
    return (
        f"<policies><inbound><base />{inbound}</inbound><backend><base />{backend}</backend>"
        f"<outbound><base />{outbound}</outbound><on-error><base /></on-error></policies>"
    )


def failures(report: DocumentReport) -> list[tuple[str | None, int | None, int | None, str]]:
    return [(f.element, f.line, f.column, f.message) for f in report.failures]


def messages(report: DocumentReport) -> list[str]:
    return [f.message for f in report.failures]


def warnings(report: DocumentReport) -> list[str]:
    return [w.message for w in report.warnings]


SEED = (
    '<choose><when condition="@(context.Request.Certificate == null)">'
    '<return-response><set-status code="401" reason="Invalid client certificate" />'
    "</return-response></when></choose>"
)


# --- document shapes ----------------------------------------------------------------------------


def test_runnable_document_passes_and_is_runnable() -> None:
    report = run(policies(inbound=SEED, backend='<forward-request timeout="5" />'))
    assert report.passed and report.runnable
    assert (report.expressions, report.expressions_compiled) == (1, 1)
    assert report.warnings == []


def test_a_policy_certgate_cannot_run_is_valid_and_not_runnable() -> None:
    report = run(
        policies(
            inbound="<cors><allowed-origins><origin>*</origin></allowed-origins></cors>"
            '<ip-filter action="allow"><address>10.0.0.1</address></ip-filter>'
        )
    )
    assert report.passed and not report.runnable
    assert "policy 'cors'" in report.not_runnable


def test_fragment_document() -> None:
    report = run(f"<fragment>{SEED}<set-variable name='a' value='b' /></fragment>")
    assert report.passed


def test_fragment_rules() -> None:
    report = run('<fragment><base /><include-fragment fragment-id="other" /></fragment>')
    assert messages(report) == [
        "The 'base' element is not allowed in a fragment.",
        "A fragment cannot include another fragment.",
    ]


def test_sections_only_at_the_top() -> None:
    assert messages(run("<fragment><inbound /></fragment>")) == [
        "A fragment cannot contain the section 'inbound'."
    ]
    assert messages(run(policies(inbound="<outbound />"))) == [
        "The section 'outbound' is only allowed directly in 'policies'."
    ]


def test_bare_snippet_with_several_elements_and_a_section() -> None:
    report = run(
        '<set-variable name="a" value="@(context.RequestId)" />\n'
        '<rate-limit calls="10" renewal-period="60" />\n'
        "<backend><forward-request /></backend>"
    )
    assert report.passed, report.failures
    assert report.expressions_compiled == 1


def test_unreadable_xml_fails_with_position() -> None:
    report = run("<policies>\n  <inbound>\n</policies>")
    [(element, line, _, message)] = failures(report)
    assert (element, line) == ("inbound", 3)
    assert message.startswith("The 'inbound' start tag")


def test_empty_document_fails() -> None:
    assert messages(run("  ")) == ["The document holds no policy element."]


# --- elements and attributes --------------------------------------------------------------------


def test_unknown_policy() -> None:
    report = run(policies(inbound="<frobnicate />"))
    assert failures(report) == [("frobnicate", 1, 28, "Unknown policy 'frobnicate'.")]


def test_undeclared_and_missing_attributes() -> None:
    report = run(policies(inbound='<set-variable name="a" colour="red" />'))
    assert messages(report) == [
        "The 'colour' attribute is not declared.",
        "The required attribute 'value' is missing.",
    ]


def test_every_missing_attribute_is_reported() -> None:
    assert messages(run(policies(inbound="<set-variable />"))) == [
        "The required attribute 'name' is missing.",
        "The required attribute 'value' is missing.",
    ]


def test_every_policy_takes_an_id() -> None:
    assert run(policies(inbound='<set-variable id="x1" name="a" value="b" />')).passed


@pytest.mark.parametrize(
    ("statement", "message"),
    [
        ('<set-variable name="@(&quot;a&quot;)" value="b" />', "does not accept policy expr"),
        ('<rate-limit calls="ten" renewal-period="60" />', "must be an integer"),
        (
            '<check-header name="h" failed-check-httpcode="401" failed-check-error-message="m" '
            'ignore-case="maybe" />',
            "must be 'true' or 'false'",
        ),
        ('<set-header name="h" exists-action="replace" />', "must be one of 'override'"),
        (
            '<authentication-certificate thumbprint="a" certificate-id="b" />',
            "cannot be used together",
        ),
        ("<authentication-certificate />", "One of the attributes"),
    ],
)
def test_attribute_values(statement: str, message: str) -> None:
    [found] = messages(run(policies(inbound=statement)))
    assert message in found


def test_booleans_and_enumerations_ignore_case() -> None:
    report = run(
        policies(
            inbound='<set-header name="h" exists-action="Override"><value>v</value>'
            '</set-header><authentication-managed-identity resource="r" ignore-error="True" />'
        )
    )
    assert report.passed


def test_policy_in_a_section_that_does_not_allow_it() -> None:
    report = run(policies(inbound="<forward-request />"))
    assert messages(report) == ["Policy 'forward-request' is not allowed in the 'inbound' section."]


def test_managed_identity_token_in_outbound_passes_but_not_in_backend() -> None:
    token = '<authentication-managed-identity resource="r" output-token-variable-name="t" />'
    report = run(policies(outbound=token))
    assert report.passed and report.not_runnable  # valid APIM, not something certgate runs
    refused = run(policies(backend=token))
    assert messages(refused) == [
        "Policy 'authentication-managed-identity' is not allowed in the 'backend' section."
    ]


def test_nested_statement_inherits_the_section() -> None:
    inner = '<rewrite-uri template="/a" />'
    report = run(policies(outbound=f"<choose><when condition='true'>{inner}</when></choose>"))
    assert messages(report) == ["Policy 'rewrite-uri' is not allowed in the 'outbound' section."]


def test_base_only_directly_in_a_section() -> None:
    report = run(policies(inbound="<choose><when condition='true'><base /></when></choose>"))
    assert messages(report) == ["The 'base' element is only allowed directly in a section."]


def test_wait_holds_only_its_three_policies() -> None:
    report = run(policies(inbound="<wait><set-variable name='a' value='b' /></wait>"))
    assert messages(report) == [
        "Policy 'set-variable' is not allowed here; allowed: cache-lookup-value, choose, "
        "send-request."
    ]


def test_children_cardinality_and_text() -> None:
    report = run(
        policies(
            inbound="<return-response><set-status code='200' /><set-status code='201' />"
            "</return-response><set-header name='h'>text</set-header>"
        )
    )
    assert messages(report) == [
        "The element 'return-response' cannot contain more than 1 'set-status' element.",
        "The element 'set-header' cannot contain text.",
    ]


def test_invalid_child_lists_the_expected_ones() -> None:
    [message] = messages(run(policies(inbound="<set-header name='h'><val>v</val></set-header>")))
    assert message == (
        "The element 'set-header' has invalid child element 'val'. "
        "List of possible elements expected: 'value'."
    )


def test_required_child() -> None:
    report = run(policies(inbound="<choose />"))
    assert messages(report) == ["The element 'choose' needs a 'when' child element."]


def test_children_out_of_documented_order_warn_but_choose_order_is_strict() -> None:
    report = run(
        policies(
            inbound="<return-response><set-body>b</set-body><set-status code='200' />"
            "</return-response>"
        )
    )
    assert report.passed
    assert any("'set-status' is out of order in 'return-response'" in w for w in warnings(report))
    report = run(policies(inbound="<choose><otherwise /><when condition='true' /></choose>"))
    assert any("'when' is out of order in 'choose'" in m for m in messages(report))


def test_payload_elements_are_not_validated() -> None:
    report = run(
        policies(
            inbound="<set-body template='liquid'><soap:Envelope><x a='{{body.a}}'/>"
            "</soap:Envelope></set-body>"
            "<xsl-transform><xsl:stylesheet version='1.0'><xsl:template match='*' />"
            "</xsl:stylesheet></xsl-transform>"
        )
    )
    assert report.passed
    # `{{ }}` in Liquid is Liquid, not a named value
    assert not [w for w in warnings(report) if "named value" in w]


def test_legacy_trace_text() -> None:
    assert run(policies(inbound="<trace source='s'>@(context.RequestId)</trace>")).passed


# --- expressions --------------------------------------------------------------------------------


def test_expression_syntax_error_fails_with_document_position() -> None:
    report = run(policies(inbound='<set-variable name="a" value="@(1 +)" />'))
    [(element, line, column, _)] = failures(report)
    assert (element, line) == ("set-variable", 1)
    assert column is not None and column > 30
    assert report.expressions == 1 and report.expressions_compiled == 0


def test_a_construct_not_supported_yet_makes_the_document_not_runnable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(text: str, **where: object) -> None:
        raise NotSupportedError("C# statement 'goto'")

    monkeypatch.setattr(check, "compile_expression", refuse)
    report = run(policies(inbound='<set-variable name="a" value="@(1)" />'))
    assert report.passed and not report.runnable
    assert "expression: C# statement 'goto'" in report.not_runnable
    assert report.expressions_compiled == 0


def test_a_compiler_crash_is_a_warning_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(text: str, **where: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(check, "compile_expression", crash)
    report = run(policies(inbound='<set-variable name="a" value="@(1)" />'))
    assert report.passed and not report.runnable
    assert "certgate failed on this (RuntimeError: boom)" in warnings(report)[0]


@pytest.mark.parametrize(
    ("message", "gap"),
    [
        (
            "Usage of member 'Subscription' of type 'IProxyRequestContext' is not supported "
            "within expressions",
            "member 'Subscription' of type 'IProxyRequestContext'",
        ),
        (
            "Usage of member 'Verify' of type 'X509Certificate2' is not supported within "
            "expressions",
            "member 'Verify' of type 'X509Certificate2'",
        ),
        (
            "Usage of member 'Select' of type 'MatchCollection' is not supported within "
            "expressions",
            "extension method 'Select' on type 'MatchCollection'",
        ),
        ("The type or namespace name 'IResponse' could not be found", "APIM type 'IResponse'"),
        (
            "Usage of member 'OrderBy' of type 'IReadOnlyDictionary' is not supported within "
            "expressions",
            "extension method 'OrderBy' on type 'IReadOnlyDictionary'",
        ),
        (
            "Usage of member 'Frobnicate' of type 'IReadOnlyDictionary' is not supported within "
            "expressions",
            None,
        ),
        (
            "Usage of member 'Subject' of type 'JObject' is not supported within expressions",
            "member 'Subject' of type 'JObject'",
        ),
        (
            "Usage of member 'Frobnicate' of type 'IRequest' is not supported within expressions",
            None,
        ),
        ("The type or namespace name 'XmlDocument' could not be found", None),
        ("; expected", None),
    ],
)
def test_documented_apim_members_are_certgate_gaps(message: str, gap: str | None) -> None:
    assert certgate_gap(ExpressionError(message)) == gap


# --- named values and gateway references --------------------------------------------------------


def test_named_value_in_a_literal_is_a_warning_and_skips_the_kind_check() -> None:
    report = run(policies(inbound='<rate-limit calls="{{calls}}" renewal-period="60" />'))
    assert report.passed
    [warning] = report.warnings
    assert (
        warning.message == "named value 'calls' is resolved by the gateway; it is not checked here."
    )
    assert (warning.line, warning.column) == (1, 47)


def test_named_values_inside_expressions_compile_with_placeholders() -> None:
    report = run(
        policies(
            inbound='<set-variable name="a" value="@(&quot;{{host}}&quot; + context.RequestId)" />'
            '<set-variable name="b" value="@{ int n = {{count}}; return n + 1; }" />'
            '<set-variable name="c" value="@($&quot;x{{suffix}}&quot;)" />'
        )
    )
    assert report.passed, report.failures
    assert report.expressions_compiled == 3
    assert [w.split("'")[1] for w in warnings(report)] == ["host", "count", "suffix"]


def test_named_value_sites_are_found_in_strings_code_and_comments() -> None:
    code = '@($"a {{x}} {("{{y}}")}" + {{z}} + @"q""{{w}}" // {{c}}\n + \'{\' + {{k}})'
    sites = check._named_value_sites(code)
    assert [(s.name, s.in_string) for s in sites] == [
        ("x", True),
        ("y", True),
        ("z", False),
        ("w", True),
        ("c", True),
        ("k", False),
    ]
    for variant in check._placeholder_variants(code, sites):
        assert len(variant) == len(code)  # positions in error messages stay exact


def test_backend_and_fragment_references_are_warnings() -> None:
    report = run(
        policies(
            inbound='<set-backend-service backend-id="orders" /><include-fragment fragment-id="f" />'
        )
    )
    assert report.passed
    assert warnings(report) == [
        "backend 'orders' is resolved by the gateway; it is not checked here.",
        "fragment 'f' is resolved by the gateway; its policies are not checked here.",
    ]


# --- deployment templates and documentation excerpts ---------------------------------------------


@pytest.mark.parametrize(
    "placeholder",
    ["{calls}", "{retry_count}", "${calls}", "$(calls)", "#{calls}#", "#calls#", "__calls__"],
)
def test_a_template_placeholder_as_a_typed_value_is_a_warning(placeholder: str) -> None:
    report = run(policies(inbound=f'<rate-limit calls="{placeholder}" renewal-period="60" />'))
    assert report.passed, report.failures
    [warning] = report.warnings
    assert warning.message == (
        f"'{placeholder}' is a deployment-template placeholder; fill it before upload "
        "(the value it stands for is not checked here)."
    )
    assert (warning.element, warning.line, warning.column) == ("rate-limit", 1, 47)


@pytest.mark.parametrize(
    "value", ["{retry count}", "{0}", "{calls", "calls}", "3x", "#{calls#", "{}"]
)
def test_anything_else_where_an_integer_is_required_still_fails(value: str) -> None:
    report = run(policies(inbound=f'<rate-limit calls="{value}" renewal-period="60" />'))
    assert messages(report) == ["The attribute 'calls' must be an integer or an expression."]
    assert warnings(report) == []


def test_placeholders_in_boolean_values_but_not_in_string_values() -> None:
    report = run(
        policies(inbound='<rewrite-uri template="/v2/{id}" copy-unmatched-params="{copy}" />')
    )
    assert report.passed
    assert [w.split("'")[1] for w in warnings(report)] == ["{copy}"]
    report = run(
        policies(inbound='<rewrite-uri template="/v2/{id}" copy-unmatched-params="copy" />')
    )
    assert messages(report) == [
        ("The attribute 'copy-unmatched-params' must be 'true' or 'false' or an expression.")
    ]


def test_a_template_placeholder_may_stand_for_an_elements_content() -> None:
    report = run(policies(inbound="<choose>\n  {product-limits}\n</choose>"))
    assert report.passed, report.failures
    assert warnings(report) == [
        "'{product-limits}' is a deployment-template placeholder; fill it before upload "
        "(the value it stands for is not checked here)."
    ]
    assert messages(run(policies(inbound="<choose>product-limits</choose>"))) == [
        "The element 'choose' cannot contain text.",
        "The element 'choose' needs a 'when' child element.",
    ]
    mixed = '<choose>{more}<when condition="@(true)"><base-not /></when></choose>'
    assert "The element 'choose' cannot contain text." in messages(run(policies(inbound=mixed)))


@pytest.mark.parametrize("marker", ["...", "\u2026", "[...]", "[\u2026]"])
def test_elision_markers_of_an_excerpt_are_warnings(marker: str) -> None:
    text = f"{marker}\n<policies><inbound>{marker}</inbound><outbound><base/> {marker}</outbound></policies>"
    report = run(text)
    assert report.passed, report.failures
    elided = "an elision marker: this excerpt leaves content out here."
    assert [(w.element, w.line, w.column, w.message) for w in report.warnings] == [
        (None, 1, 1, elided),
        ("inbound", 2, 20, elided),
        ("outbound", 2, 47 + len(marker), elided),  # where the text starts
    ]


@pytest.mark.parametrize("text", ["etc", "...etc", ". . .", "[..]"])
def test_other_text_in_a_section_still_fails(text: str) -> None:
    report = run(f"<policies><inbound>{text}</inbound></policies>")
    assert messages(report) == ["The element 'inbound' cannot contain text."]


def test_an_element_of_a_policy_alone_is_checked_as_part_of_that_policy() -> None:
    part = (
        "<query-request>\n<sql-statement>SELECT * FROM c</sql-statement>\n"
        '<parameters><parameter name="@id">@(context.Request.Url.Path)</parameter></parameters>\n'
        "</query-request>"
    )
    report = run(part)
    assert report.passed, report.failures
    assert warnings(report) == [
        "an excerpt: checked as an element of policy 'cosmosdb-data-source'."
    ]
    assert report.expressions_compiled == 1
    bad = run(part.replace("<query-request>", '<query-request bogus="1">'))
    assert messages(bad) == ["The 'bogus' attribute is not declared."]
    bad = run(part.replace("context.Request.Url.Path", "context.Nope"))
    assert len(bad.failures) == 1


# --- certgate's builders ------------------------------------------------------------------------


class _Refusing:
    def build(self, el: object, where: object) -> None:
        raise PolicyError("certgate says no", element="set-status", line=1, column=1)


def test_a_builder_refusal_of_valid_apim_is_not_runnable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "REGISTRY", _Refusing())
    report = run(policies(inbound=SEED))
    assert report.passed and not report.runnable
    assert "refused by certgate: certgate says no" in report.not_runnable
    assert "certgate cannot run this: certgate says no" in warnings(report)


def test_builder_refusal_adds_nothing_when_the_schema_already_failed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(check, "REGISTRY", _Refusing())
    report = run(policies(inbound="<set-status />"))
    assert messages(report) == ["The required attribute 'code' is missing."]
    assert warnings(report) == []


# --- the 2017 "uploaded certificates" condition (spec §7.1) ---------------------------------------

ANY_UPLOADED = (
    "context.Deployment.Certificates.Any(c => c.Value.Thumbprint == "
    "context.Request.Certificate.Thumbprint)"
)


def _uploaded(condition: str, status: str = "401") -> DocumentReport:
    return run(
        policies(
            inbound=f'<choose><when condition="@({condition})"><return-response>'
            f'<set-status code="{status}" reason="Invalid client certificate" />'
            "</return-response></when></choose>"
        )
    )


def test_the_2017_condition_without_negation_is_warned_about() -> None:
    report = _uploaded(f"context.Request.Certificate == null || {ANY_UPLOADED}")
    assert report.passed
    [warning] = report.warnings
    assert warning.element == "when" and "2017 documentation bug" in warning.message


@pytest.mark.parametrize(
    ("condition", "status"),
    [
        (f"context.Request.Certificate == null || !{ANY_UPLOADED}", "401"),
        (f"context.Request.Certificate == null || !({ANY_UPLOADED})", "403"),
        (f"context.Request.Certificate != null && {ANY_UPLOADED}", "401"),
        (f"context.Request.Certificate == null || {ANY_UPLOADED}", "200"),
    ],
)
def test_the_corrected_condition_is_not_warned_about(condition: str, status: str) -> None:
    assert _uploaded(condition, status).warnings == []


# --- the report -----------------------------------------------------------------------------------


def test_report_json_shape() -> None:
    good = run(policies(inbound=SEED))
    bad = run(policies(inbound="<frobnicate />"))
    not_runnable = run(policies(outbound="<jsonp callback-parameter-name='cb' />"))
    summary = CheckReport([good, bad, not_runnable]).as_json()
    assert summary == {
        "documents": 3,
        "passed": 2,
        "failed": 1,
        "not_runnable": 1,
        "expressions": 1,
        "expressions_compiled": 1,
        "failures": [
            {
                "path": "p.xml",
                "element": "frobnicate",
                "line": 1,
                "column": 28,
                "message": "Unknown policy 'frobnicate'.",
            }
        ],
    }
