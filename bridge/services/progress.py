"""Progress facts: record what a learner did in an activity, idempotently, keeping every version.

``record_facts`` is the one way facts are written (AGS sync, SCORM runtime, other connectors). Recording the
same fact twice changes nothing; a fact observed *before* the current one is ignored (an older observation
never replaces a newer one); any other change bumps ``version`` and appends a ``progress_history`` row.
The caller owns the transaction: nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
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


def _same(fact: ProgressFact, new: FactInput) -> bool:
    return (fact.completed, fact.passed, fact.score, fact.maximum) == (new.completed, new.passed, new.score,
                                                                       new.maximum)


def _history(fact: ProgressFact) -> ProgressHistory:
    return ProgressHistory(fact_id=fact.id, version=fact.version, completed=fact.completed, passed=fact.passed,
                           score=fact.score, maximum=fact.maximum, source=fact.source, observed_at=fact.observed_at)


def _existing(session: Session, facts: Sequence[FactInput]) -> dict[tuple[int, int, str], ProgressFact]:
    found: dict[tuple[int, int, str], ProgressFact] = {}
    groups: dict[tuple[int, str], list[int]] = {}
    for fact in facts:
        groups.setdefault((fact.course_pk, fact.activity), []).append(fact.user_pk)
    for (course_pk, activity), users in groups.items():
        rows = session.scalars(select(ProgressFact).where(
            ProgressFact.course_id == course_pk, ProgressFact.activity == activity, ProgressFact.user_id.in_(users)))
        found.update({(row.course_id, row.user_id, row.activity): row for row in rows})
    return found


def record_facts(session: Session, facts: Iterable[FactInput]) -> RecordCounts:
    """Upsert ``facts`` (in bulk: one query per course × activity) and return what happened to them."""
    batch = list(facts)
    existing = _existing(session, batch)
    created, changed, unchanged, stale = [], 0, 0, 0
    for new in batch:
        key = (new.course_pk, new.user_pk, new.activity)
        fact = existing.get(key)
        if fact is None:
            fact = ProgressFact(course_id=new.course_pk, user_id=new.user_pk, activity=new.activity,
                                completed=new.completed, passed=new.passed, score=new.score, maximum=new.maximum,
                                source=new.source, observed_at=new.observed_at, version=1)
            existing[key] = fact
            created.append(fact)
        elif _same(fact, new):
            unchanged += 1
        elif new.observed_at < fact.observed_at:
            stale += 1
        else:
            fact.completed, fact.passed, fact.score, fact.maximum = new.completed, new.passed, new.score, new.maximum
            fact.source, fact.observed_at, fact.version = new.source, new.observed_at, fact.version + 1
            session.add(_history(fact))
            changed += 1
    if created:
        session.add_all(created)
        session.flush()
        session.add_all([_history(fact) for fact in created])
    session.flush()
    return RecordCounts(created=len(created), changed=changed, unchanged=unchanged, stale=stale)


def facts_for(session: Session, course_pk: int, user_pk: int | None = None) -> list[ProgressFact]:
    query = select(ProgressFact).where(ProgressFact.course_id == course_pk)
    if user_pk is not None:
        query = query.where(ProgressFact.user_id == user_pk)
    return list(session.scalars(query.order_by(ProgressFact.user_id, ProgressFact.activity)))
