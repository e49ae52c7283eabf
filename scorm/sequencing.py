"""SCORM 2004 sequencing engine: the part of IMS Simple Sequencing 1.0 that multi-SCO packages use.

Pure and deterministic (no clock, no I/O; selection and randomization draw from the tree's seed).
Spec: SCORM 2004 4th Edition Sequencing and Navigation (SN) book — activity tree and tracking model
(SN 2.1, 2.3, 4.2), control modes (SN 3.2), selection and randomization (SN 3.11, 3.12, 4.7; SR.1, SR.2),
sequencing rules and limit conditions (SN 3.4, 3.5; UP.1, UP.2, UP.5), rollup (SN 3.7–3.9, 4.6;
RB.1.1–RB.1.5), navigation, termination, sequencing and delivery (SN 4.3–4.5, 4.8, 4.9; NB.2.1,
TB.2.x, SB.2.x, DB.1.1, DB.2; Appendix C pseudo code, Appendix D exception codes), and valid-request
evaluation for `adl.nav.request_valid.*` (SN 5.3 processing navigation requests). The parts live in:
`sequencing_tree` (tree, state, run-time results, global objectives), `sequencing_rules`,
`sequencing_rollup`, `sequencing_flow` (traversals), `sequencing_navigation` (requests, delivery),
`sequencing_selection` (SR.1, SR.2), `sequencing_result` (the course's result) and `sequencing_state`
(persistence). Not implemented: time limits other than attemptAbsoluteDurationLimit, begin/end time
ranges, measureSatisfactionIfActive, constrainChoice/preventActivation (adlseq); they are ignored,
not refused.

Integration API for the player (`bridge/player` calls only this; it stays pure):

    seq = Sequencer.from_manifest(manifest)          # or .from_state(manifest, saved); rng= for tests
    outcome = seq.navigate("start")                  # or "resumeAll" when seq.tree.suspended is set
    outcome.kind                                     # "deliver" | "ended" | "idle" | "refused"
    outcome.activity_id                              # the item identifier to launch (kind "deliver")
    outcome.resumed                                  # True: continue the SCO's suspended cmi attempt
    outcome.code, outcome.message                    # SN exception code and text (kind "refused")
    seq.record(activity_id, runtime_session_state)   # after each SCO commit/terminate: cmi → tracking
    seq.navigate("continue" | "previous" | "exit" | "exitAll" | "suspendAll" | "abandon")
    seq.navigate("choice", "ITEM_ID")                # a table-of-contents click
    seq.navigate("jump", "ITEM_ID")                  # a SCO's {target=ITEM_ID}jump (4th Ed.)
    parse_nav_request(cmi["adl.nav.request"])        # a SCO's own request → (request, target) or None
    seq.valid_requests()                             # adl.nav.request_valid.continue/.previous/.choice/.jump
    seq.toc()                                        # entries: enabled / hidden / status per item
    seq.course_result()                              # the root's completion/satisfaction/measure
    saved = seq.to_state()                           # JSON-serialisable; store it with the attempt

A refused request changes nothing. When "start" is refused (a course without flow), show the TOC.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scorm.manifest_model import Manifest
from scorm.rollup import AttemptResult
from scorm.sequencing_flow import Refusal
from scorm.sequencing_navigation import (
    NAVIGATION_REQUESTS,
    Outcome,
    check_navigation,
    choose,
    navigate,
    terminate_exit,
)
from scorm.sequencing_result import course_result
from scorm.sequencing_rollup import overall_rollup
from scorm.sequencing_rules import hidden_from_choice, is_disabled_or_limited
from scorm.sequencing_selection import prepare
from scorm.sequencing_state import load_tree_state, tree_state
from scorm.sequencing_tree import (
    Activity,
    ActivityTree,
    build_tree,
    copy_tree,
    read_objective,
    record_sco_result,
)

__all__ = ["Outcome", "Sequencer", "TocEntry", "ValidRequests", "parse_nav_request", "valid_requests"]

_TARGETED = re.compile(r"^\{target=(?P<target>[^}]+)\}(?P<request>choice|jump)$")


def parse_nav_request(value: str) -> tuple[str, str | None] | None:
    """`adl.nav.request` as a SCO sets it (RTE 4.4.1) → (request, target); None for "_none_" or junk.

    "continue" → ("continue", None); "{target=item_2}choice" → ("choice", "item_2");
    "{target=item_3}jump" → ("jump", "item_3") (4th Ed.: delivered without control-mode checks, SB.2.13).
    """
    targeted = _TARGETED.match(value.strip())
    if targeted:
        return targeted["request"], targeted["target"]
    simple = value.strip()
    return (simple, None) if simple in NAVIGATION_REQUESTS else None


@dataclass(frozen=True, slots=True)
class ValidRequests:
    """What `adl.nav.request_valid.*` reports; `choice` and `jump` map each activity id to true/false."""

    continue_: bool
    previous: bool
    choice: Mapping[str, bool]
    jump: Mapping[str, bool] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TocEntry:
    identifier: str
    title: str
    depth: int
    launchable: bool
    hidden: bool  # isvisible="false" or a hiddenFromChoice precondition (here or above)
    enabled: bool  # a choice of this item would be honoured now
    current: bool
    completed: bool | None  # None: progress unknown
    satisfied: bool | None  # None: objective status unknown
    attempts: int


def _flow_valid(tree: ActivityTree, terminated: ActivityTree, request: str) -> bool:
    try:
        check_navigation(tree, request, None)
    except Refusal:
        return False
    return navigate(copy_tree(terminated), request).kind != "refused"


def _choice_valid(tree: ActivityTree, terminated: ActivityTree, activity: Activity) -> bool:
    try:
        check_navigation(tree, "choice", activity.identifier)
        chosen = choose(terminated, terminated.by_id[activity.identifier])
    except Refusal:
        return False
    return not any(is_disabled_or_limited(terminated, a) for a in chosen.ancestors())


def _jump_valid(tree: ActivityTree, terminated: ActivityTree, activity: Activity) -> bool:
    """A jump is honoured when DB.1.1 would deliver its target once the current attempt ended (SB.2.13)."""
    try:
        check_navigation(tree, "jump", activity.identifier)
    except Refusal:
        return False
    target = terminated.by_id[activity.identifier]
    return target.is_leaf and not any(is_disabled_or_limited(terminated, a) for a in target.ancestors())


def _terminated_copy(tree: ActivityTree) -> ActivityTree:
    """The tree as sequencing will see it once the current attempt ends (TB.2.3 look-ahead)."""
    trial = copy_tree(tree)
    if trial.current is not None and trial.current.is_active:
        terminate_exit(trial, trial.current)  # a follow-up request from post rules is not looked ahead
    return trial


def valid_requests(tree: ActivityTree, current: str | None = None) -> ValidRequests:
    """Evaluate continue, previous, every choice and every jump without changing `tree` (SN 5.3; RTE 4.4.2).

    `current` overrides the tree's current activity (an id); a continue that would end the
    sequencing session counts as valid (the learner may leave the course that way).
    """
    if current is not None:
        tree = copy_tree(tree)
        tree.current = tree.by_id[current]
    terminated = _terminated_copy(tree)
    activities = list(tree.by_id.values())  # those selection left out (SR.1) too: never valid
    choice = {a.identifier: _choice_valid(tree, terminated, a) for a in activities}
    jump = {a.identifier: _jump_valid(tree, terminated, a) for a in activities}
    return ValidRequests(_flow_valid(tree, terminated, "continue"), _flow_valid(tree, terminated, "previous"),
                         choice, jump)


def _toc_entry(tree: ActivityTree, activity: Activity, depth: int, enabled: bool) -> TocEntry:
    primary = read_objective(tree, activity)
    return TocEntry(
        identifier=activity.identifier, title=activity.title, depth=depth, launchable=activity.launchable,
        hidden=any(a.hidden for a in activity.ancestors()) or hidden_from_choice(tree, activity),
        enabled=enabled, current=activity is tree.current,
        completed=activity.attempt_completion_status if activity.attempt_progress_status else None,
        satisfied=primary.satisfied_status if primary.progress_status else None,
        attempts=activity.attempt_count,
    )


def toc(tree: ActivityTree) -> tuple[TocEntry, ...]:
    """The table of contents in document order (the root organization excluded)."""
    valid = valid_requests(tree).choice
    entries: list[TocEntry] = []

    def visit(activity: Activity, depth: int) -> None:
        entries.append(_toc_entry(tree, activity, depth, valid[activity.identifier]))
        for child in activity.children:
            visit(child, depth + 1)

    for child in tree.root.children:
        visit(child, 0)
    return tuple(entries)


class Sequencer:
    """One learner's sequencing session over one package: the player's only entry point."""

    def __init__(self, tree: ActivityTree) -> None:
        self.tree = tree

    @classmethod
    def from_manifest(cls, manifest: Manifest, rng: random.Random | None = None) -> Sequencer:
        """A new session's tree; `rng` draws the seed of its selection and randomization (SR.1, SR.2)."""
        tree = build_tree(manifest)
        tree.seed = f"{(rng or random.SystemRandom()).getrandbits(64):016x}"
        prepare(tree)
        return cls(tree)

    def navigate(self, request: str, target_id: str | None = None) -> Outcome:
        """Process a navigation request; the tree changes only when the request is honoured."""
        outcome = navigate(copy_tree(self.tree), request, target_id)
        if outcome.kind == "refused":
            return outcome
        # The engine is deterministic, so the real run repeats the trial; running it on the tree
        # itself keeps every Activity object the caller holds current.
        return navigate(self.tree, request, target_id)

    def record(self, activity_id: str, runtime_state: Mapping[str, Any]) -> None:
        """Feed a SCO's run-time state (`RuntimeSession.to_state()`) into the tracking model.

        Clusters above it are rolled up at once (RB.1.5), so the TOC shows fresh status.
        """
        record_sco_result(self.tree, activity_id, runtime_state)
        overall_rollup(self.tree, self.tree.by_id[activity_id])

    def valid_requests(self) -> ValidRequests:
        return valid_requests(self.tree)

    def course_result(self) -> AttemptResult:
        """The course's completion, success and score as the root activity has them (RB.1.5)."""
        return course_result(self.tree)

    def toc(self) -> tuple[TocEntry, ...]:
        return toc(self.tree)

    def to_state(self) -> dict[str, Any]:
        return tree_state(self.tree)

    @classmethod
    def from_state(cls, manifest: Manifest, state: Mapping[str, Any]) -> Sequencer:
        tree = build_tree(manifest)
        load_tree_state(tree, state)
        prepare(tree)  # clusters the saved state has not drawn for (a state saved before they had controls)
        return cls(tree)
