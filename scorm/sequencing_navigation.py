"""Navigation, termination, sequencing and delivery (SCORM 2004 4th Ed. SN 4.3–4.9).

`navigate(tree, request, target)` runs the Overall Sequencing Process (OP.1) for one request
(process names and exception codes from SN Appendix C pseudo code and Appendix D):
- Navigation Request Process (NB.2.1): start, resumeAll, continue, previous, choice, jump (4th Ed.),
  exit, exitAll, suspendAll, abandon; refusals carry NB.2.1-n codes (1 session already begun, 2 not
  begun, 3 nothing suspended, 4 flow violation, 5 flow/forwardOnly violation, 6 previous from the root,
  8 choiceExit, 10 choice violation, 11 unknown or unavailable target, 12 current activity already
  terminated, 13 unknown request).
- Termination Request Process (TB.2.3) with End Attempt (UP.4: completion/satisfaction set by the LMS
  when `completionSetByContent` / `objectiveSetByContent` are false), Sequencing Exit Action Rules
  (TB.2.1: `exit`) and Post Condition Rules (TB.2.2: exitParent, exitAll, retry, retryAll, continue,
  previous); "stop" is not a post-condition action in SS 1.0 and is ignored like any unknown action.
- Sequencing Request Process: start (SB.2.5), resumeAll (SB.2.6), continue (SB.2.7), previous
  (SB.2.8), choice (SB.2.9), retry (SB.2.10), exit (SB.2.11), jump (SB.2.13: the target is delivered
  as it is — no control modes, no traversal rules — so only DB.1.1's checks apply: a leaf, and no
  activity on its path disabled or over a limit).
- Delivery Request Process (DB.1.1) and Content Delivery Environment (DB.2): a new attempt on every
  activity of the path that is not active (attempt count + 1, attempt and objective state cleared),
  attempts of activities left behind end first (UP.3 Terminate Descendent Attempts).
Deviation, on purpose: a refused request leaves the tree untouched (the learner stays in the SCO),
where OP.1 would already have terminated the current attempt. `scorm.sequencing` runs requests on a
copy of the tree and keeps it only when the request succeeds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scorm.sequencing_flow import Refusal, SessionEnd, check_choice_path, flow
from scorm.sequencing_rollup import overall_rollup
from scorm.sequencing_rules import hidden_from_choice, is_disabled_or_limited, rule_action
from scorm.sequencing_selection import after_attempt
from scorm.sequencing_tree import Activity, ActivityTree, ObjectiveState, write_objective

NAVIGATION_REQUESTS = ("start", "resumeAll", "continue", "previous", "choice", "jump", "exit", "exitAll",
                       "suspendAll", "abandon")
_POST_ACTIONS = ("exitParent", "exitAll", "retry", "retryAll", "continue", "previous")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the player does next: deliver an activity, end the session, stay idle, or refuse."""

    kind: Literal["deliver", "ended", "idle", "refused"]
    activity_id: str | None = None
    code: str | None = None
    message: str | None = None
    resumed: bool = False  # "deliver": the SCO's suspended attempt continues (cmi.entry = "resume")


def _name(activity: Activity) -> str:
    return activity.title or activity.identifier


# --- termination (UP.3, UP.4, TB.2.1–TB.2.3) ----------------------------------------------------------


def end_attempt(tree: ActivityTree, activity: Activity) -> None:
    """UP.4 End Attempt Process."""
    seq = activity.sequencing
    if activity.is_leaf and seq.tracked and not activity.is_suspended:
        if not seq.completion_set_by_content and not activity.attempt_progress_status:
            activity.attempt_progress_status, activity.attempt_completion_status = True, True
        if not seq.objective_set_by_content and not activity.primary.progress_status:
            write_objective(tree, activity, activity.primary_key, satisfied=True)
    if not activity.is_leaf:  # a cluster left with a suspended child is suspended too
        activity.is_suspended = any(child.is_suspended for child in activity.children)
    activity.is_active = False
    after_attempt(tree, activity)  # SR.2 "onEachNewAttempt": the next attempt's order
    overall_rollup(tree, activity)


def end_descendent_attempts(tree: ActivityTree, keep: list[Activity]) -> None:
    """UP.3: end every active attempt outside `keep`, deepest first."""
    active = [a for a in tree.root.walk() if a.is_active and a not in keep]
    for activity in reversed(active):
        end_attempt(tree, activity)


def _exit_action_rules(tree: ActivityTree, current: Activity) -> Activity:
    """TB.2.1: the highest ancestor whose `exit` exit-condition rule holds ends with all below it."""
    for activity in reversed(current.ancestors()[1:]):
        if rule_action(tree, activity, "exit", ("exit",)):
            end_descendent_attempts(tree, activity.ancestors()[1:])
            if activity.is_active:
                end_attempt(tree, activity)
            return activity
    return current


