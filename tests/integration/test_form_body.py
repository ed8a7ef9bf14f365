"""`Body.AsFormUrlEncodedContent()` end to end: a real HTML-form POST over mTLS, policies that
read its fields (oauth-proxy-callback.xml, set-body-policy-8/9.xml in the corpus) and a real
backend that shows what was forwarded. Each accepted case has a rejected twin."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests.conftest import Pki
from tests.harness import Client, Harness, Reply, listener_yaml

CONFIG = listener_yaml("""\
apis:
  fields:
    path: fields
    serviceUrl: http://BACKEND
    policy: fields.xml
  consumed:
    path: consumed
    serviceUrl: http://BACKEND
    policy: consumed.xml
  keep:
    path: keep
    serviceUrl: http://BACKEND
    policy: keep.xml
  drop:
    path: drop
    serviceUrl: http://BACKEND
    policy: drop.xml
  rewrite:
    path: rewrite
    serviceUrl: http://BACKEND
    policy: rewrite.xml
  rewrite-missing:
    path: rewrite-missing
    serviceUrl: http://BACKEND
    policy: rewrite-missing.xml
  json:
    path: json
    serviceUrl: http://BACKEND
    policy: json.xml
""")


def inbound(policies: str) -> str:
    return f"<policies><inbound><base/>{policies}</inbound><backend><base/></backend></policies>"


# The oauth-proxy callback's two reads: the first keeps the body or not, the second consumes it.
ECHO_FIELDS = """<set-variable name="code"
  value="@(context.Request.Body.AsFormUrlEncodedContent(preserveContent: KEEP)["code"].Single())" />
<set-variable name="state" value="@(context.Request.Body.AsFormUrlEncodedContent()["state"][0])" />
<return-response>
  <set-body>@((string)context.Variables["code"] + "|" + (string)context.Variables["state"])</set-body>
</return-response>"""
FIELDS = inbound(ECHO_FIELDS.replace("KEEP", "true"))
CONSUMED = inbound(ECHO_FIELDS.replace("KEEP", "false"))
LIST_FIELDS = """<return-response><set-body>@{
  var form = context.Request.Body.AsFormUrlEncodedContent(true);
  var s = "";
  foreach (var kv in form) { s += kv.Key + "=" + string.Join(",", kv.Value) + ";"; }
  IList<string> none;
  return s + form.ContainsKey("flag") + "|" + form.TryGetValue("missing", out none);
}</set-body></return-response>"""
KEEP = inbound(
    '<set-header name="X-Code" exists-action="override">'
    '<value>@(context.Request.Body.AsFormUrlEncodedContent(preserveContent: true)["code"][0])</value>'
    "</set-header>"
)
DROP = inbound(
    '<set-header name="X-Code" exists-action="override">'
    '<value>@(context.Request.Body.AsFormUrlEncodedContent()["code"][0])</value></set-header>'
)
REWRITE = """<set-body>@{{
  var body = context.Request.Body.AsFormUrlEncodedContent();
  body["{key}"].Add("added value");
  return body.ToFormUrlEncodedContent();
}}</set-body>"""
JSON = inbound(
    "<set-body>@(JsonConvert.SerializeObject(context.Request.Body.AsFormUrlEncodedContent()))"
    "</set-body>"
)
FILES: dict[str, str | bytes] = {
    "fields.xml": FIELDS,
    "consumed.xml": CONSUMED,
    "keep.xml": KEEP,
    "drop.xml": DROP,
    "rewrite.xml": inbound(REWRITE.format(key="state")),
    "rewrite-missing.xml": inbound(REWRITE.format(key="newKey")),
    "json.xml": JSON,
}
# What a browser sends for <form method="post">: UTF-8, `+` for spaces, repeated fields.
FORM = urlencode(
    [("code", "c0de/+="), ("state", "Zürich & co"), ("tag", "a"), ("tag", "b")]
).encode()
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def client(harness: Harness, pki: Pki) -> Client:
    harness.start(CONFIG, FILES)
    return harness.client(pki.client)


def post(client: Client, path: str, body: bytes = FORM) -> Reply:
    return client.request(path, method="POST", headers=FORM_HEADERS, body=body)


def assert_internal_error(reply: Reply) -> None:
    """APIM's answer to an expression that throws (spec: 500, "Internal server error")."""
    assert reply.status == 500
    assert json.loads(reply.body)["message"] == "Internal server error"


def test_fields_of_a_form_post_reach_the_policy(client: Client) -> None:
    reply = post(client, "/fields/x")
    assert reply.status == 200
    assert reply.body == "c0de/+=|Zürich & co".encode()


def test_a_second_read_of_a_consumed_form_is_500(client: Client) -> None:
    reply = post(client, "/consumed/x")
    assert_internal_error(reply)


def test_repeated_and_valueless_fields(harness: Harness, pki: Pki) -> None:
    harness.start(CONFIG, FILES | {"fields.xml": inbound(LIST_FIELDS)})
    client = harness.client(pki.client)
    reply = post(client, "/fields/x", b"tag=a&tag=b+c&flag&x=%E2%82%AC")
    assert reply.body == "tag=a,b c;flag=;x=€;True|False".encode()
    # twin: a body that is not a form still parses (APIM does not look at Content-Type), so a
    # policy that insists on a field fails on it
    harness.start(CONFIG, FILES)
    assert_internal_error(post(harness.client(pki.client), "/fields/x", b'{"code": "abc"}'))


def test_a_preserved_form_is_forwarded_as_it_came(client: Client, harness: Harness) -> None:
    reply = post(client, "/keep/body")
    assert reply.status == 200
    assert reply.body == FORM  # the backend echoes what it received
    method, url, headers, body = harness.backend_log[-1]
    assert (method, url, body) == (b"POST", b"/body", FORM)
    assert (b"X-Code", b"c0de/+=") in headers


def test_a_consumed_form_is_forwarded_without_a_body(client: Client, harness: Harness) -> None:
    reply = post(client, "/drop/body")
    assert reply.status == 200
    assert reply.body == b""
    assert harness.backend_log[-1][3] == b""


def test_fields_written_back_with_to_form_url_encoded_content(client: Client) -> None:
    reply = post(client, "/rewrite/body")
    assert reply.status == 200
    assert reply.body == (
        b"code=c0de%2F%2B%3D&state=Z%C3%BCrich+%26+co&state=added+value&tag=a&tag=b"
    )


def test_adding_to_a_field_the_form_lacks_is_500(client: Client) -> None:
    """set-body-policy-9.xml as the docs print it: `body["newKey"]` must be in the form."""
    assert_internal_error(post(client, "/rewrite-missing/body"))
    with_key = post(client, "/rewrite-missing/body", FORM + b"&newKey=1")
    assert with_key.status == 200
    assert with_key.body.endswith(b"&newKey=1&newKey=added+value")


def test_form_fields_as_json(client: Client) -> None:
    reply = post(client, "/json/body")
    assert reply.status == 200
    assert json.loads(reply.body) == {
        "code": ["c0de/+="],
        "state": ["Zürich & co"],
        "tag": ["a", "b"],
    }
    # twin: without a body there is nothing to read (context.Request.Body is null)
    assert_internal_error(client.request("/json/body", method="POST", body=b""))
