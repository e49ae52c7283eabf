"""verify_credential: every format round-trips; tampering, revocation, dates, keys, trust, schema."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from credentials.dids import DidResolver, VerificationMethod, did_document, did_web_for
from credentials.multikey import SigningKey, generate_ed25519, generate_p256
from credentials.schema import ob3_schema_errors
from credentials.sign import FORMATS, sign_credential
from credentials.status_list import Bitstring, status_entry, status_list_credential
from credentials.verify import verify_credential

DID = did_web_for("https://bridge.example")
LIST_URL = "https://bridge.example/status/1"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def badge(**extra: Any) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:9b1d0c3e-4a6f-4c5e-8d2b-000000000001",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": DID, "type": ["Profile"], "name": "Bridge University"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Data literacy",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "emailAddress",
                    "hashed": False,
                    "identityHash": "conformance@imsglobal.org",
                }
            ],
            "achievement": {
                "id": "https://bridge.example/achievements/1",
                "type": ["Achievement"],
                "name": "Data literacy",
                "description": "Reads charts.",
                "criteria": {"narrative": "Pass the quiz."},
                "achievementType": "MicroCredential",
            },
        },
        **extra,
    }


class Issuer:
    def __init__(self) -> None:
        self.ed = SigningKey(generate_ed25519(), f"{DID}#key-1")
        self.p256 = SigningKey(generate_p256(), f"{DID}#key-2")
        self.methods = [VerificationMethod(k.verification_method, DID, k.public) for k in (self.ed, self.p256)]

    def resolver(self) -> DidResolver:
        return DidResolver(lambda url: did_document(DID, self.methods))

    def key_for(self, fmt: str) -> SigningKey:
        return self.p256 if fmt in ("ob3-jwt", "vc-jose") else self.ed


@pytest.fixture
def issuer() -> Issuer:
    return Issuer()


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_round_trips(issuer: Issuer, fmt: Any) -> None:
    stored = sign_credential(badge(), issuer.key_for(fmt), fmt)
    result = verify_credential(stored, resolver=issuer.resolver(), now=NOW, trusted_issuers={DID})
    assert result.valid, result.failed()
    assert {c.check for c in result.checks} >= {"format", "proof", "issuer", "valid_from", "schema", "trust"}


@pytest.mark.parametrize("fmt", ["ob3-rdfc", "ob3-jcs"])
def test_stored_json_text_verifies_too(issuer: Issuer, fmt: Any) -> None:
    stored = json.dumps(sign_credential(badge(), issuer.ed, fmt))
    assert verify_credential(stored, resolver=issuer.resolver(), now=NOW).valid


@pytest.mark.parametrize("fmt", ["ob3-rdfc", "ob3-jcs"])
def test_tampering_is_explained(issuer: Issuer, fmt: Any) -> None:
    stored = sign_credential(badge(), issuer.ed, fmt)
    assert isinstance(stored, dict)
    stored["credentialSubject"]["achievement"]["name"] = "Rocket science"
    result = verify_credential(stored, resolver=issuer.resolver(), now=NOW)
    assert not result.valid
    proof = next(c for c in result.checks if c.check == "proof")
    assert proof.detail == "The signature does not match the content: the credential was changed after it was issued."


def test_key_of_someone_else_is_not_the_issuer(issuer: Issuer) -> None:
    stranger = SigningKey(generate_ed25519(), "")
    from credentials.dids import did_key_method_id

    stranger = SigningKey(stranger.private_key, did_key_method_id(stranger.public))
    result = verify_credential(sign_credential(badge(), stranger, "ob3-rdfc"), resolver=issuer.resolver(), now=NOW)
    assert not result.valid and [c.check for c in result.failed()] == ["issuer"]


def test_rotated_out_key_still_verifies_while_listed(issuer: Issuer) -> None:
    stored = sign_credential(badge(), issuer.ed, "ob3-rdfc")
    new_key = SigningKey(generate_ed25519(), f"{DID}#key-3")
    # Rotation: the new key issues from now on; the old one stays listed for what it signed.
    rotated = [
        VerificationMethod(issuer.ed.verification_method, DID, issuer.ed.public),
        VerificationMethod(new_key.verification_method, DID, new_key.public),
    ]
    assert verify_credential(stored, resolver=DidResolver(lambda u: did_document(DID, rotated)), now=NOW).valid
    removed = [rotated[1]]
    gone = verify_credential(stored, resolver=DidResolver(lambda u: did_document(DID, removed)), now=NOW)
    assert not gone.valid and "key could not be found" in gone.failed()[0].detail


def test_dates_are_checked(issuer: Issuer) -> None:
    stored = sign_credential(badge(validUntil="2025-06-01T00:00:00Z"), issuer.ed, "ob3-jcs")
    result = verify_credential(stored, resolver=issuer.resolver(), now=NOW)
    assert [c.detail for c in result.failed()] == ["The credential expired on 01 June 2025."]
    early = verify_credential(stored, resolver=issuer.resolver(), now=datetime(2024, 1, 1, tzinfo=UTC))
    assert "not valid yet" in early.failed()[0].detail


def _status_setup(issuer: Issuer, revoked: bool, fmt: Any) -> tuple[Any, Any]:
    bits = Bitstring()
    if revoked:
        bits.set(77)
    listed = sign_credential(status_list_credential(LIST_URL, DID, bits), issuer.ed, "ob3-rdfc")
    stored = sign_credential(badge(credentialStatus=status_entry(LIST_URL, 77)), issuer.key_for(fmt), fmt)
    return stored, lambda url: listed if url == LIST_URL else {}


@pytest.mark.parametrize("fmt", FORMATS)
def test_revoked_is_invalid(issuer: Issuer, fmt: Any) -> None:
    stored, fetch = _status_setup(issuer, revoked=True, fmt=fmt)
    result = verify_credential(stored, resolver=issuer.resolver(), fetch_status_list=fetch, now=NOW)
    assert not result.valid and result.failed()[0].detail == "The issuer has revoked this credential."
    stored, fetch = _status_setup(issuer, revoked=False, fmt=fmt)
    assert verify_credential(stored, resolver=issuer.resolver(), fetch_status_list=fetch, now=NOW).valid


def test_unavailable_status_list_is_not_a_pass(issuer: Issuer) -> None:
    stored, _ = _status_setup(issuer, revoked=False, fmt="ob3-rdfc")

    def down(url: str) -> dict[str, Any]:
        raise OSError("timeout")

    result = verify_credential(stored, resolver=issuer.resolver(), fetch_status_list=down, now=NOW)
    assert not result.valid and "could not be checked" in result.failed()[0].detail


def test_untrusted_issuer_and_schema_failure(issuer: Issuer) -> None:
    stored = sign_credential(badge(), issuer.ed, "ob3-jcs")
    untrusted = verify_credential(stored, resolver=issuer.resolver(), now=NOW, trusted_issuers={"did:web:other"})
    assert [c.check for c in untrusted.failed()] == ["trust"]
    no_subject = badge()
    del no_subject["credentialSubject"]["identifier"]
    del no_subject["credentialSubject"]["achievement"]
    result = verify_credential(sign_credential(no_subject, issuer.ed, "ob3-jcs"), resolver=issuer.resolver(), now=NOW)
    assert [c.check for c in result.failed()] == ["schema"]


def test_unsigned_and_garbage_inputs_are_answers(issuer: Issuer) -> None:
    assert verify_credential(badge(), resolver=issuer.resolver()).failed()[0].detail == (
        "The credential carries no signature."
    )
    assert not verify_credential("hello", resolver=issuer.resolver()).valid
    broken = copy.deepcopy(sign_credential(badge(), issuer.ed, "ob3-rdfc"))
    assert isinstance(broken, dict)
    broken["proof"]["cryptosuite"] = "bbs-2023"
    assert not verify_credential(broken, resolver=issuer.resolver(), now=NOW).valid


@pytest.mark.parametrize("name", ["example_minimal_valid_obv3.json", "example_full_openbadgecredential.json"])
def test_ob3_examples_validate_against_the_bundled_schema(name: str) -> None:
    document = json.loads((Path(__file__).parent / "vectors" / "ob3" / name).read_text())
    assert ob3_schema_errors(document) == []


def test_remembered_schema_answers_follow_the_content() -> None:
    document = json.loads((Path(__file__).parent / "vectors" / "ob3" / "example_minimal_valid_obv3.json").read_text())
    assert ob3_schema_errors(document) == ob3_schema_errors(copy.deepcopy(document)) == []
    changed = copy.deepcopy(document)
    changed["issuer"] = 42
    first = ob3_schema_errors(changed)
    assert first and ob3_schema_errors(changed) == first
    assert ob3_schema_errors(document) == []
