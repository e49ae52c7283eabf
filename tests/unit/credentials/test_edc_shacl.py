"""The EDC SHACL shapes accept our EDCs and the published sample, and explain what a broken one lacks."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from test_microcredential import sample_record

from credentials.edc_shacl import EdcShapeError, ensure_valid_edc, validate_edc
from credentials.elm_builder import ElmOptions, build_elm
from credentials.microcredential import Learner

SIGNED_SAMPLE = Path("/work/shared/data/edc/Sample-MC-Annex1-signed.jsonld")
OPTS = ElmOptions("urn:credential:3ef0ac26-9a1f-41c6-871b-2b82e670907b", (("en", "/9j/4AAQ"), ("de", "/9j/4AAQ")))


def test_our_edc_meets_the_shapes() -> None:
    report = validate_edc(build_elm(sample_record(), OPTS))
    assert report.conforms, report.violations
    assert "meets" in report.summary()


def test_our_edc_with_only_a_student_number_meets_the_shapes() -> None:
    ensure_valid_edc(build_elm(sample_record(learner=Learner(student_id="S-1")), OPTS))


@pytest.mark.skipif(not SIGNED_SAMPLE.exists(), reason="EDC sample not available")
def test_the_published_sample_meets_the_shapes() -> None:
    payload = json.loads(json.loads(SIGNED_SAMPLE.read_text("utf-8"))["payload"])
    assert validate_edc(payload).conforms


def test_a_missing_mandatory_property_is_rejected_in_words() -> None:
    broken = copy.deepcopy(build_elm(sample_record(), OPTS))
    del broken["issued"]
    report = validate_edc(broken)
    assert not report.conforms
    assert [v.path for v in report.violations] == ["cred:issued"]
    assert "date when the credential was issued" in report.violations[0].description
    with pytest.raises(EdcShapeError, match=r"cred:issued: The date when the credential was issued"):
        ensure_valid_edc(broken)


def test_a_nested_failure_names_the_inner_property() -> None:
    broken = copy.deepcopy(build_elm(sample_record(), OPTS))
    del broken["credentialSubject"]["hasClaim"]
    report = validate_edc(broken)
    assert not report.conforms
    assert "elm:hasClaim" in {v.path for v in report.violations}


def test_a_did_learner_is_identified_and_meets_the_shapes() -> None:
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    credential = build_elm(sample_record(learner=Learner(did=did)), OPTS)
    assert credential["credentialSubject"]["identifier"]["notation"] == did
    ensure_valid_edc(credential)


def test_without_an_eidas_identifier_the_registration_number_is_the_legal_identifier() -> None:
    from dataclasses import replace

    record = sample_record()
    body = replace(record.template.awarding_bodies[0], eidas_id=None, legal_id="FN 12345a", vat_id=None)
    record = replace(record, template=replace(record.template, awarding_bodies=(body,)))
    credential = build_elm(record, OPTS)
    assert credential["issuer"]["eIDASIdentifier"]["notation"] == "FN 12345a"
    ensure_valid_edc(credential)
    bare = replace(body, legal_id=None)
    record = replace(record, template=replace(record.template, awarding_bodies=(bare,)))
    with pytest.raises(EdcShapeError, match="one and only one legal identifier"):
        ensure_valid_edc(build_elm(record, OPTS))
