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
from typing import Any, NamedTuple

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from bridge.models import ProgressFact, ProgressHistory
from bridge.models.base import utcnow
from bridge.models.progress import SOURCES
from bridge.services.bulk import DriverStatement


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
        _check(self.source, self.observed_at)


def _check(source: str, observed_at: datetime) -> None:
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}")
    if observed_at.tzinfo is None:
        raise ValueError("observed_at needs a time zone")


class _Fact(NamedTuple):
    """A :class:`FactInput` already checked (same field names): what :func:`record_activity_facts` builds."""

    course_pk: int
    user_pk: int
    activity: str
    completed: bool
    source: str
    observed_at: datetime
    passed: bool | None
    score: float | None
    maximum: float | None


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


def _values(new: FactInput | _Fact) -> dict[str, Any]:
    return {"completed": new.completed, "passed": new.passed, "score": new.score, "maximum": new.maximum,
            "source": new.source, "observed_at": new.observed_at}


_F = FACTS.c
# Built once: the statement's cache key and the coercion of each user key are not redone per page.
_EXISTING = select(_F.id, _F.course_id, _F.user_id, _F.activity, _F.completed, _F.passed, _F.score, _F.maximum,
                   _F.source, _F.observed_at, _F.version).where(
    _F.course_id == bindparam("course"), _F.activity == bindparam("activity"),
    _F.user_id.in_(bindparam("users", expanding=True)))


def _existing(session: Session, facts: Iterable[FactInput | _Fact]) -> dict[tuple[int, int, str], Any]:
    """The current rows of these facts' keys: one query per course × activity (a sync page has one)."""
    found: dict[tuple[int, int, str], Any] = {}
    groups: dict[tuple[int, str], list[int]] = {}
    for fact in facts:
        groups.setdefault((fact.course_pk, fact.activity), []).append(fact.user_pk)
    connection = session.connection()
    for (course_pk, activity), users in groups.items():
        rows = connection.execute(_EXISTING, {"course": course_pk, "activity": activity, "users": users})
        found.update({(row.course_id, row.user_id, row.activity): row for row in rows})
    return found


_FACT_COLUMNS = ("course_id", "user_id", "activity", "completed", "passed", "score", "maximum", "source",
                 "observed_at", "version", "updated_at")
_UPDATE_COLUMNS = ("completed", "passed", "score", "maximum", "source", "observed_at", "version", "updated_at")
_HISTORY_COLUMNS = ("fact_id", "version", "completed", "passed", "score", "maximum", "source", "observed_at",
                    "recorded_at")
_statements: dict[tuple[Any, str], DriverStatement] = {}


def _statement(connection: Connection, name: str) -> DriverStatement:
    """The compiled insert of new facts, update of changed facts, or insert of replaced versions."""
    key = (connection.dialect, name)
    found = _statements.get(key)
    if found is None:
        if name == "insert":
            found = DriverStatement(connection, insert(FACTS), _FACT_COLUMNS, FACTS)
        elif name == "update":
            statement = update(FACTS).where(FACTS.c.id == bindparam("b_id")).values(
                {name: bindparam("b_" + name) for name in _UPDATE_COLUMNS})
            found = DriverStatement(connection, statement, ["b_" + name for name in ("id", *_UPDATE_COLUMNS)],
                                     FACTS)
        else:
            found = DriverStatement(connection, insert(HISTORY), _HISTORY_COLUMNS, HISTORY)
        _statements[key] = found
    return found


def record_facts(session: Session, facts: Iterable[FactInput]) -> RecordCounts:
    """Upsert ``facts`` in bulk: one query per course × activity, then one statement per kind of write.

    Driver-level bulk statements rather than ORM objects or Core parameter handling (see
    :class:`DriverStatement`): a course sync records 100,000 facts, and either would cost more than the HTTP
    it follows. Nothing here commits. Within one call, a later duplicate of a key is ignored.
    """
    return _record(session, list(facts))


def record_activity_facts(session: Session, course_pk: int, activity: str, source: str, observed_at: datetime,
                          learners: Iterable[tuple[int, bool, bool | None, float | None, float | None]],
                          ) -> RecordCounts:
    """:func:`record_facts` for many learners of one activity observed at once (a page of gradebook results).

    ``learners`` are ``(user_pk, completed, passed, score, maximum)``; the result is that of ``record_facts``
    with one ``FactInput`` per learner, without building (and checking) a ``FactInput`` for each.
    """
    _check(source, observed_at)
    return _record(session, [_Fact(course_pk, user_pk, activity, completed, source, observed_at, passed, score,
                                   maximum) for user_pk, completed, passed, score, maximum in learners])


def _record(session: Session, batch: Sequence[FactInput | _Fact]) -> RecordCounts:
    existing = _existing(session, batch)
    fresh: dict[tuple[int, int, str], FactInput | _Fact] = {}
    updates: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    unchanged = stale = 0
    now = utcnow()
    for new in batch:
        key = (new.course_pk, new.user_pk, new.activity)
        row = existing.get(key)
        if row is None:
            fresh.setdefault(key, new)
        elif (row.completed, row.passed, row.score, row.maximum) == (new.completed, new.passed, new.score,
                                                                      new.maximum):
            unchanged += 1
        elif new.observed_at < row.observed_at:
            stale += 1
        else:
            updates.append({"id": row.id, "version": row.version + 1, "updated_at": now, **_values(new)})
            history.append({"fact_id": row.id, "version": row.version, "source": row.source, "recorded_at": now,
                            **{name: getattr(row, name) for name in (*_VALUES, "observed_at")}})
    connection = session.connection()
    _statement(connection, "insert").executemany(connection, [
        {"course_id": f.course_pk, "user_id": f.user_pk, "activity": f.activity, "version": 1, "updated_at": now,
         **_values(f)} for f in fresh.values()])
    _statement(connection, "update").executemany(connection, updates)
    _statement(connection, "history").executemany(connection, history)
    return RecordCounts(created=len(fresh), changed=len(updates), unchanged=unchanged, stale=stale)


def facts_for(session: Session, course_pk: int, user_pk: int | None = None) -> list[ProgressFact]:
    query = select(ProgressFact).where(ProgressFact.course_id == course_pk)
    if user_pk is not None:
        query = query.where(ProgressFact.user_id == user_pk)
    return list(session.scalars(query.order_by(ProgressFact.user_id, ProgressFact.activity)))
