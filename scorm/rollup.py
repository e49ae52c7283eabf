"""From run-time data to progress facts: one attempt, then several SCOs (SCORM 2004 SN 4.6, simplified).

`attempt_result` reads a SCO's run-time values the way the LMS reports them: SCORM 1.2
lesson_status ("passed"/"completed" count as completed, "passed"/"failed" decide success) with
score.raw on 0–100; SCORM 2004 evaluated completion_status/success_status with score.scaled. Without
score.scaled, a 2004 raw score is scaled by min/max when both are present. `rollup` combines SCOs:
completed when every SCO is, passed when every SCO with a success verdict passed and none failed,
score the average (or weighted average) of the scaled scores; `pick_attempt` chooses best or last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from scorm.runtime_rules import evaluated_completion, evaluated_success
from scorm.runtime_store import CmiStore


@dataclass(frozen=True, slots=True)
class AttemptResult:
    completed: bool
    passed: bool | None  # None: no success verdict (nothing to pass)
    score_raw: float | None = None
    score_scaled: float | None = None  # 0..1 for grades (negative scaled scores clamp to 0)
    score_max: float | None = None


def _num(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _result_12(store: CmiStore) -> AttemptResult:
    status = store.get("cmi.core.lesson_status") or "not attempted"
    raw, low, high = (_num(store.get(f"cmi.core.score.{k}")) for k in ("raw", "min", "max"))
    scaled = _scale(raw, low if low is not None else 0.0, high if high is not None else 100.0)
    passed = {"passed": True, "failed": False}.get(status)
    return AttemptResult(status in ("passed", "completed", "failed"),
                         passed, raw, scaled, high)


def _scale(raw: float | None, low: float | None, high: float | None) -> float | None:
    if raw is None or low is None or high is None or high <= low:
        return None
    return min(max((raw - low) / (high - low), 0.0), 1.0)


def _result_2004(store: CmiStore) -> AttemptResult:
    raw, low, high = (_num(store.get(f"cmi.score.{k}")) for k in ("raw", "min", "max"))
    scaled = _num(store.get("cmi.score.scaled"))
    scaled = max(scaled, 0.0) if scaled is not None else _scale(raw, low, high)
    success = evaluated_success(store)
    passed = {"passed": True, "failed": False}.get(success)
    return AttemptResult(evaluated_completion(store) == "completed", passed, raw, scaled, high)


def attempt_result(state: Mapping[str, Any]) -> AttemptResult:
    """Progress facts of one attempt, from `RuntimeSession.to_state()`."""
    store = CmiStore(state.get("values"), state.get("counts"))
    return _result_12(store) if state.get("family") == "1.2" else _result_2004(store)


def pick_attempt(attempts: Sequence[AttemptResult], policy: Literal["best", "last"] = "last") -> AttemptResult:
    """Choose the attempt that counts: the last one, or the best (passed, then completed, then score)."""
    if not attempts:
        return AttemptResult(completed=False, passed=None)
    if policy == "last":
        return attempts[-1]
    return max(attempts, key=lambda a: (a.passed is True, a.completed, a.score_scaled or 0.0))


def rollup(results: Sequence[AttemptResult], weights: Sequence[float] | None = None) -> AttemptResult:
    """Combine one result per SCO into the activity's result."""
    if not results:
        return AttemptResult(completed=False, passed=None)
    weights = list(weights) if weights is not None else [1.0] * len(results)
    if len(weights) != len(results):
        raise ValueError("one weight per SCO result is required")
    verdicts = [r.passed for r in results if r.passed is not None]
    passed = None if not verdicts else all(verdicts)
    scored = [(r.score_scaled, w) for r, w in zip(results, weights, strict=True) if r.score_scaled is not None]
    total_weight = sum(w for _, w in scored)
    scaled = sum(s * w for s, w in scored) / total_weight if scored and total_weight > 0 else None
    return AttemptResult(
        completed=all(r.completed for r in results),
        passed=passed,
        score_raw=None if scaled is None else round(scaled * 100, 7),
        score_scaled=scaled,
        score_max=None if scaled is None else 100.0,
    )
