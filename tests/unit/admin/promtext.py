"""A strict reader of the Prometheus text exposition format (0.0.4), for tests: every line must be
a HELP, a TYPE or a sample of a declared family; label values must be properly escaped."""

from __future__ import annotations

import math
import re

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*"'
_SAMPLE = re.compile(rf"^({_NAME})(\{{(?:{_LABEL})(?:,{_LABEL})*\}})? (\S+)$")
_LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\\\|\\"|\\n)*)"')
_SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "counter": ("",), "gauge": ("",)}


def parse(text: str) -> dict[str, dict[str, object]]:
    """family → {"type", "help", "samples": [(name, labels, value)]}; AssertionError if invalid."""
    assert text.endswith("\n"), "exposition text must end with a newline"
    families: dict[str, dict[str, object]] = {}
    for line in text.splitlines():
        assert line, "no empty lines"
        if line.startswith("# HELP "):
            name, _, help_text = line[7:].partition(" ")
            assert re.fullmatch(_NAME, name)
            families.setdefault(name, {"samples": []})["help"] = help_text
        elif line.startswith("# TYPE "):
            name, _, kind = line[7:].partition(" ")
            assert kind in _SUFFIXES, kind
            fam = families.setdefault(name, {"samples": []})
            assert "type" not in fam and not fam["samples"], f"TYPE of {name} after samples"
            fam["type"] = kind
        else:
            match = _SAMPLE.match(line)
            assert match, f"not a sample line: {line!r}"
            sample, labels_text, value = match.groups()
            number = float(value)
            assert not math.isnan(number) or value == "NaN"
            labels = {
                k: v.replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
                for k, v in _LABEL_RE.findall(labels_text or "")
            }
            family = _family_of(families, sample)
            family["samples"].append((sample, labels, number))  # type: ignore[attr-defined]
    return families


def _family_of(families: dict[str, dict[str, object]], sample: str) -> dict[str, object]:
    for name, fam in families.items():
        kind = str(fam.get("type"))
        for suffix in _SUFFIXES.get(kind, ("",)):
            if sample == name + suffix:
                return fam
    raise AssertionError(f"sample {sample} belongs to no declared family")
