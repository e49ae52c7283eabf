"""Data model definitions, validators and the JSON export (SCORM 1.2 RTE 3.4; SCORM 2004 RTE 4.1–4.2)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorm.datamodel import datamodel_json, model_for, resolve
from scorm.timing import (
    format_timeinterval,
    format_timespan_12,
    parse_timeinterval,
    parse_timespan_12,
)

M12 = model_for("1.2")
M2004 = model_for("2004 4th")


def _check(model_version: str, element: str, value: str) -> str:
    found = resolve(model_for(model_version), element)
    assert found.element is not None, element
    return found.element.type.validate(value)


@pytest.mark.parametrize(
    ("element", "value", "verdict"),
    [
        ("cmi.core.lesson_location", "x" * 255, "ok"),
        ("cmi.core.lesson_location", "x" * 256, "type"),
        ("cmi.core.score.raw", "85.5", "ok"),
        ("cmi.core.score.raw", "", "ok"),
        ("cmi.core.score.raw", "abc", "type"),
        ("cmi.core.score.raw", "101", "range"),
        ("cmi.core.session_time", "0000:01:30.5", "ok"),
        ("cmi.core.session_time", "00:61:00", "type"),
        ("cmi.core.session_time", "PT1M", "type"),
        ("cmi.core.exit", "suspend", "ok"),
        ("cmi.core.exit", "normal", "type"),
        ("cmi.suspend_data", "x" * 64_000, "ok"),
        ("cmi.suspend_data", "x" * 64_001, "type"),
        ("cmi.student_preference.audio", "-1", "ok"),
        ("cmi.student_preference.audio", "101", "range"),
        ("cmi.student_preference.text", "2", "range"),
        ("cmi.objectives.0.id", "obj_1", "ok"),
        ("cmi.objectives.0.id", "has space", "type"),
        ("cmi.interactions.0.time", "23:59:59", "ok"),
        ("cmi.interactions.0.time", "24:00:00", "type"),
        ("cmi.interactions.0.type", "choice", "ok"),
        ("cmi.interactions.0.type", "other", "type"),
        ("cmi.interactions.0.result", "wrong", "ok"),
        ("cmi.interactions.0.result", "0.5", "ok"),
        ("cmi.interactions.0.result", "incorrect", "type"),
    ],
)
def test_scorm_12_types(element: str, value: str, verdict: str) -> None:
    assert _check("1.2", element, value) == verdict


@pytest.mark.parametrize(
    ("element", "value", "verdict"),
    [
        ("cmi.score.scaled", "0.8", "ok"),
        ("cmi.score.scaled", "-1", "ok"),
        ("cmi.score.scaled", "1.0001", "range"),
        ("cmi.score.scaled", "high", "type"),
        ("cmi.score.raw", "1234.5", "ok"),
        ("cmi.progress_measure", "0.5", "ok"),
        ("cmi.progress_measure", "-0.1", "range"),
        ("cmi.session_time", "PT4.69S", "ok"),
        ("cmi.session_time", "P1Y2M3DT4H5M6.78S", "ok"),
        ("cmi.session_time", "PT", "type"),
        ("cmi.session_time", "00:00:05", "type"),
        ("cmi.location", "x" * 1000, "ok"),
        ("cmi.location", "x" * 1001, "type"),
        ("cmi.suspend_data", "x" * 64_000, "ok"),
        ("cmi.completion_status", "completed", "ok"),
        ("cmi.completion_status", "passed", "type"),
        ("cmi.success_status", "passed", "ok"),
        ("cmi.exit", "normal", "ok"),
        ("cmi.exit", "quit", "type"),
        ("cmi.learner_preference.language", "en-GB", "ok"),
        ("cmi.learner_preference.language", "english language", "type"),
        ("cmi.learner_preference.audio_captioning", "-1", "ok"),
        ("cmi.learner_preference.audio_captioning", "2", "type"),
        ("cmi.learner_preference.audio_level", "-1", "range"),
        ("cmi.objectives.0.id", "urn:example:obj1", "ok"),
        ("cmi.objectives.0.id", "", "type"),
        ("cmi.objectives.0.id", "urn:bad", "type"),
        ("cmi.objectives.0.description", "{lang=en}Goal", "ok"),
        ("cmi.objectives.0.description", "{lang=123456789}Goal", "type"),
        ("cmi.interactions.0.timestamp", "2024-05-01T10:20:30.5Z", "ok"),
        ("cmi.interactions.0.timestamp", "2024-13-01", "type"),
        ("cmi.interactions.0.result", "incorrect", "ok"),
        ("cmi.interactions.0.result", "wrong", "type"),
        ("cmi.interactions.0.type", "long-fill-in", "ok"),
        ("adl.nav.request", "continue", "ok"),
        ("adl.nav.request", "{target=sco_2}choice", "ok"),
        ("adl.nav.request", "fly", "type"),
    ],
)
def test_scorm_2004_types(element: str, value: str, verdict: str) -> None:
    assert _check("2004 4th", element, value) == verdict


@pytest.mark.parametrize(
    ("version", "name", "kind"),
    [
        ("1.2", "cmi.core._children", "children"),
        ("1.2", "cmi.core.score._children", "children"),
        ("1.2", "cmi.objectives._count", "count"),
        ("1.2", "cmi.interactions.0.objectives._count", "count"),
        ("1.2", "cmi.core.lesson_location._children", "bad_children"),
        ("1.2", "cmi.core._count", "bad_count"),
        ("1.2", "cmi.core.nonsense", "unknown"),
        ("1.2", "cmi.objectives.n.id", "unknown"),
        ("2004 3rd", "cmi._version", "keyword"),
        ("2004 3rd", "cmi.objectives.0.score._children", "children"),
        ("2004 3rd", "cmi.interactions.2.correct_responses._count", "count"),
        ("2004 3rd", "adl.nav.request_valid.choice.{target=intro}", "element"),
        ("2004 3rd", "cmi.core.lesson_status", "unknown"),
    ],
)
def test_resolution(version: str, name: str, kind: str) -> None:
    assert resolve(model_for(version), name).kind == kind


def test_access_declarations() -> None:
    assert M12.elements["cmi.core.exit"].access == "WO"
    assert M12.elements["cmi.core.total_time"].access == "RO"
    assert M12.elements["cmi.interactions.n.id"].access == "WO"
    assert M2004.elements["cmi.session_time"].access == "WO"
    assert M2004.elements["cmi.interactions.n.id"].access == "RW"
    assert M2004.elements["cmi.completion_threshold"].access == "RO"
    assert "not attempted" not in (M12.elements["cmi.core.lesson_status"].settable or ())


def test_json_export_is_complete_and_serialisable() -> None:
    for version in ("1.2", "2004 2nd", "2004 3rd", "2004 4th"):
        exported = datamodel_json(version)
        assert json.loads(json.dumps(exported)) == exported
        assert exported["version"] == version
    exported = datamodel_json("2004 4th")
    assert exported["elements"]["cmi.score.scaled"]["type"]["minimum"] == -1
    assert exported["collections"]["cmi.objectives"]["children"].startswith("id,score")
    assert exported["errors"]["408"] == "Data Model Dependency Not Established"
    assert exported["elements"]["cmi.interactions.n.learner_response"]["requires"] == "cmi.interactions.n.type"
    assert datamodel_json("1.2")["elements"]["cmi.suspend_data"]["type"]["spm"] == 4096


def test_unknown_version() -> None:
    with pytest.raises(ValueError, match="unknown SCORM version"):
        model_for("2004 5th")


@given(st.integers(min_value=0, max_value=9999 * 3_600_00 + 59 * 60_00 + 5999))
def test_timespan_round_trip(centis: int) -> None:
    text = format_timespan_12(centis)
    assert parse_timespan_12(text) == centis
    assert _check("1.2", "cmi.core.session_time", text) == "ok"


@given(st.integers(min_value=0, max_value=10**12))
def test_timeinterval_round_trip(centis: int) -> None:
    text = format_timeinterval(centis)
    assert parse_timeinterval(text) == centis
    assert _check("2004 4th", "cmi.session_time", text) == "ok"


@given(st.integers(0, 99), st.integers(0, 23), st.integers(0, 59), st.integers(0, 59), st.integers(0, 99))
def test_timeinterval_parses_components(days: int, hours: int, minutes: int, seconds: int, hundredths: int) -> None:
    text = f"P{days}DT{hours}H{minutes}M{seconds}.{hundredths:02d}S"
    expected = (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 100 + hundredths
    assert parse_timeinterval(text) == expected
