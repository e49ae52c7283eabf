"""Rollup, rule conditions, run-time results and global objectives (SCORM 2004 4th Ed. SN 3.4, 4.2, 4.6)."""

from __future__ import annotations

import pytest
from sequencing_builders import flow_mode, item, manifest, objectives, result, rollup_rule, sequencer

from scorm.manifest_model import ObjectiveMap, RuleCondition
from scorm.sequencing import Sequencer
from scorm.sequencing_rules import combine, condition_value
from scorm.sequencing_tree import ObjectiveState, read_objective


def module(*children: str, extra: str = "") -> str:
    return item("m", flow_mode() + extra, "".join(item(c) for c in children))


def rollup_rules(*bodies: str, attrs: str = "") -> str:
    return f"<imsss:rollupRules{attrs}>{''.join(bodies)}</imsss:rollupRules>"


def run(seq: Sequencer, outcomes: dict[str, dict[str, object]]) -> Sequencer:
    """Deliver each listed SCO by choice, report its results, then exit it (ending the attempt)."""
    for identifier, values in outcomes.items():
        assert seq.navigate("choice", identifier).kind == "deliver"
        seq.record(identifier, result(**values))
        seq.navigate("exit")
    return seq


def status(seq: Sequencer, identifier: str) -> tuple[bool | None, bool | None]:
    activity = seq.tree.by_id[identifier]
    completed = activity.attempt_completion_status if activity.attempt_progress_status else None
    objective = read_objective(seq.tree, activity)  # what sequencing sees, global objectives included
    satisfied = objective.satisfied_status if objective.progress_status else None
    return completed, satisfied


def test_default_rules_need_every_child() -> None:
    seq = run(sequencer(module("a", "b")), {"a": {"success": "passed"}})
    assert status(seq, "m") == (None, None)
    run(seq, {"b": {"success": "passed"}})
    assert status(seq, "m") == (True, True)
    assert status(seq, "org") == (True, True)


def test_default_rules_not_satisfied_once_every_status_is_known() -> None:
    seq = run(sequencer(module("a", "b")), {"a": {"success": "passed"},
                                            "b": {"success": "failed", "completion": "incomplete"}})
    assert status(seq, "m") == (False, False)


@pytest.mark.parametrize(
    ("child_set", "extra", "passed", "satisfied"),
    [
        ("any", "", ["a"], True),
        ("any", "", [], False),  # no satisfied rule holds; the default notSatisfied rule does
        ("none", "", [], True),  # "satisfied when none is satisfied": contrived but legal
        ("none", "", ["b"], False),
        ("atLeastCount", ' minimumCount="2"', ["a", "c"], True),
        ("atLeastCount", ' minimumCount="2"', ["a"], False),
        ("atLeastPercent", ' minimumPercent="0.6"', ["a", "b"], True),
        ("atLeastPercent", ' minimumPercent="0.7"', ["a", "b"], False),
    ],
)
def test_child_activity_sets(child_set: str, extra: str, passed: list[str], satisfied: bool) -> None:
    rule = rollup_rule("satisfied", "satisfied", child_set=child_set, extra=extra)
    seq = sequencer(module("a", "b", "c", extra=rollup_rules(rule)))
    run(seq, {c: {"success": "passed" if c in passed else "failed"} for c in ("a", "b", "c")})
    assert status(seq, "m")[1] is satisfied


def test_not_operator_and_incomplete_rule() -> None:
    rules = rollup_rules(rollup_rule("notSatisfied", "not satisfied", child_set="any"),
                         rollup_rule("satisfied", "satisfied"),
                         rollup_rule("incomplete", "not completed", child_set="any"),
                         rollup_rule("completed", "completed"))
    seq = run(sequencer(module("a", "b", extra=rules)), {"a": {"success": "failed"}})
    assert status(seq, "m")[1] is False  # one child not satisfied is enough
    seq = run(sequencer(module("a", "b", extra=rules)), {"a": {"completion": "incomplete"}})
    assert status(seq, "m")[0] is False


def test_completed_rule_with_attempted_condition() -> None:
    rules = rollup_rules(rollup_rule("completed", "attempted", child_set="all"))
    seq = run(sequencer(module("a", "b", extra=rules)), {"a": {"completion": "incomplete"}})
    assert status(seq, "m")[0] is None
    run(seq, {"b": {"completion": "incomplete"}})
    assert status(seq, "m")[0] is True  # every child attempted, none completed


