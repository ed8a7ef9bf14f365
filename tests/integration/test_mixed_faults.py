"""The mixed fault run of bench/faultrun.py, short: a real `certgate serve` process, a healthy
and a flapping backend (refused, reset, hang, ok), slow and malformed clients, all at once. No
well-formed request to the healthy backend may fail, and the gateway's memory stays level.
The standalone script runs the same for 60 s (docs/reliability.md has its figures)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "faultrun.py"


@pytest.fixture(scope="module")
def faultrun() -> ModuleType:
    spec = importlib.util.spec_from_file_location("faultrun", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["faultrun"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_healthy_traffic_is_untouched_by_faults_next_to_it_and_memory_stays_level(
    faultrun: ModuleType, tmp_path: Path
) -> None:
    result = faultrun.run(9.0, tmp_path)
    out = result.outcomes
    assert result.problems() == [], result.summary()
    assert out.healthy > 0 and out.healthy_fresh > 0 and not out.healthy_failures
    # The faults were real: the flapping API answered 200, 502 and 504, malformed requests
    # were refused, and each phase of the flapping backend saw traffic (refused: none arrives).
    assert {"200", "502", "504"} <= set(out.flap) and not out.flap_anomalies
    assert out.malformed and set(out.malformed) <= {"400", "431", "505", "reset"}
    assert {"reset", "hang", "ok"} <= set(result.flap_phases_seen)
    assert out.slow  # the slow clients were connected throughout
    assert result.exit_status == 0 and not result.traceback_in_log


def test_the_memory_bound_flags_growth(faultrun: ModuleType) -> None:
    level = [80_000, 82_000, 81_000, 81_500, 82_500, 81_800, 82_100, 81_900, 82_400]
    assert faultrun.rss_bounded(level)
    growing = [80_000 + i * 1_000 for i in range(9)]  # +1 MiB per sample
    assert not faultrun.rss_bounded(growing)
    assert not faultrun.rss_bounded([80_000, 80_000])  # too short to tell: not a pass
