"""Which implemented .NET members the oracle vectors exercise, and how often.

The issue asks for at least two vectors per implemented member. A member is implemented when
an expression can reach it: a static of a registered type (`typenames.IMPLEMENTED`, enum values
included), a C# member of a runtime class of a .NET type (`CS_MEMBERS`), a string method or a
LINQ operator.
A vector counts for a member when its expression names it: `Type.Name` (or a keyword alias,
`int.Parse`) for statics, `.Name` for instance members. Instance names are not told apart by
type: `.Children` names JObject's and JArray's alike, so a shared name needs its vectors on
every type only in spirit; the check is a floor, not a proof.

Members Mono cannot run (APIs added after .NET Framework, APIM's own members, certgate's
refusals) are exercised by unit tests instead: `unit_tested/*.yaml` map each such member to
the reason and the test that covers it.

Run: `.venv/bin/python -m tests.conformance.coverage` (lists members below two vectors).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import yaml

import certgate.core  # noqa: F401  (registers X509Certificate2 and RSA)
from certgate.core.expr import linq, strings, typenames
from certgate.core.expr.anon import AnonymousObject
from certgate.core.expr.types import CsObject

VECTORS = Path(__file__).with_name("vectors")
UNIT_TESTED_DIR = Path(__file__).with_name("unit_tested")
MINIMUM = 2
# .NET types live in the expression runtime (and the certificate view); APIM's context objects
# (`IRequest`, `ILastError`, ...) are not .NET's, and the gateway tests check them end to end.
_DOTNET_MODULES = ("certgate.core.expr.", "certgate.core.certs")


def unit_tested() -> dict[str, str]:
    """Member -> why Mono cannot check it and which test does (`unit_tested/*.yaml`)."""
    found: dict[str, str] = {}
    for path in sorted(UNIT_TESTED_DIR.glob("*.yaml")):
        found.update(yaml.safe_load(path.read_text()) or {})
    return found


def vector_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted(VECTORS.glob("*.yaml")):
        vectors = yaml.safe_load(path.read_text())["vectors"]
        texts.extend(v["expr"] for v in vectors if "refused" not in v)  # valid C# only
    return texts


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def members() -> dict[str, re.Pattern[str]]:
    """Every implemented member, named `Type.Member`, with the pattern a vector must contain."""
    found: dict[str, re.Pattern[str]] = {}
    for full, info in typenames.IMPLEMENTED.items():
        short = full.rsplit(".", 1)[-1]
        aliases = [short, *(k for k, v in typenames.KEYWORDS.items() if v == full)]
        owner = "|".join(re.escape(a) for a in aliases)
        for name in info.statics:
            found[f"{full}.{name}"] = re.compile(rf"\b(?:{owner})\s*\.\s*{re.escape(name)}\b")
    for cls in _subclasses(CsObject):
        if not cls.__module__.startswith(_DOTNET_MODULES) or issubclass(cls, AnonymousObject):
            continue  # not .NET's, or an anonymous type an expression declared
        for name in cls.CS_MEMBERS:
            found.setdefault(f"{cls.CS_TYPE}.{name}", re.compile(rf"\.\s*{re.escape(name)}\b"))
    for name in (*strings.STRING_METHODS, *linq.LINQ_METHODS):
        found.setdefault(f"System.String.{name}", re.compile(rf"\.\s*{re.escape(name)}\b"))
    return found


def counts() -> dict[str, int]:
    texts = vector_texts()
    return {
        member: sum(1 for text in texts if pattern.search(text))
        for member, pattern in members().items()
    }


def below_minimum() -> dict[str, int]:
    excused = unit_tested()
    return {member: n for member, n in counts().items() if n < MINIMUM and member not in excused}


def main() -> int:
    gaps = below_minimum()
    for member, n in sorted(gaps.items()):
        print(f"{n}  {member}")
    print(f"{len(members())} members, {len(gaps)} with fewer than {MINIMUM} vectors")
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
