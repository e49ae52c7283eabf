"""eddsa-jcs-2022: the W3C vector verifies and re-signs bit for bit; any change is caught."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from vectors import load, text, unsigned

from credentials.dids import DidResolver, VerificationMethod, did_document
from credentials.multikey import SigningKey, private_key_from_multibase
from credentials.proofs import ProofOptions
from credentials.proofs.eddsa_jcs_2022 import create_proof, jcs, verify_proof

SUITE = "eddsa_jcs_2022"
PAIR = load("keypair.json")
ISSUER = "https://vc.example/issuers/5678"
METHOD = f"{ISSUER}#{PAIR['publicKeyMultibase']}"


def vector_key() -> SigningKey:
    return SigningKey(private_key_from_multibase(PAIR["privateKeyMultibase"]), METHOD)


def resolver() -> DidResolver:
    document = did_document(ISSUER, [VerificationMethod(METHOD, ISSUER, vector_key().public)])
    return DidResolver(documents={ISSUER: document})


def test_document_transformation_matches_the_published_canonical_form() -> None:
    canonical = jcs(unsigned(SUITE))
    assert canonical.decode() == text(f"{SUITE}/document_canonical.json")
    assert hashlib.sha256(canonical).hexdigest() == text(f"{SUITE}/document_hash.hex")


def test_published_vector_verifies() -> None:
    result = verify_proof(load(f"{SUITE}/signed.json"), resolver=resolver())
    assert result.valid, result.reason


def test_re_signing_the_vector_reproduces_its_proof_value() -> None:
    signed = load(f"{SUITE}/signed.json")
    again = create_proof(unsigned(SUITE), vector_key(), ProofOptions(METHOD, created=signed["proof"]["created"]))
    assert again == signed


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("description",), "changed"),
        (("credentialSubject", "id"), "did:example:someone-else"),
        (("proof", "proofPurpose"), "authentication"),
        (("proof", "verificationMethod"), METHOD + "x"),
        (("@context",), ["https://www.w3.org/ns/credentials/v2"]),
    ],
)
def test_any_changed_field_makes_it_invalid(path: tuple[str, ...], value: Any) -> None:
    secured = load(f"{SUITE}/signed.json")
    target = secured
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    assert not verify_proof(secured, resolver=resolver()).valid