def terminate_exit(tree: ActivityTree, current: Activity) -> str | None:
    """TB.2.3 exit: end the current attempt, apply exit and post rules; the follow-up request, if any."""
    if current.is_active:
        end_attempt(tree, current)
    current = tree.current = _exit_action_rules(tree, current)
    while True:
        action = None if current.is_suspended else rule_action(tree, current, "post", _POST_ACTIONS)
        if action == "exitParent" and current.parent is not None:
            current = tree.current = current.parent
            if current.is_active:
                end_attempt(tree, current)
            continue
        if action in ("exitAll", "retryAll"):
            end_descendent_attempts(tree, [])
            tree.current = tree.root
            return "exitAll" if action == "exitAll" else "retryAll"
        return action if action in ("retry", "continue", "previous") else None


# --- delivery (DB.1.1, DB.2) ---------------------------------------------------------------------------


def _new_attempt(activity: Activity) -> None:
    activity.attempt_count += 1
    activity.attempt_progress_status = activity.attempt_completion_status = False
    activity.attempt_duration = None
    activity.objectives = {key: ObjectiveState() for key in activity.objectives}


def deliver(tree: ActivityTree, target: Activity) -> Outcome:
    """DB.1.1 + DB.2: start the target's attempt (and its ancestors' where none is running)."""
    if not target.is_leaf:
        raise Refusal("DB.1.1-1", f"'{_name(target)}' is not a launchable activity.")
    path = list(reversed(target.ancestors()))
    for activity in path:
        if is_disabled_or_limited(tree, activity):
            raise Refusal("DB.1.1-3", f"'{_name(activity)}' is not available now.")
    end_descendent_attempts(tree, path)
    if tree.suspended is not None:  # a new delivery discards a suspended attempt elsewhere
        for activity in tree.suspended.ancestors():
            activity.is_suspended = activity.is_suspended and activity in path
    resumed = target.is_suspended
    for activity in path:
        if not activity.is_active:
            if not activity.is_suspended:
                _new_attempt(activity)
            activity.is_active, activity.is_suspended = True, False
    tree.current, tree.suspended, tree.ended = target, None, False
    return Outcome("deliver", target.identifier, resumed=resumed)


def end_session(tree: ActivityTree, message: str) -> Outcome:
    end_descendent_attempts(tree, [])
    tree.current, tree.ended = None, True
    return Outcome("ended", message=message)


# --- sequencing requests (SB.2.5–SB.2.11) ----------------------------------------------------------------


def _common_ancestor(first: Activity, second: Activity) -> Activity:
    seen = first.ancestors()
    return next(a for a in second.ancestors() if a in seen)


def _flow_within(tree: ActivityTree, cluster: Activity, code: str) -> Activity:
    """Flow into a cluster; what is found must lie inside it."""
    if not cluster.sequencing.control_mode.flow:
        raise Refusal(code, f"'{_name(cluster)}' does not allow flow into its activities.")
    try:
        found = flow(tree, cluster, True, True)
    except SessionEnd:
        found = None
    if found is None or cluster not in found.ancestors():
        raise Refusal(code, f"Nothing inside '{_name(cluster)}' can be delivered now.")
    return found


def choose(tree: ActivityTree, target: Activity) -> Activity:
    """SB.2.9 Choice Sequencing Request Process: the activity to deliver for a choice of `target`."""
    if hidden_from_choice(tree, target):
        raise Refusal("SB.2.9-4", f"'{_name(target)}' is hidden from choice.")
    if target.parent is not None and not target.parent.sequencing.control_mode.choice:
        raise Refusal("SB.2.9-5", f"'{_name(target.parent)}' does not allow choosing its activities.")
    current = tree.current
    if current is not None and current is not target:
        check_choice_path(tree, current, target, _common_ancestor(current, target))
    if target.is_leaf:
        return target
    return _flow_within(tree, target, "SB.2.9-7")


