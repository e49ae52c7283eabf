"""The bundled ESCO subset: real URIs only, searchable, URI validation."""

from __future__ import annotations

import json
from importlib import resources

from hypothesis import given
from hypothesis import strategies as st

from credentials import esco


def test_every_bundled_uri_is_an_esco_skill_uri_with_a_named_source() -> None:
    raw = json.loads(resources.files("credentials").joinpath("data/esco_subset.json").read_text("utf-8"))
    assert len(raw["skills"]) >= 90
    for s in raw["skills"]:
        assert esco.is_esco_uri(s["uri"]), s["uri"]
        assert s["source"] in raw["sources"]
        assert s["labels"]["en"].strip()


def test_search_finds_preferred_label_matches_first() -> None:
    hits = esco.search("critically think")
    assert hits[0].label() == "think critically"
    assert {s.label() for s in esco.search("critical")[:2]} == {
        "think critically",
        "critically evaluate information and its sources",
    }
    assert esco.get("http://data.europa.eu/esco/skill/7dd94ad3-13d6-43fe-8b94-51fcbf67ced9") == hits[0]


def test_search_uses_alternative_labels_and_is_case_and_accent_insensitive() -> None:
    labels = [s.label() for s in esco.search("TEAM-working")]
    assert "work in teams" in labels
    assert [s.label() for s in esco.search("Dígital content")][:2] == [
        "create digital content",
        "develop digital content",
    ]


def test_search_falls_back_to_english_and_respects_limit() -> None:
    best = esco.search("problems", lang="de", limit=1)
    assert best[0].label("de") in {"identify problems", "solve problems"}
    assert esco.search("") == []
    assert len(esco.search("e", limit=3)) == 3


def test_esco_uri_validation() -> None:
    assert esco.is_esco_uri("http://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a")
    assert not esco.is_esco_uri("https://data.europa.eu/esco/skill/5fd5c985-eaaa-47aa-8314-62359c54505a")
    assert not esco.is_esco_uri("http://data.europa.eu/esco/occupation/5fd5c985-eaaa-47aa-8314-62359c54505a")
    assert not esco.is_esco_uri("http://data.europa.eu/esco/skill/heuresys_1")


@given(st.text(max_size=40))
def test_search_never_fails(query: str) -> None:
    assert len(esco.search(query, limit=5)) <= 5
