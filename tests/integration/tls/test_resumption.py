"""Resumed sessions report resumed=True and still the full chain the client sent."""

from __future__ import annotations

import ssl

import pytest

from tests.integration.tls.conftest import Client, Pki, Serve, client_context

VERSIONS = [ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_2]


@pytest.mark.parametrize("version", VERSIONS, ids=["tls1.3", "tls1.2"])
def test_resumed_session_keeps_the_chain(
    serve: Serve, tls_pki: Pki, version: ssl.TLSVersion
) -> None:
    port = serve([tls_pki.server_a.hostname("a.test", negotiate=True)])
    ctx = client_context(tls_pki.chained, version)
    with Client(port, ctx, "a.test") as first:
        full = first.info()  # also makes the client read the TLS 1.3 tickets
        session = first.sock.session
    assert not full["resumed"]
    assert full["chain"] == tls_pki.chained.chain_der
    for _ in range(2):  # a resumed connection's new ticket carries the chain on
        with Client(port, ctx, "a.test", session) as again:
            info = again.info()
            assert again.sock.session_reused
            session = again.sock.session
        assert info["resumed"]
        assert info["version"] == ("TLSv1.3" if version == ssl.TLSVersion.TLSv1_3 else "TLSv1.2")
        assert info["leaf"] == tls_pki.chained.leaf_der
        assert info["chain"] == tls_pki.chained.chain_der


def test_a_new_session_is_not_reported_as_resumed(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_a.hostname("a.test", negotiate=True)])
    ctx = client_context(tls_pki.trusted)
    for _ in range(2):
        with Client(port, ctx, "a.test") as c:
            info = c.info()
        assert not info["resumed"]
        assert info["chain"] == (tls_pki.trusted.leaf_der,)


def test_resumption_on_a_non_negotiating_hostname_reports_no_certificate(
    serve: Serve, tls_pki: Pki
) -> None:
    port = serve(
        [
            tls_pki.server_a.hostname("on.test", negotiate=True),
            tls_pki.server_b.hostname("off.test", negotiate=False),
        ]
    )
    ctx = client_context(tls_pki.trusted, ssl.TLSVersion.TLSv1_3)
    with Client(port, ctx, "on.test") as first:
        assert first.info()["leaf"] == tls_pki.trusted.leaf_der
        session = first.sock.session
    with Client(port, ctx, "off.test", session) as other:
        info = other.info()
    assert info["hostname"] == "off.test"
    assert info["leaf"] is None
