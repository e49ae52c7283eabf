"""eddsa-rdfc-2022: the W3C vectors verify and re-sign bit for bit; any change is caught."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from vectors import examples_canonicalizer, load, text, unsigned

from credentials.dids import DidResolver, VerificationMethod, did_document, did_key_method_id
from credentials.errors import UndefinedTerm
from credentials.jsonld import Canonicalizer, canonicalize_plain
from credentials.multikey import SigningKey, generate_ed25519, generate_p256, private_key_from_multibase
from credentials.proofs import ProofOptions
from credentials.proofs.eddsa_rdfc_2022 import canonical_proof_config, create_proof, verify_proof

SUITE = "eddsa_rdfc_2022"
PAIR = load("keypair.json")
ISSUER = "https://vc.example/issuers/5678"
METHOD = f"{ISSUER}#{PAIR['publicKeyMultibase']}"


def vector_key() -> SigningKey:
    return SigningKey(private_key_from_multibase(PAIR["privateKeyMultibase"]), METHOD)


def vector_resolver() -> DidResolver:
    key = vector_key()
    controller = did_document(ISSUER, [VerificationMethod(METHOD, ISSUER, key.public)])
    return DidResolver(documents={ISSUER: controller})


def verify(secured: dict[str, Any], **kwargs: Any) -> Any:
    return verify_proof(secured, resolver=vector_resolver(), canonicalizer=examples_canonicalizer(), **kwargs)


def test_published_vector_verifies() -> None:
    result = verify(load(f"{SUITE}/signed.json"))
    assert result.valid, result.reason
    assert result.verification_method == METHOD


def test_re_signing_the_vector_reproduces_its_proof_value() -> None:
    signed = load(f"{SUITE}/signed.json")
    options = ProofOptions(METHOD, created=signed["proof"]["created"])
    again = create_proof(unsigned(SUITE), vector_key(), options, canonicalizer=examples_canonicalizer())
    assert again == signed


def test_proof_config_template_matches_plain_canonicalization() -> None:
    config = load(f"{SUITE}/proof_config.json")
    canon = examples_canonicalizer()
    assert canonical_proof_config(config, canon).decode() == text(f"{SUITE}/proof_canonical.nq")
    for created in ("2024-12-31T23:59:59Z", "1999-01-01T00:00:00Z"):
        changed = {**config, "created": created}
        assert canonical_proof_config(changed, canon).decode() == canonicalize_plain(changed, canon.loader)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("name",), "Alumni Credential!"),
        (("credentialSubject", "alumniOf"), "The School of Forgeries"),
        (("validFrom",), "2023-01-02T00:00:00Z"),
        (("issuer",), "https://vc.example/issuers/9999"),
        (("proof", "created"), "2023-02-24T23:36:39Z"),
        (("proof", "proofValue"), "z" + "2" * 87),
    ],
)
def test_any_changed_field_makes_it_invalid(path: tuple[str, ...], value: str) -> None:
    secured = load(f"{SUITE}/signed.json")
    target = secured
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    assert not verify(secured).valid


def test_wrong_purpose_challenge_domain_and_suite() -> None:
    secured = load(f"{SUITE}/signed.json")
    assert verify(secured, expected_purpose="authentication").code == "wrong-purpose"
    assert verify(secured, challenge="abc").code == "wrong-challenge"
    other = copy.deepcopy(secured)
    other["proof"]["cryptosuite"] = "eddsa-jcs-2022"
    assert verify(other).code == "wrong-suite"
    assert verify({k: v for k, v in secured.items() if k != "proof"}).code == "malformed"


def test_challenge_and_domain_are_signed() -> None:
    key = SigningKey(generate_ed25519(), "")
    key = SigningKey(key.private_key, did_key_method_id(key.public))
    options = ProofOptions(
        key.verification_method, proof_purpose="authentication", challenge="c-1", domain="bridge.example"
    )
    secured = create_proof(unsigned(SUITE), key, options, canonicalizer=examples_canonicalizer())
    ok = verify_proof(
        secured,
        resolver=DidResolver(),
        expected_purpose="authentication",
        challenge="c-1",
        domain="bridge.example",
        canonicalizer=examples_canonicalizer(),
    )
    assert ok.valid, ok.reason
    secured["proof"]["challenge"] = "c-2"
    assert not verify_proof(
        secured,
        resolver=DidResolver(),
        expected_purpose="authentication",
        canonicalizer=examples_canonicalizer(),
    ).valid


def test_unknown_key_is_an_answer_not_an_exception() -> None:
    secured = load(f"{SUITE}/signed.json")
    result = verify_proof(secured, resolver=DidResolver(), canonicalizer=examples_canonicalizer())
    assert not result.valid and result.code == "key-unavailable"


def test_signing_refuses_undefined_terms() -> None:
    document = {**unsigned(SUITE), "@context": ["https://www.w3.org/ns/credentials/v2"]}
    with pytest.raises(UndefinedTerm, match="alumniOf|AlumniCredential"):
        create_proof(document, vector_key(), canonicalizer=Canonicalizer())


def test_p256_key_cannot_make_an_eddsa_proof() -> None:
    from credentials.errors import ProofError

    with pytest.raises(ProofError):
        create_proof(unsigned(SUITE), SigningKey(generate_p256(), METHOD), canonicalizer=examples_canonicalizer())
