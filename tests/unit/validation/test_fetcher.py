"""Fetching revocation data: SSRF limits, size and time caps, cache, refresh ahead, backoff."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable

import pytest
from cryptography.x509 import ocsp

from certgate.core.validation.chain import ChainCache, TrustStore
from certgate.core.validation.revocation import CrlIndex, links
from certgate.core.validation.validator import Validator
from certgate.io.revocation import (
    FetchError,
    FetchLimits,
    RevocationFetcher,
    address_allowed,
    http_fetch,
    render_metrics,
)
from tests.revocation_server import Reply, RevocationServer
from tests.validation_certs import crl, make, now, ocsp_response

LOOPBACK = FetchLimits(timeout=2, max_bytes=64 * 1024, allow_private_networks=True)
STRICT = FetchLimits(timeout=2, max_bytes=64 * 1024, allow_private_networks=False)


def serve(
    test: Callable[[RevocationServer], Awaitable[None]], server: RevocationServer | None = None
) -> None:
    async def main() -> None:
        srv = server or RevocationServer()
        await srv.start()
        try:
            await test(srv)
        finally:
            await srv.stop()

    asyncio.run(main())


@pytest.mark.parametrize(
    ("address", "strict", "lenient"),
    [
        ("93.184.216.34", True, True),
        ("2606:4700::1111", True, True),
        ("127.0.0.1", False, True),
        ("::1", False, True),
        ("10.1.2.3", False, True),
        ("192.168.0.1", False, True),
        ("169.254.169.254", False, True),  # cloud metadata
        ("100.64.0.1", False, True),  # shared address space
        ("::ffff:127.0.0.1", False, True),
        ("fe80::1", False, True),
        ("0.0.0.0", False, False),
        ("224.0.0.1", False, False),
    ],
)
def test_address_rules(address: str, strict: bool, lenient: bool) -> None:
    assert address_allowed(address, allow_private=False) is strict
    assert address_allowed(address, allow_private=True) is lenient


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://127.0.0.1/x.crl", "scheme 'ftp'"),
        ("file:///etc/passwd", "scheme 'file'"),
        ("ldap://ca.test/cn=x", "scheme 'ldap'"),
        ("http://user:pw@127.0.0.1/x", "credentials"),
        ("http:///x", "no host"),
    ],
)
def test_refused_urls(url: str, message: str) -> None:
    with pytest.raises(FetchError, match=message):
        asyncio.run(http_fetch(url, LOOPBACK))


def test_loopback_needs_allow_private_networks() -> None:
    async def test(srv: RevocationServer) -> None:
        with pytest.raises(FetchError, match="not a public address"):
            await http_fetch(srv.url("/a.crl"), STRICT)
        with pytest.raises(FetchError, match="not a public address"):
            await http_fetch(f"http://localhost:{srv.port}/a.crl", STRICT)
        assert srv.requests == []
        assert await http_fetch(srv.url("/a.crl"), LOOPBACK) == b"crl"

    serve(test, RevocationServer(files={"/a.crl": b"crl"}))


def test_status_size_and_time_caps() -> None:
    big = b"x" * (LOOPBACK.max_bytes + 1)
    files: dict[str, Reply | bytes] = {
        "/big": big,
        "/big-chunked": Reply(body=big, chunked=True),
        "/small-chunked": Reply(body=b"ok", chunked=True),
        "/slow": Reply(body=b"late", delay=1.0),
        "/gone": Reply(status=500),
    }

    async def test(srv: RevocationServer) -> None:
        with pytest.raises(FetchError, match="larger than"):
            await http_fetch(srv.url("/big"), LOOPBACK)
        with pytest.raises(FetchError, match="larger than"):
            await http_fetch(srv.url("/big-chunked"), LOOPBACK)
        assert await http_fetch(srv.url("/small-chunked"), LOOPBACK) == b"ok"
        with pytest.raises(FetchError, match=r"no answer within 0\.2 s"):
            await http_fetch(srv.url("/slow"), FetchLimits(0.2, 1024, True))
        with pytest.raises(FetchError, match="HTTP status 500"):
            await http_fetch(srv.url("/gone"), LOOPBACK)
        with pytest.raises(FetchError, match="HTTP status 404"):
            await http_fetch(srv.url("/none"), LOOPBACK)

    serve(test, RevocationServer(files=files))


def test_redirects_only_to_http() -> None:
    files: dict[str, Reply | bytes] = {
        "/to-file": Reply(302, headers={"Location": "file:///etc/passwd"}),
        "/to-ok": Reply(301, headers={"Location": "/ok"}),
        "/loop": Reply(302, headers={"Location": "/loop"}),
        "/ok": b"fine",
    }

    async def test(srv: RevocationServer) -> None:
        with pytest.raises(FetchError, match="scheme 'file'"):
            await http_fetch(srv.url("/to-file"), LOOPBACK)
        assert await http_fetch(srv.url("/to-ok"), LOOPBACK) == b"fine"
        with pytest.raises(FetchError, match="too many redirects"):
            await http_fetch(srv.url("/loop"), LOOPBACK)

    serve(test, RevocationServer(files=files))


def test_connection_refused_is_a_fetch_error() -> None:
    async def main() -> None:
        srv = RevocationServer()
        port = await srv.start()
        await srv.stop()
        with pytest.raises(FetchError, match="connection failed"):
            await http_fetch(f"http://127.0.0.1:{port}/x", LOOPBACK)

    asyncio.run(main())


# --- the cache ------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = now()

    def __call__(self) -> dt.datetime:
        return self.now


ROOT = make("Root", ca=True)
INT = make("Int", ROOT, ca=True)


def validator() -> Validator:
    return Validator(TrustStore.build([("Root", ROOT.cert)]), cache=ChainCache())


def test_crl_is_fetched_once_then_refreshed_ahead_of_expiry() -> None:
    srv = RevocationServer()
    clock = Clock()
    fetcher = RevocationFetcher(clock=clock)

    async def test(srv: RevocationServer) -> None:
        leaf = make("c", INT, crl_url=srv.url("/int.crl"))
        srv.files["/int.crl"] = crl(INT, next_update=clock.now + dt.timedelta(hours=4))
        chain = links((leaf.cert, INT.cert, ROOT.cert))
        v = validator()
        await fetcher.prefetch(chain, v, LOOPBACK, clock.now)
        assert srv.requests == [("GET", "/int.crl")]
        assert isinstance(fetcher.crl(srv.url("/int.crl")), CrlIndex)
        await fetcher.prefetch(chain, v, LOOPBACK, clock.now)
        assert len(srv.requests) == 1  # fresh: no fetch
        clock.now += dt.timedelta(hours=3, minutes=30)  # past 75% of its lifetime
        await fetcher.prefetch(chain, v, LOOPBACK, clock.now)
        await asyncio.sleep(0.2)  # the background refresh
        assert len(srv.requests) == 2
        text = render_metrics(v, fetcher, clock.now)
        assert 'certgate_revocation_data_expires_in_seconds{kind="crl"' in text
        assert 'certgate_revocation_fetches_total{kind="crl",outcome="ok"} 2' in text

    serve(test, srv)


def test_failed_fetch_backs_off_without_making_requests_wait() -> None:
    srv = RevocationServer()
    clock = Clock()
    fetcher = RevocationFetcher(clock=clock)

    async def test(srv: RevocationServer) -> None:
        leaf = make("c", INT, crl_url=srv.url("/missing.crl"))
        chain = links((leaf.cert, INT.cert, ROOT.cert))
        v = validator()
        await fetcher.prefetch(chain, v, LOOPBACK, clock.now)
        await fetcher.prefetch(chain, v, LOOPBACK, clock.now)
        assert len(srv.requests) == 1
        clock.now += dt.timedelta(seconds=6)
        await fetcher.prefetch(chain, v, LOOPBACK, clock.now)
        assert len(srv.requests) == 2
        [row] = fetcher.freshness(clock.now)
        assert row.failures == 2 and row.error == "HTTP status 404"

    serve(test, srv)


def test_concurrent_requests_share_one_fetch() -> None:
    srv = RevocationServer()
    fetcher = RevocationFetcher()

    async def test(srv: RevocationServer) -> None:
        leaf = make("c", INT, crl_url=srv.url("/int.crl"))
        srv.files["/int.crl"] = Reply(body=crl(INT), delay=0.2)
        chain = links((leaf.cert, INT.cert, ROOT.cert))
        v = validator()
        await asyncio.gather(*(fetcher.prefetch(chain, v, LOOPBACK, now()) for _ in range(5)))
        assert len(srv.requests) == 1

    serve(test, srv)


def test_uploaded_crl_that_answers_means_no_fetch() -> None:
    srv = RevocationServer()
    fetcher = RevocationFetcher()

    async def test(srv: RevocationServer) -> None:
        leaf = make("c", INT, crl_url=srv.url("/int.crl"))
        v = Validator(
            TrustStore.build([("Root", ROOT.cert)]),
            crls=[CrlIndex.parse(crl(INT), "uploaded")],
            cache=ChainCache(),
        )
        await fetcher.prefetch(links((leaf.cert, INT.cert, ROOT.cert)), v, LOOPBACK, now())
        assert srv.requests == []

    serve(test, srv)


def test_ocsp_first_then_crl_when_the_responder_is_down() -> None:
    srv = RevocationServer()
    fetcher = RevocationFetcher()

    async def test(srv: RevocationServer) -> None:
        leaf = make("c", INT, ocsp_url=srv.url("/ocsp"), crl_url=srv.url("/int.crl"))
        srv.files["/int.crl"] = crl(INT)
        chain = links((leaf.cert, INT.cert, ROOT.cert))
        v = validator()
        srv.ocsp = lambda request: ocsp_response(leaf, INT, ocsp.OCSPCertStatus.GOOD)
        await fetcher.prefetch(chain, v, LOOPBACK, now())
        assert srv.requests == [("POST", "/ocsp")]
        assert fetcher.ocsp(chain[0].ocsp_key) is not None

        other = make("d", INT, ocsp_url=srv.url("/down"), crl_url=srv.url("/int.crl"))
        srv.ocsp = None  # POST /down now answers 404
        await fetcher.prefetch(links((other.cert, INT.cert, ROOT.cert)), v, LOOPBACK, now())
        assert srv.requests[1:] == [("POST", "/down"), ("GET", "/int.crl")]

    serve(test, srv)


def test_ocsp_answer_with_a_wrong_signer_is_dropped() -> None:
    srv = RevocationServer()
    fetcher = RevocationFetcher()

    async def test(srv: RevocationServer) -> None:
        leaf = make("c", INT, ocsp_url=srv.url("/ocsp"))
        mallory = make("Mallory", ca=True)
        srv.ocsp = lambda request: ocsp_response(leaf, INT, signer=mallory, include_signer=True)
        chain = links((leaf.cert, INT.cert, ROOT.cert))
        await fetcher.prefetch(chain, validator(), LOOPBACK, now())
        assert fetcher.ocsp(chain[0].ocsp_key) is None
        [row] = fetcher.freshness()
        assert row.error is not None and "unusable OCSP response" in row.error

    serve(test, srv)
