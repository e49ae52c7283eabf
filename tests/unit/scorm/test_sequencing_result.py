"""The course's result from the root activity (SN RB.1.5) against the SCOs' average (`scorm.rollup`)."""

from __future__ import annotations

from sequencing_builders import flow_mode, item, manifest, objectives, result, rollup_rule, sequencer

from scorm.rollup import attempt_result, rollup
from scorm.sequencing import Sequencer
from scorm.sequencing_result import declares_sequencing

WEIGHTED = item("a", '<imsss:rollupRules rollupObjectiveSatisfied="false" objectiveMeasureWeight="3"/>') + item("b")
ANY_SATISFIED = flow_mode() + f"<imsss:rollupRules>{rollup_rule('satisfied', 'satisfied', child_set='any')}" \
                              "</imsss:rollupRules>"


def _play(items: str, org: str, outcomes: dict[str, dict[str, object]]) -> Sequencer:
    seq = sequencer(items, org)
    for identifier, values in outcomes.items():
        assert seq.navigate("choice", identifier).kind == "deliver"
        seq.record(identifier, result(**values))
        seq.navigate("exit")
    return seq


def test_rollup_rules_and_weights_decide_not_the_average() -> None:
    outcomes: dict[str, dict[str, object]] = {"a": {"success": "failed", "scaled": 0.9},
                                              "b": {"success": "passed", "scaled": 0.2}}
    course = _play(WEIGHTED, ANY_SATISFIED, outcomes).course_result()
    average = rollup([attempt_result(result(**v)) for v in outcomes.values()])
    assert (average.completed, average.passed, average.score_scaled) == (True, False, 0.55)
    assert (course.completed, course.passed) == (True, True)  # a does not count; b satisfies "any"
    assert course.score_scaled is not None and abs(course.score_scaled - 0.725) < 1e-9
    assert course.score_raw is not None and abs(course.score_raw - 72.5) < 1e-6


def test_unknown_statuses_stay_unknown_and_a_negative_measure_scores_zero() -> None:
    seq = _play(item("a") + item("b"), flow_mode(), {"a": {"completion": "incomplete", "scaled": -0.5}})
    course = seq.course_result()
    assert (course.completed, course.passed, course.score_scaled, course.score_max) == (False, None, 0.0, 100.0)
    fresh = sequencer(item("a") + item("b")).course_result()
    assert (fresh.completed, fresh.passed, fresh.score_scaled) == (False, None, None)


def test_a_new_attempt_on_the_root_does_not_hide_what_its_children_have() -> None:
    """DB.2 clears a cluster's status when its new attempt begins; the report rolls the children up again."""
    seq = _play(item("a"), flow_mode(), {"a": {"success": "passed"}})
    assert seq.course_result().passed is True
    seq.navigate("exitAll")
    assert seq.navigate("start").kind == "deliver"  # a new attempt on the root and on a
    assert seq.tree.root.attempt_count == 2
    assert seq.course_result().completed is False  # a's new attempt has no progress yet


def test_global_objectives_the_root_reads_count() -> None:
    maps = '<imsss:mapInfo targetObjectiveID="g" writeSatisfiedStatus="true"/>'
    items = item("a", objectives("pa", primary_maps=maps) + '<imsss:rollupRules rollupObjectiveSatisfied="false"/>')
    org = flow_mode() + objectives("root", primary_maps='<imsss:mapInfo targetObjectiveID="g"/>')
    assert _play(items, org, {}).course_result().passed is None  # no child counts: unknown until g is written
    assert _play(items, org, {"a": {"success": "passed"}}).course_result().passed is True


def test_only_packages_with_sequencing_data_are_judged_by_the_tree() -> None:
    assert declares_sequencing(manifest(WEIGHTED, ""))
    assert declares_sequencing(manifest(item("a") + item("b"), flow_mode()))
    assert not declares_sequencing(manifest(item("a") + item("b"), ""))
