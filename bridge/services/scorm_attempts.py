"""SCORM attempts: start or resume one, apply the run-time calls a browser reports, roll up on Terminate.

The browser adapter (``bridge/static/js/scorm-api.js``) answers the SCO synchronously from its own copy of
the state and reports the calls that change state (Initialize, SetValue, Commit, Terminate) in numbered
batches. Here every call is replayed through ``scorm.runtime.RuntimeSession`` — the same data model and
rules as the browser — so stored values are always ones the real API accepts; what the browser reports is
learner-controlled data and is kept as such (the CMI values are the evidence).

Batches are idempotent: each SCO session has an id, each batch a sequence number; a batch already applied
is skipped, a gap is refused (``BatchRejected``, the browser resends its whole queue). Concurrent posts of
the same attempt (a beacon racing a fetch) are caught by the row version (``ScormAttempt.commits``).
On a successful Terminate the attempt is rolled up (SCORM 1.2 lesson_status / 2004 evaluated statuses →
``scorm.rollup``) and the activity's result (best or last attempt) is recorded as a progress fact and queued
for the LMS gradebook (``bridge.services.grading``: outbox, retried, FullyGraded only with a score).
The caller owns the transaction.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import ResourceLink, ScormActivity, ScormAttempt, ScormPackage
from bridge.services import awards, grading, progress, scorm_interactions, scorm_sequencing_state
from scorm.manifest_model import Manifest, Sco
from scorm.rollup import AttemptResult, attempt_result, pick_attempt, rollup
from scorm.runtime import RuntimeSession
from scorm.timing import parse_timeinterval, parse_timespan_12

MAX_CALLS_PER_POST = 5000


class AttemptError(Exception):
    """A request about an attempt cannot be served; the message is for the learner or instructor."""

    status = 400


class NoAttemptsLeft(AttemptError):
    status = 403


class BatchRejected(AttemptError):
    status = 409


@dataclass(frozen=True, slots=True)
class Learner:
    user_pk: int
    user_id: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class AttemptRules:
    max_attempts: int = 0
    grading_policy: str = "last"
    sco_scoring: str = "average"
    sco_weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Batch:
    seq: int
    calls: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class CommitOutcome:
    acked: int
    applied: int
    rejected: tuple[dict[str, Any], ...]
    terminated: bool


@dataclass(frozen=True, slots=True)
class SessionStart:
    session: str
    values: dict[str, str]
    counts: dict[str, int]


# -- activities ---------------------------------------------------------------------------------
def link_for(session: Session, course_pk: int, resource_link_id: str) -> ResourceLink | None:
    return session.scalars(select(ResourceLink).where(ResourceLink.course_id == course_pk,
                                                      ResourceLink.resource_link_id == resource_link_id)).first()


def activity_for(session: Session, course_pk: int | None, resource_link_id: str | None) -> ScormActivity | None:
    if course_pk is None or not resource_link_id:
        return None
    link = link_for(session, course_pk, resource_link_id)
    if link is None:
        return None
    return session.scalars(select(ScormActivity).where(ScormActivity.resource_link_pk == link.id)).first()


def attach(session: Session, link: ResourceLink, package: ScormPackage, rules: AttemptRules) -> ScormActivity:
    """Make ``link`` play ``package`` with ``rules`` (replacing an earlier choice for the link)."""
    if rules.grading_policy not in ("best", "last") or rules.sco_scoring not in ("average", "weighted"):
        raise AttemptError("Grading must be 'best' or 'last' and SCO scoring 'average' or 'weighted'.")
    if rules.max_attempts < 0:
        raise AttemptError("The number of attempts cannot be negative (0 means unlimited).")
    weights = _sco_weights(package, rules)
    activity = session.scalars(select(ScormActivity).where(ScormActivity.resource_link_pk == link.id)).first()
    if activity is None:
        activity = ScormActivity(resource_link_pk=link.id, package_id=package.id)
        session.add(activity)
    activity.package_id = package.id
    activity.max_attempts, activity.grading_policy = rules.max_attempts, rules.grading_policy
    activity.sco_scoring, activity.sco_weights = rules.sco_scoring, weights
    session.flush()
    return activity


def _sco_weights(package: ScormPackage, rules: AttemptRules) -> dict[str, float]:
    """The weights of the package's SCOs (a SCO without one weighs 1); weights given for SCOs the package does
    not have (those of a package attached before) are dropped."""
    identifiers = [str(sco.get("identifier")) for sco in (package.summary or {}).get("scos", [])]
    weights = {sco: float(rules.sco_weights[sco]) for sco in identifiers if sco in rules.sco_weights}
    if any(not math.isfinite(w) or w < 0 for w in weights.values()):
        raise AttemptError("SCO weights must be numbers of 0 or more.")
    if rules.sco_scoring == "weighted" and identifiers and not any(weights.get(s, 1.0) > 0 for s in identifiers):
        raise AttemptError("With weighted scoring at least one SCO needs a weight above 0.")
    return weights


# -- attempts -----------------------------------------------------------------------------------
def attempts_of(session: Session, activity: ScormActivity, user_pk: int | None = None) -> list[ScormAttempt]:
    query = select(ScormAttempt).where(ScormAttempt.activity_id == activity.id, ScormAttempt.preview.is_(False))
    if user_pk is not None:
        query = query.where(ScormAttempt.user_id == user_pk)
    return list(session.scalars(query.order_by(ScormAttempt.user_id, ScormAttempt.number)))


def current_attempt(session: Session, activity: ScormActivity, user_pk: int) -> ScormAttempt:
    """The learner's open attempt (resumed), or a new one if the rules allow it."""
    attempts = attempts_of(session, activity, user_pk)
    if attempts and attempts[-1].status in ("in_progress", "suspended"):
        return attempts[-1]
    if activity.max_attempts and len(attempts) >= activity.max_attempts:
        raise NoAttemptsLeft(f"You have used all {activity.max_attempts} attempts of this activity.")
    attempt = ScormAttempt(activity_id=activity.id, user_id=user_pk, number=len(attempts) + 1,
                           status="in_progress", sco_states={})
    session.add(attempt)
    session.flush()
    return attempt


