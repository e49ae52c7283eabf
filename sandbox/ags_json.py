"""AGS 2.0 JSON shapes: line items (§3.2), scores (§3.4), results (§3.3) — parsing and rendering."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import scopes as s
from .errors import ProtocolError
from .models import Course, LineItem, ScoreRecord

OPTIONAL_TEXT = {
    "resourceId": "resource_id",
    "tag": "tag",
    "resourceLinkId": "resource_link_id",
    "startDateTime": "start_date_time",
    "endDateTime": "end_date_time",
}


def _bad(description: str) -> ProtocolError:
    return ProtocolError("invalid_request", description, 400)


def _number(value: Any) -> float | None:
    """`value` as a float when it is a JSON number (not a boolean), else None."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _iso(value: Any, name: str) -> datetime:
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError as err:
        raise _bad(f"{name} must be an ISO 8601 date-time, got {value!r}") from err
    if when.tzinfo is None:
        raise _bad(f"{name} must include a time zone offset (e.g. Z or +01:00)")
    return when


def line_item_json(url: str, item: LineItem) -> dict[str, Any]:
    body: dict[str, Any] = {"id": url, "label": item.label, "scoreMaximum": item.score_maximum}
    for key, attr in OPTIONAL_TEXT.items():
        if getattr(item, attr) is not None:
            body[key] = getattr(item, attr)
    if item.grades_released is not None:
        body["gradesReleased"] = item.grades_released
    return body


def parse_line_item(body: dict[str, Any], course: Course, links: set[str]) -> dict[str, Any]:
    """Keyword fields for a LineItem from a POST/PUT body; 400 on anything invalid."""
    label = body.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _bad("label is required")
    maximum = _number(body.get("scoreMaximum"))
    if maximum is None or maximum <= 0:
        raise _bad("scoreMaximum must be a number greater than 0")
    fields: dict[str, Any] = {"label": label, "score_maximum": maximum}
    for key, attr in OPTIONAL_TEXT.items():
        if body.get(key) is not None:
            if not isinstance(body[key], str):
                raise _bad(f"{key} must be a string")
            fields[attr] = body[key]
    for key in ("startDateTime", "endDateTime"):
        if body.get(key) is not None:
            _iso(body[key], key)
    if fields.get("resource_link_id") and fields["resource_link_id"] not in links:
        raise _bad(f"resourceLinkId {fields['resource_link_id']!r} is not a resource link of {course.id}")
    if body.get("gradesReleased") is not None:
        if not isinstance(body["gradesReleased"], bool):
            raise _bad("gradesReleased must be true or false")
        fields["grades_released"] = body["gradesReleased"]
    return fields


def validate_score(body: dict[str, Any], course: Course, allow_extra_credit: bool) -> dict[str, Any]:
    """The score body if valid for `course`; 400 naming the first problem otherwise."""
    user_id = body.get("userId")
    if not isinstance(user_id, str) or user_id not in course.members:
        raise _bad(f"userId {user_id!r} is not a member of course {course.id}")
    if body.get("activityProgress") not in s.ACTIVITY_PROGRESS:
        raise _bad(f"activityProgress must be one of {', '.join(s.ACTIVITY_PROGRESS)}")
    if body.get("gradingProgress") not in s.GRADING_PROGRESS:
        raise _bad(f"gradingProgress must be one of {', '.join(s.GRADING_PROGRESS)}")
    if "timestamp" not in body:
        raise _bad("timestamp is required")
    _iso(body["timestamp"], "timestamp")
    if body.get("scoreGiven") is not None:
        given, maximum = _number(body["scoreGiven"]), _number(body.get("scoreMaximum"))
        if given is None or given < 0:
            raise _bad("scoreGiven must be a number of at least 0")
        if maximum is None or maximum <= 0:
            raise _bad("scoreMaximum is required with scoreGiven and must be greater than 0")
        if given > maximum and not allow_extra_credit:
            raise _bad("scoreGiven is greater than scoreMaximum")
    if body.get("comment") is not None and not isinstance(body["comment"], str):
        raise _bad("comment must be a string")
    return body


def result_json(item_url: str, item: LineItem, record: ScoreRecord) -> dict[str, Any]:
    """A result: the latest score, scaled to the line item's scoreMaximum."""
    body: dict[str, Any] = {
        "id": f"{item_url}/results/{record.user_id}",
        "scoreOf": item_url,
        "userId": record.user_id,
        "resultMaximum": item.score_maximum,
    }
    given, maximum = record.body.get("scoreGiven"), record.body.get("scoreMaximum")
    if given is not None and maximum:
        body["resultScore"] = round(given / maximum * item.score_maximum, 6)
    if record.body.get("comment"):
        body["comment"] = record.body["comment"]
    return body
