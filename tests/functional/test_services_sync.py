"""Course sync end to end against the sandbox over real HTTP: roster paging and differences, results into
progress facts, token reuse and refresh, 429 with Retry-After and 500s, resuming after a failed page."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import func, select

from bridge.models import CourseSync, LmsUser, Membership, ProgressFact, ProgressHistory
from bridge.services.sync import SyncFailed, SyncProgress, sync_course
from connectors.errors import ConnectorBadResponse, ConnectorUnavailable, RateLimited
from connectors.retry import RetryPolicy
from tests.support.live_services import COURSE, Live, live_fixture  # noqa: F401  (the `live` fixture)

pytestmark = pytest.mark.e2e
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def _score(live: Live, user: str, given: float, when: str = "2026-01-01T10:00:00+00:00") -> None:
    item = next(i for i in live.platform.line_items.values() if i.resource_link_id == "rl-quiz")
    live.platform.record_score(item, "platform", {"userId": user, "scoreGiven": given, "scoreMaximum": 100,
                                                  "activityProgress": "Completed", "gradingProgress": "FullyGraded",
                                                  "timestamp": when})


def _statuses(session, course_id: int) -> dict[str, str]:
    rows = session.execute(select(LmsUser.sub, Membership.status).join(Membership, Membership.user_id == LmsUser.id)
                           .where(Membership.course_id == course_id))
    return dict(rows.all())


def test_roster_with_paging_then_differences(live: Live) -> None:
    live.platform.add_user("learner-3", None, None, None)  # a member whose platform withholds names
    live.platform.enroll(COURSE, "learner-3", [LEARNER])
    seen: list[SyncProgress] = []
    with live.session() as session:
        course = live.course(session)
        report = sync_course(session, course, live.connectors(session, course), progress=seen.append)
        assert report.members == 4 and not report.incremental
        assert report.pages >= 2  # page size 2: the roster alone is two pages
        assert _statuses(session, course.id) == dict.fromkeys(
            ["instructor-1", "learner-1", "learner-2", "learner-3"], "Active")
        grace = session.scalars(select(LmsUser).filter_by(sub="learner-1")).one()
        assert (grace.name, grace.email) == ("Grace Hopper", "grace@example.edu")
        assert session.scalars(select(LmsUser).filter_by(sub="learner-3")).one().name is None
        assert any(p.phase == "roster" for p in seen)

        live.platform.set_member_status(COURSE, "learner-2", "Deleted")
        live.platform.set_member_status(COURSE, "learner-3", "Inactive")
        again = sync_course(session, course, live.connectors(session, course))
        assert again.incremental and again.members == 2 and again.deleted == 1
        statuses = _statuses(session, course.id)
        assert statuses["learner-2"] == "Deleted" and statuses["learner-3"] == "Inactive"
        assert statuses["learner-1"] == "Active"


def test_results_become_progress_facts_idempotently_with_history(live: Live) -> None:
    _score(live, "learner-1", 80)
    _score(live, "learner-2", 40)
    with live.session() as session:
        course = live.course(session)
        report = sync_course(session, course, live.connectors(session, course))
        assert report.results == 2 and report.facts["created"] == 2
        facts = {f.user_id: f for f in session.scalars(select(ProgressFact))}
        grace = session.scalars(select(LmsUser).filter_by(sub="learner-1")).one()
        fact = facts[grace.id]
        assert (fact.completed, fact.score, fact.maximum, fact.source) == (True, 80.0, 100.0, "ags")
        assert fact.activity.startswith("ags:http://127.0.0.1:")

        repeat = sync_course(session, course, live.connectors(session, course))
        assert repeat.facts == {"created": 0, "changed": 0, "unchanged": 2, "stale": 0}

        _score(live, "learner-1", 95, "2026-01-02T10:00:00+00:00")
        sync_course(session, course, live.connectors(session, course))
        session.refresh(fact)
        assert (fact.score, fact.version) == (95.0, 2)
        history = session.scalars(select(ProgressHistory.score).where(ProgressHistory.fact_id == fact.id)
                                  .order_by(ProgressHistory.version)).all()
        assert history == [80.0]  # the replaced version; the fact row holds the current one


def test_one_token_serves_the_whole_sync_and_a_revoked_token_is_refreshed_once(live: Live) -> None:
    _score(live, "learner-1", 70)
    with live.session() as session:
        course = live.course(session)
        sync_course(session, course, live.connectors(session, course))
        issued = len(live.platform.access_tokens)
        assert issued == 2  # one for NRPS, one for AGS: cached in the database across pages and connectors

        sync_course(session, course, live.connectors(session, course))  # fresh connectors, cached tokens
        assert len(live.platform.access_tokens) == issued

        live.platform.access_tokens.clear()  # the platform forgets its tokens: every call now gets a 401
        report = sync_course(session, course, live.connectors(session, course))
        assert report.results == 1
        assert len(live.platform.access_tokens) == 2


def test_a_cached_token_close_to_expiry_is_replaced(live: Live) -> None:
    with live.session() as session:
        course = live.course(session)
        sync_course(session, course, live.connectors(session, course))
        assert len(live.platform.access_tokens) == 2
        # Tokens live 3600 s; with a refresh margin above that, the cached ones count as expired.
        sync_course(session, course, live.connectors(session, course, token_options={"skew": 3700}))
        assert len(live.platform.access_tokens) > 2  # new tokens fetched instead of the cached ones


def test_429_with_retry_after_is_waited_out(live: Live) -> None:
    sleeps: list[float] = []

    def wait(seconds: float) -> None:  # the LMS recovers while we wait: deterministic, unlike a random rate
        sleeps.append(seconds)
        live.platform.set_faults()

    with live.session() as session:
        course = live.course(session)
        connectors = live.connectors(session, course, sleep=wait,
                                     retry=RetryPolicy(max_attempts=4, max_total_sleep=5.0))
        live.platform.set_faults(error_rate=1.0, status=429, retry_after=0)
        report = sync_course(session, course, connectors)
        live.platform.set_faults()
        assert report.members == 3
    assert sleeps and set(sleeps) == {0.0}  # the server's Retry-After, not our own backoff


def test_a_failing_page_writes_nothing_and_the_next_run_resumes_there(live: Live) -> None:
    for n in range(3, 9):
        live.platform.add_user(f"learner-{n}", "L", str(n))
        live.platform.enroll(COURSE, f"learner-{n}", [LEARNER])
    with live.session() as session:
        course = live.course(session)
        connectors = live.connectors(session, course)
        pages = iter(range(100))
        original = connectors.nrps.iter_pages  # type: ignore[union-attr]

        def flaky(url, **kwargs):  # the third roster page gets HTTP 500
            for page in original(url, **kwargs):
                if next(pages) == 2:
                    live.platform.set_faults(error_rate=1.0, status=500, retry_after=None)
                yield page

        connectors.nrps.iter_pages = flaky  # type: ignore[union-attr,method-assign]
        with pytest.raises(SyncFailed) as failed:
            sync_course(session, course, connectors)
        assert isinstance(failed.value.cause, ConnectorUnavailable)
        assert not isinstance(failed.value.cause, RateLimited)
        run = session.get(CourseSync, failed.value.run_id)
        assert run is not None and run.status == "failed" and "Page=" in run.resume["url"]
        members = session.scalar(select(func.count()).select_from(Membership).where(Membership.course_id == course.id))
        assert members == 6  # three whole pages of two, nothing of the failed one

        live.platform.set_faults()
        resumed = sync_course(session, course, live.connectors(session, course))
        assert resumed.resumed and resumed.members == 3  # the two remaining pages only
        assert len(_statuses(session, course.id)) == 9


def test_a_token_refreshed_in_the_middle_of_a_transaction_does_not_wait_for_it(live: Live) -> None:
    """The fetching thread refreshes a revoked token (a database write) while the sync holds stored pages."""
    for n in range(3, 9):
        live.platform.add_user(f"learner-{n}", "L", str(n))
        live.platform.enroll(COURSE, f"learner-{n}", [LEARNER])
    with live.session() as session:
        course = live.course(session)
        connectors = live.connectors(session, course)
        original = connectors.nrps.iter_pages  # type: ignore[union-attr]

        def revoking(url, **kwargs):  # the platform forgets its tokens after the second roster page
            for number, page in enumerate(original(url, **kwargs)):
                if number == 1:
                    live.platform.access_tokens.clear()
                yield page

        connectors.nrps.iter_pages = revoking  # type: ignore[union-attr,method-assign]
        report = sync_course(session, course, connectors)
        assert report.members == 9 and report.pages >= 5
        assert len(_statuses(session, course.id)) == 9


def test_a_bad_results_page_of_one_line_item_resumes_each_line_item_where_it_stopped(live: Live) -> None:
    """Line items' results are fetched side by side: a malformed page of one fails the run after the pages
    that arrived before it, and the next run finishes every line item without repeating or losing a result."""
    learners = [f"learner-{n}" for n in range(1, 6)]
    for user in learners[2:]:
        live.platform.add_user(user, "L", user)
        live.platform.enroll(COURSE, user, [LEARNER])
    items = [live.platform.add_line_item(COURSE, f"Unit {n}", 10, resource_id=f"unit-{n}") for n in range(5)]
    for n, item in enumerate(items):
        for m, user in enumerate(learners):  # five results: three pages of two
            live.platform.record_score(item, "platform", {
                "userId": user, "scoreGiven": (n + m) % 10, "scoreMaximum": 10, "activityProgress": "Completed",
                "gradingProgress": "FullyGraded", "timestamp": "2026-01-01T10:00:00+00:00"})
    broken = f"/lineitems/{items[1].id}/results"
    with live.session() as session:
        course = live.course(session)
        connectors = live.connectors(session, course)
        original = connectors.ags.iter_pages  # type: ignore[union-attr]

        def malformed(url, **kwargs):  # the second results page of one line item lacks a userId
            for page in original(url, **kwargs):
                yield replace(page, data=[{"id": "r-1"}]) if broken in page.url and page.number == 2 else page

        connectors.ags.iter_pages = malformed  # type: ignore[union-attr,method-assign]
        with pytest.raises(SyncFailed) as failed:
            sync_course(session, course, connectors)
        assert isinstance(failed.value.cause, ConnectorBadResponse) and failed.value.phase == "results"
        assert broken in str(failed.value.url)
        run = session.get(CourseSync, failed.value.run_id)
        assert run is not None and run.status == "failed"
        urls = list(run.resume["lineitems"])
        index = urls.index(next(u for u in urls if u.endswith(f"/{items[1].id}")))
        reopen = run.resume["open"][str(index)]  # the malformed page, not the first one
        assert index not in run.resume["done"] and broken in reopen and not reopen.endswith("/results")
        activity = "ags:" + urls[index]
        stored = session.scalar(select(func.count()).select_from(ProgressFact).where(ProgressFact.activity == activity))
        assert stored == 2  # its first page, nothing of the malformed one
        before = session.scalar(select(func.count()).select_from(ProgressFact).where(
            ProgressFact.activity.like("ags:%/lineitems/%"), ProgressFact.course_id == course.id))

        resumed = sync_course(session, course, live.connectors(session, course))
        assert resumed.resumed and resumed.facts["created"] == 5 * 5 - before and resumed.facts["changed"] == 0
        for n, item in enumerate(items):
            url = next(u for u in urls if u.endswith(f"/{item.id}"))
            scores = dict(session.execute(select(LmsUser.sub, ProgressFact.score).join(
                LmsUser, LmsUser.id == ProgressFact.user_id).where(ProgressFact.activity == "ags:" + url)).all())
            assert scores == {user: float((n + m) % 10) for m, user in enumerate(learners)}
        assert session.scalar(select(func.count()).select_from(ProgressHistory)) == 0
