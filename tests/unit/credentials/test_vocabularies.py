"""Controlled vocabularies: EU URIs as ELM/EDC uses them, labels in en/de/fr/nl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from credentials import vocabularies as v

SAMPLE = Path("/work/shared/data/edc/Sample-MC-Annex1-unsigned.jsonld")


def test_eqf_levels_use_the_eu_vocabulary() -> None:
    assert [lvl.term.uri for lvl in v.EQFLevel] == [f"http://data.europa.eu/snb/eqf/{n}" for n in range(1, 9)]
    assert v.EQFLevel(6).term.label("de") == "Niveau 6"


@pytest.mark.parametrize("member", list(v.TERMS))
def test_every_annex_term_has_labels_in_four_languages(member: object) -> None:
    t = v.TERMS[member]  # type: ignore[index]
    assert all(t.labels[lang] for lang in v.LABEL_LANGUAGES)
    assert t.uri.startswith("http://data.europa.eu/snb/") == t.eu
    assert t.uri.startswith(v.EXT) != t.eu


def test_every_enum_member_has_a_term() -> None:
    for enum in (
        v.AssessmentType,
        v.Participation,
        v.QualityAssurance,
        v.Supervision,
        v.LearningSetting,
        v.Stackability,
    ):
        for member in enum:
            assert v.term(member).code == member.value


def test_languages_and_countries_round_trip() -> None:
    assert v.language("EN").uri == "http://publications.europa.eu/resource/authority/language/ENG"
    assert v.country("ie").uri == "http://publications.europa.eu/resource/authority/country/IRL"
    assert v.by_uri(v.country("IT").uri) == v.country("IT")
    assert len(v.LANGUAGES) == 24
    assert v.country("NL").label("nl") == "Nederland"
    with pytest.raises(KeyError):
        v.language("xx")


def _uris(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["id"]} if isinstance(node.get("id"), str) else set()
        return found.union(*(_uris(x) for x in node.values()))
    if isinstance(node, list):
        return set().union(*(_uris(x) for x in node))
    return set()


@pytest.mark.skipif(not SAMPLE.exists(), reason="EDC sample not available")
def test_uris_agree_with_the_edc_sample() -> None:
    seen = _uris(json.loads(SAMPLE.read_text(encoding="utf-8")))
    assert v.term(v.Participation.ONLINE).uri in seen
    assert v.term(v.Participation.BLENDED).uri in seen
    assert v.term(v.Supervision.UNSUPERVISED_NO_ID).uri in seen
    assert v.term(v.LearningSetting.NON_FORMAL).uri in seen
    assert v.ECTS.uri in seen
    assert v.EQFLevel(6).term.uri in seen
    assert {v.country("IE").uri, v.country("BE").uri, v.language("en").uri} <= seen
