"""SNI picks the hostname (certificate and settings); no or unknown SNI gets the default."""

from __future__ import annotations

from tests.integration.tls.conftest import Pki, Serve, connect


def test_two_hostnames_on_one_port_get_their_own_certificate(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_a.hostname("a.test"), tls_pki.server_b.hostname("b.test")])
    with connect(port, "a.test") as a, connect(port, "b.test") as b:
        assert a.server_cert() == tls_pki.server_a.leaf_der
        assert b.server_cert() == tls_pki.server_b.leaf_der
        assert (a.info()["hostname"], b.info()["hostname"]) == ("a.test", "b.test")
        assert a.info()["server_name"] == "a.test"


def test_sni_match_ignores_case(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_a.hostname("a.test"), tls_pki.server_b.hostname("B.Test")])
    with connect(port, "b.TEST") as c:
        assert c.server_cert() == tls_pki.server_b.leaf_der
        info = c.info()
        assert (info["hostname"], info["server_name"]) == ("B.Test", "b.test")


def test_no_sni_gets_the_default_binding(serve: Serve, tls_pki: Pki) -> None:
    port = serve(
        [tls_pki.server_a.hostname("a.test"), tls_pki.server_b.hostname("b.test", default=True)]
    )
    with connect(port, None) as c:
        assert c.server_cert() == tls_pki.server_b.leaf_der
        info = c.info()
        assert (info["hostname"], info["server_name"]) == ("b.test", None)


def test_unknown_sni_gets_the_default_binding(serve: Serve, tls_pki: Pki) -> None:
    port = serve(
        [tls_pki.server_a.hostname("a.test"), tls_pki.server_b.hostname("b.test", default=True)]
    )
    with connect(port, "nobody.test") as c:
        assert c.server_cert() == tls_pki.server_b.leaf_der
        info = c.info()
        assert (info["hostname"], info["server_name"]) == ("b.test", "nobody.test")


def test_unknown_sni_without_a_default_flag_gets_the_first(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_b.hostname("b.test"), tls_pki.server_a.hostname("a.test")])
    with connect(port, "nobody.test") as unknown, connect(port, None) as none:
        assert unknown.server_cert() == none.server_cert() == tls_pki.server_b.leaf_der
        assert unknown.info()["hostname"] == none.info()["hostname"] == "b.test"


def test_wildcard_hostname_matches_exactly_one_label(serve: Serve, tls_pki: Pki) -> None:
    port = serve([tls_pki.server_a.hostname("a.test"), tls_pki.server_wild.hostname("*.wild.test")])
    with connect(port, "x.wild.test") as one:
        assert one.server_cert() == tls_pki.server_wild.leaf_der
        assert one.info()["hostname"] == "*.wild.test"
    for name in ("wild.test", "x.y.wild.test"):  # rejects: zero or two labels
        with connect(port, name) as other:
            assert other.info()["hostname"] == "a.test"
