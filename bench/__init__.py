"""Benchmarks: ``python bench/NAME.py`` prints figures; ``--json`` prints one JSON object per line
``{"metric", "value", "unit", "baseline", "ratio"}`` with the baseline measured in the same run."""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence


def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation between closest ranks."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[max(0, min(98, round(q) - 1))]


def emit(metric: str, value: float, unit: str, baseline: float, ratio: float) -> None:
    print(json.dumps({"metric": metric, "value": round(value, 3), "unit": unit, "baseline": round(baseline, 3),
                      "ratio": round(ratio, 3)}))
