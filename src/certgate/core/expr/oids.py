"""`System.Security.Cryptography.Oid` and .NET's table of OID friendly names.

The names are .NET 8's own (`OidLookup`: hashes, RSA/ECDSA signature algorithms, key algorithms,
curves, X.500 attribute types), plus the English names Windows' CryptFindOIDInfo gives the common
certificate extensions and extended key usages, which .NET asks Windows for on APIM's hosts.
Friendly names match case-insensitively, OID values exactly, as in .NET.

`Oid.FromFriendlyName(name, group)` and `FromOidValue(value, group)` take an `OidGroup`, a type
outside APIM's allow-list: the only group an expression can write is the literal `0`
(`OidGroup.All`), so the group is not consulted. `Value` and `FriendlyName` can be set once (or
to the same value again), as in .NET Core 3.0+; a change is PlatformNotSupportedException.
"""

from __future__ import annotations

from . import exceptions as exc
from .static import class_stype
from .typenames import IMPLEMENTED, StaticMember, TypeInfo, register
from .types import CsObject

# (OID, primary friendly name, further names that map to the OID): .NET 8's OidLookup table.
_TABLE: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("1.2.840.113549.3.7", "3des", ()),
    ("2.16.840.1.101.3.4.1.2", "aes128", ()),
    ("2.16.840.1.101.3.4.1.5", "aes128wrap", ()),
    ("2.16.840.1.101.3.4.1.22", "aes192", ()),
    ("2.16.840.1.101.3.4.1.25", "aes192wrap", ()),
    ("2.16.840.1.101.3.4.1.42", "aes256", ()),
    ("2.16.840.1.101.3.4.1.45", "aes256wrap", ()),
    ("1.3.36.3.3.2.8.1.1.1", "brainpoolP160r1", ()),
    ("1.3.36.3.3.2.8.1.1.2", "brainpoolP160t1", ()),
    ("1.3.36.3.3.2.8.1.1.3", "brainpoolP192r1", ()),
    ("1.3.36.3.3.2.8.1.1.4", "brainpoolP192t1", ()),
    ("1.3.36.3.3.2.8.1.1.5", "brainpoolP224r1", ()),
    ("1.3.36.3.3.2.8.1.1.6", "brainpoolP224t1", ()),
    ("1.3.36.3.3.2.8.1.1.7", "brainpoolP256r1", ()),
    ("1.3.36.3.3.2.8.1.1.8", "brainpoolP256t1", ()),
    ("1.3.36.3.3.2.8.1.1.9", "brainpoolP320r1", ()),
    ("1.3.36.3.3.2.8.1.1.10", "brainpoolP320t1", ()),
    ("1.3.36.3.3.2.8.1.1.11", "brainpoolP384r1", ()),
    ("1.3.36.3.3.2.8.1.1.12", "brainpoolP384t1", ()),
    ("1.3.36.3.3.2.8.1.1.13", "brainpoolP512r1", ()),
    ("1.3.36.3.3.2.8.1.1.14", "brainpoolP512t1", ()),
    ("2.5.4.6", "C", ()),
    ("1.2.840.113549.1.9.16.3.6", "CMS3DESwrap", ()),
    ("1.2.840.113549.1.9.16.3.7", "CMSRC2wrap", ()),
    ("2.5.4.3", "CN", ()),
    ("1.3.6.1.5.5.7.2.1", "CPS", ()),
    ("0.9.2342.19200300.100.1.25", "DC", ()),
    ("1.3.14.3.2.7", "des", ()),
    ("2.5.4.13", "Description", ()),
    ("1.2.840.10046.2.1", "DH", ()),
    ("2.5.4.46", "dnQualifier", ()),
    ("1.2.840.10040.4.1", "DSA", ()),
    ("1.3.14.3.2.27", "dsaSHA1", ()),
    ("1.2.840.113549.1.9.1", "E", ()),
    ("1.2.156.11235.1.1.2.1", "ec192wapi", ()),
    ("1.2.840.10045.2.1", "ECC", ()),
    ("1.3.133.16.840.63.0.2", "ECDH_STD_SHA1_KDF", ()),
    ("1.3.132.1.11.1", "ECDH_STD_SHA256_KDF", ()),
    ("1.3.132.1.11.2", "ECDH_STD_SHA384_KDF", ()),
    ("1.2.840.10045.3.1.7", "ECDSA_P256", ("nistP256", "secP256r1", "x962P256v1")),
    ("1.3.132.0.34", "ECDSA_P384", ("nistP384", "secP384r1")),
    ("1.3.132.0.35", "ECDSA_P521", ("nistP521", "secP521r1")),
    ("1.2.840.113549.1.9.16.3.5", "ESDH", ()),
    ("2.5.4.42", "G", ()),
    ("2.5.4.43", "I", ()),
    ("2.5.4.7", "L", ()),
    ("1.2.840.113549.2.2", "md2", ()),
    ("1.2.840.113549.1.1.2", "md2RSA", ()),
    ("1.2.840.113549.2.4", "md4", ()),
    ("1.2.840.113549.1.1.3", "md4RSA", ()),
    ("1.2.840.113549.2.5", "md5", ()),
    ("1.2.840.113549.1.1.4", "md5RSA", ()),
    ("1.2.840.113549.1.1.8", "mgf1", ()),
    ("2.16.840.1.101.2.1.1.20", "mosaicKMandUpdSig", ()),
    ("2.16.840.1.101.2.1.1.19", "mosaicUpdatedSig", ()),
    ("1.2.840.10045.3.1.1", "nistP192", ()),
    ("1.3.132.0.33", "nistP224", ()),
    ("1.3.6.1.5.5.7.6.2", "NO_SIGN", ()),
    ("2.5.4.10", "O", ()),
    ("2.5.4.11", "OU", ()),
    ("2.5.4.20", "Phone", ()),
    ("2.5.4.18", "POBox", ()),
    ("2.5.4.17", "PostalCode", ()),
    ("1.2.840.113549.3.2", "rc2", ()),
    ("1.2.840.113549.3.4", "rc4", ()),
    ("1.2.840.113549.1.1.1", "RSA", ()),
    ("1.2.840.113549.1.1.7", "RSAES_OAEP", ()),
    ("1.2.840.113549.1.1.10", "RSASSA-PSS", ()),
    ("2.5.4.8", "S", ("ST",)),
    ("1.3.132.0.9", "secP160k1", ()),
    ("1.3.132.0.8", "secP160r1", ()),
    ("1.3.132.0.30", "secP160r2", ()),
    ("1.3.132.0.31", "secP192k1", ()),
    ("1.3.132.0.32", "secP224k1", ()),
    ("1.3.132.0.10", "secP256k1", ()),
    ("2.5.4.5", "SERIALNUMBER", ()),
    ("1.3.14.3.2.26", "sha1", ()),
    ("1.2.840.10040.4.3", "sha1DSA", ()),
    ("1.2.840.10045.4.1", "sha1ECDSA", ()),
    ("1.2.840.113549.1.1.5", "sha1RSA", ()),
    ("2.16.840.1.101.3.4.2.1", "sha256", ()),
    ("1.2.840.10045.4.3.2", "sha256ECDSA", ()),
    ("1.2.840.113549.1.1.11", "sha256RSA", ()),
    ("2.16.840.1.101.3.4.2.2", "sha384", ()),
    ("1.2.840.10045.4.3.3", "sha384ECDSA", ()),
    ("1.2.840.113549.1.1.12", "sha384RSA", ()),
    ("2.16.840.1.101.3.4.2.3", "sha512", ()),
    ("1.2.840.10045.4.3.4", "sha512ECDSA", ()),
    ("1.2.840.113549.1.1.13", "sha512RSA", ()),
    ("2.5.4.4", "SN", ()),
    ("1.2.840.10045.4.3", "specifiedECDSA", ()),
    ("2.5.4.9", "STREET", ()),
    ("2.5.4.12", "T", ()),
    ("2.23.133.2.1", "TPMManufacturer", ()),
    ("2.23.133.2.2", "TPMModel", ()),
    ("2.23.133.2.3", "TPMVersion", ()),
    ("2.23.43.1.4.9", "wtls9", ()),
    ("2.5.4.24", "X21Address", ()),
    ("1.2.840.10045.3.1.2", "x962P192v2", ()),
    ("1.2.840.10045.3.1.3", "x962P192v3", ()),
    ("1.2.840.10045.3.1.4", "x962P239v1", ()),
    ("1.2.840.10045.3.1.5", "x962P239v2", ()),
    ("1.2.840.10045.3.1.6", "x962P239v3", ()),
    # Windows' names (CryptFindOIDInfo, English) for extensions and extended key usages
    ("2.5.29.14", "Subject Key Identifier", ()),
    ("2.5.29.15", "Key Usage", ()),
    ("2.5.29.17", "Subject Alternative Name", ()),
    ("2.5.29.19", "Basic Constraints", ()),
    ("2.5.29.31", "CRL Distribution Points", ()),
    ("2.5.29.32", "Certificate Policies", ()),
    ("2.5.29.35", "Authority Key Identifier", ()),
    ("2.5.29.37", "Enhanced Key Usage", ()),
    ("1.3.6.1.5.5.7.1.1", "Authority Information Access", ()),
    ("1.3.6.1.5.5.7.3.1", "Server Authentication", ()),
    ("1.3.6.1.5.5.7.3.2", "Client Authentication", ()),
    ("1.3.6.1.5.5.7.3.3", "Code Signing", ()),
    ("1.3.6.1.5.5.7.3.4", "Secure Email", ()),
    ("1.3.6.1.5.5.7.3.8", "Time Stamping", ()),
    ("1.3.6.1.5.5.7.3.9", "OCSP Signing", ()),
)
# OIDs whose name leads back to another OID (.NET's s_compatOids): value -> name only.
_COMPAT = {
    "1.2.840.113549.1.3.1": "DH",
    "1.3.14.3.2.12": "DSA",
    "1.3.14.3.2.13": "sha1DSA",
    "1.3.14.3.2.15": "shaRSA",
    "1.3.14.3.2.18": "sha",
    "1.3.14.3.2.22": "RSA_KEYX",
    "1.3.14.3.2.29": "sha1RSA",
    "1.3.14.3.2.2": "md4RSA",
    "1.3.14.3.2.3": "md5RSA",
    "1.3.14.3.2.4": "md4RSA",
    "1.3.14.7.2.3.1": "md2RSA",
}
_TO_NAME: dict[str, str] = {oid: name for oid, name, _ in _TABLE} | _COMPAT
_TO_OID: dict[str, str] = {
    alias.casefold(): oid for oid, name, more in _TABLE for alias in (name, *more)
}


