"""Progress facts: record what a learner did in an activity, idempotently, keeping every version.

``record_facts`` is the one way facts are written (AGS sync, SCORM runtime, other connectors). Recording the
same fact twice changes nothing; a fact observed *before* the current one is ignored (an older observation
never replaces a newer one); any other change bumps ``version`` and moves the replaced version to
``progress_history`` (the current version is the fact row itself: history + fact = every version, and a
first observation costs one row).
The caller owns the transaction: nothing here commits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, NamedTuple, cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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
_ROW = (_F.id, _F.course_id, _F.user_id, _F.activity, _F.completed, _F.passed, _F.score, _F.maximum, _F.source,
        _F.observed_at, _F.version)
_ANY_FACT = select(_F.id).where(_F.course_id == bindparam("course"), _F.activity == bindparam("activity")).limit(1)
_LOOKUP_CHUNK = 128  # users per lookup; the list is padded to a power of two (a few statements per dialect)


class _Row(NamedTuple):
    """A current fact as the driver returns it (booleans may be 0/1; ``observed_at`` not yet converted)."""

    id: int
    course_id: int
    user_id: int
    activity: str
    completed: Any
    passed: Any
    score: float | None
    maximum: float | None
    source: str
    observed_at: Any
    version: int


class _Lookup:
    """The current rows of one course × activity for ``size`` users, compiled once per dialect and size.

    Driver-level like :class:`DriverStatement`: a page of an unchanged gradebook column is 100 rows that only
    need comparing, so their values are not converted (the time only when a row changed).
    """

    def __init__(self, connection: Connection, size: int) -> None:
        dialect = connection.dialect
        names = ["course", "activity", *(f"u{i}" for i in range(size))]
        statement = select(*_ROW).where(_F.course_id == bindparam("course"), _F.activity == bindparam("activity"),
                                        _F.user_id.in_([bindparam(name) for name in names[2:]]))
        compiled = statement.compile(dialect=dialect)
        self.sql = str(compiled)
        self.order = list(compiled.positiontup or names) if dialect.positional else None
        self.names = names
        self.observed_at = FACTS.c.observed_at.type.dialect_impl(dialect).result_processor(dialect, None)

    def rows(self, connection: Connection, course_pk: int, activity: str, users: Sequence[int]) -> list[_Row]:
        values = dict(zip(self.names, (course_pk, activity, *users), strict=True))
        params: Any = tuple(values[name] for name in self.order) if self.order is not None else values
        return [_Row(*row) for row in connection.exec_driver_sql(self.sql, params)]

    def time(self, raw: Any) -> datetime:
        return cast(datetime, self.observed_at(raw) if self.observed_at is not None else raw)


_lookups: dict[tuple[Any, int], _Lookup] = {}


def _lookup(connection: Connection, size: int) -> _Lookup:
    key = (connection.dialect, size)
    found = _lookups.get(key)
    if found is None:
        found = _lookups[key] = _Lookup(connection, size)
    return found


def _existing(connection: Connection, facts: Iterable[FactInput | _Fact]) -> tuple[dict[tuple[int, int, str], _Row],
                                                                                    _Lookup]:
    """The current rows of these facts' keys: one query per course × activity and 128 users (a sync page: one)."""
    found: dict[tuple[int, int, str], _Row] = {}
    groups: dict[tuple[int, str], list[int]] = {}
    for fact in facts:
        groups.setdefault((fact.course_pk, fact.activity), []).append(fact.user_pk)
    lookup = _lookup(connection, 1)
    for (course_pk, activity), users in groups.items():
        for start in range(0, len(users), _LOOKUP_CHUNK):
            chunk = users[start:start + _LOOKUP_CHUNK]
            size = 1 << (len(chunk) - 1).bit_length()
            lookup = _lookup(connection, size)
            padded = chunk + [chunk[-1]] * (size - len(chunk))  # a repeated key matches nothing more
            found.update({(row.course_id, row.user_id, row.activity): row
                          for row in lookup.rows(connection, course_pk, activity, padded)})
    return found, lookup


def has_facts(session: Session, course_pk: int, activity: str) -> bool:
    """Whether any learner has a fact for ``activity`` in the course (then pages are looked up before writing)."""
    return session.execute(_ANY_FACT, {"course": course_pk, "activity": activity}).first() is not None


