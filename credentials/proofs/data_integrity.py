"""The cryptosuite-independent half of a DataIntegrityProof: options, hashing, checks.

Implements Verifiable Credential Data Integrity 1.0 §2.1 "Proofs" (type, cryptosuite,
created, expires, verificationMethod, proofPurpose, challenge, domain, proofValue),
§4.2 "Add Proof" and §4.4 "Verify Proof", and the shared steps of the EdDSA cryptosuites
(vc-di-eddsa §3.2.4/3.3.4 "Hashing": SHA-256(canonical proof config) ‖ SHA-256(canonical
document); §3.2.5/3.3.5 "Proof Serialization": Ed25519 over that, multibase base58btc).
A suite module supplies only the transformation (RDFC-1.0 or JCS).

Verification never raises for a bad credential: it returns :class:`ProofVerification`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from credentials.dids import DidResolver
from credentials.errors import CredentialError, ProofError, UndefinedTerm
from credentials.multikey import SigningKey, multibase_b58, multibase_b58_decode

PROOF_TYPE = "DataIntegrityProof"
_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
Transform = Callable[[Mapping[str, Any]], bytes]


@dataclass(frozen=True, slots=True)
class ProofOptions:
    """What a proof states besides its value (Data Integrity 1.0 §2.1)."""

    verification_method: str
    proof_purpose: str = "assertionMethod"
    created: str | None = None
    expires: str | None = None
    challenge: str | None = None
    domain: str | None = None

    def as_json(self, cryptosuite: str) -> dict[str, Any]:
        config: dict[str, Any] = {
            "type": PROOF_TYPE,
            "cryptosuite": cryptosuite,
            "created": self.created or now_xsd(),
        }
        optional = {"expires": self.expires, "challenge": self.challenge, "domain": self.domain}
        config.update({k: v for k, v in optional.items() if v is not None})
        config.update(verificationMethod=self.verification_method, proofPurpose=self.proof_purpose)
        return config


@dataclass(frozen=True, slots=True)
class ProofVerification:
    """The answer of verifying one proof: valid or not, with machine and human reasons."""

    valid: bool
    code: str
    reason: str
    verification_method: str | None = None
    proof: Mapping[str, Any] = field(default_factory=dict)


def now_xsd() -> str:
    """The current UTC time as an xsd:dateTime with second precision."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def hash_data(proof_config: bytes, document: bytes) -> bytes:
    """SHA-256(proof config) ‖ SHA-256(document) — the bytes that get signed."""
    return hashlib.sha256(proof_config).digest() + hashlib.sha256(document).digest()


def create(
    document: Mapping[str, Any],
    key: SigningKey,
    config: dict[str, Any],
    transform_document: Transform,
    transform_config: Transform,
) -> dict[str, Any]:
    """Sign ``document`` (without proof) with ``config`` and return a copy with the proof added."""
    if not isinstance(document, Mapping) or "proof" in document:
        raise ProofError("sign an unsecured document: it must be a JSON object without a proof")
    if key.public.algorithm != "Ed25519":
        raise ProofError("the EdDSA cryptosuites need an Ed25519 key")
    signature = key.sign(hash_data(transform_config(config), transform_document(document)))
    return {**document, "proof": {**config, "proofValue": multibase_b58(signature)}}


def verify(  # noqa: PLR0911 - one early answer per failed check reads best
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    *,
    cryptosuite: str,
    resolver: DidResolver,
    transform_document: Transform,
    transform_config: Transform,
    expected_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
) -> ProofVerification:
    """Check one proof on ``document`` (the document without its ``proof`` member)."""
    method_id = proof.get("verificationMethod")
    problem = _check_options(proof, cryptosuite, expected_purpose, challenge, domain)
    if problem:
        return ProofVerification(False, problem[0], problem[1], method_id, proof)
    try:
        signature = multibase_b58_decode(str(proof["proofValue"]))
        method = resolver.verification_method(str(method_id))
    except CredentialError as err:
        return ProofVerification(False, "key-unavailable", str(err), method_id, proof)
    if expected_purpose not in method.relationships:
        return ProofVerification(
            False,
            "purpose-not-authorized",
            f"The key is not listed under {expected_purpose}.",
            method_id,
            proof,
        )
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    try:
        data = hash_data(transform_config(config), transform_document(document))
    except UndefinedTerm as err:
        return ProofVerification(False, "undefined-term", str(err), method_id, proof)
    except CredentialError as err:
        return ProofVerification(False, "malformed", str(err), method_id, proof)
    if method.public_key.algorithm != "Ed25519" or not method.public_key.verify(signature, data):
        return ProofVerification(
            False, "signature-mismatch", "The signature does not match the content.", method_id, proof
        )
    return ProofVerification(True, "ok", "The signature matches the content.", method_id, proof)


def _check_options(
    proof: Mapping[str, Any], cryptosuite: str, purpose: str, challenge: str | None, domain: str | None
) -> tuple[str, str] | None:
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != cryptosuite:
        return "wrong-suite", f"The proof is not a {PROOF_TYPE} using {cryptosuite}."
    if not isinstance(proof.get("proofValue"), str) or not isinstance(proof.get("verificationMethod"), str):
        return "malformed", "The proof has no proof value or no verification method."
    if proof.get("proofPurpose") != purpose:
        return "wrong-purpose", f"The proof was made for {proof.get('proofPurpose')!r}, not {purpose!r}."
    for name in ("created", "expires"):
        if name in proof and not _DATETIME.match(str(proof[name])):
            return "malformed", f"The proof's {name} is not a date and time."
    if "expires" in proof and _parse(str(proof["expires"])) < datetime.now(UTC):
        return "proof-expired", "The proof has expired."
    if challenge is not None and proof.get("challenge") != challenge:
        return "wrong-challenge", "The proof answers a different challenge."
    if domain is not None and proof.get("domain") != domain:
        return "wrong-domain", "The proof was made for a different domain."
    return None


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
