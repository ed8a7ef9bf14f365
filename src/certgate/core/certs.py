"""Certificates as APIM expressions see them: the `X509Certificate2` view, and loading.

Everything here works on bytes handed in (sans-IO). Names are rendered the way .NET renders
`X500DistinguishedName.Name`, because policies compare those strings ordinally
(`context.Request.Certificate.Issuer != "CN=Test Intermediate CA"`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from certgate.core.certnames import name_info
from certgate.core.expr import DateTime
from certgate.core.expr.binary import CsBytes, to_bytes
from certgate.core.expr.exceptions import clr_name, invalid_cast
from certgate.core.expr.oids import Oid
from certgate.core.expr.pubkey import PublicKey, tbs_spki
from certgate.core.expr.rsa import RSA
from certgate.core.expr.static import SType, class_stype
from certgate.core.expr.strings import CsEnum, enum_members, enum_values
from certgate.core.expr.typenames import StaticMember, TypeInfo, register
from certgate.core.expr.types import CsObject, CsTypeRef
from certgate.errors import CertificateLoadError, ExpressionRuntimeError

# .NET's short names for RDN attribute types (X500DistinguishedName.Name); others print as OID.x.y.
_DOTNET_ATTR_NAMES: dict[x509.ObjectIdentifier, str] = {
    NameOID.COMMON_NAME: "CN",
    NameOID.ORGANIZATION_NAME: "O",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    NameOID.LOCALITY_NAME: "L",
    NameOID.STATE_OR_PROVINCE_NAME: "S",
    NameOID.COUNTRY_NAME: "C",
    NameOID.EMAIL_ADDRESS: "E",
    NameOID.STREET_ADDRESS: "STREET",
    NameOID.DOMAIN_COMPONENT: "DC",
    NameOID.SERIAL_NUMBER: "SERIALNUMBER",
    NameOID.GIVEN_NAME: "G",
    NameOID.SURNAME: "SN",
    NameOID.TITLE: "T",
    NameOID.INITIALS: "I",
    NameOID.USER_ID: "UID",
}
# .NET wraps a value in double quotes when it holds one of these, or starts/ends with a space.
_NEEDS_QUOTES = frozenset(',+="\n<>#;')


def _dotnet_value(value: str) -> str:
    if value and (any(ch in _NEEDS_QUOTES for ch in value) or value[0] == " " or value[-1] == " "):
        return '"' + value.replace('"', '""') + '"'
    return value


def dotnet_name(name: x509.Name) -> str:
    """Render a DN like .NET: RDNs in reverse of DER order, `TYPE=value`, joined by ", "."""
    rdns: list[str] = []
    for rdn in reversed(name.rdns):
        parts = []
        for attr in rdn:
            label = _DOTNET_ATTR_NAMES.get(attr.oid, f"OID.{attr.oid.dotted_string}")
            value = attr.value if isinstance(attr.value, str) else attr.value.hex()
            parts.append(f"{label}={_dotnet_value(value)}")
        rdns.append(" + ".join(parts))
    return ", ".join(rdns)


class X509NameType(CsEnum):
    __slots__ = ()
    CS_TYPE = "System.Security.Cryptography.X509Certificates.X509NameType"


X509_NAME_TYPES = enum_members(
    X509NameType, "SimpleName", "EmailName", "UpnName", "DnsName", "DnsFromAlternativeName",
    "UrlName",
)  # fmt: skip


class X509ContentType(CsEnum):
    __slots__ = ()
    CS_TYPE = "System.Security.Cryptography.X509Certificates.X509ContentType"


X509_CONTENT_TYPES = enum_values(
    X509ContentType,
    (
        ("Unknown", 0), ("Cert", 1), ("SerializedCert", 2), ("Pfx", 3), ("Pkcs12", 3),
        ("SerializedStore", 4), ("Pkcs7", 5), ("Authenticode", 6),
    ),
)  # fmt: skip


class X500DistinguishedName(CsObject):
    __slots__ = ("Name",)
    CS_TYPE = "X500DistinguishedName"
    CS_MEMBERS = frozenset({"Name"})  # APIM allows only Name on this type
    Name: str

    def __init__(self, name: str) -> None:
        self.Name = name

    def ToString(self) -> str:
        return self.Name


class X509Certificate2(CsObject):
    """`System.Security.Cryptography.X509Certificates.X509Certificate2`, read-only view.

    Parsed once per DER (see `certificate_view`); attributes are plain values so expressions
    read them without calls.
    """

    __slots__ = (
        "FriendlyName",
        "HasPrivateKey",
        "Issuer",
        "IssuerName",
        "NotAfter",
        "NotBefore",
        "SerialNumber",
        "Subject",
        "SubjectName",
        "Thumbprint",
        "Version",
        "_spki",
        "cert",
        "der",
        "private_key",
    )
    CS_TYPE = "X509Certificate2"
    CS_IMMUTABLE = True  # the properties read from a certificate never change
    CS_MEMBERS = frozenset(
        {
            "Thumbprint",
            "Subject",
            "SubjectName",
            "Issuer",
            "IssuerName",
            "NotBefore",
            "NotAfter",
            "SerialNumber",
            "Version",
            "HasPrivateKey",
            "FriendlyName",
            "RawData",
            "GetSerialNumberString",
            "GetCertHashString",
            "GetRawCertData",
            "GetRawCertDataString",
            "GetCertHash",
            "GetPublicKey",
            "GetPublicKeyString",
            "GetSerialNumber",
            "GetKeyAlgorithm",
            "GetRSAPublicKey",
            "GetRSAPrivateKey",
            "PublicKey",
            "SignatureAlgorithm",
            "ToString",
            "Verify",
            "VerifyNoRevocation",
            "GetNameInfo",
            "GetEffectiveDateString",
            "GetExpirationDateString",
            "GetFormat",
            "Export",
            "Equals",
            "GetHashCode",
        }
    )
    # Class-level hints give the expression compiler static types (load-time member checks).
    Thumbprint: str
    Subject: str
    SubjectName: X500DistinguishedName
    Issuer: str
    IssuerName: X500DistinguishedName
    SerialNumber: str
    Version: int
    HasPrivateKey: bool
    FriendlyName: str
    NotBefore: DateTime
    NotAfter: DateTime

    def __init__(self, der: bytes, *, has_private_key: bool = False) -> None:
        try:
            cert = x509.load_der_x509_certificate(der)
        except ValueError as exc:
            raise CertificateLoadError(f"not an X.509 certificate: {exc}") from None
        self.cert = cert
        self.der = der
        self.Thumbprint = hashlib.sha1(der, usedforsecurity=False).hexdigest().upper()
        self.Subject = dotnet_name(cert.subject)
        self.SubjectName = X500DistinguishedName(self.Subject)
        self.Issuer = dotnet_name(cert.issuer)
        self.IssuerName = X500DistinguishedName(self.Issuer)
        # .NET reports local time; certgate runs its clock in UTC (as Azure's hosts do).
        self.NotBefore = DateTime(cert.not_valid_before_utc)
        self.NotAfter = DateTime(cert.not_valid_after_utc)
        self.SerialNumber = _serial_hex(cert.serial_number)
        self.Version = cert.version.value + 1
        self.HasPrivateKey = has_private_key
        self.FriendlyName = ""
        # set only for a certificate a policy loaded itself (`new X509Certificate2(pfx, pw)`);
        # the gateway's own keys never reach expressions
        self.private_key: PrivateKeyTypes | None = None
        self._spki: bytes | None = None  # SubjectPublicKeyInfo, read on first use

    def GetSerialNumberString(self) -> str:
        return self.SerialNumber

    def GetCertHashString(self) -> str:
        return self.Thumbprint

    @property
    def RawData(self) -> CsBytes:
        return CsBytes(self.der)

    def GetRawCertData(self) -> CsBytes:
        return CsBytes(self.der)

    def GetRawCertDataString(self) -> str:
        return self.der.hex().upper()

    def GetCertHash(self) -> CsBytes:
        """SHA-1 of the DER, the bytes `Thumbprint` spells in hex."""
        return CsBytes(bytes.fromhex(self.Thumbprint))

    def GetPublicKey(self) -> CsBytes:
        """The subjectPublicKey BIT STRING's content (for RSA, the PKCS#1 RSAPublicKey)."""
        return CsBytes(_public_key_bits(self.cert))

    def GetPublicKeyString(self) -> str:
        return _public_key_bits(self.cert).hex().upper()

    def GetSerialNumber(self) -> CsBytes:
        """The serial number's bytes, little-endian, as .NET returns them."""
        return CsBytes(bytes.fromhex(self.SerialNumber)[::-1])

    def GetRSAPublicKey(self) -> RSA | None:
        """RSACertificateExtensions.GetRSAPublicKey: null unless the key is RSA."""
        key = self.cert.public_key()
        return RSA(None, key) if isinstance(key, rsa.RSAPublicKey) else None

    def GetRSAPrivateKey(self) -> RSA | None:
        key = self.private_key
        return RSA(key, key.public_key()) if isinstance(key, rsa.RSAPrivateKey) else None

    @property
    def PublicKey(self) -> PublicKey:
        """A new PublicKey per read: its `Key` is a mutable RSA object (`Dispose`), and this view
        is shared by every request that presents the certificate."""
        if self._spki is None:
            self._spki = tbs_spki(self.cert.tbs_certificate_bytes)
        return PublicKey(self._spki)

    @property
    def SignatureAlgorithm(self) -> Oid:
        """A new Oid per read, as .NET 8 returns (FriendlyName from .NET's table: sha256RSA)."""
        return Oid(self.cert.signature_algorithm_oid.dotted_string, None)

    def GetKeyAlgorithm(self) -> str:
        """The dotted OID of the public key's algorithm (`1.2.840.113549.1.1.1` for RSA)."""
        return _key_algorithm_oid(self.cert)

    def GetNameInfo(self, name_type: object, for_issuer: object) -> str:
        """CN, e-mail, UPN, DNS or URL name of the subject or issuer (see `certnames`)."""
        if not isinstance(name_type, X509NameType):
            raise invalid_cast(name_type, X509NameType.CS_TYPE)
        if name_type.name not in X509_NAME_TYPES:
            raise ExpressionRuntimeError(  # as on Windows (Mono on Linux returns "")
                "ArgumentException", 'The value of "nameType" is invalid.'
            )
        return name_info(self.cert, name_type.name, for_issuer is True)

    def GetEffectiveDateString(self) -> str:
        return _dotnet_general_date(self.NotBefore.to_python())

    def GetExpirationDateString(self) -> str:
        return _dotnet_general_date(self.NotAfter.to_python())

    def GetFormat(self) -> str:
        return "X509"

    def Export(self, content_type: object, password: object = None) -> CsBytes:
        """`Export(X509ContentType.Cert)`: the DER. The other formats (a PFX could carry the
        private key a policy loaded) are not supported yet."""
        if isinstance(content_type, X509ContentType) and content_type.name == "Cert":
            return CsBytes(self.der)
        raise ExpressionRuntimeError(
            "NotSupportedException", f"not supported yet: Export({clr_name(content_type)})"
        )

    def Equals(self, other: object) -> bool:
        """X509Certificate.Equals: the same issuer and serial number."""
        return (
            isinstance(other, X509Certificate2)
            and other.Issuer == self.Issuer
            and other.SerialNumber == self.SerialNumber
        )

    def GetHashCode(self) -> int:
        """.NET's: the first four bytes of the SHA-1 hash, big-endian, as an Int32."""
        value = int(self.Thumbprint[:8], 16)
        return value - 2**32 if value >= 2**31 else value

    def Verify(self) -> bool:
        """Chain to an uploaded Root, time validity and revocation (spec §2.6). Judged by the
        check the data plane binds to each request's view (`core.validation.binding`); a view
        bound to none verifies nothing."""
        check = getattr(self, "check", None)
        return check is not None and bool(check.verify(self, revocation=True))

    def VerifyNoRevocation(self) -> bool:
        """`Verify()` without the revocation check (APIM's extension method)."""
        check = getattr(self, "check", None)
        return check is not None and bool(check.verify(self, revocation=False))

    def ToString(self) -> str:
        # .NET's non-verbose dump; dates in invariant culture (M/d/yyyy h:mm:ss tt).
        blocks = [
            ("Subject", self.Subject),
            ("Issuer", self.Issuer),
            ("Serial Number", self.SerialNumber),
            ("Not Before", _dotnet_general_date(self.NotBefore.to_python())),
            ("Not After", _dotnet_general_date(self.NotAfter.to_python())),
            ("Thumbprint", self.Thumbprint),
        ]
        return "\n".join(f"[{head}]\n  {value}\n" for head, value in blocks)


