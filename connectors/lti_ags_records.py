"""Typed records of LTI Assignment and Grade Services 2.0: line items, results, scores.

Field names and rules follow the AGS 2.0 sections "Line item service" (``id``, ``scoreMaximum`` > 0,
``label``, ``resourceId``, ``resourceLinkId``, ``tag``, ``startDateTime``, ``endDateTime``), "Result service"
(``id``, ``scoreOf``, ``userId``, ``resultScore``, ``resultMaximum``, ``comment``) and "Score publish service"
(``userId``, ``scoreGiven``, ``scoreMaximum`` required with ``scoreGiven``, ``activityProgress``,
``gradingProgress``, ``timestamp`` with time zone, ``comment``).
Canvas's extension ``https://canvas.instructure.com/lti/submission`` (Canvas Score
API: ``new_submission``, ``submission_type``, ``submission_data``, ``submitted_at``) is a separate record so
that it is sent to Canvas only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from connectors.lti_service import (
    PayloadError,
    as_object,
    optional_datetime,
    optional_number,
    optional_str,
    required_str,
)

CANVAS_SUBMISSION_EXTENSION = "https://canvas.instructure.com/lti/submission"


class InvalidScore(ValueError):
    """A score the specification forbids; raised before any HTTP request is made."""


class ActivityProgress(StrEnum):
    INITIALIZED = "Initialized"
    STARTED = "Started"
    IN_PROGRESS = "InProgress"
    SUBMITTED = "Submitted"
    COMPLETED = "Completed"


class GradingProgress(StrEnum):
    FULLY_GRADED = "FullyGraded"
    PENDING = "Pending"
    PENDING_MANUAL = "PendingManual"
    FAILED = "Failed"
    NOT_READY = "NotReady"


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


@dataclass(frozen=True, slots=True)
class LineItem:
    """A gradebook column. ``id`` (its URL) is None for a line item not yet created."""

    id: str | None
    score_maximum: float
    label: str
    resource_id: str | None = None
    resource_link_id: str | None = None
    tag: str | None = None
    start_date_time: datetime | None = None
    end_date_time: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"scoreMaximum": self.score_maximum, "label": self.label}
        optional = {"id": self.id, "resourceId": self.resource_id, "resourceLinkId": self.resource_link_id,
                    "tag": self.tag}
        body.update({key: value for key, value in optional.items() if value is not None})
        if self.start_date_time is not None:
            body["startDateTime"] = _iso(self.start_date_time)
        if self.end_date_time is not None:
            body["endDateTime"] = _iso(self.end_date_time)
        return body

    @classmethod
    def from_json(cls, data: Any) -> LineItem:
        item = as_object(data, "line item")
        maximum = optional_number(item, "scoreMaximum")
        if maximum is None or maximum <= 0:
            raise PayloadError("line item scoreMaximum is missing or not positive")
        label = optional_str(item, "label")
        return cls(
            id=required_str(item, "id"),
            score_maximum=maximum,
            label=label or "",
            resource_id=optional_str(item, "resourceId") or None,
            # Moodle's gradebookservices also answers the pre-final name "ltiLinkId".
            resource_link_id=optional_str(item, "resourceLinkId") or optional_str(item, "ltiLinkId") or None,
            tag=optional_str(item, "tag") or None,
            start_date_time=optional_datetime(item, "startDateTime"),
            end_date_time=optional_datetime(item, "endDateTime"),
        )


@dataclass(frozen=True, slots=True)
class Result:
    """The platform's current grade of one user in one line item (``result_score`` None: not graded)."""

    id: str
    user_id: str
    result_score: float | None
    result_maximum: float | None
    comment: str | None
    score_of: str | None

    @classmethod
    def from_json(cls, data: Any) -> Result:
        # Fast path for the usual shape (a sync parses 100,000 of these); anything else takes the checked path
        # below, which gives the same result or raises PayloadError.
        if type(data) is dict:
            get = data.get
            id_, user_id, score, maximum = get("id"), get("userId"), get("resultScore"), get("resultMaximum")
            comment, score_of = get("comment"), get("scoreOf")
            if (type(id_) is str and id_ and type(user_id) is str and user_id
                    and (score is None or type(score) is float or type(score) is int)
                    and (maximum is None or type(maximum) is float or type(maximum) is int)
                    and (comment is None or type(comment) is str) and (score_of is None or type(score_of) is str)):
                return cls(id_, user_id, None if score is None else float(score),
                           None if maximum is None else float(maximum), comment, score_of)
        result = as_object(data, "result")
        return cls(
            id=required_str(result, "id"),
            user_id=required_str(result, "userId"),
            result_score=optional_number(result, "resultScore"),
            result_maximum=optional_number(result, "resultMaximum"),
            comment=optional_str(result, "comment"),
            score_of=optional_str(result, "scoreOf"),
        )


@dataclass(frozen=True, slots=True)
class CanvasSubmission:
    """Canvas's submission extension: marks a new submission and, for past work, when it was submitted."""

    new_submission: bool = True
    submission_type: str | None = None
    submission_data: str | None = None
    submitted_at: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"new_submission": self.new_submission}
        if self.submission_type is not None:
            body["submission_type"] = self.submission_type
        if self.submission_data is not None:
            body["submission_data"] = self.submission_data
        if self.submitted_at is not None:
            body["submitted_at"] = _iso(self.submitted_at)
        return body


@dataclass(frozen=True, slots=True)
class Score:
    """A score to publish. Construction refuses what AGS forbids (see :class:`InvalidScore`)."""

    user_id: str
    score_given: float | None
    score_maximum: float | None
    activity_progress: ActivityProgress
    grading_progress: GradingProgress
    timestamp: datetime
    comment: str | None = None
    submission: CanvasSubmission | None = None

    def __post_init__(self) -> None:
        if not self.user_id:
            raise InvalidScore("a score needs the user's id (the launch's sub)")
        if self.timestamp.tzinfo is None:
            raise InvalidScore("the score timestamp needs a time zone")
        if self.grading_progress == GradingProgress.FULLY_GRADED and self.score_given is None:
            raise InvalidScore("a FullyGraded score needs scoreGiven")
        if self.score_given is not None:
            if self.score_maximum is None or self.score_maximum <= 0:
                raise InvalidScore("scoreGiven needs a positive scoreMaximum")
            if self.score_given < 0:
                raise InvalidScore("scoreGiven cannot be negative")

    def to_json(self, *, canvas: bool = False) -> Mapping[str, Any]:
        """The score's JSON; the Canvas extension is included only when ``canvas`` is true."""
        body: dict[str, Any] = {
            "userId": self.user_id,
            "activityProgress": str(self.activity_progress),
            "gradingProgress": str(self.grading_progress),
            "timestamp": _iso(self.timestamp),
        }
        if self.score_given is not None:
            body["scoreGiven"] = self.score_given
        if self.score_maximum is not None:
            body["scoreMaximum"] = self.score_maximum
        if self.comment is not None:
            body["comment"] = self.comment
        if canvas and self.submission is not None:
            body[CANVAS_SUBMISSION_EXTENSION] = self.submission.to_json()
        return body
