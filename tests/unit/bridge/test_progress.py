"""Progress facts: idempotent upsert, older observations never replace newer ones, replaced versions kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bridge.db import Database
from bridge.models import Course, Deployment, LmsUser, ProgressFact, ProgressHistory, Registration
from bridge.services.progress import FactInput, RecordCounts, has_facts, record_activity_facts, record_facts

T0 = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.fixture
def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    db = Database(f"sqlite:///{tmp_path / 'p.sqlite'}")
    db.upgrade()
    session = db.sessionmaker()
    reg = Registration(issuer="i", client_id="c", auth_login_url="https://x", auth_token_url="https://x",
                       key_set_url="https://x")
    session.add(reg)
    session.flush()
    dep = Deployment(registration_id=reg.id, deployment_id="d")
    session.add(dep)
    session.flush()
    course = Course(registration_id=reg.id, deployment_pk=dep.id, context_id="c1")
    user = LmsUser(registration_id=reg.id, sub="u1")
    session.add_all([course, user])
    session.commit()
    yield session, course.id, user.id
    session.close()
    db.dispose()


def _fact(course: int, user: int, score: float, at: datetime) -> FactInput:
    return FactInput(course, user, "scorm:1", True, "scorm", at, passed=score >= 5, score=score, maximum=10)


def test_same_fact_twice_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    session, course, user = world
    assert record_facts(session, [_fact(course, user, 7, T0)]).created == 1
    assert record_facts(session, [_fact(course, user, 7, T0 + timedelta(hours=1))]).unchanged == 1
    session.commit()
    assert session.scalars(select(ProgressHistory)).all() == []


def test_newer_replaces_older_and_keeps_the_replaced_version(world) -> None:  # type: ignore[no-untyped-def]
    session, course, user = world
    record_facts(session, [_fact(course, user, 4, T0)])
    assert record_facts(session, [_fact(course, user, 9, T0 + timedelta(days=1))]).changed == 1
    assert record_facts(session, [_fact(course, user, 2, T0 - timedelta(days=1))]).stale == 1
    session.commit()
    fact = session.scalars(select(ProgressFact)).one()
    assert (fact.score, fact.passed, fact.version) == (9.0, True, 2)
    [old] = session.scalars(select(ProgressHistory)).all()
    assert (old.version, old.score, old.passed) == (1, 4.0, False)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="source"):
        FactInput(1, 1, "x", True, "lms", T0)
    with pytest.raises(ValueError, match="time zone"):
        FactInput(1, 1, "x", True, "ags", datetime(2026, 1, 1))


def test_a_page_of_one_activity_is_recorded_like_the_same_fact_inputs(world) -> None:  # type: ignore[no-untyped-def]
    session, course, user = world
    second = LmsUser(registration_id=session.get(LmsUser, user).registration_id, sub="u2")
    session.add(second)
    session.flush()
    other = second.id
    record_facts(session, [_fact(course, user, 4, T0)])
    counts = record_activity_facts(session, course, "scorm:1", "scorm", T0 + timedelta(days=1), [
        (user, True, True, 9.0, 10.0), (other, True, False, 3.0, 10.0), (other, True, True, 8.0, 10.0)])
    assert counts == RecordCounts(created=1, changed=1, unchanged=0, stale=0)  # the later duplicate is ignored
    stale = record_activity_facts(session, course, "scorm:1", "scorm", T0, [(user, True, False, 1.0, 10.0)])
    assert stale.stale == 1
    session.commit()
    facts = {f.user_id: (f.score, f.passed, f.version) for f in session.scalars(select(ProgressFact))}
    assert facts == {user: (9.0, True, 2), other: (3.0, False, 1)}
    [old] = session.scalars(select(ProgressHistory)).all()
    assert (old.version, old.score, old.passed) == (1, 4.0, False)
    with pytest.raises(ValueError, match="source"):
        record_activity_facts(session, course, "scorm:1", "lms", T0, [])


def _learners(session, count: int, prefix: str) -> list[int]:  # type: ignore[no-untyped-def]
    registration = session.scalars(select(Registration)).one().id
    users = [LmsUser(registration_id=registration, sub=f"{prefix}-{n}") for n in range(count)]
    session.add_all(users)
    session.flush()
    return [u.id for u in users]


@pytest.mark.parametrize("likely_new", [False, True])
def test_insert_first_gives_the_same_facts_counts_and_history(world, likely_new: bool) -> None:  # type: ignore[no-untyped-def]
    session, course, _user = world
    users = _learners(session, 300, "a")  # more than one lookup chunk (128 users)
    page = [(u, True, None, float(u % 7), 10.0) for u in users]
    first = record_activity_facts(session, course, "ags:x", "ags", T0, page, likely_new=likely_new)
    assert first == RecordCounts(created=300)
    # A second page where 100 facts exist (50 the same, 25 newer, 25 older than observed) and 50 are new.
    later, earlier = T0 + timedelta(hours=1), T0 - timedelta(hours=1)
    second = ([(u, True, None, float(u % 7), 10.0) for u in users[:50]]
              + [(u, True, True, 9.5, 10.0) for u in users[50:75]])
    counts = record_activity_facts(session, course, "ags:x", "ags", later, second, likely_new=likely_new)
    assert counts == RecordCounts(changed=25, unchanged=50)
    older = [(u, False, None, 0.0, 10.0) for u in users[75:100]]
    old = record_activity_facts(session, course, "ags:x", "ags", earlier, older, likely_new=likely_new)
    assert old == RecordCounts(stale=25)
    others = _learners(session, 50, "b")
    mixed = record_activity_facts(session, course, "ags:x", "ags", later, [
        (u, True, None, 8.5, 10.0) for u in [*users[75:100], *others, others[0]]], likely_new=likely_new)
    assert mixed == RecordCounts(created=50, changed=25)  # the repeated learner counts once
    session.commit()
    facts = session.scalars(select(ProgressFact).where(ProgressFact.activity == "ags:x")).all()
    assert len(facts) == 350
    assert {f.version for f in facts if f.user_id in users[50:100]} == {2}
    history = session.scalars(select(ProgressHistory)).all()
    assert len(history) == 50 and all(h.version == 1 and h.observed_at == T0 for h in history)


def test_has_facts_tells_whether_an_activity_has_any_fact(world) -> None:  # type: ignore[no-untyped-def]
    session, course, user = world
    assert not has_facts(session, course, "scorm:1")
    record_facts(session, [_fact(course, user, 7, T0)])
    assert has_facts(session, course, "scorm:1") and not has_facts(session, course, "scorm:2")
