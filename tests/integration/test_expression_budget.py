"""A runaway expression through a real gateway: APIM's 500 with LastError, and the worker (and
the very connection) keeps serving (`expressionTimeoutMs`)."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest

from certgate.errors import ConfigError
from certgate.snapshot import load_snapshot
from tests.conftest import Pki
from tests.harness import Harness, Reply, listener_yaml

CONFIG = listener_yaml("""\
gateway:
  expressionTimeoutMs: 50
apis:
  loops:
    path: loops
    serviceUrl: http://BACKEND/svc
    operations:
      spin:
        method: GET
        urlTemplate: /spin
        policy: spin.xml
      bounded:
        method: GET
        urlTemplate: /bounded
        policy: bounded.xml
""")

ON_ERROR = """<on-error><base/>
<set-header name="ErrorSource" exists-action="override"><value>@(context.LastError.Source)</value></set-header>
<set-header name="ErrorReason" exists-action="override"><value>@(context.LastError.Reason)</value></set-header>
<set-header name="ErrorMessage" exists-action="override"><value>@(context.LastError.Message)</value></set-header>
</on-error>"""


def policy(value: str) -> str:
    return (
        '<policies><inbound><base/><set-header name="X-Loop" exists-action="override">'
        f"<value>{value}</value></set-header></inbound><backend><base/></backend>"
        f"<outbound><base/></outbound>{ON_ERROR}</policies>"
    )


FILES = {
    "spin.xml": policy("@{ while (true) { } }"),
    "bounded.xml": policy("@{ var i = 0; while (i < 1000) { i++; } return i.ToString(); }"),
}


def get(conn: http.client.HTTPConnection, path: str) -> Reply:
    conn.request("GET", path)
    resp = conn.getresponse()
    return Reply(resp.status, resp.reason, resp.headers, resp.read())


def test_runaway_loop_answers_500_and_the_connection_serves_on(harness: Harness, pki: Pki) -> None:
    harness.start(CONFIG, FILES)
    client = harness.client(pki.client)
    conn = http.client.HTTPConnection("localhost", harness.port, timeout=30)
    conn.sock = client.connect()
    try:
        spun = get(conn, "/loops/spin")
        assert spun.status == 500
        assert b"Internal server error" in spun.body
        assert spun.header("ErrorSource") == "set-header"
        assert spun.header("ErrorReason") == "ExpressionValueEvaluationFailure"
        assert spun.header("ErrorMessage") == (
            "Expression evaluation failed. expression exceeded its time budget of 50 ms"
        )
        # the same keep-alive connection, the same worker: the next request is served
        after = get(conn, "/loops/bounded")
        assert after.status == 200
        assert after.header("Echo-X-Loop") == "1000"  # the backend echoes what it got
        again = get(conn, "/loops/spin")  # and a second runaway fails the same way
        assert again.status == 500
        assert again.header("ErrorReason") == "ExpressionValueEvaluationFailure"
    finally:
        conn.close()


def test_bounded_loop_is_served(harness: Harness, pki: Pki) -> None:
    harness.start(CONFIG, FILES)
    reply = harness.client(pki.client).request("/loops/bounded")
    assert reply.status == 200
    assert reply.header("Echo-X-Loop") == "1000"
    assert reply.header("ErrorReason") is None


@pytest.mark.parametrize("value", ["0", "-5", "60001", "soon"])
def test_the_setting_must_be_a_positive_number_of_milliseconds(
    value: str, tmp_path: Path, pki: Pki
) -> None:
    (tmp_path / "pki").symlink_to(pki.folder)
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
    config = tmp_path / "config.yaml"
    setting = "gateway:\n  expressionTimeoutMs: 50\n"
    config.write_text(CONFIG.replace(setting, setting.replace("50", value)))
    with pytest.raises(ConfigError, match="expressionTimeoutMs"):
        load_snapshot(config)
    config.write_text(CONFIG.replace(setting, ""))
    assert load_snapshot(config).settings.expression_timeout_ms == 100  # the default