def friendly_name_of(value: str) -> str | None:
    return _TO_NAME.get(value)


def oid_of(name: str) -> str | None:
    return _TO_OID.get(name.casefold()) if name else None


def _optional_text(value: object) -> str | None:
    return None if value is None else exc.string_argument(value, "value")


def _set_once(what: str) -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError(
        "PlatformNotSupportedException", f"The OID {what} cannot be changed from its current value."
    )


class Oid(CsObject):
    __slots__ = ("_name", "_named", "_value")
    CS_TYPE = "System.Security.Cryptography.Oid"
    CS_MEMBERS = frozenset({"Value", "FriendlyName", "ToString"})

    def __init__(self, value: str | None, name: str | None, *, named: bool = False) -> None:
        self._value = value
        self._name = name
        self._named = named or name is not None  # False: FriendlyName is looked up when read

    @property
    def Value(self) -> str | None:
        return self._value

    @Value.setter
    def Value(self, value: object) -> None:
        text = _optional_text(value)
        if self._value is not None and self._value != text:
            raise _set_once("value")
        self._value = text

    @property
    def FriendlyName(self) -> str | None:
        if not self._named and self._value is not None:
            self._name, self._named = friendly_name_of(self._value), True
        return self._name

    @FriendlyName.setter
    def FriendlyName(self, value: object) -> None:
        text = _optional_text(value)
        if self._named:
            if self._name != text:
                raise _set_once("friendly name")
            return
        found = None if text is None else oid_of(text)
        if found is not None:
            if self._value is None:
                self._value = found
            elif self._value != found:
                raise _set_once("value")
        self._name, self._named = text, True

    def ToString(self) -> str:
        return self.CS_TYPE


