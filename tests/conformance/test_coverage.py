"""At least two oracle vectors for every implemented .NET member (the issue's bar), or a unit
test named in `unit_tested/` when Mono cannot run the member."""

from __future__ import annotations

from pathlib import Path

from tests.conformance import coverage


def test_every_implemented_member_has_two_vectors_or_a_unit_test() -> None:
    gaps = coverage.below_minimum()
    assert not gaps, f"{len(gaps)} members below {coverage.MINIMUM} vectors: {sorted(gaps)[:20]}"


def test_excused_members_exist_and_name_their_test() -> None:
    known = coverage.members()
    root = Path(__file__).parents[2]
    for member, why in coverage.unit_tested().items():
        assert member in known, f"{member} is not an implemented member"
        test_file = why.split("covered by ", 1)[-1].split("::", 1)[0].strip()
        assert (root / test_file).is_file(), f"{member}: '{why}' names no test file"