def test_measure_rollup_is_weighted() -> None:
    heavy = rollup_rules(attrs=' objectiveMeasureWeight="3"')
    seq = sequencer(item("m", flow_mode(), item("a") + item("b", heavy) + item("c")))
    run(seq, {"a": {"scaled": 0.2}, "b": {"scaled": 0.6}})
    # c has no measure but still counts with its weight of 1: (0.2·1 + 0.6·3 + 0·1) / 5
    assert seq.tree.by_id["m"].primary.normalized_measure == pytest.approx(0.4)
    assert seq.tree.by_id["m"].primary.measure_status


def test_satisfied_by_measure_on_a_cluster() -> None:
    by_measure = objectives("m_obj", extra=' satisfiedByMeasure="true"').replace(
        '></imsss:primaryObjective>', '><imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure>'
        '</imsss:primaryObjective>')
    seq = sequencer(module("a", "b", extra=by_measure))
    run(seq, {"a": {"scaled": 0.9, "success": "passed"}})
    assert status(seq, "m")[1] is False  # (0.9 + 0) / 2 < 0.6, whatever the children's verdicts
    run(seq, {"b": {"scaled": 0.5, "success": "failed"}})
    assert status(seq, "m")[1] is True  # 0.7 ≥ 0.6


def test_children_excluded_from_rollup() -> None:
    no_satisfaction = rollup_rules(attrs=' rollupObjectiveSatisfied="false"')
    no_completion = rollup_rules(attrs=' rollupProgressCompletion="false"')
    untracked = '<imsss:deliveryControls tracked="false"/>'
    seq = sequencer(item("m", flow_mode(), item("a") + item("b", no_satisfaction) + item("c", no_completion)
                         + item("d", untracked)))
    run(seq, {"a": {"success": "passed"}, "b": {"success": "failed", "completion": "incomplete"},
              "c": {"success": "passed", "completion": "incomplete"}})
    assert status(seq, "m") == (False, True)  # b is ignored for satisfaction, c for completion
    assert seq.tree.by_id["b"].sequencing.rollup.rollup_objective_satisfied is False


def test_global_objective_written_by_one_sco_and_read_by_another() -> None:
    writes = ('<imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true" '
              'writeNormalizedMeasure="true"/>')
    reads = '<imsss:mapInfo targetObjectiveID="g1"/>'
    seq = sequencer(item("a", objectives("a_obj", primary_maps=writes)) + item("b", objectives("b_obj",
                                                                                       primary_maps=reads)))
    run(seq, {"a": {"success": "passed", "scaled": 0.8}})
    shared = seq.tree.global_objectives["g1"]
    assert (shared.satisfied_status, shared.normalized_measure) == (True, 0.8)
    assert status(seq, "b") == (None, True)  # b reads the shared status before it was ever attempted
    assert status(seq, "org")[1] is True  # and the root rolls up what its children read


def test_objective_map_read_flags_off_keep_the_local_value() -> None:
    writes = '<imsss:mapInfo targetObjectiveID="g1" writeSatisfiedStatus="true"/>'
    no_read = '<imsss:mapInfo targetObjectiveID="g1" readSatisfiedStatus="false"/>'
    seq = sequencer(item("a", objectives("a_obj", primary_maps=writes))
                    + item("b", objectives("b_obj", primary_maps=no_read)))
    run(seq, {"a": {"success": "passed"}})
    assert status(seq, "b")[1] is None


def test_parser_keeps_map_info_limit_and_rollup_controls() -> None:
    maps = ('<imsss:mapInfo targetObjectiveID="g1" readSatisfiedStatus="false" readNormalizedMeasure="false" '
            'writeSatisfiedStatus="true" writeNormalizedMeasure="true"/>')
    seq_xml = ('<imsss:limitConditions attemptLimit="3"/>'
               + rollup_rules(rollup_rule("completed", "completed", child_set="atLeastCount",
                                          extra=' minimumCount="2"'),
                              attrs=' rollupObjectiveSatisfied="false" objectiveMeasureWeight="0.5"')
               + objectives("p", "o2->g2", primary_maps=maps))
    parsed = manifest(item("m", seq_xml, item("a")))
    sequencing = parsed.organization.items[0].sequencing
    assert sequencing is not None and sequencing.attempt_limit == 3
    assert sequencing.rollup.rollup_objective_satisfied is False
    assert sequencing.rollup.objective_measure_weight == 0.5
    rule = sequencing.rollup.rules[0]
    assert (rule.action, rule.child_activity_set, rule.minimum_count) == ("completed", "atLeastCount", 2)
    assert sequencing.objectives[0].maps == (ObjectiveMap("g1", False, False, True, True),)
    assert sequencing.objectives[1].maps == (ObjectiveMap("g2"),)


