"""`X509Certificate2.GetNameInfo(X509NameType, forIssuer)`: one name out of a certificate's
subject (or issuer) and its alternative names, chosen as .NET's CertificateData.GetNameInfo does.

* SimpleName: the subject's CN (the last in DER order), else its OU, O, then emailAddress (the
  first in DER order), else its last attribute, else the first e-mail alternative name.
* EmailName: the first e-mail alternative name, else the subject's emailAddress.
* UpnName: the first Microsoft UPN alternative name (otherName 1.3.6.1.4.1.311.20.2.3).
* DnsName: the first DNS alternative name, else the subject's CN.
* DnsFromAlternativeName, UrlName: the first DNS or URI alternative name.

Anything not found is "". With `forIssuer`, the issuer's name and the Issuer Alternative Name
extension are read instead.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import ExtensionOID, NameOID

from certgate.errors import ExpressionRuntimeError

_UPN = x509.ObjectIdentifier("1.3.6.1.4.1.311.20.2.3")
_SIMPLE_FALLBACKS = (
    NameOID.ORGANIZATIONAL_UNIT_NAME,
    NameOID.ORGANIZATION_NAME,
    NameOID.EMAIL_ADDRESS,
)
_ALT_KINDS: dict[str, type[x509.GeneralName]] = {
    "SimpleName": x509.RFC822Name,
    "EmailName": x509.RFC822Name,
    "DnsName": x509.DNSName,
    "DnsFromAlternativeName": x509.DNSName,
    "UrlName": x509.UniformResourceIdentifier,
    "UpnName": x509.OtherName,
}
_SUBJECT_FALLBACK = {"EmailName": NameOID.EMAIL_ADDRESS, "DnsName": NameOID.COMMON_NAME}


def name_info(cert: x509.Certificate, kind: str, for_issuer: bool) -> str:
    name = cert.issuer if for_issuer else cert.subject
    attributes = _reverse_attributes(name)
    if kind == "SimpleName":
        simple = _simple_name(attributes)
        if simple is not None:
            return simple
    found = _alternative_name(cert, _ALT_KINDS[kind], for_issuer)
    if found is not None:
        return found
    fallback = _SUBJECT_FALLBACK.get(kind)
    return next((value for oid, value in attributes if oid == fallback), "")


def _reverse_attributes(name: x509.Name) -> list[tuple[x509.ObjectIdentifier, str]]:
    """The string attributes of a name, last RDN first (as .NET reads them)."""
    return [
        (attribute.oid, attribute.value)
        for rdn in reversed(name.rdns)
        for attribute in rdn
        if isinstance(attribute.value, str)
    ]


def _simple_name(attributes: list[tuple[x509.ObjectIdentifier, str]]) -> str | None:
    for oid, value in attributes:
        if oid == NameOID.COMMON_NAME:
            return value
    for wanted in _SIMPLE_FALLBACKS:  # .NET keeps overwriting these: the first in DER order
        found = [value for oid, value in attributes if oid == wanted]
        if found:
            return found[-1]
    return attributes[0][1] if attributes else None


def _alternative_name(
    cert: x509.Certificate, kind: type[x509.GeneralName], for_issuer: bool
) -> str | None:
    oid = (
        ExtensionOID.ISSUER_ALTERNATIVE_NAME
        if for_issuer
        else ExtensionOID.SUBJECT_ALTERNATIVE_NAME
    )
    try:
        extension = cert.extensions.get_extension_for_oid(oid).value
    except x509.ExtensionNotFound:
        return None
    except ValueError:  # a malformed extension: .NET's ASN.1 reader throws too
        raise ExpressionRuntimeError("CryptographicException", "ASN1 corrupted data.") from None
    assert isinstance(extension, (x509.SubjectAlternativeName, x509.IssuerAlternativeName))
    for general in extension:
        if not isinstance(general, kind):
            continue
        if isinstance(general, x509.OtherName):
            if general.type_id == _UPN:
                return _utf8_string(general.value)
            continue
        return str(general.value)
    return None


def _utf8_string(der: bytes) -> str:
    """The UPN: a DER UTF8String (tag 0x0C), as the otherName's explicit value holds it."""
    if len(der) < 2 or der[0] != 0x0C:
        raise ExpressionRuntimeError("CryptographicException", "ASN1 corrupted data.")
    length, start = der[1], 2
    if length & 0x80:
        count = length & 0x7F
        length, start = int.from_bytes(der[2 : 2 + count], "big"), 2 + count
    return der[start : start + length].decode("utf-8", "replace")
