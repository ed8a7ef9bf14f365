"""The everyday policies over real mTLS and a real backend; §10 vectors are named after them."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Pki
from tests.harness import Harness, Reply, listener_yaml

CONFIG = listener_yaml("""\
  client-01: {file: pki/client.crt}
namedValues:
  expected-thumb: THUMB
  greeting: {value: hello, secret: true}
policy: global.xml
apis:
  echo:
    path: echo
    serviceUrl: http://BACKEND/svc
    policy: api.xml
    operations:
      get-item:
        method: GET
        urlTemplate: /items/{id}
        policy: op.xml
      special:
        method: GET
        urlTemplate: /items/special
        policy: op.xml
      search:
        method: GET
        urlTemplate: /search?q={term}
        policy: op.xml
      files:
        method: "*"
        urlTemplate: /files/{*path}
        policy: op.xml
""")

ERROR_ECHO = """<set-header name="ErrorSource" exists-action="override"><value>@(context.LastError.Source)</value></set-header>
<set-header name="ErrorReason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>
<set-header name="ErrorMessage" exists-action="override"><value>@(context.LastError.Message)</value></set-header>
<set-header name="ErrorSection" exists-action="override"><value>@(context.LastError.Section)</value></set-header>"""


def doc(inbound: str = "", outbound: str = "", on_error: str = "", base: bool = True) -> str:
    b = "<base/>" if base else ""
    return (
        f"<policies><inbound>{b}{inbound}</inbound><backend><base/></backend>"
        f"<outbound><base/>{outbound}</outbound><on-error><base/>{on_error}</on-error></policies>"
    )


def run(
    harness: Harness,
    pki: Pki,
    *,
    op: str | None = None,
    api: str | None = None,
    glob: str | None = None,
    path: str = "/echo/items/7",
    cert: object = "client",
    **request: object,
) -> Reply:
    files = {
        "global.xml": glob or doc(base=False),
        "api.xml": api or doc(),
        "op.xml": op or doc(),
    }
    harness.start(CONFIG.replace("THUMB", pki.client.thumbprint), files)
    who = getattr(pki, cert) if isinstance(cert, str) else cert
    return harness.client(who).request(path, **request)  # type: ignore[arg-type]


# --- operations ---------------------------------------------------------------------------------


def test_operations_most_specific_template_wins(harness: Harness, pki: Pki) -> None:
    body = '<return-response><set-body>@(context.Operation.Id + "|" + context.Request.MatchedParameters.GetValueOrDefault("id", "-"))</set-body></return-response>'
    reply = run(harness, pki, op=doc(body), path="/echo/items/special")
    assert reply.body == b"special|-"
    assert harness.client(pki.client).request("/echo/items/42").body == b"get-item|42"


def test_operation_query_and_catch_all_templates(harness: Harness, pki: Pki) -> None:
    body = '<return-response><set-body>@(context.Operation.Id + "|" + string.Join(",", context.Request.MatchedParameters.Values))</set-body></return-response>'
    reply = run(harness, pki, op=doc(body), path="/echo/search?q=cats&x=1")
    assert reply.body == b"search|cats"
    files = harness.client(pki.client).request("/echo/files/a/b%20c.txt", method="DELETE")
    assert files.body == b"files|a/b c.txt"


def test_no_matching_operation_is_404(harness: Harness, pki: Pki) -> None:
    reply = run(harness, pki, path="/echo/nothing")
    assert reply.status == 404 and json.loads(reply.body)["message"] == "Resource not found"
    wrong_method = harness.client(pki.client).request("/echo/items/1", method="POST", body=b"")
    assert wrong_method.status == 404
    query_missing = harness.client(pki.client).request("/echo/search?other=1")
    assert query_missing.status == 404


# --- TV-24: <base/> ordering across global, API and operation ------------------------------------

APPEND = '<set-header name="X-Order" exists-action="append"><value>{}</value></set-header>'


@pytest.mark.parametrize(
    ("op_inbound", "expected"),
    [
        (APPEND.format("op") + "<base/>", "op,global,api"),
        ("<base/>" + APPEND.format("op"), "global,api,op"),
        (APPEND.format("op"), "op"),
    ],
)
def test_tv24_base_ordering(harness: Harness, pki: Pki, op_inbound: str, expected: str) -> None:
    glob = doc(APPEND.format("global"), base=False)
    api = doc(APPEND.format("api"), base=True)  # API scope: <base/> first, then its own
    op = f"<policies><inbound>{op_inbound}</inbound><backend><base/></backend></policies>"
    reply = run(harness, pki, glob=glob, api=api, op=op)
    assert reply.status == 200
    assert reply.header("Echo-X-Order") == expected


# --- set-header ---------------------------------------------------------------------------------


def test_set_header_actions_on_request_and_response(harness: Harness, pki: Pki) -> None:
    inbound = (
        '<set-header name="X-New" exists-action="override"><value>a</value><value>b</value></set-header>'
        '<set-header name="X-Keep" exists-action="skip"><value>ignored</value></set-header>'
        '<set-header name="X-Add" exists-action="append"><value>2</value></set-header>'
        '<set-header name="X-Gone" exists-action="delete" />'
    )
    outbound = (
        '<set-header name="X-Backend-Path" exists-action="delete" />'
        '<set-header name="X-Out" exists-action="override"><value>@(context.Response.StatusCode.ToString())</value></set-header>'
    )
    reply = run(
        harness,
        pki,
        op=doc(inbound, outbound),
        headers={"X-Keep": "kept", "X-Add": "1", "X-Gone": "bye"},
    )
    assert reply.header("Echo-X-New") == "a,b"
    assert reply.header("Echo-X-Keep") == "kept"
    assert reply.header("Echo-X-Add") == "1,2"
    assert reply.header("Echo-X-Gone") is None
    assert reply.header("X-Backend-Path") is None and reply.header("X-Out") == "200"


def test_set_header_with_bad_exists_action_is_refused_at_load(harness: Harness, pki: Pki) -> None:
    from certgate.errors import PolicyError

    with pytest.raises(PolicyError, match="exists-action"):
        run(harness, pki, op=doc('<set-header name="a" exists-action="replace" />'))


# --- set-variable (TV-29), TV-25, TV-21 ----------------------------------------------------------


def test_tv29_typed_variables(harness: Harness, pki: Pki) -> None:
    inbound = (
        '<set-variable name="n" value="@(42)" /><set-variable name="s" value="42" />'
        '<set-header name="X-N" exists-action="override"><value>@(context.Variables.GetValueOrDefault&lt;int&gt;("n").ToString())</value></set-header>'
        '<set-header name="X-S" exists-action="override"><value>@(context.Variables.GetValueOrDefault<string>("s") + "!")</value></set-header>'
    )
    reply = run(harness, pki, op=doc(inbound))
    assert reply.header("Echo-X-N") == "42"
    assert reply.header("Echo-X-S") == "42!"  # a literal value is stored as System.String


def test_tv29_wrong_variable_type_is_500(harness: Harness, pki: Pki) -> None:
    inbound = (
        '<set-variable name="n" value="@(42)" />'
        '<set-header name="X-N" exists-action="override"><value>@(context.Variables.GetValueOrDefault<string>("n"))</value></set-header>'
    )
    reply = run(harness, pki, op=doc(inbound, on_error=ERROR_ECHO))
    assert reply.status == 500
    assert reply.header("ErrorReason") == "ExpressionValueEvaluationFailure"
    assert reply.header("ErrorSource") == "set-header"


def test_tv25_choose_evaluates_only_up_to_the_first_true_branch(harness: Harness, pki: Pki) -> None:
    inbound = (
        '<choose><when condition="@(true)"><set-header name="X-B" exists-action="override"><value>1</value></set-header></when>'
        '<when condition="@(context.Variables["missing"] != null)"><set-header name="X-B" exists-action="override"><value>2</value></set-header></when></choose>'
    )
    reply = run(harness, pki, op=doc(inbound))
    assert (reply.status, reply.header("Echo-X-B")) == (200, "1")


@pytest.mark.parametrize(("cert", "expected"), [(None, "none"), ("client", "THUMB")])
def test_tv21_null_safe_access(harness: Harness, pki: Pki, cert: str | None, expected: str) -> None:
    inbound = '<set-header name="X-Thumb" exists-action="override"><value>@(context.Request.Certificate?.Thumbprint ?? "none")</value></set-header>'
    reply = run(harness, pki, op=doc(inbound), cert=cert)
    assert reply.header("Echo-X-Thumb") == expected.replace("THUMB", pki.client.thumbprint)


# --- TV-20: runtime expression failure, LastError, on-error ---------------------------------------

TV20 = '<set-header name="X-Thumb" exists-action="override"><value>@(context.Request.Certificate.Thumbprint)</value></set-header>'


def test_tv20a_expression_failure_without_on_error_is_500(harness: Harness, pki: Pki) -> None:
    reply = run(harness, pki, op=doc(TV20), cert=None)
    body = json.loads(reply.body)
    assert reply.status == 500
    assert body["statusCode"] == 500 and body["message"] == "Internal server error"
    assert body["activityId"]


def test_tv20b_on_error_sees_last_error(harness: Harness, pki: Pki) -> None:
    reply = run(harness, pki, op=doc(TV20, on_error=ERROR_ECHO), cert=None)
    assert reply.status == 500
    assert reply.header("ErrorSource") == "set-header"
    assert reply.header("ErrorReason") == "ExpressionValueEvaluationFailure"
    assert reply.header("ErrorSection") == "inbound"
    assert "Object reference not set" in (reply.header("ErrorMessage") or "")
    ok = harness.client(pki.client).request("/echo/items/7")
    assert ok.status == 200 and ok.header("ErrorSource") is None


def test_on_error_can_replace_the_response(harness: Harness, pki: Pki) -> None:
    on_error = '<return-response><set-status code="403" reason="Forbidden" /></return-response>'
    reply = run(harness, pki, op=doc(TV20, on_error=on_error), cert=None)
    assert (reply.status, reply.reason, reply.body) == (403, "Forbidden", b"")


def test_set_body_in_on_error_replaces_the_error_body(harness: Harness, pki: Pki) -> None:
    # Outside D26's list, but APIM accepts and runs it (docs/compatibility.md).
    on_error = (
        '<set-status code="403" reason="Forbidden" />'
        '<set-body>@("failed in " + context.LastError.Source)</set-body>'
    )
    reply = run(harness, pki, op=doc(TV20, on_error=on_error), cert=None)
    assert (reply.status, reply.body) == (403, b"failed in set-header")
    ok = harness.client(pki.client).request("/echo/items/7")  # twin: no error, no replacement
    assert ok.status == 200 and b"failed in" not in ok.body


# --- TV-23: return-response cancels everything after it ------------------------------------------


def test_tv23_return_response_cancels_outbound(harness: Harness, pki: Pki) -> None:
    before = len(harness.backend_log)
    outbound = '<set-header name="X-Out" exists-action="override"><value>1</value></set-header>'
    reply = run(harness, pki, op=doc("<return-response />", outbound))
    assert (reply.status, reply.body, reply.header("X-Out")) == (200, b"", None)
    assert len(harness.backend_log) == before  # backend not called


def test_return_response_with_headers_and_body(harness: Harness, pki: Pki) -> None:
    inbound = (
        '<return-response><set-status code="201" reason="Made" />'
        '<set-header name="X-A" exists-action="override"><value>1</value></set-header>'
        '<set-body>@("made " + context.Request.MatchedParameters["id"])</set-body></return-response>'
    )
    reply = run(harness, pki, op=doc(inbound))
    assert (reply.status, reply.reason, reply.header("X-A"), reply.body) == (
        201,
        "Made",
        "1",
        b"made 7",
    )


# --- TV-28, TV-30: deployment certificates and named values --------------------------------------


def test_tv30_named_value_inside_expression(harness: Harness, pki: Pki) -> None:
    inbound = (
        '<choose><when condition="@(context.Request.Certificate == null || context.Request.Certificate.Thumbprint != &quot;{{expected-thumb}}&quot;)">'
        '<return-response><set-status code="403" reason="Invalid client certificate" /></return-response></when></choose>'
    )
    assert run(harness, pki, op=doc(inbound)).status == 200
    assert harness.client(pki.second).request("/echo/items/7").status == 403


def test_undefined_named_value_is_refused_at_load(harness: Harness, pki: Pki) -> None:
    from certgate.errors import PolicyError

    with pytest.raises(PolicyError, match="Named value 'nope' is not defined"):
        run(harness, pki, op=doc('<set-header name="a"><value>{{nope}}</value></set-header>'))


# --- URL, method and body ----------------------------------------------------------------------


def test_rewrite_uri_and_set_query_parameter(harness: Harness, pki: Pki) -> None:
    inbound = (
        '<rewrite-uri template="/v2/things/{id}?from=gw" />'
        '<set-query-parameter name="added" exists-action="override"><value>x y</value></set-query-parameter>'
        '<set-query-parameter name="drop" exists-action="delete" />'
    )
    reply = run(harness, pki, op=doc(inbound), path="/echo/items/7?keep=1&drop=2")
    assert reply.header("X-Backend-Path") == "/svc/v2/things/7?from=gw&keep=1&added=x%20y"


def test_rewrite_uri_without_copying_unmatched_params(harness: Harness, pki: Pki) -> None:
    inbound = '<rewrite-uri template="/only/{id}" copy-unmatched-params="false" />'
    reply = run(harness, pki, op=doc(inbound), path="/echo/items/9?keep=1")
    assert reply.header("X-Backend-Path") == "/svc/only/9"


def test_set_backend_service_and_set_method(harness: Harness, pki: Pki) -> None:
    backend = f"http://127.0.0.1:{harness.backend_port}/other"
    inbound = f'<set-backend-service base-url="{backend}" /><set-method>PUT</set-method>'
    reply = run(harness, pki, op=doc(inbound))
    assert reply.header("X-Backend-Path") == "/other/items/7"
    assert harness.backend_log[-1][0] == b"PUT"


def test_set_backend_service_to_a_dead_backend_is_502(harness: Harness, pki: Pki) -> None:
    reply = run(
        harness,
        pki,
        op=doc('<set-backend-service base-url="http://127.0.0.1:9" />', on_error=ERROR_ECHO),
    )
    assert reply.status == 502
    assert reply.header("ErrorReason") == "BackendConnectionFailure"


def test_set_body_on_request_and_response(harness: Harness, pki: Pki) -> None:
    inbound = '<set-body>@("in:" + context.Request.Body.As<string>())</set-body>'
    outbound = '<set-body>@("out:" + context.Response.Body.As<string>())</set-body>'
    reply = run(
        harness, pki, op=doc(inbound, outbound), path="/echo/files/body", method="POST", body=b"abc"
    )
    assert reply.body == b"out:in:abc"
    assert harness.backend_log[-1][3] == b"in:abc"


def test_body_read_without_preserve_content_is_consumed(harness: Harness, pki: Pki) -> None:
    inbound = '<set-variable name="b" value="@(context.Request.Body.As<string>())" />'
    reply = run(harness, pki, op=doc(inbound), path="/echo/files/body", method="POST", body=b"abc")
    assert reply.status == 200 and harness.backend_log[-1][3] == b""
    keep = inbound.replace("As<string>()", "As<string>(preserveContent: true)")
    reply = run(harness, pki, op=doc(keep), path="/echo/files/body", method="POST", body=b"abc")
    assert harness.backend_log[-1][3] == b"abc"


def test_mock_response(harness: Harness, pki: Pki) -> None:
    reply = run(
        harness, pki, op=doc('<mock-response status-code="202" content-type="application/json" />')
    )
    assert (reply.status, reply.header("Content-Type"), reply.body) == (
        202,
        "application/json",
        b"",
    )


def test_mock_response_refuses_expressions(harness: Harness, pki: Pki) -> None:
    from certgate.errors import PolicyError

    with pytest.raises(PolicyError, match="does not accept policy expressions"):
        run(harness, pki, op=doc('<mock-response status-code="@(200)" />'))


# --- check-header, ip-filter --------------------------------------------------------------------

CHECK = (
    '<check-header name="X-Key" failed-check-httpcode="401" failed-check-error-message="Key missing or wrong" ignore-case="true">'
    "<value>Alpha</value><value>beta</value></check-header>"
)


@pytest.mark.parametrize(
    ("headers", "status", "reason"),
    [
        ({"X-Key": "ALPHA"}, 200, None),
        ({"X-Key": "gamma"}, 401, "HeaderValueNotAllowed"),
        ({}, 401, "HeaderNotFound"),
    ],
)
def test_check_header(
    harness: Harness, pki: Pki, headers: dict[str, str], status: int, reason: str | None
) -> None:
    reply = run(harness, pki, op=doc(CHECK, on_error=ERROR_ECHO), headers=headers)
    assert reply.status == status
    assert reply.header("ErrorReason") == reason
    if reason:
        assert json.loads(reply.body)["message"] == "Key missing or wrong"


@pytest.mark.parametrize(
    ("policy", "status", "reason"),
    [
        ('<ip-filter action="allow"><address>127.0.0.1</address></ip-filter>', 200, None),
        (
            '<ip-filter action="allow"><address-range from="10.0.0.1" to="10.0.0.9" /></ip-filter>',
            403,
            "CallerIpNotAllowed",
        ),
        (
            '<ip-filter action="forbid"><address-range from="127.0.0.0" to="127.0.0.255" /></ip-filter>',
            403,
            "CallerIpBlocked",
        ),
        ('<ip-filter action="forbid"><address>10.1.1.1</address></ip-filter>', 200, None),
    ],
)
def test_ip_filter(
    harness: Harness, pki: Pki, policy: str, status: int, reason: str | None
) -> None:
    reply = run(harness, pki, op=doc(policy, on_error=ERROR_ECHO))
    assert (reply.status, reply.header("ErrorReason")) == (status, reason)


def test_ip_filter_refuses_a_bad_literal_address_at_load(harness: Harness, pki: Pki) -> None:
    from certgate.errors import PolicyError

    with pytest.raises(PolicyError, match="not an IP address"):
        run(harness, pki, op=doc('<ip-filter action="allow"><address>nope</address></ip-filter>'))


def test_last_error_path_scope_and_policy_id(harness: Harness, pki: Pki) -> None:
    inbound = (
        '<choose><when condition="@(false)" /><when condition="@(true)">'
        '<set-header name="X-A" id="first"><value>ok</value></set-header>'
        '<set-header name="X-Thumb" id="thumb-copy"><value>@(context.Request.Certificate.Thumbprint)</value></set-header>'
        "</when></choose>"
    )
    on_error = (
        '<set-header name="ErrorPath" exists-action="override"><value>@(context.LastError.Path)</value></set-header>'
        '<set-header name="ErrorScope" exists-action="override"><value>@(context.LastError.Scope)</value></set-header>'
        '<set-header name="ErrorPolicyId" exists-action="override"><value>@(context.LastError.PolicyId)</value></set-header>'
        '<set-header name="ErrorStatus" exists-action="override"><value>@(context.Response.StatusCode.ToString())</value></set-header>'
    )
    reply = run(harness, pki, op=doc(inbound, on_error=on_error), cert=None)
    assert reply.status == 500
    assert reply.header("ErrorPath") == "choose[1]\\when[2]\\set-header[2]"
    assert reply.header("ErrorScope") == "operation"
    assert reply.header("ErrorPolicyId") == "thumb-copy"
    assert reply.header("ErrorStatus") == "500"  # the error's response is preloaded


def test_json_request_body_as_jobject(harness: Harness, pki: Pki) -> None:
    inbound = (
        '<set-header name="X-Name" exists-action="override">'
        '<value>@(context.Request.Body.As<JObject>(preserveContent: true)["name"].ToString())</value>'
        "</set-header>"
    )
    body = b'{"name": "contoso", "n": 1}'
    reply = run(harness, pki, op=doc(inbound), path="/echo/files/body", method="POST", body=body)
    assert reply.header("Echo-X-Name") == "contoso"
    assert harness.backend_log[-1][3] == body  # preserved for the backend
    bad = harness.client(pki.client).request("/echo/files/body", method="POST", body=b"{not json")
    assert bad.status == 500  # JsonReaderException inside the expression


def test_xml_request_body_as_xdocument(harness: Harness, pki: Pki) -> None:
    inbound = (
        '<set-header name="X-Total" exists-action="override"><value>@{'
        " var doc = context.Request.Body.As<XDocument>(preserveContent: true);"
        ' return doc.Root.Elements("line").Sum(l => (int)l.Attribute("qty")).ToString(); }'
        "</value></set-header>"
    )
    body = b'<?xml version="1.0"?><order><line qty="2"/><line qty=" 5 "/></order>'
    reply = run(harness, pki, op=doc(inbound), path="/echo/files/body", method="POST", body=body)
    assert reply.header("Echo-X-Total") == "7"
    assert harness.backend_log[-1][3] == body  # preserved for the backend


def test_xml_request_body_with_a_dtd_is_refused(harness: Harness, pki: Pki) -> None:
    inbound = (
        '<set-header name="X-Root" exists-action="override">'
        "<value>@(context.Request.Body.As<XDocument>().Root.Value)</value></set-header>"
    )
    laughs = b'<!DOCTYPE a [<!ENTITY x "lol"><!ENTITY y "&x;&x;&x;">]><a>&y;</a>'
    reply = run(
        harness,
        pki,
        op=doc(inbound, on_error=ERROR_ECHO),
        path="/echo/files/body",
        method="POST",
        body=laughs,
    )
    assert reply.status == 500 and reply.header("ErrorSource") == "set-header"
    assert "DTD is prohibited" in (reply.header("ErrorMessage") or "")


def test_return_response_from_a_response_variable(harness: Harness, pki: Pki) -> None:
    outbound = (
        '<set-variable name="r" value="@(context.Response)" />'
        '<return-response response-variable-name="r"><set-status code="202" reason="Kept" />'
        '<set-header name="X-From" exists-action="override"><value>variable</value></set-header>'
        "</return-response>"
    )
    reply = run(harness, pki, op=doc(outbound=outbound))
    assert (reply.status, reply.reason, reply.body) == (202, "Kept", b"backend-ok")
    assert reply.header("X-From") == "variable" and reply.header("X-Backend-Path")


def test_return_response_variable_without_a_response_is_500(harness: Harness, pki: Pki) -> None:
    inbound = '<set-variable name="r" value="text" /><return-response response-variable-name="r" />'
    reply = run(harness, pki, op=doc(inbound, on_error=ERROR_ECHO))
    assert (reply.status, reply.header("ErrorSource")) == (500, "return-response")
