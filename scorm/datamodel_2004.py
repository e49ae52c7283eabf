"""The SCORM 2004 run-time data model, declared once (SCORM 2004 RTE section 4.2; ADL nav 4.3, data 4.4).

The same definition serves 2nd, 3rd and 4th Edition; `adl.data.*` is a 4th Edition addition that is
harmless to declare for older content. suspend_data is 64 000 characters (4th Edition SPM).
"""

from __future__ import annotations

from scorm.datamodel_base import CollectionDef, DataModel, build
from scorm.datatypes import TypeSpec

COMPLETION = ("completed", "incomplete", "not attempted", "unknown")
SUCCESS = ("passed", "failed", "unknown")
EXIT = ("time-out", "suspend", "logout", "normal", "")
INTERACTION_TYPES = ("true-false", "choice", "fill-in", "long-fill-in", "likert", "matching", "performance",
                     "sequencing", "numeric", "other")
NAV_REQUESTS = ("continue", "previous", "choice", "jump", "exit", "exitAll", "abandon", "abandonAll",
                "suspendAll", "_none_")
TIME_LIMIT_ACTIONS = ("exit,message", "continue,message", "exit,no message", "continue,no message")


def _chars(spm: int) -> TypeSpec:
    return TypeSpec(f"characterstring(SPM:{spm})", "string", max_length=spm, spm=spm, allow_empty=True)


def _localized(spm: int) -> TypeSpec:
    return TypeSpec(f"localized_string_type(SPM:{spm})", "localized_string", max_length=spm + 32, spm=spm,
                    allow_empty=True)


def _real(low: float | None = None, high: float | None = None) -> TypeSpec:
    return TypeSpec("real(10,7)", "real", minimum=low, maximum=high)


def _state(name: str, words: tuple[str, ...]) -> TypeSpec:
    return TypeSpec(f"state({name})", "vocabulary", vocabulary=words)


LONG_ID = TypeSpec("long_identifier_type(SPM:4000)", "long_identifier", max_length=4000, spm=4000)
TIMEINTERVAL = TypeSpec("timeinterval(second,10,2)", "timeinterval")
TIME = TypeSpec("time(second,10,0)", "time2004")
RESPONSE = TypeSpec("characterstring(response pattern)", "string", max_length=7800, spm=7800,
                    allow_empty=True)
RESULT = TypeSpec("state(result)|real(10,7)", "result",
                  vocabulary=("correct", "incorrect", "unanticipated", "neutral"))
VALIDITY = _state("request_valid", ("true", "false", "unknown"))

_SCORE = [("scaled", _real(-1, 1)), ("raw", _real()), ("min", _real()), ("max", _real())]
_ROWS = [
    ("cmi.comments_from_learner.n.comment", _localized(4000), "RW"),
    ("cmi.comments_from_learner.n.location", _chars(250), "RW"),
    ("cmi.comments_from_learner.n.timestamp", TIME, "RW"),
    ("cmi.comments_from_lms.n.comment", _localized(4000), "RO"),
    ("cmi.comments_from_lms.n.location", _chars(250), "RO"),
    ("cmi.comments_from_lms.n.timestamp", TIME, "RO"),
    ("cmi.completion_status", _state("completion_status", COMPLETION), "RW"),
    ("cmi.completion_threshold", _real(0, 1), "RO"),
    ("cmi.credit", _state("credit", ("credit", "no-credit")), "RO"),
    ("cmi.entry", _state("entry", ("ab-initio", "resume", "")), "RO"),
    ("cmi.exit", _state("exit", EXIT), "WO"),
    ("cmi.interactions.n.id", LONG_ID, "RW"),
    ("cmi.interactions.n.type", _state("interaction_type", INTERACTION_TYPES), "RW"),
    ("cmi.interactions.n.objectives.n.id", LONG_ID, "RW"),
    ("cmi.interactions.n.timestamp", TIME, "RW"),
    ("cmi.interactions.n.correct_responses.n.pattern", RESPONSE, "RW"),
    ("cmi.interactions.n.weighting", _real(), "RW"),
    ("cmi.interactions.n.learner_response", RESPONSE, "RW"),
    ("cmi.interactions.n.result", RESULT, "RW"),
    ("cmi.interactions.n.latency", TIMEINTERVAL, "RW"),
    ("cmi.interactions.n.description", _localized(250), "RW"),
    ("cmi.launch_data", _chars(4000), "RO"),
    ("cmi.learner_id", LONG_ID, "RO"),
    ("cmi.learner_name", _localized(250), "RO"),
    ("cmi.learner_preference.audio_level", _real(0), "RW"),
    ("cmi.learner_preference.language", TypeSpec("language_type(SPM:250)", "language", max_length=250,
                                                  spm=250, allow_empty=True), "RW"),
    ("cmi.learner_preference.delivery_speed", _real(0), "RW"),
    ("cmi.learner_preference.audio_captioning", TypeSpec("state(-1,0,1)", "audio_captioning"), "RW"),
    ("cmi.location", _chars(1000), "RW"),
    ("cmi.max_time_allowed", TIMEINTERVAL, "RO"),
    ("cmi.mode", _state("mode", ("browse", "normal", "review")), "RO"),
    ("cmi.objectives.n.id", LONG_ID, "RW"),
    *[(f"cmi.objectives.n.score.{name}", spec, "RW") for name, spec in _SCORE],
    ("cmi.objectives.n.success_status", _state("success_status", SUCCESS), "RW"),
    ("cmi.objectives.n.completion_status", _state("completion_status", COMPLETION), "RW"),
    ("cmi.objectives.n.progress_measure", _real(0, 1), "RW"),
    ("cmi.objectives.n.description", _localized(250), "RW"),
    ("cmi.progress_measure", _real(0, 1), "RW"),
    ("cmi.scaled_passing_score", _real(-1, 1), "RO"),
    *[(f"cmi.score.{name}", spec, "RW") for name, spec in _SCORE],
    ("cmi.session_time", TIMEINTERVAL, "WO"),
    ("cmi.success_status", _state("success_status", SUCCESS), "RW"),
    ("cmi.suspend_data", _chars(64_000), "RW"),
    ("cmi.time_limit_action", _state("time_limit_action", TIME_LIMIT_ACTIONS), "RO"),
    ("cmi.total_time", TIMEINTERVAL, "RO"),
    ("adl.nav.request", TypeSpec("adl.nav.request", "nav_request", vocabulary=NAV_REQUESTS), "RW"),
    ("adl.nav.request_valid.continue", VALIDITY, "RO"),
    ("adl.nav.request_valid.previous", VALIDITY, "RO"),
    ("adl.nav.request_valid.choice.{target}", VALIDITY, "RO"),
    ("adl.nav.request_valid.jump.{target}", VALIDITY, "RO"),
    ("adl.data.n.id", LONG_ID, "RO"),
    ("adl.data.n.store", _chars(64_000), "RW"),
]

