"""The job functions. Each takes a :class:`JobContext`, calls services, and returns counts for the run record.

Failures a retry can fix raise :class:`RetryableJobError`; anything else is permanent for this run.
Not here yet (no service to call): issuance of pending awards and the credential delivery outbox (awards do
not yet carry an "issue me" state), status-list publication (lists are signed on request at ``/status/<id>``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bridge.jobs.context import JobContext
from bridge.models import CacheEntry, Course, CourseSync, LaunchSession, Registration
from bridge.models.base import utcnow
from bridge.services import awards as award_service
from bridge.services import connector_sync, grading
from bridge.services import sync as sync_service
from connectors.lti_ags import AgsConnector

Counts = dict[str, Any]


class JobError(Exception):
    """A job could not finish; the message is for an administrator (ids only, no personal data)."""


class RetryableJobError(JobError):
    """The LMS or the network failed; the job resumes where it stopped when retried."""


def _options(ctx: JobContext) -> dict[str, Any]:
    return {**({"retry": ctx.retry} if ctx.retry else {}), **ctx.connector_options}


def courses_to_sync(session: Session, registration_id: int | None = None) -> list[int]:
    """Courses whose launches left a roster or gradebook endpoint, optionally of one tenant."""
    query = select(Course.id).where(Course.memberships_url.is_not(None) | Course.lineitems_url.is_not(None))
    if registration_id is not None:
        query = query.where(Course.registration_id == registration_id)
    return list(session.scalars(query.order_by(Course.id)))


def sync_course(ctx: JobContext, course_pk: int, *, progress: sync_service.ProgressCallback | None = None,
                full: bool = False) -> Counts:
    """Roster and results of one course into progress facts, then award evaluation for that course."""
    with ctx.db.session() as session:
        course = session.get(Course, course_pk)
        if course is None:
            raise JobError(f"course {course_pk} no longer exists")
        try:
            connectors = sync_service.course_connectors(session, ctx.box, course, cache=ctx.cache, http=ctx.http,
                                                        **_options(ctx))
            report = sync_service.sync_course(session, course, connectors, full=full, progress=progress)
        except sync_service.SyncFailed as err:
            raise RetryableJobError(str(err)) from err
        except sync_service.SyncError as err:
            raise JobError(str(err)) from err
        extra = sync_connectors(ctx, session, course)
        awards = evaluate_awards(session, course_pk)
    return {"course_sync_id": report.run_id, "members": report.members, "results": report.results,
            "pages": report.pages, "resumed": report.resumed, **report.facts, **extra, "awards": awards}


def sync_connectors(ctx: JobContext, session: Session, course: Course) -> Counts:
    """The tenant's connectors beyond LTI (Moodle Web Services, Canvas REST), counts keyed by connector."""
    try:
        reports = connector_sync.sync_course(session, ctx.box, course, http=ctx.http, **_options(ctx))
    except connector_sync.ConnectorSyncError as err:
        raise (RetryableJobError if err.retryable else JobError)(str(err)) from err
    return {f"connector_{r.kind}": r.as_counts() for r in reports}


def evaluate_awards(session: Session, course_pk: int) -> int:
    """Award what the course's rules grant on the facts now known; returns the number of new awards."""
    created = award_service.evaluate_course(session, course_pk, now=utcnow())
    session.commit()
    return len(created)


def last_course_sync(session: Session, course_pk: int) -> int | None:
    return session.scalars(select(CourseSync.id).where(CourseSync.course_id == course_pk)
                           .order_by(CourseSync.id.desc()).limit(1)).first()


def deliver_grades(ctx: JobContext) -> Counts:
    """Post due results of the grade outbox to the LMS gradebooks."""
    connectors: dict[int, AgsConnector] = {}
    with ctx.db.session() as session:
        def ags_for(course: Course) -> AgsConnector:
            if course.id not in connectors:
                connectors[course.id] = grading.grading_connector(session, ctx.box, course, cache=ctx.cache,
                                                                  http=ctx.http, **_options(ctx))
            return connectors[course.id]

        report = grading.deliver_due(session, ags_for)
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed,
            "superseded": report.superseded}


def refresh_platform_keys(ctx: JobContext, fetch: Callable[[str], Any] | None = None) -> Counts:
    """Re-read each platform's JWKS before launches need it (a launch still re-fetches on an unknown kid)."""
    get = fetch or (lambda url: ctx.http.get(url))
    refreshed = failed = 0
    with ctx.db.session() as session:
        for registration in session.scalars(select(Registration).order_by(Registration.id)):
            try:
                response = get(registration.key_set_url)
                response.raise_for_status()
                key_set = response.json()
            except (requests.RequestException, ValueError):
                failed += 1  # keep the keys we have; the launch path reports unreachable key sets itself
                continue
            if isinstance(key_set, dict) and isinstance(key_set.get("keys"), list):
                registration.key_set, registration.key_set_fetched_at = key_set, utcnow()
                refreshed += 1
            else:
                failed += 1
            session.commit()
    return {"refreshed": refreshed, "failed": failed}


def cleanup_expired(ctx: JobContext, *, keep_runs_days: int = 90) -> Counts:
    """Delete expired cache entries (login state, nonces, tokens, codes), launch sessions and old run records."""
    from bridge.models import JobRun

    now = utcnow()
    with ctx.db.session() as session:
        entries = session.execute(delete(CacheEntry).where(CacheEntry.expires_at <= now)).rowcount  # type: ignore[attr-defined]
        launches = session.execute(delete(LaunchSession).where(LaunchSession.expires_at <= now)).rowcount  # type: ignore[attr-defined]
        runs = session.execute(delete(JobRun).where(JobRun.started_at < now - timedelta(days=keep_runs_days),
                                                    JobRun.status.in_(("done", "skipped")))).rowcount  # type: ignore[attr-defined]
        session.commit()
    return {"cache_entries": int(entries or 0), "launch_sessions": int(launches or 0), "job_runs": int(runs or 0)}
