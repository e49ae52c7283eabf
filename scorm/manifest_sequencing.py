"""Reading `imsss:sequencing`, `adlcp:completionThreshold`, `adlnav:presentation` and inline LOM.

SCORM 2004 SN book section 5.1 (sequencing definition model: controlMode, sequencingRules,
limitConditions, rollupRules, objectives with mapInfo, randomizationControls, deliveryControls,
sequencingCollection/IDRef;
the 4th Ed. ADL extension adlseq:rollupConsiderations), CAM 2004 3.4.1.x (completionThreshold:
3rd Ed. element text; 4th Ed. attributes minProgressMeasure, progressWeight, completedByMeasure),
ADL navigation (`hideLMSUI`) and the IEEE LOM "general" category for metadata.
"""

from __future__ import annotations

import re

from lxml import etree

from scorm.manifest_model import (
    CompletionThreshold,
    ControlMode,
    Metadata,
    Objective,
    ObjectiveMap,
    RandomizationControls,
    RollupCondition,
    RollupConsiderations,
    RollupControls,
    RollupRule,
    RuleCondition,
    Sequencing,
    SequencingRule,
)
from scorm.timing import TimeFormatError, parse_timeinterval
from scorm.xml_helpers import attr, child, children, flag, lang_text, local_name, number

_RULE_KINDS = {"preconditionrule": "pre", "exitconditionrule": "exit", "postconditionrule": "post"}


def _control_mode(node: etree._Element | None) -> ControlMode:
    return ControlMode(
        choice=flag(node, "choice", True),
        choice_exit=flag(node, "choiceExit", True),
        flow=flag(node, "flow", False),
        forward_only=flag(node, "forwardOnly", False),
        use_current_attempt_objective_info=flag(node, "useCurrentAttemptObjectiveInfo", True),
        use_current_attempt_progress_info=flag(node, "useCurrentAttemptProgressInfo", True),
    )


def _rule(node: etree._Element) -> SequencingRule | None:
    kind = _RULE_KINDS.get(local_name(node).lower())
    action_node = child(node, "ruleAction")
    if kind is None or action_node is None:
        return None
    conditions_node = child(node, "ruleConditions")
    conditions = tuple(
        RuleCondition(
            condition=attr(cond, "condition") or "always",
            operator=attr(cond, "operator") or "noOp",
            referenced_objective=attr(cond, "referencedObjective"),
            measure_threshold=number(attr(cond, "measureThreshold"), "a rule's measureThreshold"),
        )
        for cond in (children(conditions_node, "ruleCondition") if conditions_node is not None else [])
    )
    return SequencingRule(
        kind=kind,  # type: ignore[arg-type]
        action=attr(action_node, "action") or "",
        condition_combination=(attr(conditions_node, "conditionCombination") if conditions_node is not None
                               else None) or "all",
        conditions=conditions,
    )


def _objective(node: etree._Element, primary: bool) -> Objective | None:
    identifier = attr(node, "objectiveID")
    if not identifier and not primary:
        return None
    measure = number(child_text_or_none(node, "minNormalizedMeasure"), "imsss:minNormalizedMeasure")
    maps = tuple(
        ObjectiveMap(
            target_objective_id=attr(m, "targetObjectiveID") or "",
            read_satisfied_status=flag(m, "readSatisfiedStatus", True),
            read_normalized_measure=flag(m, "readNormalizedMeasure", True),
            write_satisfied_status=flag(m, "writeSatisfiedStatus", False),
            write_normalized_measure=flag(m, "writeNormalizedMeasure", False),
        )
        for m in children(node, "mapInfo") if attr(m, "targetObjectiveID")
    )
    return Objective(
        identifier=identifier or "",
        primary=primary,
        satisfied_by_measure=flag(node, "satisfiedByMeasure", False),
        min_normalized_measure=1.0 if measure is None else measure,
        maps=maps,
    )


def _rollup_rule(node: etree._Element) -> RollupRule | None:
    action_node = child(node, "rollupAction")
    if action_node is None:
        return None
    conditions_node = child(node, "rollupConditions")
    conditions = tuple(
        RollupCondition(condition=attr(c, "condition") or "always", operator=attr(c, "operator") or "noOp")
        for c in (children(conditions_node, "rollupCondition") if conditions_node is not None else [])
    )
    return RollupRule(
        action=attr(action_node, "action") or "",
        child_activity_set=attr(node, "childActivitySet") or "all",
        minimum_count=int(number(attr(node, "minimumCount"), "a rollup rule's minimumCount") or 0),
        minimum_percent=number(attr(node, "minimumPercent"), "a rollup rule's minimumPercent") or 0.0,
        condition_combination=(attr(conditions_node, "conditionCombination") if conditions_node is not None
                               else None) or "any",
        conditions=conditions,
    )


def _rollup_controls(node: etree._Element | None) -> RollupControls:
    if node is None:
        return RollupControls()
    weight = number(attr(node, "objectiveMeasureWeight"), "objectiveMeasureWeight")
    rules = [_rollup_rule(r) for r in children(node, "rollupRule")]
    return RollupControls(
        rollup_objective_satisfied=flag(node, "rollupObjectiveSatisfied", True),
        rollup_progress_completion=flag(node, "rollupProgressCompletion", True),
        objective_measure_weight=1.0 if weight is None else weight,
        rules=tuple(r for r in rules if r is not None),
    )


