"""Interaction values of SCORM attempts, kept as an append-only journal (SCORM 1.2 RTE 3.4.2 and SCORM 2004 RTE
4.2.9, ``cmi.interactions``).

A quiz SCO writes four to ten values per question; kept in the attempt's state JSON they would be decoded and
re-encoded on every commit, and the JSON would grow with every question answered. So the state keeps only the
collection counts, and each commit appends the interaction values it accepted to ``scorm_interaction_log``
(later rows win). SCORM 1.2 interactions are write-only, so a 1.2 replay never needs them back; a SCORM 2004
SCO may read them (GetValue) and their ids gate other values (error 408), so a 2004 replay that touches
``cmi.interactions`` and every 2004 session start fold the journal of the current run back into the values.
The journal is also the instructor's view: the raw trail of what the learner answered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bridge.models.scorm import ScormAttempt, ScormInteractionLog

PREFIX = "cmi.interactions."


class LogEntry(NamedTuple):
    sco: str
    run: int
    element: str
    value: str


def split(values: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(values without interactions, interaction values)."""
    kept: dict[str, str] = {}
    interactions: dict[str, str] = {}
    for key, value in values.items():
        (interactions if key.startswith(PREFIX) else kept)[key] = value
    return kept, interactions


def needs_log(version: str, calls: Iterable[Mapping[str, Any]]) -> bool:
    """Whether replaying ``calls`` needs the logged interaction values (SCORM 2004 calls that touch them)."""
    return version != "1.2" and any(str(call.get("element", "")).startswith(PREFIX) for call in calls)


def fold(rows: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Current values from journal rows (element, value) in the order they were written."""
    return dict(rows)


def logged_values(session: Session, attempt_id: int, sco: str, run: int) -> dict[str, str]:
    return fold(session.execute(
        select(ScormInteractionLog.element, ScormInteractionLog.value)
        .where(ScormInteractionLog.attempt_id == attempt_id, ScormInteractionLog.sco == sco,
               ScormInteractionLog.run == run)
        .order_by(ScormInteractionLog.id)).all())


def append(session: Session, attempt_id: int, entries: Sequence[LogEntry]) -> None:
    if entries:
        session.execute(insert(ScormInteractionLog), [
            {"attempt_id": attempt_id, "sco": e.sco, "run": e.run, "element": e.element, "value": e.value}
            for e in entries])


def interaction_count(attempt: ScormAttempt) -> int:
    """How many interactions the attempt's SCOs recorded (from the counts in the state: no query)."""
    return sum(int(saved["runtime"].get("counts", {}).get("cmi.interactions", 0))
               for saved in (attempt.sco_states or {}).values())


def interactions(session: Session, attempt: ScormAttempt) -> list[dict[str, str]]:
    """The interactions recorded in every SCO of the attempt's current runs (id, type, response, result, …)."""
    rows: list[dict[str, str]] = []
    for sco_id, saved in (attempt.sco_states or {}).items():
        runtime = saved["runtime"]
        values = split(runtime.get("values", {}))[1]  # states written before the journal existed
        values.update(logged_values(session, attempt.id, sco_id, int(runtime.get("attempt", 1))))
        for n in range(int(runtime.get("counts", {}).get("cmi.interactions", 0))):
            prefix = f"{PREFIX}{n}."
            row = {k.removeprefix(prefix): v for k, v in values.items()
                   if k.startswith(prefix) and k.count(".") == 3}
            rows.append({"sco": sco_id, "index": str(n), **row})
    return rows