def start_preview(session: Session, activity: ScormActivity, user_pk: int) -> ScormAttempt:
    """A fresh no-credit preview attempt for an instructor (an earlier preview of theirs is discarded).

    The SCO runs with cmi.core.credit / cmi.credit "no-credit" and lesson_mode / mode "browse", so the SCORM
    1.2 finish rule gives "browsed"; previews are not counted as attempts, rolled up into progress, sent to
    the gradebook or shown in reports.
    """
    for old in session.scalars(select(ScormAttempt).where(
            ScormAttempt.activity_id == activity.id, ScormAttempt.user_id == user_pk, ScormAttempt.preview.is_(True))):
        session.delete(old)
    session.flush()
    attempt = ScormAttempt(activity_id=activity.id, user_id=user_pk, number=0, status="in_progress", sco_states={},
                           preview=True)
    session.add(attempt)
    session.flush()
    return attempt


def _new_runtime(manifest: Manifest, sco: Sco, learner: Learner, saved: Mapping[str, Any] | None,
                 preview: bool = False) -> RuntimeSession:
    credit, mode = ("no-credit", "browse") if preview else ("credit", "normal")
    return RuntimeSession(manifest.version, sco, saved or None, learner_id=learner.user_id,
                          learner_name=learner.name, credit=credit, mode=mode)


def open_sco(session: Session, attempt: ScormAttempt, manifest: Manifest, sco: Sco, learner: Learner) -> SessionStart:
    """The values a new session of ``sco`` starts with (entry, location, suspend_data and, in SCORM 2004, the
    readable interactions restored)."""
    saved = (attempt.sco_states or {}).get(sco.identifier)
    runtime = _new_runtime(manifest, sco, learner, saved["runtime"] if saved else None, attempt.preview)
    if saved and manifest.version != "1.2":
        runtime.store.values.update(
            scorm_interactions.logged_values(session, attempt.id, sco.identifier, runtime.attempt))
    state = runtime.to_state()
    return SessionStart(session=uuid.uuid4().hex, values=state["values"], counts=state["counts"])


def _parse_batches(raw: Any) -> list[Batch]:
    if not isinstance(raw, list):
        raise AttemptError("'batches' must be a list.")
    batches: list[Batch] = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("seq"), int) or not isinstance(
                item.get("calls"), list) or not all(isinstance(c, dict) for c in item["calls"]):
            raise AttemptError("Each batch needs an integer 'seq' and a list of 'calls' objects.")
        batches.append(Batch(item["seq"], tuple(item["calls"])))
    if sum(len(b.calls) for b in batches) > MAX_CALLS_PER_POST:
        raise AttemptError(f"At most {MAX_CALLS_PER_POST} calls per request.")
    return sorted(batches, key=lambda b: b.seq)


@dataclass(frozen=True, slots=True)
class Replayed:
    """The attempt's SCO states after replaying a request's batches, and what to answer."""

    sco_states: dict[str, Any]
    outcome: CommitOutcome
    changed: bool  # False when every batch had been applied before (nothing to store)
    log: tuple[scorm_interactions.LogEntry, ...] = ()  # interaction values to append to the journal


