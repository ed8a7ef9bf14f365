"""`System.Security.Cryptography.AsymmetricAlgorithm`, the base of `RSA` (the only asymmetric
algorithm an expression gets: `PublicKey.Key` and `X509Certificate2.GetRSAPublicKey()`).

Declared here so that `PublicKey.Key`'s static type is the base class and `(RSA)pk.Key`,
`pk.Key as RSA` and `pk.Key is RSA` test the object at run time, as in C#. `LegalKeySizes`
returns `KeySizes[]`, a type outside APIM's allow-list: not supported. `AsymmetricAlgorithm.Create`
(obsolete since .NET 5) is not supported either.
"""

from __future__ import annotations

from . import exceptions as exc
from .binary import CsBytes
from .typenames import IMPLEMENTED, TypeInfo, register
from .types import CsObject


class AsymmetricAlgorithm(CsObject):
    """Abstract in .NET; subclasses implement the members."""

    __slots__ = ()
    CS_TYPE = "System.Security.Cryptography.AsymmetricAlgorithm"
    CS_MEMBERS = frozenset(
        {
            "KeySize", "SignatureAlgorithm", "KeyExchangeAlgorithm", "ToXmlString",
            "FromXmlString", "ExportSubjectPublicKeyInfo", "Dispose", "Clear", "ToString",
        }
    )  # fmt: skip

    @property
    def KeySize(self) -> int:
        raise NotImplementedError

    @property
    def SignatureAlgorithm(self) -> str | None:
        raise NotImplementedError

    @property
    def KeyExchangeAlgorithm(self) -> str | None:
        raise NotImplementedError

    def ToXmlString(self, include_private: object) -> str:
        raise NotImplementedError

    def FromXmlString(self, xml: object) -> None:
        raise NotImplementedError

    def ExportSubjectPublicKeyInfo(self) -> CsBytes:
        raise NotImplementedError

    def Dispose(self) -> None:
        raise NotImplementedError

    def Clear(self) -> None:
        """`Clear()` is `Dispose()` in .NET."""
        self.Dispose()


def disposed() -> exc.ExpressionRuntimeError:
    return exc.ExpressionRuntimeError("ObjectDisposedException", "Cannot access a disposed object.")


_INFO = TypeInfo.of(AsymmetricAlgorithm)
if _INFO.full_name not in IMPLEMENTED:
    register(_INFO)
