"""The contract between compiled expressions and the objects they may touch.

Compiled expressions never use Python attribute access on values. Every C# member access goes
through the runtime, which only resolves names a class lists in `CS_MEMBERS`. A Python object that
is not a `CsObject` and not one of the runtime's primitive mappings (str, bool, int, float, None,
and the runtime's own collection types) is unreachable from an expression.

Naming: C# members are implemented as Python attributes or methods spelled exactly like the C#
member (`Thumbprint`, `GetValueOrDefault`), so the allow-list and the implementation cannot drift.
Properties are plain attributes or `@property`; methods are methods.
"""

from __future__ import annotations

from typing import ClassVar


class CsObject:
    """Base of Python classes that stand for a .NET type inside expressions."""

    __slots__ = ()

    #: .NET type name, as APIM's error messages spell it (e.g. "X509Certificate2").
    CS_TYPE: ClassVar[str] = "Object"
    #: C# member names expressions may use; each is a Python attribute or method of that name.
    CS_MEMBERS: ClassVar[frozenset[str]] = frozenset()

    def ToString(self) -> str:  # noqa: N802 - C# name
        return self.CS_TYPE