_COLLECTIONS = [
    CollectionDef("cmi.comments_from_learner", ("comment", "location", "timestamp"), identifier=None),
    CollectionDef("cmi.comments_from_lms", ("comment", "location", "timestamp"), identifier=None),
    CollectionDef("cmi.interactions", ("id", "type", "objectives", "timestamp", "correct_responses",
                                       "weighting", "learner_response", "result", "latency", "description")),
    CollectionDef("cmi.interactions.n.objectives", ("id",), unique_identifier=True),
    CollectionDef("cmi.interactions.n.correct_responses", ("pattern",), identifier=None),
    CollectionDef("cmi.objectives", ("id", "score", "success_status", "completion_status", "progress_measure",
                                     "description"), unique_identifier=True),
    CollectionDef("adl.data", ("id", "store")),
]

_GROUPS = {
    "cmi.learner_preference": ("audio_level", "language", "delivery_speed", "audio_captioning"),
    "cmi.score": ("scaled", "raw", "min", "max"),
    "cmi.objectives.n.score": ("scaled", "raw", "min", "max"),
}

# Values a 2004 LMS initialises (RTE 4.2); anything else reads as error 403 until set.
_OVERRIDES: dict[str, dict[str, object]] = {
    "cmi.completion_status": {"initial": "unknown"},
    "cmi.success_status": {"initial": "unknown"},
    "cmi.credit": {"initial": "credit"},
    "cmi.entry": {"initial": "ab-initio"},
    "cmi.mode": {"initial": "normal"},
    "cmi.total_time": {"initial": "PT0S"},
    "cmi.learner_id": {"initial": ""},
    "cmi.learner_name": {"initial": ""},
    "cmi.learner_preference.audio_level": {"initial": "1"},
    "cmi.learner_preference.language": {"initial": ""},
    "cmi.learner_preference.delivery_speed": {"initial": "1"},
    "cmi.learner_preference.audio_captioning": {"initial": "0"},
    "cmi.objectives.n.success_status": {"initial": "unknown"},
    "cmi.objectives.n.completion_status": {"initial": "unknown"},
    "adl.nav.request": {"initial": "_none_"},
    "adl.nav.request_valid.continue": {"initial": "unknown"},
    "adl.nav.request_valid.previous": {"initial": "unknown"},
    "adl.nav.request_valid.choice.{target}": {"initial": "unknown"},
    "adl.nav.request_valid.jump.{target}": {"initial": "unknown"},
    # RTE 4.2.9: a response can only be judged once the interaction type is known.
    "cmi.interactions.n.correct_responses.n.pattern": {"requires": "cmi.interactions.n.type"},
    "cmi.interactions.n.learner_response": {"requires": "cmi.interactions.n.type"},
}
for _path, _spec, _access in _ROWS:  # every other child of an objective/interaction needs its id first
    for _parent in ("cmi.objectives.n", "cmi.interactions.n"):
        if _path.startswith(_parent + ".") and _path != _parent + ".id":
            _OVERRIDES.setdefault(_path, {}).setdefault("requires", _parent + ".id")

MODEL_2004: DataModel = build("2004", _ROWS, _COLLECTIONS, _GROUPS,  # type: ignore[arg-type]
                              overrides=_OVERRIDES, keywords={"cmi._version": "1.0"})
