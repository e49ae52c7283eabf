"""The activity tree and its tracking state (SCORM 2004 4th Ed. SN 2.1, 2.3, 4.2; IMS SS 1.0).

An `ActivityTree` is built from the default organization of a parsed `Manifest`: the organization is
the root activity, each `<item>` an activity, leaves (items with a resource) are delivered. Each
activity keeps the SN 4.2 tracking model: activity progress (attempt count), attempt progress and
completion, objective progress/satisfied/measure per objective, and the activity state (active,
suspended). Objectives with `imsss:mapInfo` read and write shared global objectives (SN 3.10 objective
description, objective maps); reads see the global value whenever it is known.

`record_sco_result` maps a SCO's run-time values onto the tracking model (RTE 4.2.4 completion,
4.2.22 success, 4.2.20 score.scaled → measure, 4.2.17 objectives) using the runtime's own evaluation
(`scorm.runtime_rules`), so what the LMS reports and what sequencing sees never differ. A SCO that
exits with cmi.exit = "suspend" leaves its activity suspended: its attempt resumes on the next
delivery instead of a new one starting (RTE 4.2.8).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from scorm.errors import ManifestError
from scorm.manifest_model import ControlMode, Item, Manifest, Objective, ObjectiveMap, Sequencing
from scorm.rollup import attempt_result
from scorm.runtime_rules import evaluated_completion, evaluated_success
from scorm.runtime_store import CmiStore
from scorm.timing import parse_timeinterval, parse_timespan_12

DEFAULT_SEQUENCING = Sequencing()
# SCORM 1.2 has no sequencing; LMSs offer both a table of contents and previous/next, so we do too.
SCORM_12_SEQUENCING = Sequencing(control_mode=ControlMode(choice=True, flow=True))
PRIMARY = ""  # key of an activity's primary objective when the manifest gives it no identifier


@dataclass(slots=True)
class ObjectiveState:
    """Objective progress information (SN 4.2 tracking model)."""

    progress_status: bool = False
    satisfied_status: bool = False
    measure_status: bool = False
    normalized_measure: float = 0.0


@dataclass(slots=True, eq=False)
class Activity:
    """One node of the activity tree with its definition and tracking state."""

    identifier: str
    title: str
    sequencing: Sequencing
    parent: Activity | None = None
    children: list[Activity] = field(default_factory=list)  # Available Children (SR.1, SR.2), in order
    all_children: list[Activity] = field(default_factory=list)  # as the manifest lists them
    launchable: bool = False
    hidden: bool = False  # isvisible="false": not shown in the table of contents
    attempt_count: int = 0
    attempt_progress_status: bool = False
    attempt_completion_status: bool = False
    is_active: bool = False
    is_suspended: bool = False
    attempt_duration: float | None = None  # seconds of the current attempt as tracked (SCO total_time)
    ordered_attempt: int | None = None  # attempt count when selection/randomization last ran; None: never
    objectives: dict[str, ObjectiveState] = field(default_factory=dict)
    objective_defs: dict[str, Objective] = field(default_factory=dict)
    primary_key: str = PRIMARY

    @property
    def is_leaf(self) -> bool:
        return not self.all_children

    @property
    def is_available(self) -> bool:
        """In the activity tree as selection left it: every node up to the root is an available child."""
        node = self
        while node.parent is not None:
            if node not in node.parent.children:
                return False
            node = node.parent
        return True

    @property
    def activity_progress_status(self) -> bool:
        return self.attempt_count > 0

    @property
    def primary(self) -> ObjectiveState:
        return self.objectives[self.primary_key]

    def ancestors(self) -> list[Activity]:
        """This activity and its ancestors, the activity first and the root last."""
        out: list[Activity] = []
        node: Activity | None = self
        while node is not None:
            out.append(node)
            node = node.parent
        return out

    def walk(self) -> Iterator[Activity]:
        """Preorder traversal: the order flow navigation follows (SN 4.8, SB.2.1)."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(slots=True, eq=False)
