"""Instructor reports on SCORM attempts: counts and the attempts CSV (instructors' previews excluded)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bridge.models import ScormActivity, ScormAttempt
from bridge.services import scorm_interactions


def count_attempts(session: Session, activity: ScormActivity) -> int:
    return int(session.scalar(select(func.count()).select_from(ScormAttempt).where(
        ScormAttempt.activity_id == activity.id, ScormAttempt.preview.is_(False))) or 0)


CSV_COLUMNS = ("learner", "attempt", "status", "completed", "passed", "score_raw", "score_scaled",
               "time_seconds", "started_at", "updated_at", "interactions")


def attempts_csv(rows: Sequence[tuple[str, ScormAttempt]]) -> str:
    """CSV of (learner id, attempt) rows for instructors (spreadsheet-safe: no leading formula characters)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for learner, a in rows:
        writer.writerow([_cell(learner), a.number, a.status, a.completed, "" if a.passed is None else a.passed,
                         "" if a.score_raw is None else a.score_raw,
                         "" if a.score_scaled is None else a.score_scaled, round(a.total_seconds, 2),
                         a.started_at.isoformat(), a.updated_at.isoformat(),
                         scorm_interactions.interaction_count(a)])
    return out.getvalue()


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
