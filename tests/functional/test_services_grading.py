"""Grade pass-back end to end against the sandbox over real HTTP: scores reach the gradebook, the outbox
retries while the LMS is down, an older result never replaces a newer one, FullyGraded only with a score."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bridge.models import GradeOutbox, LmsUser
from bridge.services.grading import ActivityResult, deliver_due, grading_connector, queue_result
from bridge.services.service_tokens import DbTokenCache
from tests.support.live_services import FAST_RETRY, Live, live_fixture  # noqa: F401  (the `live` fixture)

pytestmark = pytest.mark.e2e
T0 = datetime.now(UTC)


@pytest.fixture(autouse=True)
def _clock() -> None:
    """T0 just after the moment the test queues results (their first attempt is due at once)."""
    global T0
    T0 = datetime.now(UTC) + timedelta(minutes=1)


def _ags_for(live: Live, session):  # type: ignore[no-untyped-def]
    services = live.app.extensions["bridge"]
    cache = DbTokenCache(services.db.sessionmaker)
    return lambda course: grading_connector(session, services.box, course, cache=cache, http=services.http,
                                            retry=FAST_RETRY)


def _result(live: Live, session, *, link: str = "rl-quiz", score: float | None = 8.0, at: datetime | None = None,
            completed: bool = True) -> ActivityResult:
    at = at or T0
    course = live.course(session)
    user = session.scalars(select(LmsUser).filter_by(sub="learner-1")).first()
    if user is None:
        user = LmsUser(registration_id=course.registration_id, sub="learner-1")
        session.add(user)
        session.flush()
    return ActivityResult(course_pk=course.id, user_pk=user.id, resource_link_id=link, activity="scorm:quiz-1",
                          label="Quiz (SCORM)", score_maximum=10.0, score_given=score, completed=completed,
                          result_at=at)


def test_a_result_reaches_the_gradebook_of_the_launched_link(live: Live) -> None:
    with live.session() as session:
        queue_result(session, _result(live, session))
        session.commit()
        report = deliver_due(session, _ags_for(live, session), now=T0 + timedelta(seconds=1))
    assert report.sent == 1
    [score] = live.platform.scores
    quiz = next(i for i in live.platform.line_items.values() if i.resource_link_id == "rl-quiz")
    assert score.line_item_id == quiz.id and score.user_id == "learner-1" and score.applied
    assert score.body["scoreGiven"] == 8.0 and score.body["gradingProgress"] == "FullyGraded"


def test_a_line_item_is_found_or_created_by_resource_link_id(live: Live) -> None:
    with live.session() as session:
        queue_result(session, _result(live, session, link="rl-intro"))
        queue_result(session, _result(live, session, link="rl-intro", at=T0 + timedelta(minutes=1), score=9.0))
        session.commit()
        deliver_due(session, _ags_for(live, session), now=T0 + timedelta(minutes=2))
    created = [i for i in live.platform.line_items.values() if i.resource_link_id == "rl-intro"]
    assert len(created) == 1 and created[0].score_maximum == 10.0 and created[0].resource_id == "scorm:quiz-1"
    assert [s.body["scoreGiven"] for s in live.platform.scores] == [9.0]  # the older one was superseded


def test_an_older_result_is_never_posted_over_a_newer_one(live: Live) -> None:
    ags_for = None
    with live.session() as session:
        ags_for = _ags_for(live, session)
        queue_result(session, _result(live, session, score=9.0, at=T0 + timedelta(hours=1)))
        session.commit()
        deliver_due(session, ags_for, now=T0 + timedelta(hours=2))
        late = queue_result(session, _result(live, session, score=3.0, at=T0))  # measured earlier, arrives later
        session.commit()
        assert late.status == "superseded"
        report = deliver_due(session, ags_for, now=T0 + timedelta(hours=3))
    assert report.sent == 0
    assert [s.body["scoreGiven"] for s in live.platform.scores] == [9.0]


def test_without_a_score_the_result_is_not_fully_graded(live: Live) -> None:
    with live.session() as session:
        queue_result(session, _result(live, session, score=None, completed=True))
        session.commit()
        deliver_due(session, _ags_for(live, session), now=T0 + timedelta(seconds=1))
    [score] = live.platform.scores
    assert "scoreGiven" not in score.body and score.body["gradingProgress"] == "Pending"
    assert score.body["activityProgress"] == "Completed"


def test_while_the_lms_is_down_the_result_waits_and_is_retried_later(live: Live) -> None:
    with live.session() as session:
        row = queue_result(session, _result(live, session))
        session.commit()
        live.platform.set_faults(error_rate=1.0, status=503, retry_after=None)
        first = deliver_due(session, _ags_for(live, session), now=T0)
        assert first.retrying == 1 and row.status == "pending" and row.attempts == 1
        assert row.next_attempt_at > T0 + timedelta(seconds=10)  # backed off, not hammering the LMS
        assert deliver_due(session, _ags_for(live, session), now=T0 + timedelta(seconds=1)).sent == 0

        live.platform.set_faults()
        later = deliver_due(session, _ags_for(live, session), now=row.next_attempt_at)
        assert later.sent == 1
        assert session.scalars(select(GradeOutbox.status)).all() == ["sent"]
    assert len(live.platform.scores) == 1


def test_a_500_from_the_lms_is_retried_too(live: Live) -> None:
    with live.session() as session:
        row = queue_result(session, _result(live, session))
        session.commit()
        live.platform.set_faults(error_rate=1.0, status=500, retry_after=None)
        assert deliver_due(session, _ags_for(live, session), now=T0).retrying == 1
        live.platform.set_faults()
        assert deliver_due(session, _ags_for(live, session), now=row.next_attempt_at).sent == 1
