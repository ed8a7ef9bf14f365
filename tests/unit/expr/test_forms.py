"""`Body.AsFormUrlEncodedContent()` (APIM-only, so no Mono vectors): parsing, the dictionary a
policy gets, writing it back, and the body's consume-once rule."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from certgate.core.context import ApiInfo, DeploymentInfo, OperationInfo, RequestContext
from certgate.core.expr import ReadOnlyDictionary, compile_expression
from certgate.core.messages import FormDictionary, MessageBody, RequestInfo, parse_form
from certgate.core.url import UrlInfo
from certgate.errors import ExpressionError, ExpressionRuntimeError

FORM = b"code=abc&state=x%20y&tag=1&tag=2&empty&name=J%C3%BCrgen+M&&=v"


def make_context(body: bytes | None = FORM) -> RequestContext:
    url = UrlInfo.parse("https://api.contoso.com/oauth/callback")
    request = RequestInfo(
        "POST", url, url, [], "127.0.0.1", lambda: None, ReadOnlyDictionary({}), body
    )
    return RequestContext(
        request,
        DeploymentInfo({}, "svc", "local"),
        ApiInfo("oauth", "oauth", "https://backend"),
        OperationInfo("callback", "POST", "/callback", "callback"),
        "rid",
        dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
    )


def run(text: str, context: RequestContext | None = None) -> object:
    expression = compile_expression(text, context_type=RequestContext)
    return expression.evaluate(make_context() if context is None else context)


# --- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (b"", []),
        (b"a=1&b=2", [("a", "1"), ("b", "2")]),
        (b"a+b=c+d", [("a b", "c d")]),
        (b"a=%2B%26%3D%25", [("a", "+&=%")]),
        (b"n=J%C3%BCrgen", [("n", "Jürgen")]),
        (b"flag&x=", [("flag", ""), ("x", "")]),  # no `=`: the value is ""
        (b"&&a=1&&", [("a", "1")]),  # empty pieces are skipped
        (b"a=1=2", [("a", "1=2")]),  # only the first `=` splits
        (b"a=%zz%4", [("a", "%zz%4")]),  # a broken escape stays as it is
        (b"a=%FF", [("a", "\ufffd")]),  # not UTF-8: the replacement character
        (b"=v", [("", "v")]),
        (b"t=1&t=2&t=3", [("t", "1"), ("t", "2"), ("t", "3")]),
    ],
)
def test_parse_form(body: bytes, fields: list[tuple[str, str]]) -> None:
    assert parse_form(body) == fields


# --- reading fields as real policies do -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # oauth-proxy-callback.xml (apim-policy-snippets)
        ('@(context.Request.Body.AsFormUrlEncodedContent(preserveContent: true)["code"].Single())', "abc"),
        ('@(context.Request.Body.AsFormUrlEncodedContent()["state"][0])', "x y"),
        ('@(string.Join(",", context.Request.Body.AsFormUrlEncodedContent()["tag"]))', "1,2"),
        ('@(context.Request.Body.AsFormUrlEncodedContent()["tag"].Count)', 2),
        ('@(context.Request.Body.AsFormUrlEncodedContent()["empty"].Single())', ""),
        ('@(context.Request.Body.AsFormUrlEncodedContent()["name"].First())', "Jürgen M"),
        ('@(context.Request.Body.AsFormUrlEncodedContent().ContainsKey("empty"))', True),
        ('@(context.Request.Body.AsFormUrlEncodedContent().ContainsKey("Code"))', False),
        ("@(context.Request.Body.AsFormUrlEncodedContent().Count)", 6),
        ('@(string.Join("|", context.Request.Body.AsFormUrlEncodedContent().Keys))', "code|state|tag|empty|name|"),
        (
            '@{ IList<string> v; var f = context.Request.Body.AsFormUrlEncodedContent();'
            ' return f.TryGetValue("code", out v) + ":" + v[0] + ":" + f.TryGetValue("no", out v) + ":" + (v == null); }',
            "True:abc:False:True",
        ),
        (
            '@{ var s = ""; foreach (var kv in context.Request.Body.AsFormUrlEncodedContent())'
            ' { s += kv.Key + "=" + string.Join("+", kv.Value) + ";"; } return s; }',
            "code=abc;state=x y;tag=1+2;empty=;name=Jürgen M;=v;",
        ),
        # set-body-policy-8.xml (APIM docs)
        (
            "@(JsonConvert.SerializeObject(context.Request.Body.AsFormUrlEncodedContent()))",
            '{"code":["abc"],"state":["x y"],"tag":["1","2"],"empty":[""],"name":["Jürgen M"],"":["v"]}',
        ),
    ],
)  # fmt: skip
def test_policies_read_fields(text: str, expected: object) -> None:
    assert run(text) == expected


def test_json_of_the_fields_is_an_object_of_arrays() -> None:
    text = "@(JsonConvert.SerializeObject(context.Request.Body.AsFormUrlEncodedContent()))"
    context = make_context(b"a=1&b=2&a=3")
    assert json.loads(str(run(text, context))) == {"a": ["1", "3"], "b": ["2"]}


def test_a_missing_field_is_key_not_found() -> None:
    with pytest.raises(ExpressionRuntimeError) as caught:
        run('@(context.Request.Body.AsFormUrlEncodedContent()["nope"].Single())')
    assert caught.value.exception_type == "KeyNotFoundException"


def test_single_of_a_repeated_field_throws() -> None:
    with pytest.raises(ExpressionRuntimeError) as caught:
        run('@(context.Request.Body.AsFormUrlEncodedContent()["tag"].Single())')
    assert caught.value.exception_type == "InvalidOperationException"


def test_the_result_type_is_known_at_load_time() -> None:
    with pytest.raises(ExpressionError, match="Usage of member 'Nope'"):
        compile_expression(
            "@(context.Request.Body.AsFormUrlEncodedContent().Nope())", context_type=RequestContext
        )
    assert "AsFormUrlEncodedContent" in MessageBody.CS_MEMBERS


# --- writing the form back ------------------------------------------------------------------------


def test_set_body_policy_9_adds_a_value_and_writes_the_form() -> None:
    text = (
        "@{ var body = context.Request.Body.AsFormUrlEncodedContent();"
        ' body["tag"].Add("3 4"); return body.ToFormUrlEncodedContent(); }'
    )
    assert run(text) == "code=abc&state=x+y&tag=1&tag=2&tag=3+4&empty=&name=J%C3%BCrgen+M&=v"


def test_set_body_policy_9_as_documented_needs_the_key() -> None:
    """The docs' example adds to `body["newKey"]`: an IDictionary indexer throws for a key the
    form lacks, so it only works when the client sent `newKey`."""
    text = (
        "@{ var body = context.Request.Body.AsFormUrlEncodedContent();"
        ' body["newKey"].Add("newValue"); return body.ToFormUrlEncodedContent(); }'
    )
    with pytest.raises(ExpressionRuntimeError) as caught:
        run(text)
    assert caught.value.exception_type == "KeyNotFoundException"
    assert run(text, make_context(b"newKey=a")) == "newKey=a&newKey=newValue"


def test_to_form_url_encoded_content_escapes_like_dotnet() -> None:
    form = FormDictionary([("a b", "c&d=e/f?g"), ("x", "é~*-._!'()"), ("bad", "\ud800")])
    assert form.ToFormUrlEncodedContent() == (
        "a+b=c%26d%3De%2Ff%3Fg&x=%C3%A9~%2A-._%21%27%28%29&bad=%EF%BF%BD"
    )


def test_fields_round_trip() -> None:
    assert FormDictionary(parse_form(FORM)).ToFormUrlEncodedContent() == (
        "code=abc&state=x+y&tag=1&tag=2&empty=&name=J%C3%BCrgen+M&=v"
    )


def test_policy_changes_to_the_dictionary_are_written() -> None:
    text = (
        '@{ var f = context.Request.Body.AsFormUrlEncodedContent(); f.Remove("tag");'
        ' f["code"] = new List<string> { "x", "y" }; f.Add("new", new List<string>());'
        ' f["empty"].Clear(); return f.ToFormUrlEncodedContent(); }'
    )
    assert run(text) == "code=x&code=y&state=x+y&name=J%C3%BCrgen+M&=v"


def test_a_null_value_list_cannot_be_written() -> None:
    text = (
        '@{ var f = context.Request.Body.AsFormUrlEncodedContent(); f["code"] = null;'
        " return f.ToFormUrlEncodedContent(); }"
    )
    with pytest.raises(ExpressionRuntimeError) as caught:
        run(text)
    assert caught.value.exception_type == "NullReferenceException"


# --- consuming the body -----------------------------------------------------------------------------


def test_reading_consumes_the_body() -> None:
    context = make_context()
    run("@(context.Request.Body.AsFormUrlEncodedContent().Count)", context)
    assert context.Request.body_to_send() == b""  # forwarded without a body
    for again in (
        "@(context.Request.Body.AsFormUrlEncodedContent().Count)",
        "@(context.Request.Body.As<string>())",
    ):
        with pytest.raises(ExpressionRuntimeError) as caught:
            run(again, context)
        assert caught.value.exception_type == "InvalidOperationException"


def test_preserve_content_reads_a_copy() -> None:
    context = make_context()
    assert run("@(context.Request.Body.AsFormUrlEncodedContent(true).Count)", context) == 6
    assert run('@(context.Request.Body.AsFormUrlEncodedContent()["code"][0])', context) == "abc"
    assert context.Request.body_to_send() == b""
    other = make_context()
    run("@(context.Request.Body.AsFormUrlEncodedContent(preserveContent: true).Count)", other)
    assert run("@(context.Request.Body.As<string>())", other) == FORM.decode()


def test_no_body_is_null() -> None:
    with pytest.raises(ExpressionRuntimeError) as caught:
        run("@(context.Request.Body.AsFormUrlEncodedContent().Count)", make_context(None))
    assert caught.value.exception_type == "NullReferenceException"
    assert run("@(context.Request.Body?.AsFormUrlEncodedContent() == null)", make_context(None))


def test_an_empty_body_is_an_empty_dictionary() -> None:
    assert MessageBody(b"").AsFormUrlEncodedContent().Count == 0
