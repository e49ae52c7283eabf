"""The European Digital Credential mirrors the EDC sample and uses only edc-ap / VC 1.1 terms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyld import jsonld
from test_microcredential import SKILL, sample_record
from test_ob3_builder import offline_loader

from credentials.achievement import elm_specification
from credentials.elm_builder import ElmOptions, build_elm
from credentials.microcredential import Learner
from credentials.record_errors import InvalidRecord

SAMPLE = Path("/work/shared/data/edc/Sample-MC-Annex1-unsigned.jsonld")
pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="EDC sample not available")
OPTS = ElmOptions("urn:credential:3ef0ac26-9a1f-41c6-871b-2b82e670907b", (("en", "/9j/4AAQ"),))


def _keys(node: object) -> set[str]:
    if isinstance(node, dict):
        return set(node).union(*(_keys(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_keys(v) for v in node))
    return set()


def test_top_level_structure_matches_the_sample() -> None:
    sample = json.loads(SAMPLE.read_text("utf-8"))
    built = build_elm(sample_record(), OPTS)
    assert built["@context"] == sample["@context"]
    assert built["type"] == sample["type"]
    assert built["credentialProfiles"] == sample["credentialProfiles"]
    assert {"displayParameter", "credentialSubject", "issuer", "credentialSchema", "validFrom"} <= set(built)
    claim = built["credentialSubject"]["hasClaim"]
    assert claim["type"] == "LearningAchievement"
    assert claim["awardedBy"]["awardingBody"]["legalName"]["en"] == "University of Zed"
    assert claim["specifiedBy"]["creditPoint"]["framework"]["id"].endswith("/education-credit/6fcec5c5af")


def test_every_term_we_use_appears_in_the_sample_or_the_context() -> None:
    context_path = SAMPLE.parent.parent / "jsonld-contexts" / "edc_ap_context.jsonld"
    context = json.loads(context_path.read_text("utf-8"))
    known = _keys(json.loads(SAMPLE.read_text("utf-8"))) | set(context["@context"]) | {"issued"}
    used = {k for k in _keys(build_elm(sample_record(), OPTS)) if not (len(k) == 2 and k.islower())}
    assert used - known == set()


def test_expansion_keeps_the_learning_outcomes_and_skills() -> None:
    expanded = json.dumps(jsonld.expand(build_elm(sample_record(), OPTS),
                                        {"documentLoader": offline_loader}))
    assert "http://data.europa.eu/snb/model/elm/learningOutcome" in expanded
    assert SKILL in expanded


def test_specification_carries_annex_elements() -> None:
    spec = elm_specification(sample_record().template)
    assert spec["eqfLevel"]["id"] == "http://data.europa.eu/snb/eqf/6"
    assert spec["mode"]["id"] == "http://data.europa.eu/snb/learning-assessment/920fbb3cbe"
    assert spec["volumeOfLearning"] == "PT60H"
    assert [lang["id"][-3:] for lang in spec["language"]] == ["ENG", "DEU"]
    assert spec["entryRequirement"]["noteLiteral"] == {"en": "None", "de": "Keine"}


def test_personal_data_only_when_given() -> None:
    subject = build_elm(sample_record(learner=Learner(student_id="S-1")), OPTS)["credentialSubject"]
    assert "contactPoint" not in subject and "fullName" not in subject
    assert subject["identifier"]["notation"] == "S-1"


def test_invalid_records_are_refused() -> None:
    with pytest.raises(InvalidRecord):
        build_elm(sample_record(learner=Learner()), OPTS)


def test_each_language_gets_its_own_rendered_a4_jpeg_page() -> None:
    import base64
    import io

    from PIL import Image

    from credentials.edc_display import PAGE_SIZE

    built = build_elm(sample_record(), ElmOptions("urn:credential:3ef0ac26-9a1f-41c6-871b-2b82e670907b"))
    displays = built["displayParameter"]["individualDisplay"]
    pages = {}
    for display in displays:
        image = display["displayDetail"]["image"]
        assert image["contentType"]["prefLabel"] == {"en": "JPEG"}
        assert image["contentEncoding"]["prefLabel"] == {"en": "base64"}
        data = base64.b64decode(image["content"], validate=True)
        with Image.open(io.BytesIO(data)) as page:
            assert page.format == "JPEG"
            assert page.size == PAGE_SIZE
        pages[display["language"]["id"].rsplit("/", 1)[1]] = data
    assert set(pages) == {"ENG", "DEU"}
    assert pages["ENG"] != pages["DEU"]
