"""Revocation data for client certificates: CRLs from the certificates' distribution points and
OCSP answers from their AIA responders, fetched and cached here, judged in
`certgate.core.validation.revocation`.

Expressions and policies are synchronous, so the data plane calls `prepare` before the policies
of an operation run, and only for operations whose policy checks revocation
(`validate-client-certificate validate-revocation="true"` or an expression calling `Verify()`).

The addresses come from certificates a stranger may have made, so (no SSRF):

* nothing is fetched before the chain is trusted (its certificates were signed by an uploaded CA);
* only `http` and `https`, redirects (at most two) only to `http`/`https`;
* the host is resolved once and the connection goes to the checked address (no DNS rebinding);
  loopback, private, link-local, shared and other non-global addresses are refused unless
  `gateway.revocation.allowPrivateNetworks` is true;
* every fetch has a time cap (`fetchTimeoutSeconds`, DNS and connect included) and a size cap
  (`maxResponseBytes`).

Caching: an answer is used until its `nextUpdate` and refreshed in the background once 75% of its
lifetime has passed (refresh ahead); concurrent requests share one fetch; a failed fetch is not
retried for a backoff period (5 s, doubling up to 5 min), during which requests do not wait.
`render_metrics` exposes the age and remaining lifetime of every cached answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import logging
import socket
import ssl
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar
from urllib.parse import urljoin, urlsplit

import httptools
from cryptography.hazmat.primitives.serialization import Encoding

from certgate.core.validation.binding import check_of
from certgate.core.validation.policy import needs_revocation
from certgate.core.validation.revocation import (
    NO_FETCHED_DATA,
    CrlIndex,
    Link,
    OcspKey,
    OcspRecord,
    Status,
    certificate_status,
    ocsp_request_for,
)
from certgate.core.validation.validator import Validator

if TYPE_CHECKING:
    from certgate.config import RevocationConfig
    from certgate.core.context import RequestContext

log = logging.getLogger("certgate.revocation")
_DER = Encoding.DER

MAX_REDIRECTS = 2
USER_AGENT = b"certgate-revocation/1"
_HEADER_ALLOWANCE = 64 * 1024  # bytes of status line and headers on top of maxResponseBytes
DEFAULT_MAX_AGE = dt.timedelta(hours=1)  # refetch period of a CRL without nextUpdate
MIN_REFRESH = dt.timedelta(seconds=30)
BACKOFF_FIRST = dt.timedelta(seconds=5)
BACKOFF_MAX = dt.timedelta(minutes=5)
MAX_URLS_PER_CERTIFICATE = 3
PREPARE_TIMEOUTS = 2  # a request waits at most this many fetch timeouts for revocation data


class FetchError(Exception):
    """A fetch failed or was refused; the message says why (no secrets, safe to log)."""


@dataclass(frozen=True, slots=True)
class FetchLimits:
    timeout: float = 5.0
    max_bytes: int = 4 * 1024 * 1024
    allow_private_networks: bool = False

    @classmethod
    def of(cls, settings: RevocationConfig) -> FetchLimits:
        return cls(
            settings.fetch_timeout_seconds,
            settings.max_response_bytes,
            settings.allow_private_networks,
        )


# --- HTTP, carefully ------------------------------------------------------------------------

Fetch = Callable[[str, FetchLimits, bytes | None], Awaitable[bytes]]


async def http_fetch(url: str, limits: FetchLimits, body: bytes | None = None) -> bytes:
    """GET `url` (POST `body` as an OCSP request when given) within the limits; the 200
    response's body, or FetchError."""
    try:
        async with asyncio.timeout(limits.timeout):
            for _ in range(MAX_REDIRECTS + 1):
                status, location, data = await _request(url, limits, body)
                if status in (301, 302, 303, 307, 308) and location:
                    url = urljoin(url, location)
                    if status == 303:
                        body = None
                    continue
                if status != 200:
                    raise FetchError(f"HTTP status {status}")
                return data
    except TimeoutError:
        raise FetchError(f"no answer within {limits.timeout:g} s") from None
    except (OSError, ssl.SSLError) as exc:
        raise FetchError(f"connection failed: {exc.__class__.__name__}: {exc}") from None
    raise FetchError("too many redirects")


