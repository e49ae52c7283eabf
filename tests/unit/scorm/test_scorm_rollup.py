"""Attempt results and multi-SCO rollup."""

from __future__ import annotations

import pytest

from scorm.rollup import AttemptResult, attempt_result, pick_attempt, rollup


def test_scorm_12_attempt_scales_raw_by_min_max() -> None:
    state = {"family": "1.2", "values": {"cmi.core.lesson_status": "failed", "cmi.core.score.raw": "45"}}
    result = attempt_result(state)
    assert (result.completed, result.passed, result.score_raw, result.score_scaled) == (True, False, 45.0, 0.45)


def test_scorm_12_incomplete() -> None:
    result = attempt_result({"family": "1.2", "values": {"cmi.core.lesson_status": "incomplete"}})
    assert (result.completed, result.passed, result.score_scaled) == (False, None, None)


def test_scorm_2004_scales_raw_when_scaled_missing() -> None:
    values = {"cmi.completion_status": "completed", "cmi.score.raw": "30", "cmi.score.min": "0",
              "cmi.score.max": "40", "cmi.success_status": "passed"}
    result = attempt_result({"family": "2004", "values": values})
    assert (result.completed, result.passed, result.score_scaled) == (True, True, 0.75)


def test_rollup_requires_every_sco() -> None:
    done = AttemptResult(True, True, 90, 0.9, 100)
    half = AttemptResult(False, None, None, None, None)
    assert rollup([done, half]).completed is False
    combined = rollup([done, AttemptResult(True, False, 50, 0.5, 100)])
    assert (combined.completed, combined.passed) == (True, False)
    assert combined.score_scaled == pytest.approx(0.7)
    weighted = rollup([done, AttemptResult(True, True, 50, 0.5, 100)], weights=[3, 1])
    assert weighted.score_scaled == pytest.approx(0.8) and weighted.score_raw == pytest.approx(80)
    assert rollup([]).completed is False
    with pytest.raises(ValueError):
        rollup([done], weights=[1, 2])


def test_pick_best_or_last() -> None:
    first = AttemptResult(True, True, 95, 0.95, 100)
    second = AttemptResult(True, False, 40, 0.4, 100)
    assert pick_attempt([first, second]) == second
    assert pick_attempt([first, second], "best") == first
    assert pick_attempt([]).completed is False
