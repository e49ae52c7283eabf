"""Connector sync: turn Moodle Web Services and Canvas REST data of one course into progress facts.

The step after the LTI sync (roster by NRPS, results by AGS) for a tenant that configured a connector
(``bridge.services.connector_settings``); it reads what the LTI grants do not reach. Learners are the course's
roster members without a teaching role, as the LTI roster recorded them; the outside system's learners the
bridge has never seen are skipped (counted as ``unknown``).

Activity keys (``bridge.models.progress``), all with ``source = "connector"``:

- Moodle (``connectors.moodle_ws``): ``connector:moodle:grade:<grade item id>`` (completed when graded, score of
  ``grademax``), ``connector:moodle:cm:<course module id>`` (activity completion: completed, and passed/failed
  when the activity has a pass grade), ``connector:moodle:course`` (course completion, when the course has
  criteria). Moodle's LTI 1.3 ``sub`` is the Moodle user id and its ``context_id`` the Moodle course id, so no
  lookup is needed.
- Canvas (``connectors.canvas_rest``): ``connector:canvas:assignment:<id>`` (completed when submitted, graded or
  excused; score of ``points_possible``), ``connector:canvas:module-item:<id>`` (the item's completion
  requirement met), ``connector:canvas:course`` (the enrollment's final score in percent; completed when the
  enrollment is concluded). The course is addressed as ``lti_context_id:<context id>``; each learner's Canvas
  id is looked up once as ``lti_1_3_id:<sub>`` and remembered in ``connector_user_ids``.

Transactions: facts are written and committed per batch of learners (``BATCH``); every write is an idempotent
upsert (``record_facts``), so a sync that stops half-way (LMS down, process killed) is simply run again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.lti.context import TEACHING_ROLES
from bridge.models import ConnectorSetting, ConnectorUserId, Course, LmsUser, Membership
from bridge.models.base import utcnow
from bridge.services import connector_settings
from bridge.services.progress import FactInput, RecordCounts, record_facts
from bridge.services.secrets_box import SecretBox, SecretBoxError
from connectors.canvas_rest import CanvasRestConnector, course_ref, lti_user_ref
from connectors.errors import ConnectorError, ConnectorUnavailable
from connectors.moodle_ws import MoodleWsConnector

BATCH = 200
SOURCE = "connector"


class ConnectorSyncError(Exception):
    """A connector could not sync the course; the message is for an administrator (ids only).

    ``retryable`` is True when the outside system was unreachable or throttling (a later run may succeed),
    False when it refused the token or the course (an administrator must act).
    """

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass
class ConnectorReport:
    kind: str
    learners: int = 0
    unknown: int = 0
    facts: dict[str, int] = field(default_factory=lambda: {"created": 0, "changed": 0, "unchanged": 0, "stale": 0})

    def add(self, counts: RecordCounts) -> None:
        for name in self.facts:
            self.facts[name] += getattr(counts, name)

    def as_counts(self) -> dict[str, int]:
        return {"learners": self.learners, "unknown": self.unknown, **self.facts}


def course_learners(session: Session, course: Course) -> dict[str, int]:
    """The course's learners as LTI ``sub`` → user id (roster members without a teaching role, not deleted)."""
    rows = session.execute(select(LmsUser.sub, LmsUser.id, Membership.roles, Membership.status)
                           .join(Membership, Membership.user_id == LmsUser.id)
                           .where(Membership.course_id == course.id))
    return {sub: pk for sub, pk, roles, status in rows if status != "Deleted" and not set(roles) & TEACHING_ROLES}


def sync_course(session: Session, box: SecretBox, course: Course, *, http: requests.Session | None = None,
                **options: Any) -> list[ConnectorReport]:
    """Run every enabled connector of the course's tenant over ``http``; ``options`` (retry…) go to them."""
    reports = []
    for setting in connector_settings.enabled_for(session, course.registration_id):
        try:
            connector = connector_settings.connector_for(box, setting, session=http, **options)
        except SecretBoxError as err:
            raise ConnectorSyncError(f"{setting.kind} connector of platform {setting.registration_id}: the stored "
                                     "token cannot be decrypted (the secret key changed); set it again") from err
        try:
            if isinstance(connector, MoodleWsConnector):
                reports.append(sync_moodle(session, course, connector))
            else:
                reports.append(sync_canvas(session, course, setting, connector))
        except ConnectorError as err:
            session.rollback()
            raise ConnectorSyncError(f"{setting.kind} connector, course {course.id}: {err}",
                                     retryable=isinstance(err, ConnectorUnavailable)) from err
    return reports


def _batches(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start:start + BATCH]


def _commit(session: Session, report: ConnectorReport, facts: Iterable[FactInput]) -> None:
    report.add(record_facts(session, facts))
    session.commit()


