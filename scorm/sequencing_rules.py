"""Sequencing rules and limit conditions (SCORM 2004 4th Ed. SN 3.4, 3.5, 4.8).

Implements the Sequencing Rules Check Process (UP.2) and its Rule Check Subprocess (UP.2.1), the
Limit Conditions Check Process (UP.1) for `attemptLimit` and `attemptAbsoluteDurationLimit`, and the
Check Activity Process (UP.5: disabled rule or violated limit). Conditions evaluate to True, False or
unknown (None), as in SN UP.2.1: `not` of unknown stays unknown and a rule fires only when its combined
value is True, so "disabled when not satisfied" does not disable an activity whose objective status is
unknown. `timeLimitExceeded` holds when the attempt's tracked duration reached its absolute duration
limit; `outsideAvailableTimeRange` is always False (begin/end time limits are not kept).
"""

from __future__ import annotations

from collections.abc import Iterable

from scorm.manifest_model import RuleCondition, SequencingRule
from scorm.sequencing_tree import Activity, ActivityTree, ObjectiveState, read_objective

Ternary = bool | None


def duration_exceeded(activity: Activity) -> bool:
    """The attempt's tracked duration reached `attemptAbsoluteDurationLimit` (unknown duration: not reached)."""
    limit = activity.sequencing.attempt_duration_limit
    return limit is not None and activity.attempt_duration is not None and activity.attempt_duration >= limit


def limit_exceeded(activity: Activity) -> bool:
    """UP.1 Limit Conditions Check Process: attemptLimit and attemptAbsoluteDurationLimit of a tracked activity.

    An active or suspended activity is within its current attempt, so it never violates a limit (UP.1 step 2):
    the attempt limit holds once the attempt count reached it (step 3), the duration limit once the last
    attempt, with known progress, lasted as long as the limit (step 6; the duration is the SCO's tracked
    total time, and for a cluster the time its SCOs tracked during its attempt).
    """
    seq = activity.sequencing
    if not seq.tracked or activity.is_active or activity.is_suspended or not activity.activity_progress_status:
        return False
    if seq.attempt_limit is not None and activity.attempt_count >= seq.attempt_limit:
        return True
    return activity.attempt_progress_status and duration_exceeded(activity)


def objective_condition(name: str, objective: ObjectiveState, threshold: float) -> Ternary:
    """Conditions on an objective's status, shared by rule and rollup conditions."""
    if name == "satisfied":
        return objective.satisfied_status if objective.progress_status else None
    if name == "objectiveStatusKnown":
        return objective.progress_status
    if name == "objectiveMeasureKnown":
        return objective.measure_status
    if name == "objectiveMeasureGreaterThan":
        return objective.normalized_measure > threshold if objective.measure_status else None
    if name == "objectiveMeasureLessThan":
        return objective.normalized_measure < threshold if objective.measure_status else None
    raise KeyError(name)


def activity_condition(name: str, activity: Activity) -> Ternary:
    """Conditions on an activity's attempt and progress information."""
    if name == "completed":
        return activity.attempt_completion_status if activity.attempt_progress_status else None
    if name == "activityProgressKnown":
        return activity.activity_progress_status and activity.attempt_progress_status
    if name == "attempted":
        return activity.activity_progress_status
    if name == "attemptLimitExceeded":
        return limit_exceeded(activity)
    if name == "always":
        return True
    if name == "timeLimitExceeded":
        return duration_exceeded(activity)
    if name == "outsideAvailableTimeRange":
        return False  # beginTimeLimit / endTimeLimit are not kept
    return None  # an unknown condition name never makes a rule fire


def negate(value: Ternary, operator: str) -> Ternary:
    return (None if value is None else not value) if operator == "not" else value


def combine(values: Iterable[Ternary], combination: str) -> Ternary:
    """Three-valued `all` (and) / `any` (or) over evaluated conditions."""
    seen = list(values)
    if combination == "any":
        return True if True in seen else (None if None in seen else False)
    return False if False in seen else (None if None in seen else True)


def condition_value(tree: ActivityTree, activity: Activity, condition: RuleCondition) -> Ternary:
    """UP.2.1 for one condition; `referencedObjective` picks a non-primary objective."""
    try:
        objective = read_objective(tree, activity, condition.referenced_objective)
        value = objective_condition(condition.condition, objective, condition.measure_threshold or 0.0)
    except KeyError:
        value = activity_condition(condition.condition, activity)
    return negate(value, condition.operator)


def rule_fires(tree: ActivityTree, activity: Activity, rule: SequencingRule) -> bool:
    values = (condition_value(tree, activity, c) for c in rule.conditions)
    return combine(values, rule.condition_combination) is True


def rule_action(tree: ActivityTree, activity: Activity, kind: str, actions: Iterable[str]) -> str | None:
    """UP.2: the action of the first rule of `kind` with one of `actions` whose conditions hold."""
    wanted = set(actions)
    for rule in activity.sequencing.rules:
        if rule.kind == kind and rule.action in wanted and rule_fires(tree, activity, rule):
            return rule.action
    return None


def is_disabled_or_limited(tree: ActivityTree, activity: Activity) -> bool:
    """UP.5 Check Activity Process: True when the activity may not be delivered now."""
    return rule_action(tree, activity, "pre", ("disabled",)) is not None or limit_exceeded(activity)


def hidden_from_choice(tree: ActivityTree, activity: Activity) -> bool:
    """A hiddenFromChoice precondition on the activity or any ancestor hides it from choice."""
    return any(rule_action(tree, a, "pre", ("hiddenFromChoice",)) for a in activity.ancestors())