def _sequence(tree: ActivityTree, request: str, target: Activity | None = None) -> Outcome:
    current = tree.current
    if request == "choice" and target is not None:
        return deliver(tree, choose(tree, target))
    if request == "jump" and target is not None:
        if current is None:
            raise Refusal("SB.2.13-1", "The sequencing session has not begun.")
        return deliver(tree, target)
    if request in ("start", "retryAll"):
        if tree.root.is_leaf:
            return deliver(tree, tree.root)
        try:
            return deliver(tree, flow(tree, tree.root, True, True))
        except SessionEnd:
            return end_session(tree, "The course has no activity that can be delivered.")
    if current is None:
        raise Refusal("SB.2.7-1", "The sequencing session has not begun.")
    if request == "retry":
        return deliver(tree, current if current.is_leaf else _flow_within(tree, current, "SB.2.10-3"))
    if request in ("continue", "previous"):
        forward = request == "continue"
        if current.parent is not None and not current.parent.sequencing.control_mode.flow:
            raise Refusal("SB.2.7-2" if forward else "SB.2.8-2",
                          f"'{_name(current.parent)}' does not allow flow navigation.")
        try:
            return deliver(tree, flow(tree, current, forward, False))
        except SessionEnd:
            return end_session(tree, "The learner continued past the last activity.")
    if current is tree.root:  # exit (SB.2.11): exiting the root ends the session
        return end_session(tree, "The learner exited the course.")
    return Outcome("idle")


# --- navigation requests (NB.2.1) and the overall process (OP.1) -----------------------------------------


def _check_choice_exit(current: Activity, target: Activity) -> None:
    target_path = target.ancestors()
    for activity in current.ancestors():
        if activity in target_path:
            return
        if activity.is_active and not activity.sequencing.control_mode.choice_exit:
            raise Refusal("NB.2.1-8", f"'{_name(activity)}' must be finished before choosing elsewhere.")


def check_navigation(tree: ActivityTree, request: str, target_id: str | None) -> Activity | None:
    """NB.2.1 validity checks; returns the target activity of a choice."""
    current = tree.current
    if request not in NAVIGATION_REQUESTS:
        raise Refusal("NB.2.1-13", f"'{request}' is not a navigation request.")
    if request in ("start", "resumeAll"):
        if current is not None:
            raise Refusal("NB.2.1-1", "The sequencing session has already begun.")
        if request == "resumeAll" and tree.suspended is None:
            raise Refusal("NB.2.1-3", "There is no suspended attempt to resume.")
        return None
    if request == "jump":
        target = tree.get(target_id or "")
        if target is None or not target.is_available:
            raise Refusal("NB.2.1-11", f"There is no activity '{target_id}' to jump to.")
        if current is None:
            raise Refusal("SB.2.13-1", "The sequencing session has not begun.")
        return target
    if request == "choice":
        target = tree.get(target_id or "")
        if target is None or not target.is_available:
            raise Refusal("NB.2.1-11", f"There is no activity '{target_id}'.")
        if target.parent is not None and not target.parent.sequencing.control_mode.choice:
            raise Refusal("NB.2.1-10", f"'{_name(target.parent)}' does not allow choosing its activities.")
        if current is not None:
            _check_choice_exit(current, target)
        return target
    if current is None:
        raise Refusal("NB.2.1-2", "The sequencing session has not begun.")
    parent = current.parent
    if request == "continue" and parent is not None and not parent.sequencing.control_mode.flow:
        raise Refusal("NB.2.1-4", f"'{_name(parent)}' does not allow flow navigation.")
    if request == "previous":
        if parent is None:
            raise Refusal("NB.2.1-6", "There is no activity before the course itself.")
        mode = parent.sequencing.control_mode
        if not mode.flow or mode.forward_only:
            raise Refusal("NB.2.1-5", f"'{_name(parent)}' does not allow going back.")
    if request == "exit" and not current.is_active:
        raise Refusal("NB.2.1-12", "The current activity has already ended.")
    return None


def _suspend_all(tree: ActivityTree, current: Activity) -> Outcome:
    for activity in current.ancestors():
        activity.is_suspended, activity.is_active = True, False
    tree.suspended, tree.current = current, None
    return Outcome("ended", message="The attempt is suspended; resumeAll continues it.")


def navigate(tree: ActivityTree, request: str, target_id: str | None = None) -> Outcome:
    """OP.1 for one navigation request, changing `tree` in place (see the module note on refusals)."""
    try:
        target = check_navigation(tree, request, target_id)
        current = tree.current
        if request == "resumeAll" and tree.suspended is not None:
            return deliver(tree, tree.suspended)
        if current is None:
            return _sequence(tree, request, target)
        if request == "suspendAll":
            return _suspend_all(tree, current)
        if request == "abandon":
            current.is_active = False
            return Outcome("idle")
        if request == "exitAll":
            return end_session(tree, "The learner exited the course.")
        follow = terminate_exit(tree, current) if current.is_active else None
        if follow == "exitAll":
            return end_session(tree, "An exitAll rule ended the course.")
        return _sequence(tree, follow or request, target if follow is None else None)
    except Refusal as refusal:
        return Outcome("refused", code=refusal.code, message=refusal.message)
