"""Loading policy documents: APIM's save-time checks, with positions; scopes composed with <base/>."""

from __future__ import annotations

import pytest

from certgate.core.policy.document import EffectivePolicy, load_document
from certgate.core.policy.nodes import Choose, ForwardRequest, ReturnResponse
from certgate.errors import ExpressionError, NotSupportedError, PolicyError


def load(text: str, scope: str = "api"):  # type: ignore[no-untyped-def]
    return load_document(text, source="p.xml", scope=scope)


def test_seed_policy_loads_into_typed_nodes() -> None:
    doc = load(
        '<policies><inbound><base/><choose><when condition="@(context.Request.Certificate == null)">'
        '<return-response><set-status code="401" reason="Invalid client certificate"/>'
        "</return-response></when></choose></inbound><backend><forward-request timeout='5'/>"
        "</backend></policies>"
    )
    choose = doc.sections["inbound"][1]
    assert isinstance(choose, Choose)
    assert isinstance(choose.whens[0].body[0], ReturnResponse)
    forward = doc.sections["backend"][0]
    assert isinstance(forward, ForwardRequest) and forward.timeout == 5.0
    assert choose.whens[0].body[0].origin.path == "choose[1]\\when[1]\\return-response[1]"


@pytest.mark.parametrize(
    ("text", "message", "column"),
    [
        (
            '<policies><inbound><set-header name="X-A" exists-action="override">'
            "<value>a&#13;&#10;X-B: 1</value></set-header></inbound></policies>",
            "Invalid header value: it holds the control character 0x0D.",
            68,
        ),
        (
            '<policies><inbound><set-header name="X A" exists-action="override">'
            "<value>a</value></set-header></inbound></policies>",
            "Invalid header name 'X A': a header name is a token",
            38,
        ),
        (
            '<policies><inbound><return-response><set-status code="200" reason="OK&#10;X: 1"/>'
            "</return-response></inbound></policies>",
            "Invalid reason phrase: it holds the control character 0x0A.",
            68,
        ),
        (
            '<policies><inbound><set-backend-service base-url="http://h:99999/"/>'
            "</inbound></policies>",
            "'base-url' is not a valid URL: Port out of range 0-65535.",
            51,
        ),
        (
            '<policies><inbound><mock-response status-code="200" content-type="a&#13;&#10;X: 1"/>'
            "</inbound></policies>",
            "Invalid content-type: it holds the control character 0x0D.",
            67,
        ),
    ],
)
def test_literals_http_cannot_carry_are_refused_at_load(
    text: str, message: str, column: int
) -> None:
    with pytest.raises(PolicyError) as info:
        load(text)
    assert message in info.value.message and info.value.column == column


