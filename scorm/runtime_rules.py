"""What the LMS itself decides at run time.

SCORM 1.2 RTE 3.4.4 (cmi.core.lesson_status): on LMSFinish a status the SCO never set becomes
"completed" ("browsed" in browse mode); with credit, normal mode, a mastery score and a raw score,
the status becomes "passed" or "failed" by comparison. cmi.core.entry is "resume" after exit "suspend".
SCORM 2004 RTE 4.2.4 / 4.2.22: with a completion threshold the LMS reports completion from
progress_measure (unknown without it); with a scaled passing score it reports success from
score.scaled (unknown without it). Both versions add session_time to total_time on terminate.
"""

from __future__ import annotations

from scorm.manifest_model import Sco
from scorm.runtime_store import CmiStore
from scorm.timing import (
    TimeFormatError,
    format_timeinterval,
    format_timespan_12,
    parse_timeinterval,
    parse_timespan_12,
)


def _number(text: str | None) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def format_number(value: float) -> str:
    return f"{value:.7f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def initial_values_12(sco: Sco | None, learner_id: str, learner_name: str, credit: str,
                      mode: str) -> dict[str, str]:
    values = {"cmi.core.student_id": learner_id, "cmi.core.student_name": learner_name,
              "cmi.core.credit": credit, "cmi.core.lesson_mode": mode}
    if sco is not None:
        if sco.mastery_score is not None:
            values["cmi.student_data.mastery_score"] = format_number(sco.mastery_score)
        if sco.data_from_lms is not None:
            values["cmi.launch_data"] = sco.data_from_lms
        if sco.max_time_allowed:
            values["cmi.student_data.max_time_allowed"] = sco.max_time_allowed
        if sco.time_limit_action:
            values["cmi.student_data.time_limit_action"] = sco.time_limit_action
    return values


def initial_values_2004(sco: Sco | None, learner_id: str, learner_name: str, credit: str,
                        mode: str) -> tuple[dict[str, str], dict[str, int]]:
    values = {"cmi.learner_id": learner_id, "cmi.learner_name": learner_name, "cmi.credit": credit,
              "cmi.mode": mode}
    counts: dict[str, int] = {}
    if sco is not None:
        if sco.completion_threshold is not None:
            values["cmi.completion_threshold"] = format_number(sco.completion_threshold)
        if sco.scaled_passing_score is not None:
            values["cmi.scaled_passing_score"] = format_number(sco.scaled_passing_score)
        if sco.data_from_lms is not None:
            values["cmi.launch_data"] = sco.data_from_lms
        if sco.max_time_allowed:
            values["cmi.max_time_allowed"] = sco.max_time_allowed
        if sco.time_limit_action:
            values["cmi.time_limit_action"] = sco.time_limit_action
        # RTE 4.2.17: objectives declared in the manifest are pre-loaded; SCOs look them up by id.
        for index, identifier in enumerate(sco.objective_ids):
            values[f"cmi.objectives.{index}.id"] = identifier
        if sco.objective_ids:
            counts["cmi.objectives"] = len(sco.objective_ids)
    return values, counts


def evaluated_completion(store: CmiStore) -> str:
    threshold = _number(store.get("cmi.completion_threshold"))
    if threshold is not None:
        progress = _number(store.get("cmi.progress_measure"))
        if progress is None:
            return "unknown"
        return "completed" if progress >= threshold else "incomplete"
    return store.get("cmi.completion_status") or "unknown"


def evaluated_success(store: CmiStore) -> str:
    passing = _number(store.get("cmi.scaled_passing_score"))
    if passing is not None:
        scaled = _number(store.get("cmi.score.scaled"))
        if scaled is None:
            return "unknown"
        return "passed" if scaled >= passing else "failed"
    return store.get("cmi.success_status") or "unknown"


def finish_12(store: CmiStore, status_set_by_sco: bool) -> None:
    """Apply the LMSFinish status rules to the stored 1.2 values."""
    mode = store.get("cmi.core.lesson_mode") or "normal"
    status = store.get("cmi.core.lesson_status") or "not attempted"
    if not status_set_by_sco and status == "not attempted":
        status = "browsed" if mode == "browse" else "completed"
    mastery = _number(store.get("cmi.student_data.mastery_score"))
    raw = _number(store.get("cmi.core.score.raw"))
    credit = store.get("cmi.core.credit") or "credit"
    if credit == "credit" and mode == "normal" and mastery is not None and raw is not None:
        status = "passed" if raw >= mastery else "failed"
    store.values["cmi.core.lesson_status"] = status


def add_session_time(store: CmiStore, family: str) -> None:
    """total_time += session_time (an invalid or missing session_time adds nothing)."""
    if family == "1.2":
        total_key, session_key, parse, fmt = ("cmi.core.total_time", "cmi.core.session_time",
                                              parse_timespan_12, format_timespan_12)
    else:
        total_key, session_key, parse, fmt = ("cmi.total_time", "cmi.session_time", parse_timeinterval,
                                              format_timeinterval)
    session = store.get(session_key)
    if not session:
        return
    try:
        total = parse(store.get(total_key) or fmt(0)) + parse(session)
    except TimeFormatError:
        return
    store.values[total_key] = fmt(total)
