"""The OpenBadgeCredential: valid against the OB 3.0 JSON schema, every term defined in a context."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from pyld import jsonld
from test_microcredential import SKILL, sample_record

from credentials.achievement import MC_CONTEXT_URL
from credentials.microcredential import Learner
from credentials.ob3_builder import Evidence, Ob3Options, build_ob3, hashed_email
from credentials.record_errors import InvalidRecord

SHARED = Path("/work/shared/data")
OUR_CONTEXT = Path(__file__).parents[3] / "credentials" / "data" / "contexts" / "bridge_mc_v1.jsonld"
pytestmark = pytest.mark.skipif(not SHARED.exists(), reason="shared OB3 schema and contexts not available")
STATUS = {
    "id": "https://bridge.example/status/1#94567",
    "type": "BitstringStatusListEntry",
    "statusPurpose": "revocation",
    "statusListIndex": "94567",
    "statusListCredential": "https://bridge.example/status/1",
}
OPTS = Ob3Options(
    credential_id="https://bridge.example/credentials/1",
    issuer_id="did:web:bridge.example",
    achievement_id="https://bridge.example/achievements/7",
    valid_until=datetime(2030, 1, 1, tzinfo=UTC),
    evidence=(Evidence("Final essay", url="https://lms.example/essay/1", narrative="Graded."),),
    status=(STATUS,),
    salt="s4lt",
)


def offline_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    if url == MC_CONTEXT_URL:
        path = OUR_CONTEXT
    else:
        index = json.loads((SHARED / "jsonld-contexts" / "index.json").read_text("utf-8"))
        path = SHARED / "jsonld-contexts" / index[url]
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(path.read_text("utf-8")),
    }


def _keys(node: object) -> set[str]:
    if isinstance(node, dict):
        return set(node).union(*(_keys(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_keys(v) for v in node))
    return set()


def test_credential_validates_against_the_ob3_schema() -> None:
    schema = json.loads((SHARED / "ob3" / "ob_v3p0_achievementcredential_schema.json").read_text("utf-8"))
    jsonschema.validate(build_ob3(sample_record(), OPTS), schema)


def test_every_term_is_defined_by_a_context() -> None:
    credential = build_ob3(sample_record(), OPTS)
    expanded = jsonld.expand(credential, {"documentLoader": offline_loader})
    iris = {k for k in _keys(expanded) if not k.startswith("@")}
    assert not [i for i in iris if "issuer-dependent" in i], "terms fell through to the VC 2.0 @vocab"
    compact_terms = {k for k in _keys(credential) if not k.startswith("@")} - {"id", "type"}
    assert len(iris) >= len(compact_terms) - 5  # a few compact terms share an IRI (e.g. url/id)


def test_every_term_survives_expansion_without_the_vocab_fallback() -> None:
    credential = build_ob3(sample_record(), OPTS)
    expanded = json.dumps(jsonld.expand(credential, {"documentLoader": offline_loader}))
    for term in (
        "ectsCredits",
        "assessmentType",
        "participationForm",
        "qualityAssuranceType",
        "supervisionType",
        "nameLanguageMap",
        "prerequisites",
        "gradingScheme",
        "nqfLevel",
    ):
        assert f"https://w3id.org/credential-bridge/mc#{term}" in expanded, term


def test_subject_and_achievement_shape() -> None:
    credential = build_ob3(sample_record(), OPTS)
    subject = credential["credentialSubject"]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["@context"][-1] == MC_CONTEXT_URL
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["creditsAvailable"] == 2.5
    assert {a["targetUrl"] for a in achievement["alignment"]} == {SKILL, "http://data.europa.eu/snb/eqf/6"}
    assert achievement["nameLanguageMap"]["de"] == "Kritisches Denken online"
    assert credential["issuer"]["address"]["addressCountryCode"] == "IE"
    assert subject["result"][0]["value"] == "Pass"
    assert credential["credentialStatus"] == STATUS


def test_email_recipient_is_hashed_with_the_salt() -> None:
    identity = build_ob3(sample_record(), OPTS)["credentialSubject"]["identifier"][0]
    expected = hashlib.sha256(b"ana@example.org" + b"s4lt").hexdigest()
    assert identity == {
        "type": "IdentityObject",
        "identityHash": f"sha256${expected}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": "s4lt",
    }
    assert "ana@example.org" not in json.dumps(build_ob3(sample_record(), OPTS))
    assert hashed_email("a@b.c")["salt"] != hashed_email("a@b.c")["salt"]


def test_did_recipient_uses_id() -> None:
    record = sample_record(learner=Learner(did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"))
    subject = build_ob3(record, OPTS)["credentialSubject"]
    assert subject["id"].startswith("did:key:") and "identifier" not in subject


def test_invalid_records_are_refused_with_every_problem() -> None:
    with pytest.raises(InvalidRecord) as info:
        build_ob3(sample_record(learner=Learner(name="Only a name"), grade="<script>"), OPTS)
    assert {p.field for p in info.value.problems} == {"learner", "grade"}