def test_sco_results_follow_the_runtime_evaluation() -> None:
    seq = sequencer(item("a") + item("b"))
    seq.navigate("start")
    values = {"cmi.completion_status": "incomplete", "cmi.completion_threshold": "0.5",
              "cmi.progress_measure": "0.7", "cmi.scaled_passing_score": "0.8", "cmi.score.scaled": "0.79",
              "cmi.success_status": "passed", "cmi.objectives.0.id": "extra",
              "cmi.objectives.0.success_status": "passed"}
    seq.record("a", {"family": "2004", "values": values, "counts": {"cmi.objectives": 1}})
    # completed by progress ≥ threshold; failed because 0.79 < 0.8 (RTE 4.2.22) whatever the SCO said
    assert status(seq, "a") == (True, False)
    assert seq.tree.by_id["a"].primary.normalized_measure == pytest.approx(0.79)


def test_sco_objectives_by_identifier() -> None:
    seq = sequencer(item("a", objectives("p", "o1", "o2")))
    seq.navigate("start")
    seq.record("a", result(objectives={"o1": "passed", "o2": "failed", "unknown": "passed"}))
    state = seq.tree.by_id["a"].objectives
    assert (state["o1"].satisfied_status, state["o2"].satisfied_status) == (True, False)
    assert "unknown" not in state


def test_scorm_12_results() -> None:
    seq = sequencer(item("a"))
    seq.navigate("start")
    seq.record("a", {"family": "1.2", "values": {"cmi.core.lesson_status": "failed"}, "counts": {}})
    assert status(seq, "a") == (True, False)


def _condition_on(state: ObjectiveState, name: str, operator: str = "noOp", threshold: float = 0.5,
                  attempts: int = 1) -> bool | None:
    seq = sequencer(item("a"))
    activity = seq.tree.by_id["a"]
    activity.objectives[activity.primary_key] = state
    activity.attempt_count = attempts
    return condition_value(seq.tree, activity, RuleCondition(name, operator, None, threshold))


def test_rule_conditions_are_three_valued() -> None:
    unknown, known = ObjectiveState(), ObjectiveState(True, True, True, 0.7)
    assert _condition_on(unknown, "satisfied") is None
    assert _condition_on(unknown, "satisfied", "not") is None  # not unknown stays unknown
    assert _condition_on(known, "satisfied", "not") is False
    assert _condition_on(unknown, "objectiveStatusKnown") is False
    assert _condition_on(known, "objectiveMeasureKnown") is True
    assert _condition_on(known, "objectiveMeasureGreaterThan", threshold=0.6) is True
    assert _condition_on(known, "objectiveMeasureLessThan", threshold=0.6) is False
    assert _condition_on(unknown, "objectiveMeasureLessThan") is None
    assert _condition_on(known, "attempted", attempts=0) is False
    assert _condition_on(known, "activityProgressKnown") is False  # attempted but no progress reported
    assert _condition_on(known, "always") is True
    assert combine([True, None], "all") is None and combine([True, None], "any") is True
    assert combine([False, None], "all") is False and combine([False, None], "any") is None


@pytest.mark.parametrize(
    ("considerations", "extra"),
    [
        ('requiredForSatisfied="ifAttempted" requiredForNotSatisfied="ifAttempted" '
         'requiredForCompleted="ifAttempted" requiredForIncomplete="ifAttempted"', ""),
        ('requiredForSatisfied="ifNotSkipped" requiredForNotSatisfied="ifNotSkipped" '
         'requiredForCompleted="ifNotSkipped" requiredForIncomplete="ifNotSkipped"',
         '<imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition '
         'condition="always"/></imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule>'
         '</imsss:sequencingRules>'),
    ],
)
def test_rollup_considerations_leave_optional_children_out(considerations: str, extra: str) -> None:
    optional = f"{extra}<adlseq:rollupConsiderations {considerations}/>"
    seq = sequencer(item("m", flow_mode(), item("a") + item("b", optional)))
    assert seq.tree.by_id["b"].sequencing.rollup_considerations.required_for_satisfied != "always"
    run(seq, {"a": {"success": "passed"}})
    assert status(seq, "m") == (True, True)  # b, never attempted (or skipped), does not count

