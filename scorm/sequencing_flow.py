"""Flow and choice traversal of the activity tree (SCORM 2004 4th Ed. SN 3.2, 4.8; SB.2.1–SB.2.4).

- Flow Tree Traversal (SB.2.1): the next/previous activity in preorder; entering a cluster backward
  lands on its last child unless the cluster is `forwardOnly` (then its first child, going forward);
  walking forward past the last activity ends the sequencing session.
- Flow Activity Traversal (SB.2.2): skips activities whose `skip` precondition holds, refuses when the
  parent does not allow `flow` (SB.2.2-1) or the activity is disabled / over its attempt limit
  (SB.2.2-2), and descends into clusters until a leaf is found.
- Flow Subprocess (SB.2.3) combines the two.
- Choice Activity Traversal (SB.2.4): a forward choice may not pass an activity whose
  `stopForwardTraversal` precondition holds (SB.2.4-1); a backward choice may not cross a
  `forwardOnly` cluster (SB.2.4-2).
Every refusal is a `Refusal` carrying the SN exception code and a plain message.
"""

from __future__ import annotations

from scorm.errors import ScormError
from scorm.sequencing_rules import is_disabled_or_limited, rule_action
from scorm.sequencing_tree import Activity, ActivityTree


class Refusal(ScormError):
    """A navigation or sequencing request cannot be honoured; `code` is the SN exception code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class SessionEnd(ScormError):  # noqa: N818 - a signal, not a failure: flow ran past the last activity
    """Forward flow walked past the last activity: the sequencing session ends (SB.2.1)."""


def _sibling(activity: Activity, step: int) -> Activity | None:
    parent = activity.parent
    if parent is None:
        return None
    index = parent.children.index(activity) + step
    return parent.children[index] if 0 <= index < len(parent.children) else None


def tree_traversal(activity: Activity, forward: bool, consider_children: bool) -> tuple[Activity, bool]:
    """SB.2.1: (next activity, direction still forward)."""
    if consider_children and activity.children:
        if forward or activity.sequencing.control_mode.forward_only:
            return activity.children[0], True
        return activity.children[-1], False
    if forward:
        node: Activity | None = activity
        while node is not None:
            following = _sibling(node, 1)
            if following is not None:
                return following, True
            node = node.parent
        raise SessionEnd("the end of the activity tree was reached")
    if activity.parent is None:
        raise Refusal("SB.2.1-3", "There is no activity before the first one.")
    previous = _sibling(activity, -1)
    if previous is None:
        return tree_traversal(activity.parent, False, False)
    return previous, False


def activity_traversal(tree: ActivityTree, activity: Activity, forward: bool) -> Activity:
    """SB.2.2: from a candidate to a deliverable leaf in the flow direction."""
    while True:
        parent = activity.parent
        if parent is not None and not parent.sequencing.control_mode.flow:
            raise Refusal("SB.2.2-1", f"'{parent.title or parent.identifier}' does not allow flow navigation.")
        if rule_action(tree, activity, "pre", ("skip",)):
            activity, forward = tree_traversal(activity, forward, False)
            continue
        if is_disabled_or_limited(tree, activity):
            raise Refusal("SB.2.2-2", f"'{activity.title or activity.identifier}' is not available now.")
        if activity.is_leaf:
            return activity
        activity, forward = tree_traversal(activity, forward, True)


def flow(tree: ActivityTree, start: Activity, forward: bool, consider_children: bool) -> Activity:
    """SB.2.3 Flow Subprocess: the deliverable activity reached from `start`, or a refusal."""
    candidate, still_forward = tree_traversal(start, forward, consider_children)
    return activity_traversal(tree, candidate, still_forward)


def check_choice_path(tree: ActivityTree, current: Activity, target: Activity,
                      common: Activity) -> None:
    """SB.2.4 for the activities a choice passes between `current` and `target`."""
    order = {a: i for i, a in enumerate(tree.root.walk())}
    if order[target] < order[current]:
        if common.sequencing.control_mode.forward_only:
            raise Refusal("SB.2.4-2", f"'{common.title or common.identifier}' may only be taken forward.")
        return
    for activity in current.ancestors():
        if activity is common:
            break
        if rule_action(tree, activity, "pre", ("stopForwardTraversal",)):
            raise Refusal("SB.2.4-1", f"'{activity.title or activity.identifier}' stops moving forward.")
    for activity in common.children:
        if order[activity] > order[target]:
            break
        between = order[activity] < order[target] and target not in activity.walk()
        if between and order[activity] > order[current] and \
                rule_action(tree, activity, "pre", ("stopForwardTraversal",)):
            raise Refusal("SB.2.4-1", f"'{activity.title or activity.identifier}' stops moving forward.")
