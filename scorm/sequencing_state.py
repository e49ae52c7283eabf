"""A JSON-serialisable snapshot of an activity tree's tracking state (SCORM 2004 4th Ed. SN 4.2 tracking model).

What persists between requests: per activity the activity/attempt progress information, the activity state
(active, suspended), the tracked attempt duration (UP.1 limits), each objective's progress information and
the cluster's Available Children in order (SR.1 Select Children, SR.2 Randomize Children) with the attempt
they were drawn for; per tree the global objectives, the current and suspended activities, whether the
session ended and the selection/randomization seed. A snapshot saved before a field existed loads with
that field's default, and activities the manifest no longer has are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scorm.sequencing_tree import Activity, ActivityTree, ObjectiveState

_ACTIVITY_FIELDS = {"attempt_count": 0, "attempt_progress_status": False, "attempt_completion_status": False,
                    "is_active": False, "is_suspended": False, "attempt_duration": None, "ordered_attempt": None}
_OBJECTIVE_FIELDS = ("progress_status", "satisfied_status", "measure_status", "normalized_measure")


def _objective_state(values: Mapping[str, Any]) -> ObjectiveState:
    return ObjectiveState(*(values[name] for name in _OBJECTIVE_FIELDS))


def _objectives(states: Mapping[str, ObjectiveState]) -> dict[str, Any]:
    return {key: {name: getattr(s, name) for name in _OBJECTIVE_FIELDS} for key, s in states.items()}


def _activity_state(activity: Activity) -> dict[str, Any]:
    saved = {name: getattr(activity, name) for name in _ACTIVITY_FIELDS}
    saved["objectives"] = _objectives(activity.objectives)
    if activity.children != activity.all_children:
        saved["children"] = [child.identifier for child in activity.children]
    return saved


def tree_state(tree: ActivityTree) -> dict[str, Any]:
    return {
        "activities": {a.identifier: _activity_state(a) for a in tree.by_id.values()},
        "global_objectives": _objectives(tree.global_objectives),
        "current": tree.current.identifier if tree.current else None,
        "suspended": tree.suspended.identifier if tree.suspended else None,
        "ended": tree.ended,
        "seed": tree.seed,
    }


def _load_activity(activity: Activity, saved: Mapping[str, Any]) -> None:
    for name, default in _ACTIVITY_FIELDS.items():
        setattr(activity, name, saved.get(name, default))
    for key, values in saved.get("objectives", {}).items():
        if key in activity.objectives:
            activity.objectives[key] = _objective_state(values)
    if "children" in saved:
        by_id = {child.identifier: child for child in activity.all_children}
        activity.children = [by_id[c] for c in saved["children"] if c in by_id]


def load_tree_state(tree: ActivityTree, state: Mapping[str, Any]) -> None:
    """Restore a snapshot onto a tree freshly built from the manifest."""
    for identifier, saved in state.get("activities", {}).items():
        activity = tree.get(identifier)
        if activity is not None:
            _load_activity(activity, saved)
    tree.global_objectives = {k: _objective_state(v) for k, v in state.get("global_objectives", {}).items()}
    tree.current = tree.get(state.get("current") or "")
    tree.suspended = tree.get(state.get("suspended") or "")
    tree.ended = bool(state.get("ended"))
    tree.seed = str(state.get("seed") or "")