_FACT_COLUMNS = ("course_id", "user_id", "activity", "completed", "passed", "score", "maximum", "source",
                 "observed_at", "version", "updated_at")
_UPDATE_COLUMNS = ("completed", "passed", "score", "maximum", "source", "observed_at", "version", "updated_at")
_HISTORY_COLUMNS = ("fact_id", "version", "completed", "passed", "score", "maximum", "source", "observed_at",
                    "recorded_at")
_statements: dict[tuple[Any, str], DriverStatement | None] = {}


def _insert_new(connection: Connection) -> Any:
    """INSERT of facts that skips the keys already present (None: the dialect has no ON CONFLICT DO NOTHING, or
    its driver cannot tell how many rows a batch inserted, which the counts rely on)."""
    if not connection.dialect.supports_sane_multi_rowcount:
        return None
    keys = [FACTS.c.course_id, FACTS.c.user_id, FACTS.c.activity]
    if connection.dialect.name == "sqlite":
        return sqlite_insert(FACTS).on_conflict_do_nothing(index_elements=keys)
    if connection.dialect.name == "postgresql":
        return postgresql_insert(FACTS).on_conflict_do_nothing(index_elements=keys)
    return None


def _statement(connection: Connection, name: str) -> DriverStatement | None:
    """The compiled insert of new facts (plain or skipping conflicts), update of changed facts, or insert of
    replaced versions; None for "insert-new" on a dialect without ON CONFLICT."""
    key = (connection.dialect, name)
    if key in _statements:
        return _statements[key]
    found: DriverStatement | None = None
    if name == "insert":
        found = DriverStatement(connection, insert(FACTS), _FACT_COLUMNS, FACTS)
    elif name == "insert-new":
        statement = _insert_new(connection)
        found = None if statement is None else DriverStatement(connection, statement, _FACT_COLUMNS, FACTS)
    elif name == "update":
        statement = update(FACTS).where(FACTS.c.id == bindparam("b_id")).values(
            {name: bindparam("b_" + name) for name in _UPDATE_COLUMNS})
        found = DriverStatement(connection, statement, ["b_" + name for name in ("id", *_UPDATE_COLUMNS)], FACTS)
    else:
        found = DriverStatement(connection, insert(HISTORY), _HISTORY_COLUMNS, HISTORY)
    _statements[key] = found
    return found


def _must(statement: DriverStatement | None) -> DriverStatement:
    if statement is None:
        raise LookupError("no such statement for this database")
    return statement


def record_facts(session: Session, facts: Iterable[FactInput]) -> RecordCounts:
    """Upsert ``facts`` in bulk: one query per course × activity, then one statement per kind of write.

    Driver-level bulk statements rather than ORM objects or Core parameter handling (see
    :class:`DriverStatement`): a course sync records 100,000 facts, and either would cost more than the HTTP
    it follows. Nothing here commits. Within one call, a later duplicate of a key is ignored.
    """
    return _record(session, list(facts))


def record_activity_facts(session: Session, course_pk: int, activity: str, source: str, observed_at: datetime,
                          learners: Iterable[tuple[int, bool, bool | None, float | None, float | None]],
                          *, likely_new: bool = False) -> RecordCounts:
    """:func:`record_facts` for many learners of one activity observed at once (a page of gradebook results).

    ``learners`` are ``(user_pk, completed, passed, score, maximum)``; the result is that of ``record_facts``
    with one ``FactInput`` per learner, without building (and checking) a ``FactInput`` for each.
    ``likely_new`` (the caller expects no current facts, e.g. the activity had none when its sync began, see
    :func:`has_facts`): insert first, skipping keys that exist, and look up only if some did. Same outcome,
    counts and history either way; only the number of statements differs.
    """
    _check(source, observed_at)
    first: dict[int, tuple[int, bool, bool | None, float | None, float | None]] = {}
    for learner in learners:  # within one call, a later duplicate of a learner is ignored
        first.setdefault(learner[0], learner)
    unique = list(first.values())
    connection = session.connection()
    now = utcnow()
    insert_new = _statement(connection, "insert-new") if likely_new else None
    if insert_new is not None:
        # The learners' tuples are the varying columns as they are: no per-learner object on this path.
        shared = {"course_id": course_pk, "activity": activity, "source": source, "observed_at": observed_at,
                  "version": 1, "updated_at": now}
        inserted = insert_new.executemany(connection, (), prepared=insert_new.shared_rows(shared, _VARYING, unique))
        if inserted == len(unique):
            return RecordCounts(created=inserted)
    facts = [_Fact(course_pk, user_pk, activity, completed, source, observed_at, passed, score, maximum)
             for user_pk, completed, passed, score, maximum in unique]
    counts = _compare_and_write(connection, facts, now, True)
    if insert_new is None:
        return counts
    # Some keys existed: the rows just inserted compared equal (they are ours).
    return RecordCounts(created=counts.created + inserted, changed=counts.changed,
                        unchanged=counts.unchanged - inserted, stale=counts.stale)