def test_literal_header_values_in_latin_1_load() -> None:
    doc = load(
        '<policies><inbound><set-header name="X-A" exists-action="override">'
        "<value>caf\u00e9\tx</value></set-header></inbound></policies>"
    )
    assert doc.sections["inbound"][0].values == ("caf\u00e9\tx",)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        (
            "<policies><inbound><frobnicate/></inbound></policies>",
            "Unknown policy 'frobnicate'",
            1,
            20,
        ),
        (
            "<policies><inbound>\n  <set-status code='200' colour='x'/></inbound></policies>",
            "The 'colour' attribute is not declared",
            2,
            34,
        ),
        (
            "<policies><inbound><set-status/></inbound></policies>",
            "required attribute 'code'",
            1,
            20,
        ),
        (
            "<policies><inbound><set-status code='abc'/></inbound></policies>",
            "must be an integer",
            1,
            38,
        ),
        (
            "<policies><inbound><forward-request/></inbound></policies>",
            "not allowed in the 'inbound'",
            1,
            20,
        ),
        ("<policies><inbound><choose/></inbound></policies>", "at least one 'when'", 1, 20),
        (
            "<policies><inbound><choose><otherwise/><when condition='true'/></choose></inbound></policies>",
            "cannot contain 'otherwise'",
            1,
            28,
        ),
        ("<policies><inbound/><inbound/></policies>", "Duplicate section 'inbound'", 1, 21),
        ("<policies><upstream/></policies>", "Unexpected element 'upstream'", 1, 11),
        ("<policy/>", "root element must be 'policies'", 1, 1),
        (
            "<policies><inbound><choose><when condition='maybe'/></choose></inbound></policies>",
            "'true', 'false' or an expression",
            1,
            45,
        ),
        (
            "<policies><inbound><return-response><set-body>x</set-body><set-status code='1'/>"
            "</return-response></inbound></policies>",
            "cannot contain 'set-status' here",
            1,
            59,
        ),
        (
            "<policies><inbound><choose><when condition='true'><base/></when></choose></inbound></policies>",
            "only allowed directly in a section",
            1,
            51,
        ),
        # character data where APIM's schema allows none (check says the same)
        ("<policies>x<inbound/></policies>", "The element 'policies' cannot contain text.", 1, 11),
        ("<policies><inbound>\u2026</inbound></policies>", "'inbound' cannot contain text", 1, 20),
        ("<policies><inbound><base>x</base></inbound></policies>", "'base' cannot", 1, 26),
        (
            "<policies><inbound><choose>{limits}</choose></inbound></policies>",
            "The element 'choose' cannot contain text.",
            1,
            28,
        ),
        (
            "<policies><inbound><choose><when condition='@(true)'>x<set-variable name='a' value='b'/></when></choose>"
            "</inbound></policies>",
            "The element 'when' cannot contain text.",
            1,
            54,
        ),
        (
            "<policies><inbound><return-response><set-status code='401'>x</set-status>"
            "</return-response></inbound></policies>",
            "The element 'set-status' cannot contain text.",
            1,
            60,
        ),
    ],
)
def test_invalid_documents_name_the_place(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(PolicyError) as info:
        load(text)
    err = info.value
    assert message in err.message
    assert (err.source, err.line, err.column) == ("p.xml", line, column)
    assert not isinstance(err, NotSupportedError)


def test_whitespace_comments_and_payload_text_are_not_stray_text() -> None:
    doc = load(
        "<policies>\n <inbound> <!-- c --> <base /> \n<return-response><set-body>x</set-body>"
        "</return-response></inbound></policies>"
    )
    assert list(doc.sections) == ["inbound"]


def test_known_apim_policy_is_not_supported_yet_by_name() -> None:
    with pytest.raises(NotSupportedError) as info:
        load("<policies><inbound>\n<validate-jwt header-name='a'/></inbound></policies>")
    assert (
        str(info.value)
        == "p.xml, element 'validate-jwt', line 2, column 1: not supported yet: policy 'validate-jwt'"
    )


def test_expression_syntax_error_is_located_in_the_document() -> None:
    with pytest.raises(ExpressionError) as info:
        load(
            '<policies>\n<inbound>\n  <choose><when condition="@(a == null || || true)"/></choose></inbound></policies>'
        )
    err = info.value
    assert err.element == "when" and err.line == 3 and err.column is not None
    assert err.column > 27


def literal_status(items: tuple[object, ...]) -> list[int]:
    out = []
    for item in items:
        assert isinstance(item, ReturnResponse) and item.status is not None
        assert isinstance(item.status.code, int)
        out.append(item.status.code)
    return out


def status_doc(scope: str, inbound: str | None) -> object:
    section = "" if inbound is None else f"<inbound>{inbound}</inbound>"
    return load(f"<policies>{section}</policies>", scope)


def rr(code: int) -> str:
    return f"<return-response><set-status code='{code}'/></return-response>"


def test_base_is_replaced_by_the_broader_scope_in_place() -> None:
    glob = status_doc("global", rr(201))
    before = EffectivePolicy.compose([glob, status_doc("api", f"{rr(202)}<base/>")])  # type: ignore[list-item]
    after = EffectivePolicy.compose([glob, status_doc("api", f"<base/>{rr(202)}")])  # type: ignore[list-item]
    without = EffectivePolicy.compose([glob, status_doc("api", rr(202))])  # type: ignore[list-item]
    absent = EffectivePolicy.compose([glob, status_doc("api", None)])  # type: ignore[list-item]
    empty = EffectivePolicy.compose([glob, status_doc("api", "")])  # type: ignore[list-item]
    assert literal_status(before.inbound) == [202, 201]
    assert literal_status(after.inbound) == [201, 202]
    assert literal_status(without.inbound) == [202]
    assert literal_status(absent.inbound) == [201]  # an absent section inherits
    assert literal_status(empty.inbound) == []  # a present, empty one does not
