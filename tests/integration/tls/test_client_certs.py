"""Negotiate on: ANY client certificate is accepted and reported exactly; off: none is asked."""

from __future__ import annotations

import pytest

from tests.integration.tls.conftest import Pki, Serve, connect

KINDS = ["trusted", "unknown_ca", "self_signed", "expired", "server_auth_only"]


@pytest.mark.parametrize("kind", KINDS)
def test_negotiating_hostname_accepts_any_certificate(
    serve: Serve, tls_pki: Pki, kind: str
) -> None:
    cert = getattr(tls_pki, kind)
    port = serve([tls_pki.server_a.hostname("a.test", negotiate=True)])
    with connect(port, "a.test", cert) as c:
        info = c.info()
    assert info["leaf"] == cert.leaf_der
    assert info["chain"] == (cert.leaf_der,)


def test_negotiating_hostname_accepts_a_client_without_certificate(
    serve: Serve, tls_pki: Pki
) -> None:
    port = serve([tls_pki.server_a.hostname("a.test", negotiate=True)])
    with connect(port, "a.test", None) as c:
        info = c.info()
    assert (info["leaf"], info["chain"]) == (None, ())


def test_certificate_request_follows_the_hostname(serve: Serve, tls_pki: Pki) -> None:
    port = serve(
        [
            tls_pki.server_a.hostname("off.test", negotiate=False),
            tls_pki.server_b.hostname("on.test", negotiate=True),
        ]
    )
    for _ in range(2):  # alternate: the mode is per connection, not sticky
        with connect(port, "off.test", tls_pki.trusted) as off:
            assert off.info()["leaf"] is None  # rejects: never asked, although the client has one
        with connect(port, "on.test", tls_pki.trusted) as on:
            assert on.info()["leaf"] == tls_pki.trusted.leaf_der


def test_default_binding_that_negotiates_while_another_does_not(serve: Serve, tls_pki: Pki) -> None:
    port = serve(
        [
            tls_pki.server_a.hostname("on.test", negotiate=True),
            tls_pki.server_b.hostname("off.test", negotiate=False),
        ]
    )
    with connect(port, None, tls_pki.trusted) as on:
        assert on.info()["leaf"] == tls_pki.trusted.leaf_der
    with connect(port, "off.test", tls_pki.trusted) as off:
        assert off.info()["leaf"] is None


def test_chain_sent_by_the_client_is_reported_in_order(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_a.hostname("a.test", negotiate=True)])
    assert len(tls_pki.chained.chain_der) == 2
    with connect(port, "a.test", tls_pki.chained) as c:
        info = c.info()
    assert info["leaf"] == tls_pki.chained.leaf_der
    assert info["chain"] == tls_pki.chained.chain_der
