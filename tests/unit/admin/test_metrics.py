"""The hand-written Prometheus exposition: escaping, cumulative histograms, certificate expiry
from a store-like source and from a snapshot-like one."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from certgate.core.certs import X509Certificate2
from certgate.metrics import Metrics
from certgate.testing.pki import issue
from tests.unit.admin.promtext import parse

NOW = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)


def test_histogram_buckets_are_cumulative_and_end_at_inf() -> None:
    m = Metrics(buckets=(0.01, 0.1))
    for seconds in (0.005, 0.05, 0.05, 3.0):
        m.observe_request("orders", "get", 200, seconds)
    samples = parse(m.render(now=NOW))["certgate_request_duration_seconds"]["samples"]
    buckets = [(s[1]["le"], s[2]) for s in samples if s[0].endswith("_bucket")]
    assert buckets == [("0.01", 1.0), ("0.1", 3.0), ("+Inf", 4.0)]
    totals = {s[0]: s[2] for s in samples if not s[0].endswith("_bucket")}
    assert totals["certgate_request_duration_seconds_count"] == 4.0
    assert abs(totals["certgate_request_duration_seconds_sum"] - 3.105) < 1e-9


def test_label_values_are_escaped() -> None:
    m = Metrics()
    m.observe_request('we"ird\\api\nx', "op", 500, 0.2)
    m.client_certificate("untrusted")
    families = parse(m.render(now=NOW))
    sample = families["certgate_requests_total"]["samples"][0]
    assert sample[1] == {"api": 'we"ird\\api\nx', "operation": "op", "status": "500"}
    assert families["certgate_client_certificate_verdicts_total"]["samples"][0][2] == 1.0


def test_empty_registry_renders_valid_text() -> None:
    families = parse(Metrics().render(now=NOW))
    assert families["certgate_requests_total"]["samples"] == []
    assert "certgate_config_version" not in families


def resource(name: str, props: dict[str, Any]) -> Any:
    return SimpleNamespace(to_json=lambda: {"name": name, "properties": props})


class StoreLike:
    def __init__(self) -> None:
        self.pages = {
            "certificates": [
                resource(
                    "c1",
                    {
                        "expirationDate": "2030-01-11T00:00:00Z",
                        "thumbprint": "AB",
                        "subject": "CN=a",
                    },
                ),
                resource("broken", {"expirationDate": "not a date"}),
            ],
            "caCertificates": [
                resource(
                    "root", {"certificate": {"expiry": "2029-12-31T00:00:00Z", "thumbprint": "CD"}}
                )
            ],
        }

    def list(self, collection: str, *, skip: int = 0, top: int = 100) -> tuple[list[Any], int]:
        rows = self.pages[collection]
        return rows[skip : skip + top], len(rows)

    def version(self) -> int:
        return 7


def test_certificate_expiry_and_version_from_a_store() -> None:
    families = parse(Metrics().render(StoreLike(), now=NOW))
    expiry = {
        s[1]["id"]: (s[1]["source"], s[2])
        for s in families["certgate_certificate_expiry_days"]["samples"]
    }
    assert expiry == {"c1": ("certificate", 10.0), "root": ("ca", -1.0)}
    assert families["certgate_config_version"]["samples"][0][2] == 7.0


def test_certificate_expiry_from_a_snapshot() -> None:
    cert = issue(
        "Client", not_after=NOW + dt.timedelta(days=30), not_before=NOW - dt.timedelta(days=1)
    )
    view = X509Certificate2(cert.der)
    pair = SimpleNamespace(Key=view.Thumbprint, Value=view)
    snapshot = SimpleNamespace(
        deployment=SimpleNamespace(Certificates=[pair]), ca_certificates=[("Root", view)]
    )
    samples = parse(Metrics().render(snapshot, now=NOW))["certgate_certificate_expiry_days"][
        "samples"
    ]
    assert sorted((s[1]["source"], s[2]) for s in samples) == [("ca", 30.0), ("certificate", 30.0)]
    assert samples[0][1]["thumbprint"] == cert.thumbprint
