"""Identity claims of `validate-client-certificate` (spec §5.1) and the DN syntax they use.

Decisions (spec §11.2, docs/compatibility.md "Client certificate validation"):

* `thumbprint` / `issuer-thumbprint`: hex compared case-insensitively; spaces, colons, dashes and
  the invisible marks Windows' certificate dialog copies along are ignored. 40 hex digits are
  SHA-1 (APIM's thumbprint); 64 hex digits are a SHA-256 fingerprint (a certgate extension).
* `serial-number`: hex, case-insensitive, leading zeros and separators ignored.
* `common-name`, `dns-name`: case-insensitive equality (no wildcard expansion: `*.contoso.com`
  matches only a certificate that carries that very string).
* `subject`, `issuer-subject`: parsed as DNs (Windows `CertStrToName` syntax: `,` or `;` between
  RDNs, `+` inside one, values in double quotes with `""` for a quote, RFC 4514 backslash escapes
  too) and compared as multisets of RDNs: order-insensitive, type names by OID, values
  case-insensitive with runs of white space folded. `O=Contoso, CN=Client 01` therefore equals
  the .NET rendering `CN=Client 01, O=Contoso`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID

# Attribute type keywords accepted in a DN string (CertStrToName's, RFC 4514's and .NET's).
_KEYWORDS: dict[str, str] = {
    "CN": NameOID.COMMON_NAME.dotted_string,
    "O": NameOID.ORGANIZATION_NAME.dotted_string,
    "OU": NameOID.ORGANIZATIONAL_UNIT_NAME.dotted_string,
    "L": NameOID.LOCALITY_NAME.dotted_string,
    "S": NameOID.STATE_OR_PROVINCE_NAME.dotted_string,
    "ST": NameOID.STATE_OR_PROVINCE_NAME.dotted_string,
    "C": NameOID.COUNTRY_NAME.dotted_string,
    "E": NameOID.EMAIL_ADDRESS.dotted_string,
    "EMAIL": NameOID.EMAIL_ADDRESS.dotted_string,
    "EMAILADDRESS": NameOID.EMAIL_ADDRESS.dotted_string,
    "STREET": NameOID.STREET_ADDRESS.dotted_string,
    "DC": NameOID.DOMAIN_COMPONENT.dotted_string,
    "SERIALNUMBER": NameOID.SERIAL_NUMBER.dotted_string,
    "G": NameOID.GIVEN_NAME.dotted_string,
    "GN": NameOID.GIVEN_NAME.dotted_string,
    "GIVENNAME": NameOID.GIVEN_NAME.dotted_string,
    "SN": NameOID.SURNAME.dotted_string,
    "T": NameOID.TITLE.dotted_string,
    "TITLE": NameOID.TITLE.dotted_string,
    "I": NameOID.INITIALS.dotted_string,
    "INITIALS": NameOID.INITIALS.dotted_string,
    "UID": NameOID.USER_ID.dotted_string,
    "POSTALCODE": NameOID.POSTAL_CODE.dotted_string,
    "DESCRIPTION": "2.5.4.13",
    "PSEUDONYM": NameOID.PSEUDONYM.dotted_string,
    "ORGANIZATIONIDENTIFIER": "2.5.4.97",
}
_OID = re.compile(r"^(?:OID\.)?([0-2](?:\.\d+)+)$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# What people paste around hex strings: separators, and the LRM/RLM/BOM marks that Windows'
# certificate dialog copies along with a thumbprint.
_HEX_NOISE = re.compile(r"[\s:\-\u200e\u200f\ufeff]+")
_HEX = re.compile(r"^[0-9A-F]+$")

Rdn = tuple[tuple[str, str], ...]  # sorted (oid, normalized value) pairs
Dn = tuple[Rdn, ...]  # sorted RDNs: a multiset, so order does not matter


class DnSyntaxError(ValueError):
    """A DN string cannot be parsed; the message says where."""


def _normalize_value(value: str) -> str:
    return _SPACES.sub(" ", value.strip()).casefold()


def parse_dn(text: str) -> Dn:
    """`C=US, O="Contoso, Inc.", CN=x` → comparable form (see module doc)."""
    rdns: list[Rdn] = []
    current: list[tuple[str, str]] = []
    i, n = 0, len(text)
    if not text.strip():
        raise DnSyntaxError("the distinguished name is empty")
    while True:
        oid, i = _attribute_type(text, i)
        value, i = _attribute_value(text, i)
        current.append((oid, _normalize_value(value)))
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            break
        sep = text[i]
        i += 1
        if sep in ",;":
            rdns.append(tuple(sorted(current)))
            current = []
        elif sep != "+":
            raise DnSyntaxError(f"unexpected '{sep}' at position {i}; expected ',', ';' or '+'")
    rdns.append(tuple(sorted(current)))
    return tuple(sorted(rdns))


def _attribute_type(text: str, i: int) -> tuple[str, int]:
    eq = text.find("=", i)
    if eq < 0:
        raise DnSyntaxError(f"missing '=' after position {i + 1}")
    keyword = text[i:eq].strip()
    oid = _KEYWORDS.get(keyword.upper())
    if oid is None:
        match = _OID.match(keyword)
        if match is None:
            raise DnSyntaxError(f"unknown attribute type '{keyword}'")
        oid = match.group(1)
    return oid, eq + 1


def _attribute_value(text: str, i: int) -> tuple[str, int]:
    n = len(text)
    while i < n and text[i].isspace():
        i += 1
    if i < n and text[i] == '"':
        out: list[str] = []
        i += 1
        while True:
            if i >= n:
                raise DnSyntaxError("a quoted value is not closed")
            ch = text[i]
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':  # "" inside quotes is one quote
                    out.append('"')
                    i += 2
                    continue
                return "".join(out), i + 1
            if ch == "\\" and i + 1 < n:
                ch, i = _escape(text, i)
                out.append(ch)
                continue
            out.append(ch)
            i += 1
    out = []
    while i < n and text[i] not in ",;+":
        if text[i] == "\\" and i + 1 < n:
            ch, i = _escape(text, i)
            out.append(ch)
            continue
        out.append(text[i])
        i += 1
    return "".join(out), i


def _escape(text: str, i: int) -> tuple[str, int]:
    """RFC 4514 escapes: `\\,` (a special character) or `\\2C` (a hex pair)."""
    pair = text[i + 1 : i + 3]
    if len(pair) == 2 and all(c in "0123456789abcdefABCDEF" for c in pair):
        return chr(int(pair, 16)), i + 3
    return text[i + 1], i + 2


def name_to_dn(name: x509.Name) -> Dn:
    rdns = []
    for rdn in name.rdns:
        pairs = []
        for attr in rdn:
            value = attr.value if isinstance(attr.value, str) else attr.value.hex()
            pairs.append((attr.oid.dotted_string, _normalize_value(value)))
        rdns.append(tuple(sorted(pairs)))
    return tuple(sorted(rdns))


def normalize_hex(text: str) -> str:
    """Upper-case hex without separators; raises ValueError when something else is left."""
    cleaned = _HEX_NOISE.sub("", text).upper()
    if not cleaned or not _HEX.match(cleaned):
        raise ValueError(f"'{text}' is not a hexadecimal string")
    return cleaned


def normalize_fingerprint(text: str) -> str:
    value = normalize_hex(text)
    if len(value) not in (40, 64):
        raise ValueError(
            f"'{text}' is not a thumbprint: expected 40 (SHA-1) or 64 (SHA-256) hex digits"
        )
    return value


def normalize_serial(text: str) -> str:
    return normalize_hex(text).lstrip("0") or "0"


def fingerprint_matches(expected: str, cert: x509.Certificate, der: bytes) -> bool:
    """`expected` is a normalized SHA-1 (40) or SHA-256 (64) fingerprint."""
    if len(expected) == 40:
        digest = hashlib.sha1(der, usedforsecurity=False).hexdigest()
    else:
        digest = hashlib.sha256(der).hexdigest()
    return digest.upper() == expected


def serial_hex(cert: x509.Certificate) -> str:
    """Serial as the normalized hex string `normalize_serial` produces (two's complement DER)."""
    serial = cert.serial_number
    raw = serial.to_bytes(serial.bit_length() // 8 + 1, "big", signed=True).hex().upper()
    return raw.lstrip("0") or "0"


def common_names(name: x509.Name) -> Iterable[str]:
    for attr in name.get_attributes_for_oid(NameOID.COMMON_NAME):
        if isinstance(attr.value, str):
            yield attr.value


def dns_names(cert: x509.Certificate) -> list[str]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (x509.ExtensionNotFound, ValueError):
        return []
    return san.get_values_for_type(x509.DNSName)


def _fold_dns(name: str) -> str:
    return name.strip().rstrip(".").casefold()


# Does the certificate entity with this id hold the key that signed the client's certificate?
IssuedByEntity = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class IssuerFacts:
    """What identity matching may ask about the certificate that issued the client's."""

    certificate: x509.Certificate | None  # found in the built chain, or by signature
    der: bytes | None


@dataclass(frozen=True, slots=True)
class Identity:
    """One `<identity>`: every attribute given must match (AND). All fields are normalized."""

    thumbprint: str | None = None
    serial_number: str | None = None
    common_name: str | None = None
    subject: Dn | None = None
    dns_name: str | None = None
    issuer_subject: Dn | None = None
    issuer_thumbprint: str | None = None
    issuer_certificate_id: str | None = None

    def matches(
        self,
        cert: x509.Certificate,
        der: bytes,
        issuer: IssuerFacts,
        issued_by_entity: IssuedByEntity,
    ) -> bool:
        if self.thumbprint is not None and not fingerprint_matches(self.thumbprint, cert, der):
            return False
        if self.serial_number is not None and serial_hex(cert) != self.serial_number:
            return False
        if self.common_name is not None and not any(
            _normalize_value(cn) == self.common_name for cn in common_names(cert.subject)
        ):
            return False
        if self.subject is not None and name_to_dn(cert.subject) != self.subject:
            return False
        if self.dns_name is not None and not any(
            _fold_dns(n) == self.dns_name for n in dns_names(cert)
        ):
            return False
        if self.issuer_subject is not None and name_to_dn(cert.issuer) != self.issuer_subject:
            return False
        if self.issuer_thumbprint is not None and (
            issuer.certificate is None
            or issuer.der is None
            or not fingerprint_matches(self.issuer_thumbprint, issuer.certificate, issuer.der)
        ):
            return False
        return self.issuer_certificate_id is None or issued_by_entity(self.issuer_certificate_id)


def make_identity(attrs: dict[str, str]) -> Identity:
    """Build an Identity from `<identity>` attribute values; raises ValueError naming the
    attribute when a value cannot be used."""
    fields: dict[str, object] = {}
    for name, value in attrs.items():
        try:
            fields[name.replace("-", "_")] = _normalize_attribute(name, value)
        except ValueError as exc:
            raise ValueError(f"'{name}': {exc}") from None
    return Identity(**fields)  # type: ignore[arg-type]


def _normalize_attribute(name: str, value: str) -> object:
    if name in ("thumbprint", "issuer-thumbprint"):
        return normalize_fingerprint(value)
    if name == "serial-number":
        return normalize_serial(value)
    if name == "common-name":
        return _normalize_value(value)
    if name == "dns-name":
        return _fold_dns(value)
    if name in ("subject", "issuer-subject"):
        return parse_dn(value)
    if name == "issuer-certificate-id":
        if not value.strip():
            raise ValueError("must name a certificate")
        return value.strip()
    raise ValueError("unknown identity attribute")
