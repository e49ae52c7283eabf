"""JOSE-secured credentials: W3C VC-JOSE-COSE (``vc+jwt``) and Open Badges 3.0 VC-JWT.

* VC-JOSE-COSE (W3C Recommendation 2025) §3.1.1 "JOSE Header" / §3.1.2 "JWT Claims":
  the payload *is* the VC 2.0 credential; protected header ``alg``, ``typ: vc+jwt``,
  ``cty: vc`` and ``kid``.
* Open Badges 3.0 §8.2 "JSON Web Token Proof Format" (VC-JWT): header ``alg``, ``typ: JWT``,
  ``kid``; claims ``vc`` (the credential), ``iss`` (issuer id), ``sub`` (subject id),
  ``nbf``/``exp`` (validFrom/validUntil as NumericDate), ``jti`` (credential id).

Algorithms: ES256 (P-256), RS256 (RSA) and EdDSA (Ed25519), chosen from the key type and
never from the token (no ``none``, no algorithm confusion).  ``kid`` is the DID URL of the
verification method.  Verification returns :class:`JoseVerification`, never raises.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from credentials.dids import DidResolver
from credentials.errors import CredentialError, UnsupportedFormat
from credentials.multikey import PublicKey, SigningKey, b64url, b64url_decode

ALGORITHMS = {"Ed25519": "EdDSA", "P-256": "ES256", "RSA": "RS256"}
VC_JOSE_TYP = "vc+jwt"


@dataclass(frozen=True, slots=True)
class JoseVerification:
    """The answer of verifying a JWS-secured credential."""

    valid: bool
    code: str
    reason: str
    header: Mapping[str, Any] = field(default_factory=dict)
    credential: Mapping[str, Any] = field(default_factory=dict)
    claims: Mapping[str, Any] = field(default_factory=dict)
    verification_method: str | None = None


def _compact(header: Mapping[str, Any], payload: Mapping[str, Any], key: SigningKey) -> str:
    def part(value: Mapping[str, Any]) -> str:
        return b64url(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())

    signing_input = f"{part(header)}.{part(payload)}"
    return f"{signing_input}.{b64url(key.sign(signing_input.encode()))}"


def sign_vc_jose(credential: Mapping[str, Any], key: SigningKey) -> str:
    """Secure a VC 2.0 credential as ``vc+jwt`` (VC-JOSE-COSE): the credential is the claims set."""
    header = {"alg": ALGORITHMS[key.public.algorithm], "kid": key.verification_method, "typ": VC_JOSE_TYP, "cty": "vc"}
    return _compact(header, credential, key)


def sign_vc_jwt(credential: Mapping[str, Any], key: SigningKey) -> str:
    """Secure an Open Badges 3.0 credential as a VC-JWT (OB 3.0 §8.2)."""
    claims: dict[str, Any] = {"vc": dict(credential), "iss": issuer_id(credential)}
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping) and isinstance(subject.get("id"), str):
        claims["sub"] = subject["id"]
    if isinstance(credential.get("id"), str):
        claims["jti"] = credential["id"]
    for claim, member in (("nbf", "validFrom"), ("exp", "validUntil")):
        if isinstance(credential.get(member), str):
            claims[claim] = numeric_date(credential[member])
    header = {"alg": ALGORITHMS[key.public.algorithm], "kid": key.verification_method, "typ": "JWT"}
    return _compact(header, claims, key)


def issuer_id(credential: Mapping[str, Any]) -> str:
    """The issuer's id, whether ``issuer`` is a string or a Profile object."""
    issuer = credential.get("issuer")
    return str(issuer.get("id", "")) if isinstance(issuer, Mapping) else str(issuer or "")


def numeric_date(value: str) -> int:
    """An xsd:dateTime as a JWT NumericDate (seconds since the epoch)."""
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError as err:
        raise UnsupportedFormat(f"{value!r} is not a date and time") from err


def decode(token: str) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """Split a compact JWS into (header, payload, signing input, signature) without verifying."""
    parts = token.strip().split(".") if isinstance(token, str) else []
    if len(parts) != 3:
        raise UnsupportedFormat("not a compact JWS (three base64url parts)")
    try:
        header, payload = (json.loads(b64url_decode(p)) for p in parts[:2])
    except (ValueError, CredentialError) as err:
        raise UnsupportedFormat("the JWS header or payload is not JSON") from err
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise UnsupportedFormat("the JWS header and payload must be JSON objects")
    return header, payload, f"{parts[0]}.{parts[1]}".encode(), b64url_decode(parts[2])


def verify_jws(token: str, *, resolver: DidResolver) -> JoseVerification:  # noqa: PLR0911
    """Verify a ``vc+jwt`` or an OB 3.0 VC-JWT; never raises on a bad token."""
    try:
        header, payload, signing_input, signature = decode(token)
    except CredentialError as err:
        return JoseVerification(False, "malformed", str(err))
    is_vc_jwt = "vc" in payload and isinstance(payload["vc"], Mapping)
    credential: Mapping[str, Any] = payload["vc"] if is_vc_jwt else payload
    kid = header.get("kid")
    if isinstance(kid, str) and kid.startswith("#"):
        kid = issuer_id(credential) + kid
    if not isinstance(kid, str):
        return JoseVerification(False, "malformed", "The token does not name its key (kid).", header, credential)
    try:
        method = resolver.verification_method(kid)
    except CredentialError as err:
        return JoseVerification(False, "key-unavailable", str(err), header, credential, payload, kid)
    if "assertionMethod" not in method.relationships:
        return JoseVerification(
            False,
            "purpose-not-authorized",
            "The key is not listed under assertionMethod.",
            header,
            credential,
            payload,
            kid,
        )
    if header.get("alg") != _algorithm(method.public_key):
        return JoseVerification(
            False, "wrong-algorithm", "The token's algorithm does not fit its key.", header, credential, payload, kid
        )
    if not method.public_key.verify(signature, signing_input):
        return JoseVerification(
            False, "signature-mismatch", "The signature does not match the content.", header, credential, payload, kid
        )
    mismatch = _claims_mismatch(payload, credential) if is_vc_jwt else None
    if mismatch:
        return JoseVerification(False, "claims-mismatch", mismatch, header, credential, payload, kid)
    return JoseVerification(True, "ok", "The signature matches the content.", header, credential, payload, kid)


def _algorithm(key: PublicKey) -> str:
    return ALGORITHMS[key.algorithm]


def _claims_mismatch(claims: Mapping[str, Any], credential: Mapping[str, Any]) -> str | None:
    """OB 3.0 §8.2.4: the JWT claims must agree with the credential they carry."""
    if claims.get("iss") != issuer_id(credential):
        return "The token's issuer (iss) differs from the credential's issuer."
    if "jti" in claims and "id" in credential and claims["jti"] != credential["id"]:
        return "The token's id (jti) differs from the credential's id."
    subject = credential.get("credentialSubject")
    subject_id = subject.get("id") if isinstance(subject, Mapping) else None
    if "sub" in claims and subject_id is not None and claims["sub"] != subject_id:
        return "The token's subject (sub) differs from the credential's subject."
    return None
