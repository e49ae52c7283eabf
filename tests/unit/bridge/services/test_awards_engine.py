"""The award engine on a real (file) SQLite database: awards iff rules hold, once per learner × version,
also with two concurrent workers; versioning; manual decisions with reasons; tenant isolation."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bridge.db import Database
from bridge.models import Award, AwardStatusChange, CourseLineItem, CredentialTemplate, LmsUser, TemplateVersion
from bridge.services import awards
from bridge.services import credential_templates as templates
from bridge.services.award_rules import Combination, Condition, Criterion, CriterionKind, Rule
from bridge.services.progress import FactInput, record_facts
from credentials.microcredential import LangText
from tests.support.awards_data import make_tenant, sample_template

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
AGS = CriterionKind.AGS_LINE_ITEM
ITEMS = ["https://lms.example/li/1", "https://lms.example/li/2"]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('awards') / 'awards.sqlite'}")
    database.upgrade()
    yield database
    database.dispose()


def setup_course(db: Database, name: str, rule: Rule) -> tuple[int, int, list[int]]:
    with db.session() as s:
        tenant = make_tenant(s, name)
        s.add_all([CourseLineItem(course_id=tenant.course.id, url=u, label=f"Item {i}", score_maximum=10)
                   for i, u in enumerate(ITEMS)])
        tpl = templates.save_template(s, registration_pk=tenant.registration.id, course_pk=tenant.course.id,
                                      template=sample_template())
        awards.set_rule(s, tpl, tenant.course.id, rule)
        s.commit()
        return tenant.course.id, tpl.id, [u.id for u in tenant.learners]


def add_fact(db: Database, course: int, user: int, item: str, score: float, *, at: datetime = NOW) -> None:
    with db.session() as s:
        record_facts(s, [FactInput(course, user, f"ags:{item}", True, "ags", at, None, score, 10.0)])
        s.commit()


def award_count(db: Database, user: int) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(Award).where(Award.user_id == user)) or 0


names = (f"p{i}" for i in count())


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scores=st.lists(st.tuples(st.sampled_from(ITEMS), st.integers(0, 10)), max_size=4),
       threshold=st.integers(0, 100), all_of=st.booleans())
def test_award_exists_iff_criteria_hold_and_more_facts_never_remove_it(
        db: Database, scores: list[tuple[str, int]], threshold: int, all_of: bool) -> None:
    criteria = tuple(Criterion(AGS, u, Condition.MIN_SCORE, float(threshold)) for u in ITEMS)
    rule = Rule(criteria, Combination.ALL_OF) if all_of else Rule(criteria, Combination.AT_LEAST_N, 1)
    course, _, (user, _) = setup_course(db, next(names), rule)
    best: dict[str, int] = {}
    for item, score in scores:
        add_fact(db, course, user, item, score, at=NOW + timedelta(seconds=len(best)))
        best[item] = score  # the latest observation is the fact
        with db.session() as s:
            awards.evaluate_learner(s, course, user, now=NOW)
            s.commit()
        met = sum(best.get(u, -1) * 10 >= threshold for u in ITEMS)
        expected = met == len(ITEMS) if all_of else met >= 1
        had = award_count(db, user)
        assert had == 1 or (had == 0 and not expected)
    # Once awarded, new (even worse) facts never take the award away.
    if award_count(db, user):
        add_fact(db, course, user, ITEMS[0], 0, at=NOW + timedelta(days=1))
        with db.session() as s:
            awards.evaluate_learner(s, course, user, now=NOW)
            s.commit()
        assert award_count(db, user) == 1


def test_two_workers_evaluating_the_same_learner_create_one_award(db: Database) -> None:
    rule = Rule((Criterion(AGS, ITEMS[0]),))
    course, template_id, (user, _) = setup_course(db, "race", rule)
    add_fact(db, course, user, ITEMS[0], 10)
    barrier = threading.Barrier(2)
    created: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with db.session() as s:
                barrier.wait()
                created.extend(a.id for a in awards.evaluate_learner(s, course, user, now=NOW))
                s.commit()
        except BaseException as err:  # reported below, with the assertion
            errors.append(err)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert award_count(db, user) == 1
    assert len(created) == 1


def test_insert_race_returns_the_other_workers_award(db: Database) -> None:
    """The idempotent path itself: the second insert hits the unique constraint and gets the first award."""
    course, template_id, (user, _) = setup_course(db, "race2", Rule((Criterion(AGS, ITEMS[0]),)))
    with db.session() as a, db.session() as b:
        tpl_a, tpl_b = a.get_one(CredentialTemplate, template_id), b.get_one(CredentialTemplate, template_id)
        first = awards._new_award(tpl_a, user, course, method="rule", evidence={}, now=NOW, valid_days=None, by=None)
        second = awards._new_award(tpl_b, user, course, method="rule", evidence={}, now=NOW, valid_days=None,
                                   by=None)
        won, new = awards._insert_award(a, first)
        a.commit()
        got, new2 = awards._insert_award(b, second)
        b.commit()
        assert (new, new2) == (True, False) and got.id == won.id
    assert award_count(db, user) == 1


def test_new_version_keeps_earlier_awards_and_is_not_awarded_again(db: Database) -> None:
    course, template_id, (user, other) = setup_course(db, "versions", Rule((Criterion(AGS, ITEMS[0]),)))
    add_fact(db, course, user, ITEMS[0], 10)
    with db.session() as s:
        awards.evaluate_learner(s, course, user, now=NOW)
        tpl = s.get_one(CredentialTemplate, template_id)
        templates.save_template(s, registration_pk=tpl.registration_id, course_pk=course, existing=tpl,
                                template=sample_template(title=LangText(en="Critical thinking, revised")))
        templates.save_template(s, registration_pk=tpl.registration_id, course_pk=course, existing=tpl,
                                template=sample_template(title=LangText(en="Critical thinking, revised")))
        s.commit()
        assert [v.version for v in tpl.versions] == [1, 2]
    add_fact(db, course, other, ITEMS[0], 10)
    with db.session() as s:
        assert awards.evaluate_learner(s, course, user, now=NOW) == []
        [new] = awards.evaluate_learner(s, course, other, now=NOW)
        s.commit()
        versions = {a.user_id: s.get_one(TemplateVersion, a.template_version_id).version
                    for a in s.scalars(select(Award).where(Award.template_id == template_id))}
    assert versions == {user: 1, other: 2}


def test_stacked_credential_is_awarded_in_the_same_run(db: Database) -> None:
    course, first_id, (user, _) = setup_course(db, "stack", Rule((Criterion(AGS, ITEMS[0]),)))
    with db.session() as s:
        first = s.get_one(CredentialTemplate, first_id)
        stacked = templates.save_template(s, registration_pk=first.registration_id, course_pk=None,
                                          template=sample_template(title=LangText(en="Stacked")))
        awards.set_rule(s, stacked, course, Rule((Criterion(CriterionKind.CREDENTIAL, str(first_id)),),
                                                 valid_days=365))
        s.commit()
    add_fact(db, course, user, ITEMS[0], 10)
    with db.session() as s:
        made = awards.evaluate_learner(s, course, user, now=NOW)
        s.commit()
        assert [a.template_id for a in made] == [first_id, stacked.id]
        assert made[1].valid_until == NOW + timedelta(days=365)
        assert made[1].evidence["criteria"][0]["satisfied"] is True


def test_course_evaluation_in_bulk_decides_as_each_learner_alone(db: Database,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """evaluate_course reads facts and holdings in bulk and inserts per chunk (2 learners here): the same awards
    as evaluate_learner per learner, stacked ones included, none for a learner who holds it, one each."""
    monkeypatch.setattr(awards, "EVALUATION_CHUNK", 2)
    with db.session() as s:
        tenant = make_tenant(s, "bulk", learners=5)
        course = tenant.course.id
        s.add(CourseLineItem(course_id=course, url=ITEMS[0], label="Item 0", score_maximum=10))
        first = templates.save_template(s, registration_pk=tenant.registration.id, course_pk=course,
                                        template=sample_template())
        awards.set_rule(s, first, course, Rule((Criterion(AGS, ITEMS[0], Condition.MIN_SCORE, 50.0),)))
        stacked = templates.save_template(s, registration_pk=tenant.registration.id, course_pk=None,
                                          template=sample_template(title=LangText(en="Stacked")))
        awards.set_rule(s, stacked, course, Rule((Criterion(CriterionKind.CREDENTIAL, str(first.id)),)))
        s.commit()
        first_id, stacked_id, users = first.id, stacked.id, [u.id for u in tenant.learners]
    for user, score in zip(users, [10, 3, 7, 5, 9], strict=True):  # 50 % and more: all but users[1]
        add_fact(db, course, user, ITEMS[0], score)
    with db.session() as s:  # users[4] already holds the first credential (awarded alone)
        assert [a.template_id for a in awards.evaluate_learner(s, course, users[4], now=NOW)] == [first_id,
                                                                                                  stacked_id]
        s.commit()
    with db.session() as s:
        made = awards.evaluate_course(s, course, now=NOW)
        s.commit()
        assert sorted((a.user_id, a.template_id) for a in made) == sorted(
            (u, t) for u in (users[0], users[2], users[3]) for t in (first_id, stacked_id))
        assert all(a.evidence["criteria"][0]["satisfied"] for a in made)
        assert awards.evaluate_course(s, course, now=NOW) == []  # nothing twice
    assert [award_count(db, u) for u in users] == [2, 0, 2, 2, 2]


def test_course_evaluation_meeting_another_workers_award_inserts_the_rest(db: Database,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Another worker awards a learner between our read of holdings and our insert: the chunk's SAVEPOINT fails
    on the unique constraint, and the awards are inserted one by one — theirs stays, ours are not duplicated."""
    course, template_id, users = setup_course(db, "bulk-race", Rule((Criterion(AGS, ITEMS[0]),)))
    for user in users:
        add_fact(db, course, user, ITEMS[0], 10)
    earn = awards._earn
    raced: list[int] = []
    calls = count()

    def earn_while_another_worker_awards(*args: object, **kwargs: object) -> object:
        if next(calls) == 0:  # before our first decision, the other worker commits its award for users[1]
            with db.session() as other:
                raced.extend(a.id for a in awards.evaluate_learner(other, course, users[1], now=NOW))
                other.commit()
        return earn(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(awards, "_earn", earn_while_another_worker_awards)
    with db.session() as s:
        made = awards.evaluate_course(s, course, now=NOW)
        s.commit()
        assert [a.user_id for a in made] == [users[0]] and len(raced) == 1
    assert [award_count(db, u) for u in users] == [1, 1]


def test_manual_award_revoke_and_suspend_keep_a_history(db: Database) -> None:
    course, template_id, (user, _) = setup_course(db, "manual", Rule((Criterion(AGS, ITEMS[1]),)))
    with db.session() as s:
        tpl = s.get_one(CredentialTemplate, template_id)
        with pytest.raises(templates.InvalidInput):
            awards.award_manually(s, tpl, user, course, reason="  ", by=None, now=NOW)
        award = awards.award_manually(s, tpl, user, course, reason="Recognised prior learning", by=None, now=NOW)
        with pytest.raises(templates.InvalidInput, match="already holds"):
            awards.award_manually(s, tpl, user, course, reason="again", by=None, now=NOW)
        awards.change_status(s, award, "suspended", reason="Under review", by=None, now=NOW + timedelta(hours=1))
        awards.change_status(s, award, "active", reason="Review done", by=None, now=NOW + timedelta(hours=2))
        awards.change_status(s, award, "revoked", reason="Plagiarism <script>x</script>".split("<")[0], by=None,
                             now=NOW + timedelta(hours=3))
        with pytest.raises(templates.InvalidInput, match="cannot become active"):
            awards.change_status(s, award, "active", reason="undo", by=None, now=NOW)
        with pytest.raises(templates.InvalidInput, match="plain text"):
            awards.change_status(s, award, "revoked", reason="<script>alert(1)</script>", by=None, now=NOW)
        s.commit()
        history = s.scalars(select(AwardStatusChange).where(AwardStatusChange.award_id == award.id)
                            .order_by(AwardStatusChange.id)).all()
        assert [(h.from_status, h.to_status) for h in history] == [
            (None, "active"), ("active", "suspended"), ("suspended", "active"), ("active", "revoked")]
        assert award.status == "revoked" and award.status_reason == "Plagiarism"


def test_ids_of_another_tenant_or_course_are_not_found_and_nothing_is_stored(db: Database) -> None:
    course_a, template_a, _ = setup_course(db, "iso-a", Rule((Criterion(AGS, ITEMS[0]),)))
    course_b, template_b, (user_b, _) = setup_course(db, "iso-b", Rule((Criterion(AGS, ITEMS[0]),)))
    with db.session() as s:
        reg_b = s.get_one(CredentialTemplate, template_b).registration_id
        with pytest.raises(templates.NotFound):
            templates.get_template(s, reg_b, template_a)
        tpl_b = s.get_one(CredentialTemplate, template_b)
        with pytest.raises(templates.InvalidInput, match="no credential template"):
            awards.set_rule(s, tpl_b, course_b, Rule((Criterion(CriterionKind.CREDENTIAL, str(template_a)),)))
        with pytest.raises(templates.InvalidInput, match="not an activity of this course"):
            awards.set_rule(s, tpl_b, course_b, Rule((Criterion(AGS, "https://other.example/li/9"),)))
        s.rollback()
        rule = awards.get_rule(s, template_b, course_b)
        assert rule is not None and [c.target for c in rule.criteria] == [ITEMS[0]]


def test_invalid_templates_store_nothing(db: Database) -> None:
    from decimal import Decimal

    from credentials.microcredential import Level
    with db.session() as s:
        tenant = make_tenant(s, "bad")
        before = s.scalar(select(func.count()).select_from(CredentialTemplate))
        bad = sample_template(ects=Decimal("1000"), level=Level(eqf=9), title={"en": "<script>x</script>"},
                              further_information_url="javascript:alert(1)")
        with pytest.raises(templates.InvalidInput) as err:
            templates.save_template(s, registration_pk=tenant.registration.id, course_pk=tenant.course.id,
                                    template=bad)
        codes = {p.code for p in err.value.problems}
        assert {"ects_out_of_range", "eqf_out_of_range", "script", "invalid_url"} <= codes
        assert s.scalar(select(func.count()).select_from(CredentialTemplate)) == before
        assert s.scalars(select(LmsUser)).first() is not None
