"""Configuration → the snapshot's client-certificate `Validator` (built once per snapshot).

Reads what validation needs from the configuration: the CA certificates (`caCertificates`,
already parsed by the snapshot), the uploaded CRL files (`crls`), the certificate entities by id
(for `issuer-certificate-id`), the clock-skew tolerance and the revocation settings, globally
and per API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from certgate.config import CertificateSource, Config
from certgate.core.certs import LoadedCertificate, X509Certificate2
from certgate.core.validation.chain import TrustStore
from certgate.core.validation.revocation import CrlIndex
from certgate.core.validation.validator import ValidationSettings, Validator, WhenUnknown
from certgate.errors import ConfigError


def build_validator(
    config: Config,
    base_dir: Path,
    ca_certificates: Sequence[tuple[str, X509Certificate2]],
    certificates: Mapping[str, LoadedCertificate],
) -> Validator:
    gateway = config.gateway
    settings = ValidationSettings(
        clock_skew=dt.timedelta(seconds=gateway.clock_skew_seconds),
        when_unknown=WhenUnknown(gateway.revocation.when_unknown),
        api_when_unknown={
            api_id: WhenUnknown(api.revocation.when_unknown)
            for api_id, api in config.apis.items()
            if api.revocation.when_unknown is not None
        },
    )
    store = TrustStore.build((name, view.cert) for name, view in ca_certificates)
    crls = [_read_crl(base_dir, source, f"crls.{i}") for i, source in enumerate(config.crls)]
    return Validator(
        store,
        crls=crls,
        settings=settings,
        certificates={cert_id: cert.der for cert_id, cert in certificates.items()},
    )


def _read_crl(base_dir: Path, source: CertificateSource, key: str) -> CrlIndex:
    data, where, field = source.read(base_dir, key)
    try:
        return CrlIndex.parse(data, source.file or f"{key}.data")
    except ValueError as exc:
        raise ConfigError(f"{where}: not a CRL (DER or PEM): {exc}", element=field) from None
