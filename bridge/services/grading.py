"""Grade pass-back: post a learner's result for an activity to the course gradebook (AGS 2.0 scores).

Results are first written to the ``grade_outbox`` table in the caller's transaction (outbox pattern), then
``deliver_due`` posts them, one commit per result. When the LMS is down or rate-limits, a result is retried
with exponential backoff and jitter (``Retry-After`` when the LMS gave one), up to ``MAX_ATTEMPTS``.
Ordering: a result is never posted over a newer one for the same learner and resource link: queuing an
older result, or delivering one after a newer was sent, marks it ``superseded`` instead. A score is sent as
``FullyGraded`` only when it has a ``scoreGiven`` (AGS 2.0 §3.4; the connector refuses otherwise too).
The line item is the resource link's own (from the launch), else found or created by ``resourceLinkId``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import Course, CourseLineItem, GradeOutbox, LmsUser, Registration, ResourceLink
from bridge.models.base import utcnow
from bridge.services.secrets_box import SecretBox
from bridge.services.service_tokens import access_token_client
from connectors.errors import ConnectorAuthError, ConnectorError, ConnectorNotFound, ConnectorUnavailable, RateLimited
from connectors.lti_ags import (
    SCOPE_LINEITEM,
    SCOPE_SCORE,
    ActivityProgress,
    AgsConnector,
    GradingProgress,
    InvalidScore,
    LineItem,
    Score,
)
from connectors.token_cache import TokenCache

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=2)
TAG = "credential-bridge"


class GradingError(Exception):
    """A result cannot be queued or delivered; the message says why."""


@dataclass(frozen=True, slots=True)
class ActivityResult:
    """A learner's result in one activity of a course, as the tool measured it at ``result_at``."""

    course_pk: int
    user_pk: int
    resource_link_id: str
    activity: str
    score_maximum: float
    result_at: datetime
    score_given: float | None = None
    completed: bool = False
    label: str = ""
    comment: str | None = None


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    superseded: int = 0


def _progress(result: ActivityResult) -> tuple[ActivityProgress, GradingProgress]:
    activity = ActivityProgress.COMPLETED if result.completed else ActivityProgress.IN_PROGRESS
    if result.score_given is not None:
        return activity, GradingProgress.FULLY_GRADED
    return activity, GradingProgress.PENDING if result.completed else GradingProgress.NOT_READY


def _newest(session: Session, row: GradeOutbox | ActivityResult, statuses: tuple[str, ...]) -> datetime | None:
    course = row.course_id if isinstance(row, GradeOutbox) else row.course_pk
    user = row.user_id if isinstance(row, GradeOutbox) else row.user_pk
    query = select(GradeOutbox.result_at).where(
        GradeOutbox.course_id == course, GradeOutbox.user_id == user,
        GradeOutbox.resource_link_id == row.resource_link_id, GradeOutbox.status.in_(statuses))
    return session.scalars(query.order_by(GradeOutbox.result_at.desc()).limit(1)).first()


def queue_result(session: Session, result: ActivityResult) -> GradeOutbox:
    """Add ``result`` to the outbox (the caller commits). Older than a queued or sent result: superseded."""
    if result.result_at.tzinfo is None:
        raise GradingError("the result time needs a time zone")
    if result.score_maximum <= 0 or (result.score_given is not None and result.score_given < 0):
        raise GradingError("a result needs a positive maximum and a score of at least 0")
    activity, grading = _progress(result)
    newest = _newest(session, result, ("pending", "sent"))
    row = GradeOutbox(
        course_id=result.course_pk, user_id=result.user_pk, resource_link_id=result.resource_link_id,
        activity=result.activity[:255], label=result.label[:512], score_given=result.score_given,
        score_maximum=result.score_maximum, activity_progress=str(activity), grading_progress=str(grading),
        comment=result.comment, result_at=result.result_at, next_attempt_at=utcnow(), attempts=0, last_error="",
        status="superseded" if newest is not None and newest > result.result_at else "pending")
    if row.status == "pending":
        for older in session.scalars(select(GradeOutbox).where(
                GradeOutbox.course_id == result.course_pk, GradeOutbox.user_id == result.user_pk,
                GradeOutbox.resource_link_id == result.resource_link_id, GradeOutbox.status == "pending")):
            older.status = "superseded"
    session.add(row)
    session.flush()
    return row


