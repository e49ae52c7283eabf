"""Data types of the SCORM run-time data models and their validators.

SCORM 1.2 RTE section 3.4.2 (CMIBlank, CMIBoolean, CMIDecimal, CMIFeedback, CMIIdentifier, CMIInteger,
CMISInteger, CMIString255, CMIString4096, CMITime, CMITimespan, CMIVocabulary) and SCORM 2004 RTE
section 4.1.1 (characterstring, localized_string_type, language_type, long_identifier_type,
short_identifier_type, integer, state, real(10,7), time(second,10,0), timeinterval(second,10,2)).
Interaction response patterns are simplified to bounded strings. A validator answers "ok", "type"
(wrong form: 1.2 error 405, 2004 error 406) or "range" (right form, value outside its range: 407).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from scorm.timing import TIMEINTERVAL, TIMESPAN_12, is_time_12, is_time_2004

Verdict = Literal["ok", "type", "range"]

_DECIMAL_12 = re.compile(r"^-?\d+(?:\.\d+)?$|^-?\.\d+$")
_REAL = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)$")
_INTEGER = re.compile(r"^-?\d+$")
_IDENTIFIER_12 = re.compile(r"^[\x21-\x7e]+$")
_LANGUAGE = re.compile(r"^(?:[a-zA-Z]{2,3}|[iIxX])(?:-[a-zA-Z0-9]{1,8})*$")
_LOCALIZED = re.compile(r"^\{lang=([^}]*)\}")
_URN = re.compile(r"^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TypeSpec:
    """One data type: `kind` selects the validator; the other fields parameterise it."""

    name: str
    kind: str
    max_length: int | None = None
    spm: int | None = None  # smallest permitted maximum (what the spec promises)
    minimum: float | None = None
    maximum: float | None = None
    vocabulary: tuple[str, ...] = ()
    allow_empty: bool = False

    def validate(self, value: str) -> Verdict:
        if value == "" and self.allow_empty:
            return "ok"
        if self.max_length is not None and len(value) > self.max_length:
            return "type"
        return _VALIDATORS[self.kind](self, value)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind}
        for key in ("max_length", "spm", "minimum", "maximum"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.vocabulary:
            out["vocabulary"] = list(self.vocabulary)
        if self.allow_empty:
            out["allow_empty"] = True
        return out


def _in_range(spec: TypeSpec, number: float) -> Verdict:
    if spec.minimum is not None and number < spec.minimum:
        return "range"
    if spec.maximum is not None and number > spec.maximum:
        return "range"
    return "ok"


def _number(pattern: re.Pattern[str]) -> Callable[[TypeSpec, str], Verdict]:
    def check(spec: TypeSpec, value: str) -> Verdict:
        return _in_range(spec, float(value)) if pattern.match(value) else "type"

    return check


def _regex(pattern: re.Pattern[str]) -> Callable[[TypeSpec, str], Verdict]:
    return lambda spec, value: "ok" if pattern.match(value) else "type"


def _string(spec: TypeSpec, value: str) -> Verdict:
    return "ok"


def _vocabulary(spec: TypeSpec, value: str) -> Verdict:
    return "ok" if value in spec.vocabulary else "type"


def _result(spec: TypeSpec, value: str) -> Verdict:
    return "ok" if value in spec.vocabulary or _REAL.match(value) else "type"


def _long_identifier(spec: TypeSpec, value: str) -> Verdict:
    if not value or value.isspace():
        return "type"
    if value.lower().startswith("urn:") and not _URN.match(value):
        return "type"
    return "ok"


def _localized(spec: TypeSpec, value: str) -> Verdict:
    match = _LOCALIZED.match(value)
    if match and match.group(1) and not _LANGUAGE.match(match.group(1)):
        return "type"
    return "ok"


def _nav_request(spec: TypeSpec, value: str) -> Verdict:
    if value in spec.vocabulary:
        return "ok"
    target = re.match(r"^\{target=([^}]+)\}(choice|jump)$", value)
    return "ok" if target else "type"


def _audio_captioning(spec: TypeSpec, value: str) -> Verdict:
    return "ok" if value in ("-1", "0", "1") else "type"


_VALIDATORS: dict[str, Callable[[TypeSpec, str], Verdict]] = {
    "string": _string,
    "identifier12": _regex(_IDENTIFIER_12),
    "decimal12": _number(_DECIMAL_12),
    "integer": _number(_INTEGER),
    "timespan12": _regex(TIMESPAN_12),
    "time12": lambda spec, value: "ok" if is_time_12(value) else "type",
    "vocabulary": _vocabulary,
    "result": _result,
    "real": _number(_REAL),
    "timeinterval": _regex(TIMEINTERVAL),
    "time2004": lambda spec, value: "ok" if is_time_2004(value) else "type",
    "long_identifier": _long_identifier,
    "short_identifier": lambda spec, value: "ok" if value and not any(c.isspace() for c in value) else "type",
    "localized_string": _localized,
    "language": lambda spec, value: "ok" if _LANGUAGE.match(value) else "type",
    "nav_request": _nav_request,
    "audio_captioning": _audio_captioning,
}
