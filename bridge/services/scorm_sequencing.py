"""SCORM 2004 sequencing in the player: the server decides which SCO runs (SCORM 2004 4th Ed. SN 4.3–4.9).

The engine is ``scorm.sequencing.Sequencer``; this module keeps its state on the attempt
(``ScormAttempt.sequencing``) and connects it to the run-time data the commits store:
- the delivered SCO's run-time state is fed to the engine (``Sequencer.record``) once it changed since the
  delivery, before any request is processed, so the commit path itself stays free of sequencing work;
- ``navigate`` processes a learner's request (previous/next buttons, a table-of-contents choice, exitAll,
  suspendAll), the SCO's own ``adl.nav.request`` after it terminated ("terminated"), or the launch ("launch":
  the current activity again, resumeAll after a suspendAll, else start); a refused request changes nothing
  but the recorded results and raises ``NavigationRefused`` with the SN message;
- ``navigate_attempt`` (what the endpoint calls) also stores the attempt's result when the request changed the
  root activity's (``refresh_result``: ending an attempt rolls up; the progress fact and grade follow);
- ``open_check`` lets a SCO run only when sequencing delivered it (or a choice of it is honoured now) and
  gives the ``adl.nav.request_valid.*`` values it reads.
SCORM 1.2 packages have no sequencing: none of this applies to them (``sequenced``). The caller owns the
transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from bridge.models import ScormActivity, ScormAttempt
from bridge.services.scorm_attempts import AttemptError, attempt_outcome, record_activity_progress, store_result
from bridge.services.scorm_sequencing_state import load, marker, rolled_up_by_sequencing, save
from bridge.services.scorm_sequencing_state import sequenced as sequenced  # the player asks here
from scorm.launch_urls import add_parameters
from scorm.manifest_model import Manifest
from scorm.sequencing import Outcome, Sequencer, TocEntry, ValidRequests, parse_nav_request

LEARNER_REQUESTS = ("continue", "previous", "choice", "exitAll", "suspendAll")
PLAYER_REQUESTS = ("launch", "terminated", "state")


class NavigationError(AttemptError):
    """A navigation request the player never sends (unknown request or activity): 400."""


class NavigationRefused(AttemptError):
    """Sequencing refuses the request (SN exception code in ``nav.code``); the learner stays where they are."""

    status = 409

    def __init__(self, nav: NavState) -> None:
        super().__init__(nav.message or "This navigation request is not allowed now.")
        self.nav = nav


@dataclass(frozen=True, slots=True)
class NavState:
    """What the player shows after a request: the SCO to run, the buttons, the table of contents."""

    outcome: str  # deliver | ended | idle | refused | current
    sco: str | None  # the delivered activity (None when nothing runs)
    resumed: bool
    message: str | None
    code: str | None
    continue_: bool
    previous: bool
    toc: tuple[TocEntry, ...]
    request_valid: Mapping[str, str]  # adl.nav.request_valid.* as the SCO reads them (RTE 4.4.2)

    def to_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "sco": self.sco, "resumed": self.resumed, "message": self.message,
                "code": self.code, "continue": self.continue_, "previous": self.previous,
                "toc": [{"identifier": e.identifier, "title": e.title, "depth": e.depth, "launchable": e.launchable,
                         "enabled": e.enabled, "current": e.current, "completed": e.completed,
                         "satisfied": e.satisfied} for e in self.toc if not e.hidden],
                "request_valid": dict(self.request_valid)}


def asset_urls(manifest: Manifest) -> dict[str, str]:
    """Launch URLs (relative to the package) of the leaf items whose resource is an asset (no run-time API)."""
    org = manifest.organization
    scos = {s.identifier for s in manifest.scos}
    urls: dict[str, str] = {}
    for item in org.all_items() if org else ():
        resource = manifest.resource(item.identifierref) if item.identifierref and not item.children else None
        if resource is not None and resource.href and item.identifier not in scos:
            urls[item.identifier] = add_parameters(resource.href, item.parameters)
    return urls


def _plain(outcome: Outcome, seq: Sequencer) -> str | None:
    if outcome.kind == "refused":
        return outcome.message
    if outcome.kind == "ended" and seq.tree.suspended is not None:
        return "Your attempt is suspended: launch the activity again to continue where you left off."
    if outcome.kind == "ended":
        return "You have reached the end of this course. Your progress is saved."
    if seq.tree.current is None or not seq.tree.current.is_active:
        return "Choose an activity from the contents."
    return None


def _state(seq: Sequencer, outcome: Outcome) -> NavState:
    valid = seq.valid_requests()
    request_valid = _request_valid(valid)
    current = seq.tree.current
    running = current.identifier if current is not None and current.is_active and current.launchable else None
    sco = outcome.activity_id if outcome.kind == "deliver" else running
    return NavState(outcome.kind if outcome.kind != "idle" or sco is None else "current", sco, outcome.resumed,
                    _plain(outcome, seq), outcome.code, valid.continue_, valid.previous, seq.toc(), request_valid)


# -- requests ------------------------------------------------------------------------------------------------
def _launch(seq: Sequencer, attempt: ScormAttempt) -> Outcome:
    tree = seq.tree
    current = tree.current
    if current is not None:  # the session goes on: the running SCO again, else the learner chooses
        if current.is_active and current.launchable:
            return Outcome("deliver", current.identifier, resumed=current.is_suspended)
        return Outcome("idle")
    outcome = seq.navigate("resumeAll" if tree.suspended is not None else "start")
    if outcome.kind != "refused":
        return outcome
    # A course without flow: open what the learner had open before, or the only activity there is;
    # otherwise the table of contents asks for a choice.
    leaves = [a.identifier for a in tree.preorder() if a.launchable]
    for candidate in (attempt.current_sco, leaves[0] if len(leaves) == 1 else None):
        if candidate and tree.get(candidate) is not None:
            chosen = seq.navigate("choice", candidate)
            if chosen.kind == "deliver":
                return chosen
    return Outcome("idle")


def _after_terminate(seq: Sequencer, attempt: ScormAttempt, saved: dict[str, Any]) -> Outcome:
    """The SCO ended its session: honour its adl.nav.request once (RTE 4.4.1), or end its attempt ("exit")."""
    delivered = saved.get("delivered")
    state = (attempt.sco_states or {}).get(delivered or "")
    seen = marker(attempt, delivered)
    if state is None or state.get("running") or seen == saved.get("handled"):
        return Outcome("idle")  # nothing new ended (a repeated report, or the SCO is still running)
    saved["handled"] = seen
    request = parse_nav_request(str(state["runtime"].get("values", {}).get("adl.nav.request") or "_none_"))
    if request is not None:
        return seq.navigate(*request)
    current = seq.tree.current
    return seq.navigate("exit") if current is not None and current.is_active else Outcome("idle")


def navigate(attempt: ScormAttempt, manifest: Manifest, request: str, target: str | None = None) -> NavState:
    """Process one request (``LEARNER_REQUESTS`` or ``PLAYER_REQUESTS``; "state" changes nothing but records)."""
    if request not in LEARNER_REQUESTS + PLAYER_REQUESTS:
        raise NavigationError(f"'{request}' is not a navigation request of this player.")
    seq, saved = load(attempt, manifest)
    if request == "choice" and (not target or seq.tree.get(target) is None or seq.tree.root.identifier == target):
        raise NavigationError("This course has no such activity to choose.")
    if request == "launch":
        outcome = _launch(seq, attempt)
    elif request == "terminated":
        outcome = _after_terminate(seq, attempt, saved)
    elif request == "state":
        outcome = Outcome("idle")
    else:
        outcome = seq.navigate(request, target)
    save(attempt, seq, saved, outcome)
    nav = _state(seq, outcome)
    if outcome.kind == "refused":
        raise NavigationRefused(nav)
    return nav


def refresh_result(session: Session, attempt: ScormAttempt, activity: ScormActivity, manifest: Manifest,
                   now: datetime | None = None) -> None:
    """After a navigation request: ending an attempt can change the root activity's result (UP.4 End Attempt
    Process, then rollup), so a package judged by sequencing stores it and passes it on like a Terminate.
    Not while a SCO session runs: as everywhere, a result counts once its SCO terminated."""
    states = attempt.sco_states or {}
    if not states or any(s.get("running") for s in states.values()) or not rolled_up_by_sequencing(manifest):
        return
    if not store_result(attempt, attempt_outcome(attempt, activity, manifest)):
        return
    now = now or datetime.now(UTC)
    if attempt.completed and attempt.status == "in_progress":
        attempt.status, attempt.finished_at = "completed", now
    if not attempt.preview:
        record_activity_progress(session, activity, attempt.user_id, now)


def navigate_attempt(session: Session, attempt: ScormAttempt, activity: ScormActivity, manifest: Manifest,
                     request: str, target: str | None = None) -> NavState:
    """``navigate``, then the attempt's result as the root activity now has it (a request that ends an attempt
    rolls up: progress fact, gradebook and awards follow); also when the request is refused, since the results
    recorded before it stay."""
    try:
        nav = navigate(attempt, manifest, request, target)
    except NavigationRefused:
        refresh_result(session, attempt, activity, manifest)
        raise
    refresh_result(session, attempt, activity, manifest)
    return nav


def peek(attempt: ScormAttempt, manifest: Manifest) -> NavState:
    """The navigation state now, with the delivered SCO's latest results; nothing is stored."""
    seq, _ = load(attempt, manifest)
    return _state(seq, Outcome("idle"))