def grading_connector(session: Session, box: SecretBox, course: Course, *, cache: TokenCache,
                      http: requests.Session | None = None, **options: Any) -> AgsConnector:
    """An AGS connector for posting scores in ``course`` (score scope, and lineitem to create columns)."""
    registration = session.get(Registration, course.registration_id)
    scopes = {SCOPE_SCORE, SCOPE_LINEITEM} & set(course.ags_scopes or ())
    if registration is None or not course.lineitems_url or SCOPE_SCORE not in scopes:
        raise GradingError(f"course {course.id} does not allow grade pass-back (no AGS score scope granted)")
    tokens = access_token_client(session, box, registration, cache=cache, http=http, **options)
    return AgsConnector(tokens, scopes=scopes, session=http, **options)


def _line_item_url(session: Session, course: Course, row: GradeOutbox, ags: AgsConnector) -> str:
    link = session.scalars(select(ResourceLink).where(ResourceLink.course_id == course.id,
                                                      ResourceLink.resource_link_id == row.resource_link_id)).first()
    if link is not None and link.lineitem_url:
        return link.lineitem_url
    known = session.scalars(select(CourseLineItem).where(
        CourseLineItem.course_id == course.id, CourseLineItem.resource_link_id == row.resource_link_id)).first()
    if known is not None:
        return known.url
    wanted = LineItem(id=None, score_maximum=row.score_maximum, label=row.label or row.activity,
                      resource_id=row.activity, resource_link_id=row.resource_link_id, tag=TAG)
    item = ags.find_or_create_line_item(str(course.lineitems_url), wanted)
    session.add(CourseLineItem(course_id=course.id, url=str(item.id), label=item.label[:512],
                               score_maximum=item.score_maximum, resource_id=item.resource_id,
                               resource_link_id=item.resource_link_id, tag=item.tag))
    return str(item.id)


def _score(row: GradeOutbox, sub: str) -> Score:
    return Score(user_id=sub, score_given=row.score_given, score_maximum=row.score_maximum,
                 activity_progress=ActivityProgress(row.activity_progress),
                 grading_progress=GradingProgress(row.grading_progress), timestamp=row.result_at, comment=row.comment)


def _retry_at(row: GradeOutbox, err: ConnectorError, now: datetime, rng: random.Random) -> datetime:
    if isinstance(err, RateLimited) and err.retry_after is not None:
        return now + timedelta(seconds=err.retry_after)
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (row.attempts - 1))
    return now + ceiling * rng.uniform(0.5, 1.0)


def deliver_due(session: Session, ags_for: Callable[[Course], AgsConnector], *, now: datetime | None = None,
                limit: int = 100, rng: random.Random | None = None) -> DeliveryReport:
    """Post every pending result whose time has come (oldest result first); one commit per result."""
    now, rng, report = now or utcnow(), rng or random.Random(), DeliveryReport()
    due = session.scalars(select(GradeOutbox).where(GradeOutbox.status == "pending",
                                                    GradeOutbox.next_attempt_at <= now)
                          .order_by(GradeOutbox.result_at, GradeOutbox.id).limit(limit)).all()
    for row in due:
        _deliver(session, row, ags_for, now, rng, report)
        session.commit()
    return report


def _deliver(session: Session, row: GradeOutbox, ags_for: Callable[[Course], AgsConnector], now: datetime,
             rng: random.Random, report: DeliveryReport) -> None:
    sent = _newest(session, row, ("sent",))
    if sent is not None and sent > row.result_at:
        row.status = "superseded"
        report.superseded += 1
        return
    course, user = session.get(Course, row.course_id), session.get(LmsUser, row.user_id)
    if course is None or user is None:
        row.status, row.last_error = "failed", "course or learner removed"
        report.failed += 1
        return
    # No pending writes during HTTP calls: on SQLite they would hold the write lock the token cache needs.
    session.flush()
    try:
        ags = ags_for(course)
        lineitem_url = row.lineitem_url or _line_item_url(session, course, row, ags)
        ags.post_score(lineitem_url, _score(row, user.sub))
        row.lineitem_url = lineitem_url
    except (ConnectorUnavailable, ConnectorNotFound, ConnectorAuthError) as err:
        if isinstance(err, ConnectorNotFound):
            row.lineitem_url = None  # the column was deleted in the LMS: find or create it again next time
        row.attempts += 1
        row.last_error = str(err)[:2000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status = "failed"
            report.failed += 1
            return
        row.next_attempt_at = _retry_at(row, err, now, rng)
        report.retrying += 1
        return
    except (ConnectorError, InvalidScore, GradingError) as err:
        row.attempts += 1
        row.status, row.last_error = "failed", str(err)[:2000]
        report.failed += 1
        return
    row.attempts += 1
    row.status, row.sent_at, row.last_error = "sent", now, ""
    report.sent += 1
