"""The Annex I record: validate() reports every problem; templates round-trip through the export format."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from credentials.microcredential import (
    FORMAT,
    LangText,
    Learner,
    LearningOutcome,
    Level,
    MicroCredentialRecord,
    MicroCredentialTemplate,
    Organisation,
    from_json,
    to_json,
    validate,
)
from credentials.record_errors import TemplateImportError
from credentials.vocabularies import AssessmentType, NQFLevel, Participation, QualityAssurance, Supervision

SKILL = "http://data.europa.eu/esco/skill/7dd94ad3-13d6-43fe-8b94-51fcbf67ced9"


def sample_template(**changes: object) -> MicroCredentialTemplate:
    body = Organisation(
        name=LangText(en="University of Zed", de="Universität Zed"),
        country="IE",
        region="Dublin",
        url="https://uniz.example",
        email="info@uniz.example",
        logo_url="https://uniz.example/logo.png",
        eidas_id="IE/EIDAS/1",
        vat_id="IE654321",
        erasmus_code="IRLZED01",
        legal_id="0000",
    )
    template = MicroCredentialTemplate(
        title=LangText(en="Critical thinking online", de="Kritisches Denken online"),
        description=LangText(en="A short course.", de="Ein kurzer Kurs."),
        awarding_bodies=(body,),
        learning_outcomes=(
            LearningOutcome(LangText(en="Evaluate sources", de="Quellen bewerten"), (SKILL,)),
        ),
        ects=Decimal("2.5"),
        level=Level(eqf=6, nqf=NQFLevel("IE", "NFQ Level 7")),
        assessment=AssessmentType.TESTING,
        participation=Participation.ONLINE,
        quality_assurance=QualityAssurance.INTERNAL,
        languages=("en", "de"),
        default_language="en",
        prerequisites=LangText(en="None", de="Keine"),
        supervision=Supervision.SUPERVISED_ONLINE_ID,
        grading=LangText(en="Pass/fail", de="Bestanden/nicht bestanden"),
        volume_hours=60,
        field_of_study="Philosophy",
    )
    return dataclasses.replace(template, **changes)  # type: ignore[arg-type]


def sample_record(**changes: object) -> MicroCredentialRecord:
    record = MicroCredentialRecord(
        sample_template(),
        Learner(name="Ana Andromeda", email="ana@example.org"),
        datetime(2025, 1, 31, 12, 0, tzinfo=UTC),
        grade="Pass",
    )
    return dataclasses.replace(record, **changes)  # type: ignore[arg-type]


def codes(obj: MicroCredentialRecord | MicroCredentialTemplate) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in validate(obj)}


def test_a_complete_record_has_no_problems() -> None:
    assert validate(sample_record()) == []


def test_every_missing_element_is_reported_at_once() -> None:
    empty = sample_template(title=LangText(), awarding_bodies=(), learning_outcomes=(), ects=Decimal(0))
    record = sample_record(template=empty, learner=Learner(), issued=datetime(2025, 1, 1))
    assert {
        ("title", "missing"),
        ("awarding_bodies", "missing"),
        ("learning_outcomes", "missing"),
        ("ects", "ects_out_of_range"),
        ("learner", "missing"),
        ("issued", "missing_timezone"),
    } <= codes(record)
    assert all(p.message.endswith(".") for p in validate(record))


def test_missing_translation_names_the_language() -> None:
    problems = codes(sample_template(title=LangText(en="Only English")))
    assert ("title.de", "missing_translation") in problems


@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", "x<img src=x onerror=alert(1)>", "see javascript:alert(1)", "<SCRIPT >"],
)
def test_script_in_any_text_is_rejected(text: str) -> None:
    outcome = LearningOutcome(LangText(en=text, de="ok"))
    assert ("learning_outcomes[0].text.en", "script") in codes(sample_template(learning_outcomes=(outcome,)))


def test_plain_markup_is_rejected_but_comparison_signs_are_fine() -> None:
    assert ("title.en", "markup") in codes(sample_template(title=LangText(en="<b>Bold</b>", de="x")))
    assert validate(sample_template(title=LangText(en="Scores < 5 and > 2", de="x"))) == []


def test_invalid_uris_emails_countries_and_esco_links() -> None:
    body = Organisation(LangText(en="X", de="X"), country="XX", url="ftp://x", email="nope")
    bad_skill = LearningOutcome(LangText(en="a", de="b"), ("http://example.org/skill/1",))
    found = codes(
        sample_template(
            awarding_bodies=(body,),
            learning_outcomes=(bad_skill,),
            further_information_url="javascript:alert(1)",
        )
    )
    assert {
        ("awarding_bodies[0].country", "invalid_country"),
        ("awarding_bodies[0].url", "invalid_url"),
        ("awarding_bodies[0].email", "invalid_email"),
        ("further_information_url", "invalid_url"),
        ("learning_outcomes[0].esco_uris[0]", "invalid_esco_uri"),
    } <= found


def test_level_is_optional_but_checked_when_given() -> None:
    assert validate(sample_template(level=Level())) == []
    found = codes(sample_template(level=Level(eqf=9, nqf=NQFLevel("ZZ", " ", "http://x"))))
    assert {
        ("level.eqf", "eqf_out_of_range"),
        ("level.nqf.country", "invalid_country"),
        ("level.nqf.level", "missing"),
        ("level.nqf.uri", "invalid_uri"),
    } <= found


@given(st.one_of(st.decimals(max_value=Decimal(0)), st.decimals(min_value=Decimal("999.01"))))
def test_any_ects_outside_the_range_is_reported(ects: Decimal) -> None:
    assert any(p.field == "ects" for p in validate(sample_template(ects=ects)))


@given(
    st.integers(min_value=1, max_value=9990).map(lambda n: Decimal(n) / 10),
    st.integers(min_value=1, max_value=8),
    st.sampled_from(list(AssessmentType)),
    st.sampled_from(list(Participation)),
    st.sampled_from(list(QualityAssurance)),
)
def test_valid_records_produce_no_problems(
    ects: Decimal, eqf: int, assessment: AssessmentType, participation: Participation, qa: QualityAssurance
) -> None:
    template = sample_template(
        ects=ects,
        level=Level(eqf=eqf),
        assessment=assessment,
        participation=participation,
        quality_assurance=qa,
    )
    assert validate(sample_record(template=template)) == []


@given(st.integers().filter(lambda n: not 1 <= n <= 8))
def test_any_eqf_outside_1_to_8_is_reported(eqf: int) -> None:
    assert ("level.eqf", "eqf_out_of_range") in codes(sample_template(level=Level(eqf=eqf)))


def test_templates_round_trip_through_the_export_format() -> None:
    text = to_json(sample_template())
    assert json.loads(text)["format"] == FORMAT
    assert from_json(text) == sample_template()


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.update(format="other@1"), "format"),
        (lambda d: d["template"].update(colour="red"), ""),
        (lambda d: d["template"].pop("title"), "template"),
        (lambda d: d["template"].update(ects=2.5), "ects"),
        (lambda d: d["template"].update(assessment="exam"), "assessment"),
        (lambda d: d["template"]["awarding_bodies"][0].update(name="X"), "awarding_bodies[0].name"),
    ],
)
def test_import_is_strict_and_says_where(mutate: object, field: str) -> None:
    doc = json.loads(to_json(sample_template()))
    mutate(doc)  # type: ignore[operator]
    with pytest.raises(TemplateImportError) as info:
        from_json(json.dumps(doc))
    assert info.value.problems[0].field == field


def test_import_runs_validation_too() -> None:
    doc = json.loads(to_json(sample_template()))
    doc["template"]["title"] = {"en": "<script>x</script>"}
    with pytest.raises(TemplateImportError) as info:
        from_json(json.dumps(doc))
    assert {"title.en", "title.de"} <= {p.field for p in info.value.problems}


def test_import_rejects_non_json() -> None:
    with pytest.raises(TemplateImportError, match="not JSON"):
        from_json("{")
