"""Rollup of tracking state from children to parents (SCORM 2004 4th Ed. SN 3.7–3.9, 4.6; RB.1.x).

- Measure rollup (RB.1.1): the weighted average of the tracked children's primary-objective measures,
  weighted by `objectiveMeasureWeight`; children with no known measure count with weight but no value;
  no known measure at all leaves the parent's measure unknown.
- Objective rollup (RB.1.2): by measure when the primary objective is `satisfiedByMeasure` (RB.1.2.a),
  otherwise by rollup rules (RB.1.2.b): notSatisfied rules, then satisfied rules (satisfied wins).
- Activity progress rollup (RB.1.3): incomplete rules, then completed rules.
- Without rules of a kind, the SN defaults apply: satisfied when all children are satisfied,
  notSatisfied when all have a known status; completed when all are completed, incomplete when all
  have known progress.
- Rollup rule check (RB.1.4): childActivitySet all / any / none / atLeastCount / atLeastPercent over
  the contributing children (tracked; `rollupObjectiveSatisfied` / `rollupProgressCompletion`, RB.1.4.2);
  rollup conditions (RB.1.4.1) are three-valued with `not`, combined by `any` (default) or `all`.
- Overall rollup (RB.1.5): every ancestor of the activity, nearest first.
Rollup considerations (`adlseq:rollupConsiderations`, 4th Ed.; RB.1.4.2): a child counts for
an action "always", "ifAttempted", "ifNotSkipped" (its skip precondition does not hold) or
"ifNotSuspended"; `measureSatisfactionIfActive` is not applied (active children count).
"""

from __future__ import annotations

from scorm.manifest_model import RollupCondition, RollupRule
from scorm.sequencing_rules import (
    Ternary,
    activity_condition,
    combine,
    negate,
    objective_condition,
    rule_action,
)
from scorm.sequencing_tree import Activity, ActivityTree, read_objective, write_objective

_SATISFACTION = ("satisfied", "notSatisfied")
_DEFAULT_RULES = {
    "notSatisfied": RollupRule("notSatisfied", conditions=(RollupCondition("objectiveStatusKnown"),)),
    "satisfied": RollupRule("satisfied", conditions=(RollupCondition("satisfied"),)),
    "incomplete": RollupRule("incomplete", conditions=(RollupCondition("activityProgressKnown"),)),
    "completed": RollupRule("completed", conditions=(RollupCondition("completed"),)),
}


def _required(tree: ActivityTree, child: Activity, requirement: str) -> bool:
    if requirement == "ifAttempted":
        return child.activity_progress_status
    if requirement == "ifNotSkipped":
        return rule_action(tree, child, "pre", ("skip",)) is None
    if requirement == "ifNotSuspended":
        return child.activity_progress_status and not child.is_suspended
    return True


def _contributes(tree: ActivityTree, child: Activity, action: str) -> bool:
    """RB.1.4.2 Check Child for Rollup."""
    if not child.sequencing.tracked:
        return False
    rollup, considered = child.sequencing.rollup, child.sequencing.rollup_considerations
    if action in _SATISFACTION and not rollup.rollup_objective_satisfied:
        return False
    if action not in _SATISFACTION and not rollup.rollup_progress_completion:
        return False
    requirement = {
        "satisfied": considered.required_for_satisfied,
        "notSatisfied": considered.required_for_not_satisfied,
        "completed": considered.required_for_completed,
        "incomplete": considered.required_for_incomplete,
    }[action]
    return _required(tree, child, requirement)


def _condition(tree: ActivityTree, child: Activity, condition: RollupCondition) -> Ternary:
    try:
        value = objective_condition(condition.condition, read_objective(tree, child), 0.0)
    except KeyError:
        value = activity_condition(condition.condition, child)
    return negate(value, condition.operator)


def _child_set_met(rule: RollupRule, values: list[Ternary]) -> bool:
    if not values:
        return False
    trues = values.count(True)
    kind = rule.child_activity_set
    if kind == "any":
        return trues > 0
    if kind == "none":
        return all(v is False for v in values)
    if kind == "atLeastCount":
        return trues >= rule.minimum_count
    if kind == "atLeastPercent":
        return trues / len(values) >= rule.minimum_percent
    return trues == len(values)  # "all"


def rollup_rule_applies(tree: ActivityTree, activity: Activity, action: str) -> bool:
    """RB.1.4: does any rule with this action (or the default rule) hold over the children?"""
    rules = [r for r in activity.sequencing.rollup.rules if r.action == action]
    for rule in rules or [_DEFAULT_RULES[action]]:
        values = [
            combine((_condition(tree, child, c) for c in rule.conditions), rule.condition_combination)
            for child in activity.children if _contributes(tree, child, action)
        ]
        if _child_set_met(rule, values):
            return True
    return False



def measure_rollup(tree: ActivityTree, activity: Activity) -> None:
    """RB.1.1 Measure Rollup Process."""
    total, weights, known = 0.0, 0.0, False
    for child in activity.children:
        if not child.sequencing.tracked:
            continue
        weight = child.sequencing.rollup.objective_measure_weight
        weights += weight
        objective = read_objective(tree, child)
        if objective.measure_status:
            total, known = total + objective.normalized_measure * weight, True
    if known and weights > 0:
        write_objective(tree, activity, activity.primary_key, measure=total / weights)
    else:
        write_objective(tree, activity, activity.primary_key, clear_measure=True)


def objective_rollup(tree: ActivityTree, activity: Activity) -> None:
    """RB.1.2: by measure (RB.1.2.a) or by rules (RB.1.2.b)."""
    definition = activity.objective_defs[activity.primary_key]
    if definition.satisfied_by_measure:
        objective = read_objective(tree, activity)
        if objective.measure_status:
            satisfied = objective.normalized_measure >= (definition.min_normalized_measure or 0.0)
            write_objective(tree, activity, activity.primary_key, satisfied=satisfied)
        else:
            write_objective(tree, activity, activity.primary_key, clear_satisfied=True)
        return
    if rollup_rule_applies(tree, activity, "notSatisfied"):
        write_objective(tree, activity, activity.primary_key, satisfied=False)
    if rollup_rule_applies(tree, activity, "satisfied"):
        write_objective(tree, activity, activity.primary_key, satisfied=True)


def progress_rollup(tree: ActivityTree, activity: Activity) -> None:
    """RB.1.3 Activity Progress Rollup Process."""
    if rollup_rule_applies(tree, activity, "incomplete"):
        activity.attempt_progress_status, activity.attempt_completion_status = True, False
    if rollup_rule_applies(tree, activity, "completed"):
        activity.attempt_progress_status, activity.attempt_completion_status = True, True


def overall_rollup(tree: ActivityTree, activity: Activity) -> None:
    """RB.1.5: roll up every cluster from the activity to the root."""
    for node in activity.ancestors():
        if node.is_leaf:
            continue
        measure_rollup(tree, node)
        objective_rollup(tree, node)
        progress_rollup(tree, node)