def _first_of_each_key(batch: Sequence[FactInput | _Fact]) -> list[FactInput | _Fact]:
    seen: dict[tuple[int, int, str], FactInput | _Fact] = {}
    for new in batch:
        seen.setdefault((new.course_pk, new.user_pk, new.activity), new)
    return list(seen.values())


def _fact_row(fact: FactInput | _Fact, now: datetime) -> dict[str, Any]:
    return {"course_id": fact.course_pk, "user_id": fact.user_pk, "activity": fact.activity, "version": 1,
            "updated_at": now, **_values(fact)}


_VARYING = ("user_id", "completed", "passed", "score", "maximum")
_varying_of: Callable[[Any], Sequence[Any]] = itemgetter(1, 3, 6, 7, 8)  # those fields of a _Fact


def _new_rows(statement: DriverStatement, batch: Sequence[FactInput | _Fact], now: datetime,
              one_activity: bool) -> list[Any]:
    """The driver rows inserting ``batch`` as new facts (``one_activity``: _Facts of one activity and time)."""
    if not one_activity or not batch:
        return statement.rows([_fact_row(f, now) for f in batch])
    first = batch[0]
    shared = {"course_id": first.course_pk, "activity": first.activity, "source": first.source,
              "observed_at": first.observed_at, "version": 1, "updated_at": now}
    return statement.shared_rows(shared, _VARYING, map(_varying_of, batch))


def _record(session: Session, batch: Sequence[FactInput | _Fact]) -> RecordCounts:
    return _compare_and_write(session.connection(), _first_of_each_key(batch), utcnow(), False)


def _compare_and_write(connection: Connection, batch: Sequence[FactInput | _Fact], now: datetime,
                       one_activity: bool) -> RecordCounts:
    existing, lookup = _existing(connection, batch)
    fresh: list[FactInput | _Fact] = []
    updates: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    unchanged = stale = 0
    for new in batch:
        row = existing.get((new.course_pk, new.user_pk, new.activity))
        if row is None:
            fresh.append(new)
        elif (row.completed, row.passed, row.score, row.maximum) == (new.completed, new.passed, new.score,
                                                                      new.maximum):
            unchanged += 1
        elif new.observed_at < (observed := lookup.time(row.observed_at)):
            stale += 1
        else:
            updates.append({"id": row.id, "version": row.version + 1, "updated_at": now, **_values(new)})
            history.append({"fact_id": row.id, "version": row.version, "completed": bool(row.completed),
                            "passed": None if row.passed is None else bool(row.passed), "score": row.score,
                            "maximum": row.maximum, "source": row.source, "observed_at": observed,
                            "recorded_at": now})
    plain_insert = _must(_statement(connection, "insert"))
    plain_insert.executemany(connection, (), prepared=_new_rows(plain_insert, fresh, now, one_activity))
    _must(_statement(connection, "update")).executemany(connection, updates)
    _must(_statement(connection, "history")).executemany(connection, history)
    return RecordCounts(created=len(fresh), changed=len(updates), unchanged=unchanged, stale=stale)


def facts_for(session: Session, course_pk: int, user_pk: int | None = None) -> list[ProgressFact]:
    query = select(ProgressFact).where(ProgressFact.course_id == course_pk)
    if user_pk is not None:
        query = query.where(ProgressFact.user_id == user_pk)
    return list(session.scalars(query.order_by(ProgressFact.user_id, ProgressFact.activity)))