def new_oid(*args: object) -> Oid:
    """`new Oid()`, `new Oid(string oidOrFriendlyName)`, `new Oid(string value, string
    friendlyName)` and `new Oid(Oid)`."""
    if not args:
        return Oid(None, None)
    if len(args) == 2:
        return Oid(_optional_text(args[0]), _optional_text(args[1]))
    (first,) = args
    if isinstance(first, Oid):
        return Oid(first._value, first._name, named=first._named)
    text = exc.string_argument(first, "friendlyName")
    return Oid(oid_of(text) or text, None)


def from_friendly_name(name: object, group: object = 0) -> Oid:
    text = exc.string_argument(name, "friendlyName")
    found = oid_of(text)
    if found is None:
        raise exc.ExpressionRuntimeError(
            "CryptographicException", "No OID value matches this name."
        )
    return Oid(found, text)  # the name as given, as .NET keeps it


def from_oid_value(value: object, group: object = 0) -> Oid:
    text = exc.string_argument(value, "oidValue")
    found = friendly_name_of(text)
    if found is None:
        raise exc.ExpressionRuntimeError("CryptographicException", "The OID value is invalid.")
    return Oid(text, found)


_INFO = TypeInfo.of(
    Oid,
    {
        "FromFriendlyName": StaticMember(from_friendly_name, class_stype(Oid)),
        "FromOidValue": StaticMember(from_oid_value, class_stype(Oid)),
    },
    new_oid,
)
if _INFO.full_name not in IMPLEMENTED:
    register(_INFO)