# -- Moodle ---------------------------------------------------------------------------------------------
def sync_moodle(session: Session, course: Course, moodle: MoodleWsConnector) -> ConnectorReport:
    report = ConnectorReport("moodle")
    if not course.context_id.isdigit():
        raise ConnectorSyncError(f"course {course.id}: its LTI context id is not a Moodle course id")
    moodle_course = int(course.context_id)
    known = course_learners(session, course)
    students = [u.id for u in moodle.enrolled_users(moodle_course) if "student" in u.roles]
    learners = [(moodle_id, known[str(moodle_id)]) for moodle_id in students if str(moodle_id) in known]
    report.learners, report.unknown = len(learners), len(students) - len(learners)
    by_moodle_id = dict(learners)
    now = utcnow()
    grade_facts = [_fact(course, user_pk, f"moodle:grade:{item.id}", now, completed=item.graderaw is not None,
                         score=item.graderaw, maximum=item.grademax, at=item.dategraded)
                   for grades in moodle.grade_items(moodle_course) if (user_pk := by_moodle_id.get(grades.userid))
                   for item in grades.items]
    for batch in _batches(grade_facts):
        _commit(session, report, batch)
    criteria = True
    for batch in _batches(learners):
        facts: list[FactInput] = []
        for moodle_id, user_pk in batch:
            facts += [_fact(course, user_pk, f"moodle:cm:{s.cmid}", now, completed=s.completed, passed=s.passed,
                            at=s.timecompleted) for s in moodle.activities_completion(moodle_course, moodle_id)]
            done = moodle.course_completion(moodle_course, moodle_id) if criteria else None
            criteria = done is not None  # a course without completion criteria says so for every learner
            if done is not None:
                facts.append(_fact(course, user_pk, "moodle:course", now, completed=done.completed,
                                   at=done.timecompleted))
        _commit(session, report, facts)
    return report


def _fact(course: Course, user_pk: int, key: str, now: datetime, *, completed: bool, at: datetime | None,
          passed: bool | None = None, score: float | None = None, maximum: float | None = None) -> FactInput:
    return FactInput(course_pk=course.id, user_pk=user_pk, activity=f"connector:{key}", completed=completed,
                     source=SOURCE, observed_at=at or now, passed=passed, score=score, maximum=maximum)


# -- Canvas ---------------------------------------------------------------------------------------------
def canvas_ids(session: Session, setting: ConnectorSetting, course: Course, canvas: CanvasRestConnector,
               learners: dict[str, int]) -> dict[int, int]:
    """Canvas user id → our user id for the learners, looking up (and remembering) those not seen before."""
    known = dict(session.execute(select(ConnectorUserId.user_id, ConnectorUserId.external_id).where(
        ConnectorUserId.registration_id == setting.registration_id, ConnectorUserId.kind == "canvas",
        ConnectorUserId.user_id.in_(list(learners.values())))).all())
    ref = course_ref(course.context_id)
    missing = [(sub, pk) for sub, pk in learners.items() if pk not in known]
    for batch in _batches(missing):
        for sub, user_pk in batch:
            found = canvas.course_user_id(ref, lti_user_ref(sub))
            if found is not None:
                known[user_pk] = str(found)
                session.add(ConnectorUserId(registration_id=setting.registration_id, kind="canvas", user_id=user_pk,
                                            external_id=str(found)))
        session.commit()
    return {int(external): user_pk for user_pk, external in known.items()}


def sync_canvas(session: Session, course: Course, setting: ConnectorSetting,
                canvas: CanvasRestConnector) -> ConnectorReport:
    report = ConnectorReport("canvas")
    ref = course_ref(course.context_id)
    ours = canvas_ids(session, setting, course, canvas, course_learners(session, course))
    now = utcnow()
    enrollments = [e for e in canvas.enrollments(ref)]
    students = {e.user_id for e in enrollments}
    report.learners, report.unknown = len(students & ours.keys()), len(students - ours.keys())
    facts = [_fact(course, ours[e.user_id], "canvas:course", now, completed=e.state == "completed",
                   score=e.final_score, maximum=100.0, at=None) for e in enrollments if e.user_id in ours]
    points = {a.id: a.points_possible for a in canvas.assignments(ref)}
    for sub in canvas.submissions(ref):
        if sub.user_id in ours:
            facts.append(_fact(course, ours[sub.user_id], f"canvas:assignment:{sub.assignment_id}", now,
                               completed=sub.excused or sub.workflow_state in ("submitted", "pending_review", "graded"),
                               score=sub.score, maximum=points.get(sub.assignment_id),
                               at=sub.graded_at or sub.submitted_at))
        if len(facts) >= BATCH:
            _commit(session, report, facts)
            facts = []
    _commit(session, report, facts)
    for batch in _batches(sorted(students & ours.keys())):
        facts = [_fact(course, ours[canvas_id], f"canvas:module-item:{item.item_id}", now, completed=item.completed,
                       at=item.module_completed_at if item.completed else None)
                 for canvas_id in batch for item in canvas.module_completion(ref, canvas_id)]
        _commit(session, report, facts)
    return report