def parse_batches(raw: Any) -> list[Batch]:
    """The request's batches in order; ``AttemptError`` (400) for a malformed list."""
    return _parse_batches(raw)


def ends_session(batches: Sequence[Batch]) -> bool:
    """Whether a Terminate/LMSFinish is among the calls (the attempt is then rolled up)."""
    return any(str(call.get("method", "")).removeprefix("LMS") in ("Terminate", "Finish")
               for batch in batches for call in batch.calls)


def replay_batches(sco_states: Mapping[str, Any], manifest: Manifest, sco: Sco, learner: Learner,
                   session_id: str, batches: Sequence[Batch], *, preview: bool = False,
                   logged: Callable[[int], Mapping[str, str]] | None = None) -> Replayed:
    """Replay one SCO session's new batches on the attempt's saved states (pure: nothing is stored).

    ``logged(run)`` gives the journalled interaction values of a run (``scorm_interactions``); it is called
    only when the calls need them. The new state keeps no interaction values: ``Replayed.log`` lists the ones
    to append.
    """
    states = dict(sco_states or {})
    saved = states.get(sco.identifier) or {}
    same_session = saved.get("session") == session_id and bool(session_id)
    last = int(saved.get("seq", 0)) if same_session else 0
    pending = [b for b in batches if b.seq > last]
    if not pending:
        return Replayed(states, CommitOutcome(acked=last, applied=0, rejected=(), terminated=False), changed=False)
    if pending[0].seq != last + 1:
        raise BatchRejected(f"Batch {last + 1} is missing; send every unacknowledged batch in order.")
    if same_session and saved.get("running"):
        runtime = RuntimeSession.running(manifest.version, saved["runtime"], status_set=bool(saved.get("status_set")))
    else:
        runtime = _new_runtime(manifest, sco, learner, saved.get("runtime"), preview)
    log = _legacy_log(sco.identifier, saved)
    if logged is not None and any(scorm_interactions.needs_log(manifest.version, b.calls) for b in pending):
        runtime.store.values.update(logged(runtime.attempt))
    rejected: list[dict[str, Any]] = []
    terminated = False
    applied = 0
    for batch in pending:
        for result in runtime.apply_commits(batch.calls):
            applied += 1
            method, element = result.call.method.removeprefix("LMS"), result.call.element
            if result.error:
                rejected.append({"method": result.call.method, "element": element, "error": result.error})
            elif method == "SetValue" and element.startswith(scorm_interactions.PREFIX):
                log.append(scorm_interactions.LogEntry(sco.identifier, runtime.attempt, element, result.call.value))
            elif method in ("Terminate", "Finish"):
                terminated = True
        last = batch.seq
    state = runtime.to_state()
    state["values"] = scorm_interactions.split(state["values"])[0]
    states[sco.identifier] = {"runtime": state, "running": runtime.state == "running",
                              "status_set": runtime.status_set, "session": session_id, "seq": last}
    return Replayed(states, CommitOutcome(acked=last, applied=applied, rejected=tuple(rejected[:50]),
                                          terminated=terminated), changed=True, log=tuple(log))


def _legacy_log(sco_id: str, saved: Mapping[str, Any]) -> list[scorm_interactions.LogEntry]:
    """Interaction values still inside a state saved before the journal existed: journalled first, kept."""
    runtime = saved.get("runtime") or {}
    run = int(runtime.get("attempt", 1))
    return [scorm_interactions.LogEntry(sco_id, run, element, value)
            for element, value in scorm_interactions.split(runtime.get("values") or {})[1].items()]


def apply_batches(session: Session, attempt: ScormAttempt, activity: ScormActivity, manifest: Manifest, sco: Sco,
                  learner: Learner, session_id: str, batches: Sequence[Batch], *, now: datetime | None = None,
                  ) -> CommitOutcome:
    """Replay the browser's batches (``parse_batches``) for one SCO session; on Terminate roll the attempt up."""
    replayed = replay_batches(attempt.sco_states, manifest, sco, learner, session_id, batches,
                              preview=attempt.preview, logged=lambda run: scorm_interactions.logged_values(
                                  session, attempt.id, sco.identifier, run))
    if not replayed.changed:
        return replayed.outcome
    scorm_interactions.append(session, attempt.id, replayed.log)
    attempt.sco_states = replayed.sco_states
    attempt.current_sco = sco.identifier
    if replayed.outcome.terminated:
        _on_terminate(session, attempt, activity, manifest, sco, now or datetime.now(UTC))
    session.flush()
    return replayed.outcome