def _rollup_considerations(node: etree._Element | None) -> RollupConsiderations:
    if node is None:
        return RollupConsiderations()
    return RollupConsiderations(
        required_for_satisfied=attr(node, "requiredForSatisfied") or "always",
        required_for_not_satisfied=attr(node, "requiredForNotSatisfied") or "always",
        required_for_completed=attr(node, "requiredForCompleted") or "always",
        required_for_incomplete=attr(node, "requiredForIncomplete") or "always",
        measure_satisfaction_if_active=flag(node, "measureSatisfactionIfActive", True),
    )


def _attempt_limit(node: etree._Element | None) -> int | None:
    limit = number(attr(node, "attemptLimit"), "attemptLimit") if node is not None else None
    return int(limit) if limit else None  # 0 means "no limit" (SN 5.1.5)


def _duration_limit(node: etree._Element | None) -> float | None:
    """`attemptAbsoluteDurationLimit` (xs:duration) in seconds; fractions beyond centiseconds are dropped.

    Real manifests carry text such as "4 days" here; that is no limit rather than a package refused.
    """
    text = attr(node, "attemptAbsoluteDurationLimit") if node is not None else None
    try:
        return parse_timeinterval(re.sub(r"(\.\d{2})\d+S$", r"\1S", text)) / 100 if text else None
    except TimeFormatError:
        return None


_TIMINGS = ("never", "once", "onEachNewAttempt")


def _randomization(node: etree._Element | None) -> RandomizationControls:
    if node is None:
        return RandomizationControls()
    count = number(attr(node, "selectCount"), "selectCount")
    selection, randomization = attr(node, "selectionTiming"), attr(node, "randomizationTiming")
    return RandomizationControls(
        selection_timing=selection if selection in _TIMINGS else "never",
        select_count=None if count is None else max(int(count), 0),
        randomization_timing=randomization if randomization in _TIMINGS else "never",
        randomize_children=flag(node, "reorderChildren", False),
    )


def child_text_or_none(node: etree._Element, name: str) -> str | None:
    found = child(node, name)
    return found.text.strip() if found is not None and found.text else None


def parse_sequencing(node: etree._Element, collection: dict[str, etree._Element]) -> Sequencing:
    """Parse one `imsss:sequencing`; children of an IDRef'd collection entry fill in what is missing."""
    id_ref = attr(node, "IDRef")
    own = list(node)
    own_names = {local_name(c).lower() for c in own}
    base = collection.get(id_ref or "")
    inherited = [c for c in base if local_name(c).lower() not in own_names] if base is not None else []
    nodes = inherited + own
    by_name = {local_name(c).lower(): c for c in nodes}
    rules_node = by_name.get("sequencingrules")
    rules = [_rule(r) for r in rules_node] if rules_node is not None else []
    objectives_node = by_name.get("objectives")
    objectives: list[Objective | None] = []
    if objectives_node is not None:
        objectives += [_objective(o, True) for o in children(objectives_node, "primaryObjective")]
        objectives += [_objective(o, False) for o in children(objectives_node, "objective")]
    delivery = by_name.get("deliverycontrols")
    return Sequencing(
        control_mode=_control_mode(by_name.get("controlmode")),
        rules=tuple(r for r in rules if r is not None),
        objectives=tuple(o for o in objectives if o is not None),
        tracked=flag(delivery, "tracked", True),
        completion_set_by_content=flag(delivery, "completionSetByContent", False),
        objective_set_by_content=flag(delivery, "objectiveSetByContent", False),
        id_ref=id_ref,
        attempt_limit=_attempt_limit(by_name.get("limitconditions")),
        attempt_duration_limit=_duration_limit(by_name.get("limitconditions")),
        randomization=_randomization(by_name.get("randomizationcontrols")),
        rollup=_rollup_controls(by_name.get("rolluprules")),
        rollup_considerations=_rollup_considerations(by_name.get("rollupconsiderations")),
    )


def parse_completion_threshold(node: etree._Element | None) -> CompletionThreshold | None:
    if node is None:
        return None
    text = (node.text or "").strip()
    if text:  # 3rd Edition: the threshold is the element text and completion is judged by measure
        value = number(text, "adlcp:completionThreshold")
        return CompletionThreshold(min_progress_measure=value or 0.0, completed_by_measure=True)
    return CompletionThreshold(
        min_progress_measure=number(attr(node, "minProgressMeasure"), "minProgressMeasure") or 1.0,
        progress_weight=number(attr(node, "progressWeight"), "progressWeight") or 1.0,
        completed_by_measure=flag(node, "completedByMeasure", False),
    )


def hide_lms_ui(item: etree._Element) -> tuple[str, ...]:
    presentation = child(item, "presentation")
    interface = child(presentation, "navigationInterface") if presentation is not None else None
    if interface is None:
        return ()
    return tuple((h.text or "").strip() for h in children(interface, "hideLMSUI") if h.text)


def parse_metadata(node: etree._Element | None) -> Metadata:
    """Inline LOM (`<metadata><lom><general>…`); external `adlcp:location` metadata is not fetched."""
    general = None
    if node is not None:
        general = next((n for n in node.iter() if local_name(n) == "general"), None)
    if general is None:
        return Metadata()
    keywords = tuple(k for k in (lang_text(n) for n in children(general, "keyword")) if k)
    language = child(general, "language")
    return Metadata(
        title=lang_text(child(general, "title")),
        description=lang_text(child(general, "description")),
        keywords=keywords,
        language=(language.text or "").strip() or None if language is not None else None,
    )