def _public_key_bits(cert: x509.Certificate) -> bytes:
    """The BIT STRING content inside SubjectPublicKeyInfo (DER: SEQUENCE { alg, BIT STRING })."""
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    i = _skip_header(spki, 0)  # into the outer SEQUENCE
    i = _skip_element(spki, i)  # past AlgorithmIdentifier
    start = _skip_header(spki, i)
    return spki[start + 1 :]  # the BIT STRING's first byte counts unused bits (0)


def _key_algorithm_oid(cert: x509.Certificate) -> str:
    spki = cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    i = _skip_header(spki, _skip_header(spki, 0))  # into SEQUENCE, into AlgorithmIdentifier
    start = _skip_header(spki, i)  # the OID's content
    end = _skip_element(spki, i)
    body = spki[start:end]
    arcs = [body[0] // 40, body[0] % 40]
    value = 0
    for byte in body[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    return ".".join(map(str, arcs))


def _skip_header(der: bytes, i: int) -> int:
    """Offset of the content of the DER element at `i`."""
    length = der[i + 1]
    return i + 2 + (length & 0x7F if length & 0x80 else 0)


def _skip_element(der: bytes, i: int) -> int:
    """Offset just past the DER element at `i`."""
    length = der[i + 1]
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(der[i + 2 : i + 2 + count], "big")
        return i + 2 + count + length
    return i + 2 + length


def _serial_hex(serial: int) -> str:
    """Big-endian uppercase hex of the DER INTEGER bytes (so a leading 00 stays, as in .NET)."""
    length = serial.bit_length() // 8 + 1
    return serial.to_bytes(length, "big", signed=True).hex().upper()


def _dotnet_general_date(value: datetime) -> str:
    hour = value.hour % 12 or 12
    ampm = "AM" if value.hour < 12 else "PM"
    return (
        f"{value.month}/{value.day}/{value.year} {hour}:{value.minute:02}:{value.second:02} {ampm}"
    )


# --- loading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoadedCertificate:
    """A certificate read from PEM, DER or PKCS#12, with its chain and (maybe) its private key."""

    der: bytes
    chain_der: tuple[bytes, ...]  # further certificates that came with it (intermediates)
    key_pem: bytes | None  # unencrypted PKCS#8 PEM; kept in memory only

    def view(self) -> X509Certificate2:
        return X509Certificate2(self.der, has_private_key=self.key_pem is not None)

    def chain_pem(self) -> bytes:
        certs = (self.der, *self.chain_der)
        return b"".join(
            x509.load_der_x509_certificate(d).public_bytes(serialization.Encoding.PEM)
            for d in certs
        )


_PRIVATE_KEY_TYPES = (
    rsa.RSAPrivateKey,
    ec.EllipticCurvePrivateKey,
    ed25519.Ed25519PrivateKey,
    ed448.Ed448PrivateKey,
)


def load_certificate(data: bytes, *, password: bytes | None = None) -> LoadedCertificate:
    """Read a PFX (with `password`), a PEM bundle (certificates, optionally one key) or a DER."""
    if b"-----BEGIN" in data:
        return _load_pem(data)
    if password is not None:
        return _load_pfx(data, password)
    try:
        cert = x509.load_der_x509_certificate(data)
    except ValueError:
        return _load_pfx(data, b"")
    return LoadedCertificate(cert.public_bytes(serialization.Encoding.DER), (), None)


def _load_pem(data: bytes) -> LoadedCertificate:
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise CertificateLoadError(f"no valid PEM certificate: {exc}") from None
    key_pem = None
    if b"PRIVATE KEY-----" in data:
        if b"ENCRYPTED PRIVATE KEY" in data or b"Proc-Type: 4,ENCRYPTED" in data:
            raise CertificateLoadError(
                "encrypted PEM private keys are not supported; use a .pfx with passwordEnv"
            )
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise CertificateLoadError(f"unreadable private key: {exc}") from None
        key_pem = _pkcs8(key)
        _check_key_matches(certs[0], key)
    ders = [c.public_bytes(serialization.Encoding.DER) for c in certs]
    return LoadedCertificate(ders[0], tuple(ders[1:]), key_pem)


def _load_pfx(data: bytes, password: bytes) -> LoadedCertificate:
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError:
        raise CertificateLoadError(
            "cannot read the PKCS#12 (PFX) data: wrong password or not a PFX file"
        ) from None
    if cert is None:
        raise CertificateLoadError("the PFX file holds no certificate")
    key_pem = _pkcs8(key) if key is not None else None
    if key is not None:
        _check_key_matches(cert, key)
    der = cert.public_bytes(serialization.Encoding.DER)
    chain = tuple(c.public_bytes(serialization.Encoding.DER) for c in extra)
    return LoadedCertificate(der, chain, key_pem)


def _pkcs8(key: object) -> bytes:
    if not isinstance(key, _PRIVATE_KEY_TYPES):
        raise CertificateLoadError(f"unsupported private key type {type(key).__name__}")
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _check_key_matches(cert: x509.Certificate, key: object) -> None:
    if not isinstance(key, _PRIVATE_KEY_TYPES):
        raise CertificateLoadError(f"unsupported private key type {type(key).__name__}")
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key.public_key().public_bytes(der, spki) != cert.public_key().public_bytes(der, spki):
        raise CertificateLoadError("the private key does not belong to the certificate")


# --- `new X509Certificate2(...)` in expressions ----------------------------------------------

_LOADED: dict[tuple[bytes, str | None], tuple[bytes, PrivateKeyTypes | None]] = {}
_LOADED_MAX = 64


def new_certificate(data: object, password: object = None) -> X509Certificate2:
    """`new X509Certificate2(byte[] rawData[, string password])`: DER, PEM or PFX. A file name
    is refused: expressions never read files. Parsed certificates are remembered (a PFX's key
    derivation can cost tens of milliseconds, and policies build the same one per request)."""
    if type(data) is str:
        raise ExpressionRuntimeError(
            "NotSupportedException", "not supported: loading a certificate from a file"
        )
    raw = to_bytes(data, "rawData")
    if password is not None and type(password) is not str:
        raise ExpressionRuntimeError("InvalidCastException", "The password must be a string.")
    key = (hashlib.sha256(raw).digest(), password)
    found = _LOADED.get(key)
    if found is None:
        try:
            loaded = load_certificate(
                raw, password=None if password is None else password.encode("utf-8")
            )
        except CertificateLoadError:
            message = (
                "The specified network password is not correct."
                if password
                else "Cannot find the requested object."
            )
            raise ExpressionRuntimeError("CryptographicException", message) from None
        private = (
            serialization.load_pem_private_key(loaded.key_pem, password=None)
            if loaded.key_pem is not None
            else None
        )
        found = (loaded.der, private)
        if len(_LOADED) >= _LOADED_MAX:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = found
    view = X509Certificate2(found[0], has_private_key=found[1] is not None)
    view.private_key = found[1]
    return view


def _rsa_extension(method: str) -> Callable[[object], RSA | None]:
    """`RSACertificateExtensions.GetRSAPublicKey(cert)`, the static form of the method."""

    def call(cert: object) -> RSA | None:
        if cert is None:
            raise ExpressionRuntimeError(
                "ArgumentNullException", "Value cannot be null. (Parameter 'certificate')"
            )
        if not isinstance(cert, X509Certificate2):
            raise invalid_cast(cert, _X509_NAME)
        return getattr(cert, method)()  # type: ignore[no-any-return]

    return call


_NS = "System.Security.Cryptography.X509Certificates."
_X509_NAME = _NS + "X509Certificate2"
_VIEW = SType(X509Certificate2.CS_TYPE, X509Certificate2)
_RSA = class_stype(RSA)
register(
    TypeInfo(_X509_NAME, _VIEW, CsTypeRef(_X509_NAME, (X509Certificate2,)), {}, new_certificate),
    # the base class: the view stands for both (a cast or a declared X509Certificate works)
    TypeInfo(
        _NS + "X509Certificate", _VIEW, CsTypeRef(_NS + "X509Certificate", (X509Certificate2,))
    ),
    TypeInfo(
        _NS + "X500DistinguishedName",
        class_stype(X500DistinguishedName),
        CsTypeRef(_NS + "X500DistinguishedName", (X500DistinguishedName,)),
    ),
    TypeInfo(
        _NS + "RSACertificateExtensions",
        SType(_NS + "RSACertificateExtensions", None),
        None,
        {
            "GetRSAPublicKey": StaticMember(_rsa_extension("GetRSAPublicKey"), _RSA),
            "GetRSAPrivateKey": StaticMember(_rsa_extension("GetRSAPrivateKey"), _RSA),
        },
    ),
    TypeInfo.enum(X509_NAME_TYPES),
    TypeInfo.enum(X509_CONTENT_TYPES),
)
