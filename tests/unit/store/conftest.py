"""Store fixtures: a real SQLite file per test (and PostgreSQL when CERTGATE_TEST_PG_URL is set).

`store` is parametrized over the databases: with `CERTGATE_TEST_PG_URL` (a SQLAlchemy URL with a
driver, e.g. postgresql+psycopg://certgate@127.0.0.1/certgate_test) every repository test runs
a second time against PostgreSQL, on tables dropped and migrated afresh for the test.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from certgate.store import Store
from certgate.testing.pki import DemoPki, Issued, issue

PG_URL = os.environ.get("CERTGATE_TEST_PG_URL")
DATABASES = ["sqlite", *(["postgresql"] if PG_URL else [])]
KEY = bytes(range(32))


@dataclass(frozen=True)
class Certs:
    demo: DemoPki
    public_only: Issued  # a client certificate we upload without its key

    @property
    def gateway(self) -> Issued:
        return self.demo.gateway


@pytest.fixture(scope="session")
def certs() -> Certs:
    demo = DemoPki.create(("localhost",))
    return Certs(demo, issue("Partner", demo.intermediate, client=True))


def _reset_postgres(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for table in ("audit", "secrets", "resources", "meta", "alembic_version"):
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    engine.dispose()


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest) -> str | None:
    if request.param == "sqlite":
        return None
    assert PG_URL is not None
    _reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture
def store(tmp_path: Path, db_url: str | None) -> Iterator[Store]:
    opened = Store.open(tmp_path / "data", url=db_url, master_key=KEY)
    yield opened
    opened.close()


def pfx_body(cert: Issued, password: str = "s3cret") -> dict[str, Any]:
    data = base64.b64encode(cert.pfx(password.encode())).decode()
    return {"properties": {"data": data, "password": password}}


def public_body(cert: Issued) -> dict[str, Any]:
    return {"properties": {"data": base64.b64encode(cert.der).decode()}}


def api_body(path: str = "orders", **extra: Any) -> dict[str, Any]:
    props = {"path": path, "serviceUrl": "http://127.0.0.1:9", "subscriptionRequired": False}
    return {"properties": {**props, **extra}}


def policy_body(value: str, fmt: str = "rawxml") -> dict[str, Any]:
    return {"properties": {"format": fmt, "value": value}}


def hostname_body(cert_id: str = "gw", host: str = "localhost") -> dict[str, Any]:
    return {
        "properties": {
            "hostname": host,
            "certificateId": cert_id,
            "listen": "127.0.0.1:0",
            "negotiateClientCertificate": True,
        }
    }


def serving(store: Store, certs: Certs) -> None:
    """A store that serves: a gateway certificate with its key and one hostname."""
    store.put("certificates/gw", pfx_body(certs.gateway), actor="test")
    store.put("gateways/default", {"properties": {}}, actor="test")
    store.put("gateways/default/hostnameConfigurations/localhost", hostname_body(), actor="test")


CERT_POLICY = """<policies>
  <inbound>
    <choose>
      <when condition="@(context.Request.Certificate == null || context.Request.Certificate.Thumbprint != "{{partner}}")">
        <return-response><set-status code="403" reason="Invalid client certificate" /></return-response>
      </when>
    </choose>
  </inbound>
</policies>"""