class ActivityTree:
    root: Activity
    by_id: dict[str, Activity]
    global_objectives: dict[str, ObjectiveState] = field(default_factory=dict)
    current: Activity | None = None
    suspended: Activity | None = None  # Suspended Activity (SN 4.2) after a suspendAll
    ended: bool = False
    seed: str = ""  # selection and randomization draw from it (scorm.sequencing_selection)

    def get(self, identifier: str) -> Activity | None:
        return self.by_id.get(identifier)

    def preorder(self) -> list[Activity]:
        return list(self.root.walk())


def _activity(identifier: str, title: str, sequencing: Sequencing | None, default: Sequencing) -> Activity:
    seq = sequencing or default
    activity = Activity(identifier=identifier, title=title, sequencing=seq)
    primary = seq.primary_objective
    activity.primary_key = primary.identifier if primary else PRIMARY
    activity.objective_defs[activity.primary_key] = primary or Objective(identifier=PRIMARY, primary=True)
    for objective in seq.objectives:
        activity.objective_defs.setdefault(objective.identifier, objective)
    activity.objectives = {key: ObjectiveState() for key in activity.objective_defs}
    return activity


def _from_item(item: Item, parent: Activity, by_id: dict[str, Activity], default: Sequencing) -> Activity:
    activity = _activity(item.identifier, item.title, item.sequencing, default)
    activity.parent, activity.hidden = parent, item.hidden
    by_id[activity.identifier] = activity
    activity.children = [_from_item(child, activity, by_id, default) for child in item.children]
    activity.all_children = list(activity.children)
    activity.launchable = bool(item.identifierref) and not activity.children
    return activity


def build_tree(manifest: Manifest) -> ActivityTree:
    """The activity tree of the manifest's default organization (SN 2.1)."""
    org = manifest.organization
    if org is None:
        raise ManifestError("The package has no organization, so there is nothing to sequence.")
    default = SCORM_12_SEQUENCING if manifest.version == "1.2" else DEFAULT_SEQUENCING
    root = _activity(org.identifier, org.title, org.sequencing, default)
    by_id = {root.identifier: root}
    root.children = [_from_item(item, root, by_id, default) for item in org.items]
    root.all_children = list(root.children)
    return ActivityTree(root=root, by_id=by_id)


def copy_tree(tree: ActivityTree) -> ActivityTree:
    """A copy whose tracking state can change freely; the frozen definitions are shared, not copied."""
    memo: dict[int, Any] = {}
    for activity in tree.by_id.values():
        memo[id(activity.sequencing)] = activity.sequencing
        memo[id(activity.objective_defs)] = activity.objective_defs
    return copy.deepcopy(tree, memo)


# --- reading and writing objectives through objective maps (SN 3.10) ------------------------------


def _maps(activity: Activity, key: str) -> tuple[ObjectiveMap, ...]:
    definition = activity.objective_defs.get(key)
    return definition.maps if definition else ()


def read_objective(tree: ActivityTree, activity: Activity, key: str | None = None) -> ObjectiveState:
    """The objective as sequencing sees it: local values, overridden by known mapped global values."""
    key = activity.primary_key if key is None else key
    local = activity.objectives.get(key)
    if local is None:
        return ObjectiveState()
    seen = ObjectiveState(local.progress_status, local.satisfied_status, local.measure_status,
                          local.normalized_measure)
    for mapping in _maps(activity, key):
        shared = tree.global_objectives.get(mapping.target_objective_id)
        if shared is None:
            continue
        if mapping.read_satisfied_status and shared.progress_status:
            seen.progress_status, seen.satisfied_status = True, shared.satisfied_status
        if mapping.read_normalized_measure and shared.measure_status:
            seen.measure_status, seen.normalized_measure = True, shared.normalized_measure
    return seen