def nested_toc(nav: NavState) -> list[dict[str, Any]]:
    """The visible table of contents nested like the manifest's items (``children``), for the player page."""
    root: list[dict[str, Any]] = []
    stack: list[tuple[int, list[dict[str, Any]]]] = [(-1, root)]
    for entry in nav.to_json()["toc"]:
        while stack[-1][0] >= entry["depth"]:
            stack.pop()
        node = {**entry, "choosable": True, "children": []}
        stack[-1][1].append(node)
        stack.append((entry["depth"], node["children"]))
    return root


def open_check(attempt: ScormAttempt, manifest: Manifest, sco: str) -> dict[str, str]:
    """Before a SCO session starts: refuse a SCO sequencing did not deliver (trying a choice of it first), and
    give the ``adl.nav.request_valid.*`` values the SCO reads (RTE 4.4.2)."""
    seq, saved = load(attempt, manifest)
    current = seq.tree.current
    if current is None or current.identifier != sco or not current.is_active:
        outcome = seq.navigate("choice", sco) if seq.tree.get(sco) else Outcome(
            "refused", message="This course has no such activity.")
        save(attempt, seq, saved, outcome)
        if outcome.kind != "deliver" or outcome.activity_id != sco:
            raise NavigationRefused(_state(seq, outcome if outcome.kind == "refused" else Outcome(
                "refused", message="Sequencing delivers another activity now.")))
    else:
        save(attempt, seq, saved, Outcome("idle"))
    return _request_valid(seq.valid_requests())


def _request_valid(valid: ValidRequests) -> dict[str, str]:
    words: Mapping[bool, str] = {True: "true", False: "false"}
    values = {"adl.nav.request_valid.continue": words[valid.continue_],
              "adl.nav.request_valid.previous": words[valid.previous]}
    values.update({f"adl.nav.request_valid.choice.{{target={identifier}}}": words[ok]
                   for identifier, ok in valid.choice.items()})
    values.update({f"adl.nav.request_valid.jump.{{target={identifier}}}": words[ok]
                   for identifier, ok in valid.jump.items()})
    return values
