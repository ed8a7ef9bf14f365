"""In-process metrics, rendered by hand in the Prometheus text exposition format (version 0.0.4).

The data plane feeds a `Metrics` instance (`observe_request`, `client_certificate`); the admin
listener renders it at `/metrics` together with what it reads at scrape time: the days until each
stored certificate expires, and the configuration version.

Everything runs on one event loop per process, so the counters are plain dicts (no locks). Label
sets stay bounded: api and operation ids come from the configuration (requests that matched no API
are counted as api="" operation=""), statuses are numbers and verdict reasons a fixed vocabulary.

With `certgate serve --workers N`, each worker writes its counters to `DIR/metrics/worker-<i>.json`
every `DUMP_SECONDS` (`write_state`); the admin listener's process renders `NodeMetrics`: its own
counters live, plus what the other workers last wrote (at most about `DUMP_SECONDS` old).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509

# Request latency buckets, in seconds: a gateway hop is milliseconds; backends may take seconds.
LATENCY_BUCKETS: tuple[float, ...] = (
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
    10.0,
    30.0,
)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DUMP_SECONDS = 1.0  # how often a worker writes its counters for the admin process to add up

_SECONDS_PER_DAY = 86400.0


@dataclass(slots=True)
class _Histogram:
    buckets: list[int]  # non-cumulative counts per bucket; the last one is +Inf
    total: float = 0.0
    count: int = 0


@dataclass(frozen=True, slots=True)
class CertificateExpiry:
    """One certificate whose days to expiry are exported."""

    source: str  # "certificate" (a certificate entity) or "ca" (a CA certificate)
    id: str  # entity id, or the thumbprint when the source has no ids
    thumbprint: str
    subject: str
    not_after: dt.datetime


class _ListsResources(Protocol):
    """What `render` needs from the configuration store: a paged list of a collection."""

    def list(self, collection: str, skip: int = 0, top: int = 100) -> tuple[Sequence[Any], int]: ...


@dataclass(slots=True)
class Metrics:
    """Counters and histograms of one process; `render` turns them into exposition text."""

    buckets: tuple[float, ...] = LATENCY_BUCKETS
    requests: dict[tuple[str, str, str], int] = field(default_factory=dict)
    latency: dict[tuple[str, str], _Histogram] = field(default_factory=dict)
    verdicts: dict[str, int] = field(default_factory=dict)
    admin_requests: dict[tuple[str, str], int] = field(default_factory=dict)
    admin_auth_failures: dict[str, int] = field(default_factory=dict)

    # --- fed by the data plane ---------------------------------------------------------------
    def observe_request(self, api: str, operation: str, status: int, seconds: float) -> None:
        """One request answered: counted by (api, operation, status), timed by (api, operation)."""
        key = (api, operation, str(status))
        self.requests[key] = self.requests.get(key, 0) + 1
        hist = self.latency.get((api, operation))
        if hist is None:
            hist = self.latency[(api, operation)] = _Histogram([0] * (len(self.buckets) + 1))
        hist.buckets[bisect_left(self.buckets, seconds)] += 1  # the first bound >= seconds
        hist.total += seconds
        hist.count += 1

    def client_certificate(self, verdict_reason: str) -> None:
        """One client-certificate verdict (e.g. "valid", "expired", "untrusted", "missing")."""
        self.verdicts[verdict_reason] = self.verdicts.get(verdict_reason, 0) + 1

    # --- fed by the admin API ----------------------------------------------------------------
    def observe_admin(self, method: str, status: int) -> None:
        key = (method, str(status))
        self.admin_requests[key] = self.admin_requests.get(key, 0) + 1

    def admin_auth_failure(self, reason: str) -> None:
        self.admin_auth_failures[reason] = self.admin_auth_failures.get(reason, 0) + 1

    # --- across processes ---------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The data-plane counters as JSON-able data, for another process to add up."""
        return {
            "buckets": list(self.buckets),
            "requests": [[a, o, s, n] for (a, o, s), n in list(self.requests.items())],
            "latency": [
                [a, o, list(h.buckets), h.total, h.count]
                for (a, o), h in list(self.latency.items())
            ],
            "verdicts": dict(self.verdicts),
        }

    def add_state(self, state: Mapping[str, Any]) -> None:
        """Add the counters of `state` (from `state()`, maybe of another process) to these."""
        for api, operation, status, count in state.get("requests", ()):
            key = (str(api), str(operation), str(status))
            self.requests[key] = self.requests.get(key, 0) + int(count)
        if [float(b) for b in state.get("buckets", ())] == list(self.buckets):
            for api, operation, buckets, total, count in state.get("latency", ()):
                hist = self.latency.get((api, operation))
                if hist is None:
                    hist = self.latency[(api, operation)] = _Histogram([0] * len(buckets))
                for i, n in enumerate(buckets):
                    hist.buckets[i] += int(n)
                hist.total += float(total)
                hist.count += int(count)
        for reason, count in dict(state.get("verdicts", {})).items():
            self.verdicts[reason] = self.verdicts.get(reason, 0) + int(count)

    # --- exposition ----------------------------------------------------------------------------
    def render(self, source: object = None, *, now: dt.datetime | None = None) -> str:
        """The exposition text; `source` (a Snapshot or a Store) supplies certificate expiry."""
        now = now or dt.datetime.now(dt.UTC)
        out: list[str] = []
        _family(
            out,
            "certgate_requests_total",
            "counter",
            "Requests answered by the gateway, by API, operation and status.",
            (
                ({"api": a, "operation": o, "status": s}, n)
                for (a, o, s), n in sorted(self.requests.items())
            ),
        )
        self._render_latency(out)
        _family(
            out,
            "certgate_client_certificate_verdicts_total",
            "counter",
            "Client-certificate verdicts, by reason.",
            (({"reason": r}, n) for r, n in sorted(self.verdicts.items())),
        )
        certs = sorted(certificate_expiries(source), key=lambda c: (c.source, c.id))
        _family(
            out,
            "certgate_certificate_expiry_days",
            "gauge",
            "Days until a stored certificate expires (negative once expired).",
            (
                (
                    {
                        "source": c.source,
                        "id": c.id,
                        "thumbprint": c.thumbprint,
                        "subject": c.subject,
                    },
                    round((c.not_after - now).total_seconds() / _SECONDS_PER_DAY, 3),
                )
                for c in certs
            ),
        )
        version = _store_version(source)
        if version is not None:
            _family(
                out,
                "certgate_config_version",
                "gauge",
                "Version of the stored configuration.",
                [({}, version)],
            )
        _family(
            out,
            "certgate_admin_requests_total",
            "counter",
            "Requests answered by the admin API, by method and status.",
            (({"method": m, "status": s}, n) for (m, s), n in sorted(self.admin_requests.items())),
        )
        _family(
            out,
            "certgate_admin_auth_failures_total",
            "counter",
            "Admin API requests refused as unauthenticated, by reason.",
            (({"reason": r}, n) for r, n in sorted(self.admin_auth_failures.items())),
        )
        return "".join(out)

    def _render_latency(self, out: list[str]) -> None:
        name = "certgate_request_duration_seconds"
        out.append(f"# HELP {name} Time from request head to response, by API and operation.\n")
        out.append(f"# TYPE {name} histogram\n")
        bounds = [*(_number(b) for b in self.buckets), "+Inf"]
        for (api, operation), hist in sorted(self.latency.items()):
            labels = {"api": api, "operation": operation}
            cumulative = 0
            for bound, count in zip(bounds, hist.buckets, strict=True):
                cumulative += count
                out.append(f"{name}_bucket{_labels({**labels, 'le': bound})} {cumulative}\n")
            out.append(f"{name}_sum{_labels(labels)} {_number(hist.total)}\n")
            out.append(f"{name}_count{_labels(labels)} {hist.count}\n")


