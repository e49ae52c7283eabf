"""The SCORM 1.2 run-time data model, declared once (SCORM 1.2 RTE section 3.4, "Data Model").

`cmi.suspend_data` and `cmi.launch_data` have an SPM of 4096 characters; real packages exceed it, so
we store up to 64 000 and publish both numbers (`spm`, `max_length`) to the browser adapter.
"""

from __future__ import annotations

from scorm.datamodel_base import CollectionDef, DataModel, build
from scorm.datatypes import TypeSpec

STATUS = ("passed", "completed", "failed", "incomplete", "browsed", "not attempted")
EXIT = ("time-out", "suspend", "logout", "")
INTERACTION_TYPES = ("true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert",
                     "numeric")
TIME_LIMIT_ACTIONS = ("exit,message", "exit,no message", "continue,message", "continue,no message")

STRING_255 = TypeSpec("CMIString255", "string", max_length=255, spm=255, allow_empty=True)
STRING_4096 = TypeSpec("CMIString4096", "string", max_length=4096, spm=4096, allow_empty=True)
STRING_LONG = TypeSpec("CMIString4096", "string", max_length=64_000, spm=4096, allow_empty=True)
IDENTIFIER = TypeSpec("CMIIdentifier", "identifier12", max_length=255, spm=255)
SCORE = TypeSpec("CMIDecimal", "decimal12", minimum=0, maximum=100, allow_empty=True)
DECIMAL = TypeSpec("CMIDecimal", "decimal12")
TIMESPAN = TypeSpec("CMITimespan", "timespan12")
TIME = TypeSpec("CMITime", "time12")
FEEDBACK = TypeSpec("CMIFeedback", "string", max_length=255, spm=255, allow_empty=True)


def _vocab(name: str, words: tuple[str, ...]) -> TypeSpec:
    return TypeSpec(f"CMIVocabulary({name})", "vocabulary", vocabulary=words)


def _sinteger(low: int, high: int) -> TypeSpec:
    return TypeSpec("CMISInteger", "integer", minimum=low, maximum=high)


_SCORE_CHILDREN = ("raw", "min", "max")
_ROWS = [
    ("cmi.core.student_id", IDENTIFIER, "RO"),
    ("cmi.core.student_name", STRING_255, "RO"),
    ("cmi.core.lesson_location", STRING_255, "RW"),
    ("cmi.core.credit", _vocab("Credit", ("credit", "no-credit")), "RO"),
    ("cmi.core.lesson_status", _vocab("Status", STATUS), "RW"),
    ("cmi.core.entry", _vocab("Entry", ("ab-initio", "resume", "")), "RO"),
    ("cmi.core.score.raw", SCORE, "RW"),
    ("cmi.core.score.min", SCORE, "RW"),
    ("cmi.core.score.max", SCORE, "RW"),
    ("cmi.core.total_time", TIMESPAN, "RO"),
    ("cmi.core.lesson_mode", _vocab("Mode", ("browse", "normal", "review")), "RO"),
    ("cmi.core.exit", _vocab("Exit", EXIT), "WO"),
    ("cmi.core.session_time", TIMESPAN, "WO"),
    ("cmi.suspend_data", STRING_LONG, "RW"),
    ("cmi.launch_data", STRING_LONG, "RO"),
    ("cmi.comments", STRING_4096, "RW"),
    ("cmi.comments_from_lms", STRING_4096, "RO"),
    ("cmi.objectives.n.id", IDENTIFIER, "RW"),
    ("cmi.objectives.n.score.raw", SCORE, "RW"),
    ("cmi.objectives.n.score.min", SCORE, "RW"),
    ("cmi.objectives.n.score.max", SCORE, "RW"),
    ("cmi.objectives.n.status", _vocab("Status", STATUS), "RW"),
    ("cmi.student_data.mastery_score", DECIMAL, "RO"),
    ("cmi.student_data.max_time_allowed", TIMESPAN, "RO"),
    ("cmi.student_data.time_limit_action", _vocab("TimeLimitAction", TIME_LIMIT_ACTIONS), "RO"),
    ("cmi.student_preference.audio", _sinteger(-1, 100), "RW"),
    ("cmi.student_preference.language", STRING_255, "RW"),
    ("cmi.student_preference.speed", _sinteger(-100, 100), "RW"),
    ("cmi.student_preference.text", _sinteger(-1, 1), "RW"),
    ("cmi.interactions.n.id", IDENTIFIER, "WO"),
    ("cmi.interactions.n.objectives.n.id", IDENTIFIER, "WO"),
    ("cmi.interactions.n.time", TIME, "WO"),
    ("cmi.interactions.n.type", _vocab("Interaction", INTERACTION_TYPES), "WO"),
    ("cmi.interactions.n.correct_responses.n.pattern", FEEDBACK, "WO"),
    ("cmi.interactions.n.weighting", DECIMAL, "WO"),
    ("cmi.interactions.n.student_response", FEEDBACK, "WO"),
    ("cmi.interactions.n.result",
     TypeSpec("CMIVocabulary(Result)", "result", vocabulary=("correct", "wrong", "unanticipated", "neutral")),
     "WO"),
    ("cmi.interactions.n.latency", TIMESPAN, "WO"),
]

_COLLECTIONS = [
    CollectionDef("cmi.objectives", ("id", "score", "status"), identifier=None),
    CollectionDef("cmi.interactions", ("id", "objectives", "time", "type", "correct_responses", "weighting",
                                       "student_response", "result", "latency"), identifier=None),
    CollectionDef("cmi.interactions.n.objectives", ("id",), identifier=None),
    CollectionDef("cmi.interactions.n.correct_responses", ("pattern",), identifier=None),
]

_GROUPS = {
    "cmi.core": ("student_id", "student_name", "lesson_location", "credit", "lesson_status", "entry", "score",
                 "total_time", "lesson_mode", "exit", "session_time"),
    "cmi.core.score": _SCORE_CHILDREN,
    "cmi.objectives.n.score": _SCORE_CHILDREN,
    "cmi.student_data": ("mastery_score", "max_time_allowed", "time_limit_action"),
    "cmi.student_preference": ("audio", "language", "speed", "text"),
}

_OVERRIDES: dict[str, dict[str, object]] = {
    # A SCO may not set "not attempted" (RTE 1.2 3.4.4, cmi.core.lesson_status).
    "cmi.core.lesson_status": {"settable": STATUS[:-1], "initial": "not attempted"},
    "cmi.core.credit": {"initial": "credit"},
    "cmi.core.entry": {"initial": "ab-initio"},
    "cmi.core.lesson_mode": {"initial": "normal"},
    "cmi.core.total_time": {"initial": "0000:00:00.00"},
    "cmi.objectives.n.status": {"initial": "not attempted"},
    "cmi.student_preference.audio": {"initial": "0"},
    "cmi.student_preference.speed": {"initial": "0"},
    "cmi.student_preference.text": {"initial": "0"},
}

MODEL_12: DataModel = build("1.2", _ROWS, _COLLECTIONS, _GROUPS, overrides=_OVERRIDES)  # type: ignore[arg-type]