def write_objective(tree: ActivityTree, activity: Activity, key: str, *, satisfied: bool | None = None,
                    measure: float | None = None, clear_satisfied: bool = False,
                    clear_measure: bool = False) -> None:
    """Set a local objective and copy it to every global objective it writes to."""
    local = activity.objectives[key]
    if satisfied is not None or clear_satisfied:
        local.progress_status, local.satisfied_status = satisfied is not None, bool(satisfied)
    if measure is not None or clear_measure:
        local.measure_status, local.normalized_measure = measure is not None, measure or 0.0
    for mapping in _maps(activity, key):
        shared = tree.global_objectives.setdefault(mapping.target_objective_id, ObjectiveState())
        if mapping.write_satisfied_status and (satisfied is not None or clear_satisfied):
            shared.progress_status, shared.satisfied_status = local.progress_status, local.satisfied_status
        if mapping.write_normalized_measure and (measure is not None or clear_measure):
            shared.measure_status, shared.normalized_measure = local.measure_status, local.normalized_measure


# --- from SCO run-time values to the tracking model (RTE 4.2.4, 4.2.17, 4.2.20, 4.2.22) -------------


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _success_word(word: str | None) -> bool | None:
    return {"passed": True, "failed": False}.get(word or "")


def _record_primary(tree: ActivityTree, activity: Activity, satisfied: bool | None,
                    scaled: float | None) -> None:
    definition = activity.objective_defs[activity.primary_key]
    if scaled is not None:
        write_objective(tree, activity, activity.primary_key, measure=scaled)
    if definition.satisfied_by_measure:  # SN 3.10 satisfiedByMeasure: the measure decides, not the SCO's word
        threshold = definition.min_normalized_measure or 0.0
        satisfied = None if scaled is None else scaled >= threshold
    if satisfied is not None:
        write_objective(tree, activity, activity.primary_key, satisfied=satisfied)


def _record_objectives(tree: ActivityTree, activity: Activity, store: CmiStore) -> None:
    for index in range(store.count("cmi.objectives")):
        key = store.get(f"cmi.objectives.{index}.id") or ""
        if key not in activity.objectives or key == activity.primary_key:
            continue
        satisfied = _success_word(store.get(f"cmi.objectives.{index}.success_status"))
        scaled = _number(store.get(f"cmi.objectives.{index}.score.scaled"))
        write_objective(tree, activity, key, satisfied=satisfied, measure=scaled)


def _seconds(text: str | None, parse: Callable[[str], int]) -> float | None:
    try:
        return parse(text) / 100 if text else None
    except ValueError:
        return None


def _add_duration(activity: Activity, duration: float) -> None:
    added = duration - (activity.attempt_duration or 0.0)
    activity.attempt_duration = duration
    if added <= 0:
        return
    for cluster in activity.ancestors()[1:]:
        if cluster.is_active:
            cluster.attempt_duration = (cluster.attempt_duration or 0.0) + added


def record_sco_result(tree: ActivityTree, activity_id: str, state: Mapping[str, Any]) -> None:
    """Feed one SCO's run-time state (`RuntimeSession.to_state()`) into its activity's tracking state.

    The attempt's duration is the SCO's cmi.total_time (RTE 4.2.26; 1.2: cmi.core.total_time), the one
    duration the LMS tracks; UP.1 compares it with `attemptAbsoluteDurationLimit`. What it adds is added
    to the running attempts of the clusters above, so a cluster's attempt lasts at least as long as the
    time spent in its SCOs during it.
    """
    activity = tree.by_id[activity_id]
    store = CmiStore(state.get("values"), state.get("counts"))
    family_12 = state.get("family") == "1.2"
    exit_key = "cmi.core.exit" if family_12 else "cmi.exit"
    activity.is_suspended = store.get(exit_key) == "suspend"
    duration = (_seconds(store.get("cmi.core.total_time"), parse_timespan_12) if family_12
                else _seconds(store.get("cmi.total_time"), parse_timeinterval))
    if duration is not None:
        _add_duration(activity, duration)
    if state.get("family") == "1.2":
        result = attempt_result(state)
        activity.attempt_progress_status = True
        activity.attempt_completion_status = result.completed
        _record_primary(tree, activity, result.passed, None)
        return
    completion = evaluated_completion(store)
    if completion in ("completed", "incomplete", "not attempted"):
        activity.attempt_progress_status = True
        activity.attempt_completion_status = completion == "completed"
    scaled = _number(store.get("cmi.score.scaled"))
    _record_primary(tree, activity, _success_word(evaluated_success(store)), scaled)
    _record_objectives(tree, activity, store)
