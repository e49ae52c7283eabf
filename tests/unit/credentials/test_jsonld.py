"""Offline loader, RDFC-1.0 canonicalization (fast path = plain pyld), undefined terms."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vectors import examples_canonicalizer, examples_loader, text, unsigned

from credentials.errors import CanonicalizationError, ContextNotAvailable, CredentialError, UndefinedTerm
from credentials.jsonld import Canonicalizer, OfflineLoader, canonicalize, canonicalize_plain

OB3 = Path(__file__).parent / "vectors" / "ob3"
MINIMAL_OB3: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:2d5f4c3e-0000-4000-8000-000000000001",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "did:web:bridge.example", "type": ["Profile"], "name": "Bridge University"},
    "validFrom": "2025-01-01T00:00:00Z",
    "name": "Data literacy",
    "credentialSubject": {
        "id": "did:example:learner",
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://bridge.example/achievements/1",
            "type": ["Achievement"],
            "name": "Data literacy",
            "description": "Reads and questions charts.",
            "criteria": {"narrative": "Pass the final quiz."},
            "achievementType": "MicroCredential",
        },
    },
}


def test_the_spec_document_canonicalizes_to_the_published_hash() -> None:
    nquads = examples_canonicalizer().canonicalize(unsigned("eddsa_rdfc_2022"))
    assert nquads == text("eddsa_rdfc_2022/document_canonical.nq")
    assert hashlib.sha256(nquads.encode()).hexdigest() == text("eddsa_rdfc_2022/document_hash.hex")


def test_the_spec_proof_config_canonicalizes_as_published() -> None:
    config = json.loads(text("eddsa_rdfc_2022/proof_config.json"))
    assert examples_canonicalizer().canonicalize(config) == text("eddsa_rdfc_2022/proof_canonical.nq")


@pytest.mark.parametrize("name", ["example_minimal_valid_obv3.json", "example_full_openbadgecredential.json"])
def test_fast_path_is_byte_identical_to_plain_pyld_on_ob3_examples(name: str) -> None:
    document = json.loads((OB3 / name).read_text())
    fast = Canonicalizer()
    first = fast.canonicalize(document)
    assert first == fast.canonicalize(document) == canonicalize_plain(document)


def test_canonicalizing_does_not_change_the_input() -> None:
    document = copy.deepcopy(MINIMAL_OB3)
    canonicalize(document, strict=True)
    assert document == MINIMAL_OB3


def test_unknown_context_is_refused_without_network() -> None:
    document = {**MINIMAL_OB3, "@context": ["https://contexts.example/not-bundled"]}
    with pytest.raises(ContextNotAvailable, match="not-bundled"):
        canonicalize(document)
    with pytest.raises(ContextNotAvailable):
        canonicalize_plain(document)


def test_loader_refuses_unknown_url_and_serves_copies() -> None:
    loader = OfflineLoader()
    with pytest.raises(ContextNotAvailable):
        loader("https://example.com/ctx")
    first = loader("https://www.w3.org/ns/credentials/v2")["document"]
    first["@context"]["id"] = "tampered"
    assert loader("https://www.w3.org/ns/credentials/v2")["document"]["@context"]["id"] == "@id"


def test_undefined_top_level_term_is_named() -> None:
    with pytest.raises(UndefinedTerm) as caught:
        Canonicalizer().check_terms({**MINIMAL_OB3, "favouriteColour": "green"})
    assert caught.value.term == "favouriteColour"


def test_term_dropped_by_a_v1_context_is_refused() -> None:
    document = {**MINIMAL_OB3, "@context": ["https://www.w3.org/2018/credentials/v1"]}
    with pytest.raises(UndefinedTerm, match="achievement"):
        canonicalize(document, strict=True)


def test_undefined_nested_term_and_type_are_refused() -> None:
    subject = {**MINIMAL_OB3["credentialSubject"], "shoeSize": 44}
    with pytest.raises(UndefinedTerm, match="shoeSize"):
        canonicalize({**MINIMAL_OB3, "credentialSubject": subject}, strict=True)
    with pytest.raises(UndefinedTerm, match="MadeUpType"):
        canonicalize({**MINIMAL_OB3, "type": ["VerifiableCredential", "MadeUpType"]}, strict=True)


def test_without_strict_undefined_terms_are_dropped_like_pyld() -> None:
    document = {**MINIMAL_OB3, "favouriteColour": "green"}
    assert canonicalize(document) == canonicalize_plain(document) == canonicalize(MINIMAL_OB3)


def test_invalid_json_ld_is_a_credential_error() -> None:
    with pytest.raises(CanonicalizationError):
        canonicalize({**MINIMAL_OB3, "@context": [{"@version": 2.5}]})
    assert issubclass(CanonicalizationError, CredentialError)


def test_vector_context_is_only_available_when_given() -> None:
    assert "https://www.w3.org/ns/credentials/examples/v2" in examples_loader()
    assert "https://www.w3.org/ns/credentials/examples/v2" not in OfflineLoader()


# -- property: the fast path equals plain pyld for varied documents ---------------------------------
_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
_LEAF = st.one_of(_TEXT, st.integers(-(10**6), 10**6), st.booleans(), st.floats(allow_nan=False, width=32))
_ACH_KEYS = st.sampled_from(["name", "description", "creditsAvailable", "humanCode", "fieldOfStudy", "tag"])
_SUBJECT_KEYS = st.sampled_from(["activityStartDate", "creditsEarned", "role", "term", "licenseNumber"])


@st.composite
def _ob3_documents(draw: st.DrawFn) -> dict[str, Any]:
    document = copy.deepcopy(MINIMAL_OB3)
    achievement = document["credentialSubject"]["achievement"]
    achievement.update(draw(st.dictionaries(_ACH_KEYS, _LEAF, max_size=4)))
    document["credentialSubject"].update(draw(st.dictionaries(_SUBJECT_KEYS, _TEXT, max_size=3)))
    if draw(st.booleans()):
        del document["credentialSubject"]["id"]  # a blank-node subject
        document["credentialSubject"]["identifier"] = [
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": draw(st.booleans()),
                "identityHash": draw(_TEXT),
            }
            for _ in range(draw(st.integers(1, 3)))
        ]
    if draw(st.booleans()):
        achievement["alignment"] = [
            {"type": ["Alignment"], "targetName": draw(_TEXT), "targetUrl": f"https://esco.example/{i}"}
            for i in range(draw(st.integers(0, 3)))
        ]
    document["name"] = draw(_TEXT)
    return document


_SHARED = Canonicalizer()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_ob3_documents())
def test_fast_canonicalization_equals_plain_pyld(document: dict[str, Any]) -> None:
    assert _SHARED.canonicalize(document) == canonicalize_plain(document)
