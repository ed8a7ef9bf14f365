"""Policy values that reach the HTTP head: a value HTTP cannot carry fails the policy (on-error
runs with `context.LastError`); a path is escaped. None may split a message: written as is, CR LF
in a header, reason phrase, method or path would inject headers into the client's response or a
second request onto the backend connection."""

from __future__ import annotations

import pytest

from tests.conftest import Pki
from tests.harness import Harness, Reply
from tests.integration.test_policies import doc, run

ON_ERROR = (
    '<set-header name="X-Err" exists-action="override">'
    '<value>@(context.LastError.Source + ": " + context.LastError.Message)</value></set-header>'
)
CRLF = "\\r\\nX-Injected: 1\\r\\n\\r\\nGET /smuggled HTTP/1.1"


def inbound(harness: Harness, pki: Pki, policy: str) -> Reply:
    return run(harness, pki, op=doc(inbound=policy, on_error=ON_ERROR))


def assert_nothing_injected(reply: Reply) -> None:
    assert reply.header("X-Injected") is None and reply.header("Echo-X-Injected") is None
    assert b"smuggled" not in reply.body
    assert reply.header("X-Backend-Request-Count") in (None, "1")


@pytest.mark.parametrize("section", ["inbound", "outbound"])
def test_header_value_with_crlf_fails_set_header(harness: Harness, pki: Pki, section: str) -> None:
    policy = (
        f'<set-header name="X-E" exists-action="override"><value>@("a{CRLF}")</value></set-header>'
    )
    reply = run(harness, pki, op=doc(on_error=ON_ERROR, **{section: policy}))
    assert reply.status == 500
    assert reply.header("X-Err") == (
        "set-header: Invalid value for header 'X-E': it holds the control character 0x0D."
    )
    assert_nothing_injected(reply)


def test_header_value_in_latin_1_is_sent_as_is(harness: Harness, pki: Pki) -> None:
    reply = inbound(
        harness,
        pki,
        '<set-header name="X-E" exists-action="override"><value>@("caf\\u00e9\\tbar")</value>'
        "</set-header>",
    )
    assert reply.status == 200 and reply.header("Echo-X-E") == "café\tbar"


def test_header_value_beyond_latin_1_fails_set_header(harness: Harness, pki: Pki) -> None:
    reply = inbound(
        harness,
        pki,
        '<set-header name="X-E" exists-action="override"><value>@("\\u0141\\u00f3d\\u017a")</value>'
        "</set-header>",
    )
    assert reply.status == 500 and reply.header("Echo-X-E") is None
    assert reply.header("X-Err") == (
        "set-header: Invalid value for header 'X-E': the character U+0141 is outside Latin-1."
    )


def test_header_name_that_is_not_a_token_fails_set_header(harness: Harness, pki: Pki) -> None:
    reply = inbound(
        harness,
        pki,
        f'<set-header name="@(&quot;X-A{CRLF}&quot;)" exists-action="override"><value>v</value>'
        "</set-header>",
    )
    assert reply.status == 500
    assert (reply.header("X-Err") or "").startswith("set-header: Invalid header name 'X-A\\r\\n")
    assert_nothing_injected(reply)


def test_header_name_from_an_expression_that_is_a_token_is_set(harness: Harness, pki: Pki) -> None:
    reply = inbound(
        harness,
        pki,
        '<set-header name="@(&quot;X-&quot; + &quot;Made&quot;)" exists-action="override">'
        "<value>v</value></set-header>",
    )
    assert reply.status == 200 and reply.header("Echo-X-Made") == "v"


def test_reason_phrase_with_crlf_fails_set_status(harness: Harness, pki: Pki) -> None:
    reply = inbound(
        harness,
        pki,
        f'<return-response><set-status code="200" reason="@(&quot;OK{CRLF}&quot;)"/>'
        "</return-response>",
    )
    assert reply.status == 500
    assert reply.header("X-Err") == (
        "set-status: Invalid reason phrase: it holds the control character 0x0D."
    )
    assert_nothing_injected(reply)


def test_reason_phrase_from_an_expression_is_sent(harness: Harness, pki: Pki) -> None:
    reply = inbound(
        harness,
        pki,
        '<return-response><set-status code="403" reason="@(&quot;No &quot; + &quot;way&quot;)"/>'
        "</return-response>",
    )
    assert (reply.status, reply.reason) == (403, "No way")


def test_rewrite_uri_escapes_what_a_path_cannot_hold(harness: Harness, pki: Pki) -> None:
    reply = inbound(harness, pki, f'<rewrite-uri template="@(&quot;/x{CRLF}&quot;)" />')
    assert reply.status == 200
    assert reply.header("X-Backend-Path") == (
        "/svc/x%0D%0AX-Injected:%201%0D%0A%0D%0AGET%20/smuggled%20HTTP/1.1"
    )
    assert_nothing_injected(reply)


def test_rewrite_uri_keeps_a_plain_path_and_escapes_non_ascii(harness: Harness, pki: Pki) -> None:
    reply = inbound(harness, pki, '<rewrite-uri template="/a b/ü/%41;x=1" />')
    assert reply.status == 200 and reply.header("X-Backend-Path") == "/svc/a%20b/%C3%BC/%41;x=1"


def test_set_method_refuses_what_is_not_a_method(harness: Harness, pki: Pki) -> None:
    reply = inbound(harness, pki, f"<set-method>@(&quot;GET / HTTP/1.1{CRLF}&quot;)</set-method>")
    assert reply.status == 500
    assert (reply.header("X-Err") or "").startswith("set-method: 'GET / HTTP/1.1\\r\\n")
    assert_nothing_injected(reply)


def test_set_method_from_an_expression_is_used(harness: Harness, pki: Pki) -> None:
    reply = inbound(harness, pki, "<set-method>@(&quot;put&quot;)</set-method>")
    assert reply.status == 200 and reply.header("X-Backend-Method") == "PUT"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://a b/", "'a b' is not a host name"),
        ("http://h:99999/", "Port out of range 0-65535"),
    ],
)
def test_set_backend_service_refuses_a_bad_host_or_port(
    harness: Harness, pki: Pki, url: str, message: str
) -> None:
    reply = inbound(harness, pki, f'<set-backend-service base-url="@(&quot;{url}&quot;)" />')
    assert reply.status == 500
    assert reply.header("X-Err") == (
        f"set-backend-service: base-url '{url}' is not a valid URL: {message}."
    )


def test_body_with_a_lone_surrogate_is_written_as_net_writes_it(harness: Harness, pki: Pki) -> None:
    reply = inbound(
        harness,
        pki,
        '<return-response><set-status code="200"/>'
        "<set-body>@(&quot;a&quot; + (char)0xD83D + &quot;b&quot;)</set-body></return-response>",
    )
    assert (reply.status, reply.body) == (200, b"a\xef\xbf\xbdb")


def test_body_with_a_surrogate_pair_from_two_chars_is_one_character(
    harness: Harness, pki: Pki
) -> None:
    reply = inbound(
        harness,
        pki,
        '<return-response><set-status code="200"/>'
        "<set-body>@(((char)0xD83D).ToString() + (char)0xDE00)</set-body></return-response>",
    )
    assert (reply.status, reply.body) == (200, "😀".encode())