# -- rollup -------------------------------------------------------------------------------------
def _seconds(state: Mapping[str, Any]) -> float:
    values = state.get("values", {})
    try:
        if state.get("family") == "1.2":
            return parse_timespan_12(values.get("cmi.core.total_time") or "0000:00:00") / 100
        return parse_timeinterval(values.get("cmi.total_time") or "PT0S") / 100
    except ValueError:
        return 0.0


def attempt_outcome(attempt: ScormAttempt, activity: ScormActivity, manifest: Manifest) -> AttemptResult:
    """One attempt's result over all SCOs (average or weighted); a single SCO keeps its own raw score.

    A SCORM 2004 package that declares sequencing is judged as the LMS reports the course: by its root activity
    after the Overall Rollup Process (SN RB.1.5; its rollup rules and objective measure weights, not ours).
    """
    if scorm_sequencing_state.rolled_up_by_sequencing(manifest):
        return scorm_sequencing_state.course_result(attempt, manifest)
    states = attempt.sco_states or {}
    results = [attempt_result(states[s.identifier]["runtime"]) if s.identifier in states
               else AttemptResult(completed=False, passed=None) for s in manifest.scos]
    if len(results) == 1:
        return results[0]
    weights = ([float(activity.sco_weights.get(s.identifier, 1.0)) for s in manifest.scos]
               if activity.sco_scoring == "weighted" else None)
    return rollup(results, weights)


def _exit_of(state: Mapping[str, Any]) -> str:
    values = state.get("values", {})
    return str(values.get("cmi.core.exit") or values.get("cmi.exit") or "")


def store_result(attempt: ScormAttempt, result: AttemptResult) -> bool:
    """Copy the result onto the attempt; whether anything changed."""
    fields = (result.completed, result.passed, result.score_raw, result.score_scaled)
    changed = fields != (attempt.completed, attempt.passed, attempt.score_raw, attempt.score_scaled)
    attempt.completed, attempt.passed, attempt.score_raw, attempt.score_scaled = fields
    return changed


def _on_terminate(session: Session, attempt: ScormAttempt, activity: ScormActivity, manifest: Manifest, sco: Sco,
                  now: datetime) -> None:
    result = attempt_outcome(attempt, activity, manifest)
    store_result(attempt, result)
    attempt.total_seconds = sum(_seconds(s["runtime"]) for s in attempt.sco_states.values())
    if _exit_of(attempt.sco_states[sco.identifier]["runtime"]) == "suspend":
        attempt.status = "suspended"
    elif result.completed:
        attempt.status, attempt.finished_at = "completed", now
    else:
        attempt.status = "in_progress"
    if not attempt.preview:
        record_activity_progress(session, activity, attempt.user_id, now)


def activity_result(session: Session, activity: ScormActivity, user_pk: int) -> AttemptResult:
    """The learner's result for the activity: the best or the last attempt that has a result."""
    results = [AttemptResult(a.completed, a.passed, a.score_raw, a.score_scaled, 100.0 if a.score_raw else None)
               for a in attempts_of(session, activity, user_pk) if a.sco_states]
    return pick_attempt(results, "best" if activity.grading_policy == "best" else "last")


def record_activity_progress(session: Session, activity: ScormActivity, user_pk: int, now: datetime) -> None:
    """The activity's result (best or last attempt) → progress fact, a score queued for the gradebook, and
    award evaluation for the learner."""
    link = session.get(ResourceLink, activity.resource_link_pk)
    if link is None:
        return
    result = activity_result(session, activity, user_pk)
    key = f"scorm:{activity.id}"
    progress.record_facts(session, [progress.FactInput(
        course_pk=link.course_id, user_pk=user_pk, activity=key, completed=result.completed,
        source="scorm", observed_at=now, passed=result.passed, score=result.score_scaled,
        maximum=1.0 if result.score_scaled is not None else None)])
    # Scores go out on a 0–100 scale; without a score the LMS gets the progress only (never FullyGraded).
    given = None if result.score_scaled is None else round(result.score_scaled * 100, 4)
    grading.queue_result(session, grading.ActivityResult(
        course_pk=link.course_id, user_pk=user_pk, resource_link_id=link.resource_link_id, activity=key,
        score_maximum=100.0, result_at=now, score_given=given, completed=result.completed,
        label=link.title or "SCORM activity"))
    # New progress → the learner may now hold a credential of this course (idempotent; explains itself).
    awards.evaluate_learner(session, link.course_id, user_pk, now=now)