@dataclass(slots=True)
class NodeMetrics(Metrics):
    """The registry of the process that serves `/metrics` under `--workers N`: its own counters,
    live, plus the counters the other workers last wrote to `folder` (`write_state`)."""

    folder: Path | None = None
    own_file: str = ""

    def render(self, source: object = None, *, now: dt.datetime | None = None) -> str:
        total = Metrics(self.buckets)
        total.add_state(self.state())
        total.admin_requests = dict(self.admin_requests)
        total.admin_auth_failures = dict(self.admin_auth_failures)
        if self.folder is not None:
            for path in sorted(self.folder.glob("worker-*.json")):
                if path.name != self.own_file:
                    other = read_state(path)
                    if other is not None:
                        total.add_state(other)
        return Metrics.render(total, source, now=now)


def state_file(folder: Path, worker: int) -> Path:
    return folder / f"worker-{worker}.json"


def write_state(metrics: Metrics, path: Path) -> None:
    """Write `metrics.state()` to `path` atomically (a reader never sees half a file)."""
    data = json.dumps(metrics.state(), separators=(",", ":"))
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    with open(temporary, "w", encoding="utf-8") as file:
        file.write(data)
    os.replace(temporary, path)


def read_state(path: Path) -> dict[str, Any] | None:
    """What `write_state` wrote, or None (missing or unreadable: counted as nothing)."""
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            return data
    return None


