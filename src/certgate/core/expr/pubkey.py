"""`System.Security.Cryptography.X509Certificates.PublicKey`: a certificate's
SubjectPublicKeyInfo (`cert.PublicKey`), or one made with `new PublicKey(rsa)` /
`PublicKey.CreateFromSubjectPublicKeyInfo(bytes, out read)`.

* `Oid`: the key algorithm (`1.2.840.113549.1.1.1` "RSA", `1.2.840.10045.2.1` "ECC").
* `Key` (obsolete in .NET 8, still working): an `RSA` for an RSA key, read once per PublicKey;
  any other algorithm but DSA is .NET's NotSupportedException ("The certificate key algorithm
  is not supported."); a DSA key (.NET gives a `DSA`, outside APIM's allow-list) is not
  supported yet.
* `GetRSAPublicKey()` (null for another algorithm) and `ExportSubjectPublicKeyInfo()`.
* `EncodedKeyValue`/`EncodedParameters` return `AsnEncodedData`, and `GetECDsaPublicKey()` &
  co. `ECDsa`/`DSA`/`ECDiffieHellman`, types outside the allow-list: not supported, as
  certgate treats `X509Certificate2.Extensions`.
"""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from . import exceptions as exc
from .asym import AsymmetricAlgorithm
from .binary import CsBytes, to_bytes
from .oids import Oid
from .rsa import RSA, crypto_error
from .static import class_stype
from .typenames import IMPLEMENTED, StaticMember, TypeInfo, register
from .types import CsObject

_RSA_OID = "1.2.840.113549.1.1.1"
_DSA_OID = "1.2.840.10040.4.1"


class PublicKey(CsObject):
    __slots__ = ("_key", "_oid", "_spki")
    CS_TYPE = "System.Security.Cryptography.X509Certificates.PublicKey"
    CS_MEMBERS = frozenset(
        {"Oid", "Key", "GetRSAPublicKey", "ExportSubjectPublicKeyInfo", "ToString"}
    )

    def __init__(self, spki: bytes) -> None:
        self._spki = spki  # DER SubjectPublicKeyInfo, as checked by `spki_algorithm`
        self._oid = Oid(spki_algorithm(spki), None)
        self._key: RSA | None = None

    @property
    def Oid(self) -> Oid:
        return self._oid

    @property
    def Key(self) -> AsymmetricAlgorithm:
        if self._key is None:
            if self._oid.Value == _DSA_OID:  # .NET returns a DSA, a type outside the allow-list
                raise exc.ExpressionRuntimeError(
                    "NotSupportedException", "not supported yet: PublicKey.Key of a DSA key"
                )
            if self._oid.Value != _RSA_OID:
                raise exc.ExpressionRuntimeError(
                    "NotSupportedException", "The certificate key algorithm is not supported."
                )
            self._key = self._rsa()
        return self._key

    def GetRSAPublicKey(self) -> RSA | None:
        """A new RSA object each call (.NET imports the key afresh)."""
        return self._rsa() if self._oid.Value == _RSA_OID else None

    def ExportSubjectPublicKeyInfo(self) -> CsBytes:
        return CsBytes(self._spki)

    def _rsa(self) -> RSA:
        try:
            key = serialization.load_der_public_key(self._spki)
        except ValueError:
            raise crypto_error("ASN1 corrupted data.") from None
        if not isinstance(key, rsa.RSAPublicKey):
            raise crypto_error("ASN1 corrupted data.")
        return RSA(None, key)

    def ToString(self) -> str:
        return self.CS_TYPE


# --- DER: SubjectPublicKeyInfo ::= SEQUENCE { SEQUENCE { OID, params ANY OPTIONAL }, BIT STRING }


def _element(der: bytes, at: int, end: int) -> tuple[int, int, int]:
    """(tag, content start, content end) of the DER element at `at`; CryptographicException when
    it does not fit before `end` or is not minimally encoded."""
    if at + 2 > end:
        raise crypto_error("ASN1 corrupted data.")
    tag, length, start = der[at], der[at + 1], at + 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4 or start + count > end:
            raise crypto_error("ASN1 corrupted data.")
        length = int.from_bytes(der[start : start + count], "big")
        if length < 0x80 or der[start] == 0:
            raise crypto_error("ASN1 corrupted data.")
        start += count
    if start + length > end:
        raise crypto_error("ASN1 corrupted data.")
    return tag, start, start + length


def _oid_text(body: bytes) -> str:
    if not body or body[-1] & 0x80:
        raise crypto_error("ASN1 corrupted data.")
    arcs: list[int] = []
    value = 0
    for byte in body:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(map(str, (first, arcs[0] - 40 * first, *arcs[1:])))


def spki_length(der: bytes) -> int:
    """Length of the SubjectPublicKeyInfo at the start of `der` (bytes after it are left)."""
    tag, _, end = _element(der, 0, len(der))
    if tag != 0x30:
        raise crypto_error("ASN1 corrupted data.")
    return end


def spki_algorithm(spki: bytes) -> str:
    """The algorithm OID of a DER SubjectPublicKeyInfo, checking its shape."""
    tag, start, end = _element(spki, 0, len(spki))
    algorithm_tag, inner, inner_end = _element(spki, start, end)
    oid_tag, oid_start, oid_end = _element(spki, inner, inner_end)
    bits_tag, _, bits_end = _element(spki, inner_end, end)
    if (tag, algorithm_tag, oid_tag, bits_tag) != (0x30, 0x30, 0x06, 0x03) or bits_end != end:
        raise crypto_error("ASN1 corrupted data.")
    return _oid_text(spki[oid_start:oid_end])


def tbs_spki(tbs: bytes) -> bytes:
    """The SubjectPublicKeyInfo of a DER TBSCertificate, as the certificate holds it: after the
    optional [0] version, serialNumber, signature, issuer, validity and subject."""
    _, at, end = _element(tbs, 0, len(tbs))
    if _element(tbs, at, end)[0] == 0xA0:
        at = _element(tbs, at, end)[2]
    for _skipped in range(5):
        at = _element(tbs, at, end)[2]
    return tbs[at : _element(tbs, at, end)[2]]


def new_public_key(*args: object) -> PublicKey:
    """`new PublicKey(AsymmetricAlgorithm key)` (.NET 6+); the `(Oid, AsnEncodedData,
    AsnEncodedData)` form needs a type outside the allow-list."""
    if len(args) != 1:
        raise exc.ExpressionRuntimeError(
            "NotSupportedException",
            "not supported yet: PublicKey(Oid, AsnEncodedData, AsnEncodedData)",
        )
    (key,) = args
    if key is None:
        raise exc.null_reference()
    if not isinstance(key, AsymmetricAlgorithm):
        raise exc.invalid_cast(key, AsymmetricAlgorithm.CS_TYPE)
    return PublicKey(key.ExportSubjectPublicKeyInfo().data)


def create_from_spki(source: object) -> tuple[PublicKey, int]:
    """`PublicKey.CreateFromSubjectPublicKeyInfo(source, out int bytesRead)` (.NET 6+)."""
    data = to_bytes(source, "source")
    length = spki_length(data)
    return PublicKey(data[:length]), length


_INFO = TypeInfo.of(
    PublicKey,
    {
        "CreateFromSubjectPublicKeyInfo": StaticMember(
            create_from_spki, class_stype(PublicKey), outs=1
        )
    },
    new_public_key,
)
if _INFO.full_name not in IMPLEMENTED:
    register(_INFO)
