"""Selection and randomization of a cluster's children (SCORM 2004 4th Ed. SN 3.11, 3.12, 4.7; SR.1, SR.2).

- SR.1 Select Children Process: with Selection Timing "once" and a Selection Count, before the
  cluster's first attempt (Activity Progress Status false), `selectCount` children are drawn without
  replacement and keep their manifest order; they become the cluster's Available Children
  (`Activity.children`; the others stay out of flow, choice, rollup and the table of contents).
  "onEachNewAttempt" selection is left unspecified by SCORM (SN 3.11) and SR.1 does nothing for it.
- SR.2 Randomize Children Process: with `reorderChildren` true, the Available Children are shuffled
  once (before the first attempt) or on each new attempt.
- Neither runs while the cluster is active or suspended (SR.1/SR.2 step 2), so a running or resumed
  attempt never sees its order change.
When (SN 4.7 leaves the moment to the LMS, as long as it precedes any consideration of the children):
"once" and the first "onEachNewAttempt" draw happen when the tree is prepared for a sequencing session
(`prepare`, before any request); later "onEachNewAttempt" draws happen as the cluster's attempt ends
(`after_attempt`, called by UP.4 End Attempt), ready for the next one.
Every draw comes from `random.Random(f"{tree.seed}/{activity}/{attempt count}")`: the engine stays
deterministic (the trial run of a request and the real one draw the same), the persisted seed and
order (`scorm.sequencing.tree_state`) let a resumed attempt see the same children, and tests inject
the seed.
"""

from __future__ import annotations

import random

from scorm.sequencing_tree import Activity, ActivityTree


def _draw(tree: ActivityTree, activity: Activity) -> random.Random:
    return random.Random(f"{tree.seed}/{activity.identifier}/{activity.attempt_count}")


def _steady(activity: Activity) -> bool:
    """SR.1/SR.2 steps 1–2: nothing to do for a leaf or an activity whose attempt is in progress."""
    return activity.is_leaf or activity.is_active or activity.is_suspended


def select_children(tree: ActivityTree, activity: Activity, draw: random.Random) -> None:
    """SR.1 Select Children Process."""
    controls = activity.sequencing.randomization
    if _steady(activity) or controls.selection_timing != "once" or activity.activity_progress_status:
        return
    if controls.select_count is None:
        return
    count = min(controls.select_count, len(activity.all_children))
    chosen = set(draw.sample(activity.all_children, count))
    activity.children = [child for child in activity.all_children if child in chosen]


def randomize_children(tree: ActivityTree, activity: Activity, draw: random.Random) -> None:
    """SR.2 Randomize Children Process."""
    controls = activity.sequencing.randomization
    if _steady(activity) or not controls.randomize_children or controls.randomization_timing == "never":
        return
    if controls.randomization_timing == "once" and activity.activity_progress_status:
        return
    draw.shuffle(activity.children)


def prepare(tree: ActivityTree) -> None:
    """Before a sequencing session considers any cluster: SR.1 then SR.2 on every cluster not drawn yet."""
    for activity in tree.by_id.values():
        if activity.is_leaf or activity.ordered_attempt is not None:
            continue
        draw = _draw(tree, activity)
        select_children(tree, activity, draw)
        randomize_children(tree, activity, draw)
        activity.ordered_attempt = activity.attempt_count


def after_attempt(tree: ActivityTree, activity: Activity) -> None:
    """As a cluster's attempt ends (not suspended): SR.2 for "onEachNewAttempt", ready for the next attempt."""
    if activity.sequencing.randomization.randomization_timing != "onEachNewAttempt":
        return
    if _steady(activity):
        return
    # `ordered_attempt` below the attempt count: the order in place was drawn for the attempt that just ended.
    if activity.ordered_attempt is None or activity.ordered_attempt < activity.attempt_count:
        randomize_children(tree, activity, _draw(tree, activity))
        activity.ordered_attempt = activity.attempt_count