def certificate_expiries(source: object) -> Iterator[CertificateExpiry]:
    """Certificates of a Snapshot (deployment certificates and CA certificates) or of a Store
    (the `certificates` and `caCertificates` collections, read through their output properties)."""
    if source is None:
        return
    deployment = getattr(source, "deployment", None)
    if deployment is not None:  # a Snapshot
        for pair in getattr(deployment, "Certificates", ()):
            yield _from_view("certificate", pair.Key, pair.Value)
        for _store_name, view in getattr(source, "ca_certificates", ()):
            yield _from_view("ca", view.Thumbprint, view)
        return
    if hasattr(source, "list"):
        for collection, kind in (("certificates", "certificate"), ("caCertificates", "ca")):
            for resource in _all(source, collection):
                expiry = _from_resource(kind, resource)
                if expiry is not None:
                    yield expiry


def _from_view(source: str, ident: str, view: Any) -> CertificateExpiry:
    cert: x509.Certificate = view.cert
    return CertificateExpiry(source, ident, view.Thumbprint, view.Subject, cert.not_valid_after_utc)


def _all(store: _ListsResources, collection: str) -> Iterator[Any]:
    skip = 0
    while True:
        try:
            page, total = store.list(collection, skip=skip, top=100)
        except Exception:  # a collection the store does not have: nothing to show
            return
        yield from page
        skip += len(page)
        if not page or skip >= total:
            return


def _from_resource(source: str, resource: Any) -> CertificateExpiry | None:
    body = resource.to_json() if hasattr(resource, "to_json") else resource
    if not isinstance(body, Mapping):
        return None
    props = body.get("properties") or {}
    nested = props.get("certificate")  # CA entities keep the read-only facts one level down
    facts = nested if isinstance(nested, Mapping) else props
    expiry = facts.get("expirationDate") or facts.get("expiry")
    if not isinstance(expiry, str):
        return None
    try:
        not_after = dt.datetime.fromisoformat(expiry.replace("Z", "+00:00"))
    except ValueError:
        return None
    if not_after.tzinfo is None:
        not_after = not_after.replace(tzinfo=dt.UTC)
    return CertificateExpiry(
        source,
        str(body.get("name") or ""),
        str(facts.get("thumbprint") or ""),
        str(facts.get("subject") or ""),
        not_after,
    )


def _store_version(source: object) -> int | None:
    version = getattr(source, "version", None)
    if callable(version):
        try:
            value = version()
        except Exception:  # metrics never fail a scrape over the version
            return None
        return value if isinstance(value, int) else None
    return None


# --- exposition format helpers -------------------------------------------------------------------


def _family(
    out: list[str],
    name: str,
    kind: str,
    help_text: str,
    samples: Iterable[tuple[Mapping[str, str], float]],
) -> None:
    out.append(f"# HELP {name} {help_text}\n")
    out.append(f"# TYPE {name} {kind}\n")
    out.extend(f"{name}{_labels(labels)} {_number(value)}\n" for labels, value in samples)


def _labels(labels: Mapping[str, str]) -> str:
    if not labels:
        return ""
    inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
    return "{" + inner + "}"


def _escape(value: str) -> str:
    # The exposition format escapes exactly backslash, double quote and line feed in label values.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)
