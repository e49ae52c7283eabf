"""VC-JOSE-COSE vc+jwt and OB 3.0 VC-JWT with ES256, RS256 and EdDSA."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from credentials.dids import DidResolver, VerificationMethod, did_document, did_web_for
from credentials.jose import decode, sign_vc_jose, sign_vc_jwt, verify_jws
from credentials.multikey import SigningKey, generate_ed25519, generate_p256, generate_rsa

DID = did_web_for("https://bridge.example")
CREDENTIAL: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "urn:uuid:1",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": DID, "type": ["Profile"], "name": "Bridge"},
    "validFrom": "2025-01-01T00:00:00Z",
    "validUntil": "2030-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:learner", "type": ["AchievementSubject"]},
}


def setup(make: Any) -> tuple[SigningKey, DidResolver]:
    key = SigningKey(make(), f"{DID}#key-1")
    kind = "Multikey" if key.public.algorithm != "RSA" else "JsonWebKey"
    document = did_document(DID, [VerificationMethod(key.verification_method, DID, key.public, type=kind)])
    return key, DidResolver(documents={DID: document})


@pytest.mark.parametrize(
    ("make", "alg"), [(generate_p256, "ES256"), (generate_rsa, "RS256"), (generate_ed25519, "EdDSA")]
)
def test_vc_jose_round_trip(make: Any, alg: str) -> None:
    key, resolver = setup(make)
    token = sign_vc_jose(CREDENTIAL, key)
    header, payload, _, _ = decode(token)
    assert header == {"alg": alg, "kid": f"{DID}#key-1", "typ": "vc+jwt", "cty": "vc"}
    assert payload == CREDENTIAL
    result = verify_jws(token, resolver=resolver)
    assert result.valid and result.credential == CREDENTIAL


@pytest.mark.parametrize("make", [generate_p256, generate_rsa])
def test_ob3_vc_jwt_claims_follow_section_8_2(make: Any) -> None:
    key, resolver = setup(make)
    token = sign_vc_jwt(CREDENTIAL, key)
    header, claims, _, _ = decode(token)
    assert header["typ"] == "JWT" and header["kid"] == f"{DID}#key-1"
    assert claims["vc"] == CREDENTIAL and claims["iss"] == DID and claims["sub"] == "did:example:learner"
    assert claims["jti"] == "urn:uuid:1" and claims["nbf"] == 1735689600 and claims["exp"] == 1893456000
    assert verify_jws(token, resolver=resolver).valid


def _tamper(token: str, change: Any) -> str:
    head, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    change(payload)
    new_body = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{head}.{new_body}.{signature}"


def test_tampered_payload_is_invalid() -> None:
    key, resolver = setup(generate_p256)
    token = _tamper(sign_vc_jose(CREDENTIAL, key), lambda p: p.update(validUntil="2099-01-01T00:00:00Z"))
    assert verify_jws(token, resolver=resolver).code == "signature-mismatch"


def test_alg_none_and_wrong_alg_are_refused() -> None:
    key, resolver = setup(generate_p256)
    head, body, _ = sign_vc_jose(CREDENTIAL, key).split(".")
    none_head = base64.urlsafe_b64encode(b'{"alg":"none","kid":"' + f"{DID}#key-1".encode() + b'"}').rstrip(b"=")
    assert not verify_jws(f"{none_head.decode()}.{body}.", resolver=resolver).valid


def test_garbage_is_malformed_not_an_exception() -> None:
    assert verify_jws("not-a-jwt", resolver=DidResolver()).code == "malformed"
    assert verify_jws("a.b.c", resolver=DidResolver()).code == "malformed"
