"""Progress facts: record what a learner did in an activity, idempotently, keeping every version.

``record_facts`` is the one way facts are written (AGS sync, SCORM runtime, other connectors). Recording the
same fact twice changes nothing; a fact observed *before* the current one is ignored (an older observation
never replaces a newer one); any other change bumps ``version`` and moves the replaced version to
``progress_history`` (the current version is the fact row itself: history + fact = every version, and a
first observation costs one row).
The caller owns the transaction: nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from bridge.models import ProgressFact, ProgressHistory
from bridge.models.progress import SOURCES


@dataclass(frozen=True, slots=True)
class FactInput:
    """One observation: learner ``user_pk`` in activity ``activity`` of course ``course_pk``."""

    course_pk: int
    user_pk: int
    activity: str
    completed: bool
    source: str
    observed_at: datetime
    passed: bool | None = None
    score: float | None = None
    maximum: float | None = None

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {', '.join(SOURCES)}")
        if self.observed_at.tzinfo is None:
            raise ValueError("observed_at needs a time zone")


@dataclass(frozen=True, slots=True)
class RecordCounts:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    stale: int = 0


# Core tables, not ORM entities, for the bulk statements (see record_facts).
FACTS: Table = ProgressFact.__table__  # type: ignore[assignment]
HISTORY: Table = ProgressHistory.__table__  # type: ignore[assignment]
_VALUES = ("completed", "passed", "score", "maximum")


def _values(new: FactInput) -> dict[str, Any]:
    return {"completed": new.completed, "passed": new.passed, "score": new.score, "maximum": new.maximum,
            "source": new.source, "observed_at": new.observed_at}


def _existing(session: Session, facts: Sequence[FactInput]) -> dict[tuple[int, int, str], Any]:
    found: dict[tuple[int, int, str], Any] = {}
    groups: dict[tuple[int, str], list[int]] = {}
    for fact in facts:
        groups.setdefault((fact.course_pk, fact.activity), []).append(fact.user_pk)
    t = FACTS.c
    columns = (t.id, t.course_id, t.user_id, t.activity, t.completed, t.passed, t.score, t.maximum, t.source,
               t.observed_at, t.version)
    connection = session.connection()
    for (course_pk, activity), users in groups.items():
        rows = connection.execute(select(*columns).where(
            t.course_id == course_pk, t.activity == activity, t.user_id.in_(users)))
        found.update({(row.course_id, row.user_id, row.activity): row for row in rows})
    return found


def record_facts(session: Session, facts: Iterable[FactInput]) -> RecordCounts:
    """Upsert ``facts`` in bulk (one query per course × activity, bulk inserts and updates).

    Core bulk statements rather than ORM objects: a course sync records 100,000 facts, and the unit of
    work (or even ORM bulk inserts) would cost more than the HTTP it follows. Nothing here commits.
    Within one call, a later duplicate of a key is ignored.
    """
    batch = list(facts)
    existing = _existing(session, batch)
    fresh: dict[tuple[int, int, str], FactInput] = {}
    updates: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    unchanged = stale = 0
    for new in batch:
        key = (new.course_pk, new.user_pk, new.activity)
        row = existing.get(key)
        if row is None:
            fresh.setdefault(key, new)
        elif tuple(getattr(row, name) for name in _VALUES) == (new.completed, new.passed, new.score, new.maximum):
            unchanged += 1
        elif new.observed_at < row.observed_at:
            stale += 1
        else:
            updates.append({"id": row.id, "version": row.version + 1, **_values(new)})
            history.append({"fact_id": row.id, "version": row.version, "source": row.source,
                            **{name: getattr(row, name) for name in (*_VALUES, "observed_at")}})
    if fresh:
        session.connection().execute(insert(FACTS), [
            {"course_id": f.course_pk, "user_id": f.user_pk, "activity": f.activity, "version": 1, **_values(f)}
            for f in fresh.values()])
    if updates:
        session.execute(update(ProgressFact), updates)
    if history:
        session.connection().execute(insert(HISTORY), history)
    return RecordCounts(created=len(fresh), changed=len(updates), unchanged=unchanged, stale=stale)


def facts_for(session: Session, course_pk: int, user_pk: int | None = None) -> list[ProgressFact]:
    query = select(ProgressFact).where(ProgressFact.course_id == course_pk)
    if user_pk is not None:
        query = query.where(ProgressFact.user_id == user_pk)
    return list(session.scalars(query.order_by(ProgressFact.user_id, ProgressFact.activity)))