def _target(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchError(f"refused: scheme '{scheme}' (only http and https)")
    if parts.username is not None or parts.password is not None:
        raise FetchError("refused: credentials in the URL")
    host = parts.hostname
    if not host:
        raise FetchError("refused: no host in the URL")
    try:
        host.encode("idna")
    except UnicodeError:
        raise FetchError("refused: the host name is not valid") from None
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise FetchError("refused: bad port") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, path


def address_allowed(address: str, allow_private: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified or ip.is_multicast:
        return False
    return allow_private or ip.is_global


async def _resolve(host: str, port: int, allow_private: bool) -> list[str]:
    try:
        ipaddress.ip_address(host)
        candidates = [host]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise FetchError(f"cannot resolve {host}: {exc.strerror}") from None
        candidates = list(dict.fromkeys(str(info[4][0]) for info in infos))
    allowed = [a for a in candidates if address_allowed(a, allow_private)]
    if not allowed:
        raise FetchError(
            f"refused: {host} is not a public address (set gateway.revocation."
            "allowPrivateNetworks to allow private networks)"
        )
    return allowed


async def _request(url: str, limits: FetchLimits, body: bytes | None) -> tuple[int, str, bytes]:
    scheme, host, port, path = _target(url)
    addresses = await _resolve(host, port, limits.allow_private_networks)
    tls = ssl.create_default_context() if scheme == "https" else None
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    error: Exception | None = None
    for address in addresses:
        try:
            reader, writer = await asyncio.open_connection(
                address, port, ssl=tls, server_hostname=host if tls else None
            )
            break
        except OSError as exc:
            error = exc
    if reader is None or writer is None:
        raise error or FetchError("no address to connect to")
    try:
        writer.write(_request_head(host, port, scheme, path, body))
        if body is not None:
            writer.write(body)
        return await _read_response(reader, limits.max_bytes)
    finally:
        writer.close()


def _request_head(host: str, port: int, scheme: str, path: str, body: bytes | None) -> bytes:
    authority = f"[{host}]" if ":" in host else host
    if port != (443 if scheme == "https" else 80):
        authority += f":{port}"
    lines = [
        f"{'POST' if body is not None else 'GET'} {path} HTTP/1.1".encode(),
        b"Host: " + authority.encode("ascii" if authority.isascii() else "idna"),
        b"User-Agent: " + USER_AGENT,
        b"Accept: */*",
        b"Connection: close",
    ]
    if body is not None:
        lines.append(b"Content-Type: application/ocsp-request")
        lines.append(b"Content-Length: %d" % len(body))
    return b"\r\n".join(lines) + b"\r\n\r\n"


class _Response:
    """httptools callbacks, with the size cap enforced as data arrives."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.location = ""
        self.body: list[bytes] = []
        self.size = 0
        self.complete = False
        self.headers_done = False
        self.framed = False  # Content-Length or chunked: the end is known
        self._name = b""

    def on_header(self, name: bytes, value: bytes) -> None:
        lowered = name.lower()
        if lowered == b"location":
            self.location = value.decode("latin-1").strip()
        elif lowered == b"content-length":
            self.framed = True
            if value.strip().isdigit() and int(value) > self.max_bytes:
                raise FetchError(f"response larger than {self.max_bytes} bytes")
        elif lowered == b"transfer-encoding":
            self.framed = True

    def on_headers_complete(self) -> None:
        self.headers_done = True

    def on_body(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise FetchError(f"response larger than {self.max_bytes} bytes")
        self.body.append(data)

    def on_message_complete(self) -> None:
        self.complete = True


async def _read_response(reader: asyncio.StreamReader, max_bytes: int) -> tuple[int, str, bytes]:
    response = _Response(max_bytes)
    parser = httptools.HttpResponseParser(response)
    total = 0
    while not response.complete:
        data = await reader.read(65536)
        if not data:
            if response.headers_done and not response.framed:
                break  # the body ran to the end of the connection
            raise FetchError("connection closed before the response was complete")
        total += len(data)
        if total > max_bytes + _HEADER_ALLOWANCE:
            raise FetchError(f"response larger than {max_bytes} bytes")
        try:
            parser.feed_data(data)
        except httptools.HttpParserError as exc:
            cause = exc.__context__
            if isinstance(cause, FetchError):
                raise cause from None
            raise FetchError(f"malformed HTTP response: {exc}") from None
    return parser.get_status_code(), response.location, b"".join(response.body)


# --- the cache --------------------------------------------------------------------------------

T = TypeVar("T", CrlIndex, OcspRecord)


@dataclass(slots=True)
class _Entry(Generic[T]):
    kind: str  # "crl" or "ocsp"
    url: str
    data: T | None = None
    this_update: dt.datetime | None = None
    expires: dt.datetime | None = None  # None: does not expire
    fetched_at: dt.datetime | None = None
    refresh_at: dt.datetime | None = None
    retry_at: dt.datetime | None = None
    failures: int = 0
    error: str | None = None

    def fresh(self, now: dt.datetime) -> bool:
        return self.data is not None and (self.expires is None or now <= self.expires)


@dataclass(frozen=True, slots=True)
class Freshness:
    """One cached answer, for metrics: how old it is and how long it stays usable."""

    kind: str
    url: str
    age_seconds: float | None  # since its thisUpdate; None when nothing was fetched yet
    expires_in_seconds: float | None  # negative once stale; None when it does not expire
    failures: int
    error: str | None


@dataclass(slots=True)
class _Counters:
    fetches: dict[tuple[str, str], int] = field(default_factory=dict)

    def count(self, kind: str, outcome: str) -> None:
        self.fetches[(kind, outcome)] = self.fetches.get((kind, outcome), 0) + 1


class RevocationFetcher:
    """Fetched CRLs and OCSP answers of one process (a `RevocationLookup` for the core), and
    the fetching itself. Lives on the event loop; not thread-safe (it needs no locks there)."""

    def __init__(
        self,
        *,
        fetch: Fetch = http_fetch,
        clock: Callable[[], dt.datetime] | None = None,
        max_crls: int = 256,
        max_ocsp: int = 8192,
    ) -> None:
        self._fetch = fetch
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._crls: OrderedDict[str, _Entry[CrlIndex]] = OrderedDict()
        self._ocsp: OrderedDict[OcspKey, _Entry[OcspRecord]] = OrderedDict()
        self._max_crls, self._max_ocsp = max_crls, max_ocsp
        self._inflight: dict[object, asyncio.Task[None]] = {}
        self._background: set[asyncio.Task[None]] = set()
        self.counters = _Counters()

    # --- RevocationLookup ----------------------------------------------------------------------

    def crl(self, url: str) -> CrlIndex | None:
        entry = self._crls.get(url)
        return None if entry is None else entry.data

    def ocsp(self, key: OcspKey) -> OcspRecord | None:
        entry = self._ocsp.get(key)
        return None if entry is None else entry.data

    # --- the data plane's entry point ----------------------------------------------------------

    async def prepare(self, snapshot: _HasValidator, policy: object, ctx: RequestContext) -> None:
        """Before `policy` runs for `ctx`: when it checks revocation, make sure fresh data for
        the client's trusted chain is cached (waits at most the fetch timeout). Never raises."""
        validator = snapshot.validator
        if not needs_revocation(validator, policy):
            return
        try:
            view = ctx.Request.Certificate
            if view is None:
                return
            check = check_of(view, ctx.Timestamp.to_python(), ctx.Api.Id)
            verdict = validator.chain(view.cert, view.der, check.sent, check.now)
            if verdict.trusted and verdict.links:
                limits = FetchLimits.of(snapshot.settings.revocation)
                # OCSP, then a CRL when OCSP gave nothing: a request waits for two fetches at
                # most; fetches still running go on in the background and fill the cache.
                async with asyncio.timeout(PREPARE_TIMEOUTS * limits.timeout):
                    await self.prefetch(verdict.links, validator, limits, check.now)
        except TimeoutError:
            log.warning("revocation data for request %s not ready in time", ctx.request_id)
        except Exception:
            log.exception("revocation prefetch failed")

    async def prefetch(
        self,
        chain: Sequence[Link],
        validator: Validator,
        limits: FetchLimits,
        now: dt.datetime,
    ) -> None:
        """Fetch what the links of a *trusted* chain (`ChainVerdict.links`) need."""
        await asyncio.gather(*(self._link(link, validator, limits, now) for link in chain))

    async def _link(
        self, link: Link, validator: Validator, limits: FetchLimits, now: dt.datetime
    ) -> None:
        skew = validator.settings.clock_skew
        status, _ = certificate_status(link, validator.crls, NO_FETCHED_DATA, now, skew)
        if status is not Status.UNKNOWN:
            return  # an uploaded CRL speaks for it: no network
        for url in link.ocsp_urls[:MAX_URLS_PER_CERTIFICATE]:
            await self._ensure_ocsp(url, link, limits, now, skew)
            record = self.ocsp(link.ocsp_key)
            if record is not None and record.status(link, now, skew) is not None:
                return
        for url in link.crl_urls[:MAX_URLS_PER_CERTIFICATE]:
            await self._ensure_crl(url, limits, now)
            index = self.crl(url)
            if index is not None and index.status(link, now, skew) is not None:
                return

    # --- CRLs ----------------------------------------------------------------------------------

    async def _ensure_crl(self, url: str, limits: FetchLimits, now: dt.datetime) -> None:
        entry = self._crls.get(url)
        if entry is None:
            entry = self._crls[url] = _Entry("crl", url)
            _trim(self._crls, self._max_crls)
        self._crls.move_to_end(url)

        async def refresh() -> None:
            await self._refresh_crl(entry, limits)

        await self._ensure(("crl", url), entry, now, refresh)

    async def _refresh_crl(self, entry: _Entry[CrlIndex], limits: FetchLimits) -> None:
        try:
            data = await self._fetch(entry.url, limits, None)
            index = CrlIndex.parse(data, entry.url)
        except (FetchError, ValueError) as exc:
            self._failed(entry, str(exc))
            return
        now = self._clock()
        expires = index.next_update
        entry.data, entry.this_update, entry.expires = index, index.this_update, expires
        end = expires or now + DEFAULT_MAX_AGE
        self._fetched(entry, now, index.this_update, end, stale=expires is not None and now > end)

    # --- OCSP ----------------------------------------------------------------------------------

    async def _ensure_ocsp(
        self, url: str, link: Link, limits: FetchLimits, now: dt.datetime, skew: dt.timedelta
    ) -> None:
        key = link.ocsp_key
        entry = self._ocsp.get(key)
        if entry is None or entry.url != url:
            entry = self._ocsp[key] = _Entry("ocsp", url)
            _trim(self._ocsp, self._max_ocsp)
        self._ocsp.move_to_end(key)

        async def refresh() -> None:
            await self._refresh_ocsp(entry, link, limits, skew)

        await self._ensure(("ocsp", key), entry, now, refresh)

    async def _refresh_ocsp(
        self, entry: _Entry[OcspRecord], link: Link, limits: FetchLimits, skew: dt.timedelta
    ) -> None:
        request = ocsp_request_for(link.cert, link.issuer).public_bytes(_DER)
        try:
            data = await self._fetch(entry.url, limits, request)
            record = OcspRecord.parse(data, entry.url)
        except (FetchError, ValueError) as exc:
            self._failed(entry, str(exc))
            return
        now = self._clock()
        window = record.window()
        # A response that does not speak for this certificate now (not successful, wrong
        # signer, out of its window) is no data: it is dropped, as a failed fetch (an earlier
        # answer still inside its own window stays in use).
        if window is None or record.status(link, now, skew) is None:
            status = record.response.response_status.name
            self._failed(entry, f"unusable OCSP response ({status}, signer or validity)")
            return
        entry.data, entry.this_update, entry.expires = record, window[0], window[1]
        self._fetched(entry, now, window[0], window[1], stale=False)

    # --- shared --------------------------------------------------------------------------------

    async def _ensure(
        self,
        key: object,
        entry: _Entry[CrlIndex] | _Entry[OcspRecord],
        now: dt.datetime,
        refresh: Callable[[], Awaitable[None]],
    ) -> None:
        running = self._inflight.get(key)
        if entry.fresh(now):
            if running is None and entry.refresh_at is not None and now >= entry.refresh_at:
                task = self._start(key, refresh)  # refresh ahead; this request does not wait
                self._background.add(task)
                task.add_done_callback(self._background.discard)
            return
        if running is None:
            if entry.retry_at is not None and now < entry.retry_at:
                return  # failed recently: do not make every request wait for it again
            running = self._start(key, refresh)
        await asyncio.shield(running)

    def _start(self, key: object, refresh: Callable[[], Awaitable[None]]) -> asyncio.Task[None]:
        async def run() -> None:
            try:
                await refresh()
            except Exception:  # a background task must not die with an unread exception
                log.exception("revocation refresh failed")
            finally:
                self._inflight.pop(key, None)

        task = asyncio.get_running_loop().create_task(run())
        self._inflight[key] = task
        return task

    def _fetched(
        self,
        entry: _Entry[CrlIndex] | _Entry[OcspRecord],
        now: dt.datetime,
        start: dt.datetime,
        end: dt.datetime,
        *,
        stale: bool,
    ) -> None:
        entry.fetched_at = now
        if stale:
            self._failed(entry, "the fetched CRL is past its nextUpdate")
            return
        entry.failures, entry.error, entry.retry_at = 0, None, None
        ahead = start + (end - start) * 0.75
        entry.refresh_at = max(ahead, now + MIN_REFRESH) if ahead < end else end
        self.counters.count(entry.kind, "ok")

    def _failed(self, entry: _Entry[CrlIndex] | _Entry[OcspRecord], error: str) -> None:
        entry.failures += 1
        entry.error = error
        backoff = min(BACKOFF_FIRST * 2 ** (entry.failures - 1), BACKOFF_MAX)
        entry.retry_at = self._clock() + backoff
        self.counters.count(entry.kind, "error")
        log.warning("revocation fetch %s failed: %s", entry.url, error)

    # --- metrics -------------------------------------------------------------------------------

    def freshness(self, now: dt.datetime | None = None) -> list[Freshness]:
        """Per CRL URL, and per OCSP responder URL (its oldest cached answer)."""
        now = now or self._clock()
        rows = [_freshness(e, now) for e in self._crls.values()]
        worst: dict[str, Freshness] = {}
        for entry in self._ocsp.values():
            row = _freshness(entry, now)
            known = worst.get(entry.url)
            if known is None or (row.age_seconds or 0) > (known.age_seconds or 0):
                worst[entry.url] = row
        return rows + list(worst.values())


def _freshness(entry: _Entry[CrlIndex] | _Entry[OcspRecord], now: dt.datetime) -> Freshness:
    age = None if entry.this_update is None else (now - entry.this_update).total_seconds()
    left = None if entry.expires is None else (entry.expires - now).total_seconds()
    return Freshness(entry.kind, entry.url, age, left, entry.failures, entry.error)


K = TypeVar("K")
V = TypeVar("V")


def _trim(items: OrderedDict[K, V], size: int) -> None:
    while len(items) > size:
        items.popitem(last=False)


class _HasRevocationSettings(Protocol):
    @property
    def revocation(self) -> RevocationConfig: ...


class _HasValidator(Protocol):
    """What `prepare` reads from a snapshot (`certgate.snapshot.Snapshot`)."""

    @property
    def validator(self) -> Validator: ...

    @property
    def settings(self) -> _HasRevocationSettings: ...


# --- metrics text -----------------------------------------------------------------------------


def render_metrics(
    validator: Validator, fetcher: RevocationFetcher, now: dt.datetime | None = None
) -> str:
    """Prometheus text (format 0.0.4): chain builds and verdict-cache hits, the freshness of
    uploaded and fetched revocation data, and fetch outcomes."""
    now = now or dt.datetime.now(dt.UTC)
    cache = validator.cache
    out = [
        "# HELP certgate_chain_builds_total Client certificate chains built (cache misses).\n",
        "# TYPE certgate_chain_builds_total counter\n",
        f"certgate_chain_builds_total {cache.builds}\n",
        "# HELP certgate_chain_cache_hits_total Chain verdicts answered from the cache.\n",
        "# TYPE certgate_chain_cache_hits_total counter\n",
        f"certgate_chain_cache_hits_total {cache.hits}\n",
    ]
    rows = [
        Freshness(
            "crl-uploaded",
            crl.source,
            (now - crl.this_update).total_seconds(),
            None if crl.next_update is None else (crl.next_update - now).total_seconds(),
            0,
            None,
        )
        for crl in validator.crls
    ] + fetcher.freshness(now)
    out.append(
        "# HELP certgate_revocation_data_age_seconds Age of revocation data (since thisUpdate).\n"
    )
    out.append("# TYPE certgate_revocation_data_age_seconds gauge\n")
    for row in rows:
        if row.age_seconds is not None:
            out.append(
                f'certgate_revocation_data_age_seconds{{kind="{row.kind}",'
                f'source="{_escape(row.url)}"}} {row.age_seconds:.3f}\n'
            )
    out.append(
        "# HELP certgate_revocation_data_expires_in_seconds Time until revocation data is stale "
        "(negative: stale).\n"
    )
    out.append("# TYPE certgate_revocation_data_expires_in_seconds gauge\n")
    for row in rows:
        if row.expires_in_seconds is not None:
            out.append(
                f'certgate_revocation_data_expires_in_seconds{{kind="{row.kind}",'
                f'source="{_escape(row.url)}"}} {row.expires_in_seconds:.3f}\n'
            )
    out.append("# HELP certgate_revocation_fetches_total Revocation fetches, by outcome.\n")
    out.append("# TYPE certgate_revocation_fetches_total counter\n")
    for (kind, outcome), count in sorted(fetcher.counters.fetches.items()):
        out.append(
            f'certgate_revocation_fetches_total{{kind="{kind}",outcome="{outcome}"}} {count}\n'
        )
    return "".join(out)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
