"""Proof of possession for OpenID4VCI credential requests: ``openid4vci-proof+jwt`` (OpenID4VCI 1.0 §F.1).

The proof must be signed by the holder's key, named by ``kid`` (a did:key or did:jwk DID URL) or given as a
``jwk`` header; ``aud`` must be this Credential Issuer, ``iat`` recent, ``nonce`` a fresh ``c_nonce`` used
once.  The answer is the holder's DID, which becomes ``credentialSubject.id``.  Problems with the nonce are
``invalid_nonce`` (1.0; the answer carries a fresh ``c_nonce`` for draft 13 wallets), all others ``invalid_proof``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bridge.services.wallet_offers import WalletError
from credentials import jose
from credentials.dids import DidResolver
from credentials.errors import CredentialError
from credentials.multikey import PublicKey, b64url, b64url_decode, public_key_from_jwk

PROOF_TYP = "openid4vci-proof+jwt"
ALGORITHMS = frozenset(jose.ALGORITHMS.values())  # EdDSA, ES256, RS256: no "none", no MACs


@dataclass(frozen=True, slots=True)
class Holder:
    did: str
    public_key: PublicKey


def _bad(description: str) -> WalletError:
    return WalletError("invalid_proof", description)


def did_jwk_for(jwk: dict[str, Any]) -> str:
    public = {k: jwk[k] for k in ("crv", "e", "kty", "n", "x", "y") if k in jwk}
    return "did:jwk:" + b64url(json.dumps(public, separators=(",", ":"), sort_keys=True).encode())


def _holder_key(header: dict[str, Any]) -> Holder:
    kid, jwk = header.get("kid"), header.get("jwk")
    if (kid is None) == (jwk is None) or "x5c" in header:
        raise _bad("The proof must name its key by exactly one of 'kid' (did:key, did:jwk) or 'jwk'.")
    try:
        if isinstance(jwk, dict):
            if "d" in jwk:
                raise _bad("The proof's jwk header contains a private key.")
            return Holder(did_jwk_for(jwk), public_key_from_jwk(jwk))
        if isinstance(kid, str) and kid.startswith("did:jwk:"):
            did = kid.split("#", 1)[0]
            return Holder(did, public_key_from_jwk(json.loads(b64url_decode(did.removeprefix("did:jwk:")))))
        if isinstance(kid, str) and kid.startswith("did:key:"):
            return Holder(kid.split("#", 1)[0], DidResolver().verification_method(kid).public_key)
    except (CredentialError, ValueError) as err:
        raise _bad(f"The proof's key cannot be read: {err}") from err
    raise _bad("The proof's kid must be a did:key or did:jwk DID URL.")


def check_proof(jwt: Any, *, audience: str, consume_nonce: Callable[[str], bool], max_age: int = 300,
                now: datetime | None = None) -> Holder:
    """Validate one proof JWT; return the holder or raise :class:`WalletError`."""
    if not isinstance(jwt, str):
        raise _bad("The proof JWT is missing.")
    try:
        header, claims, signing_input, signature = jose.decode(jwt)
    except CredentialError as err:
        raise _bad(f"The proof is not a JWT: {err}") from err
    # Some draft-13 wallets omit typ; a wrong one is refused.
    if header.get("typ", PROOF_TYP) != PROOF_TYP:
        raise _bad(f"The proof's typ must be {PROOF_TYP}.")
    holder = _holder_key(header)
    if header.get("alg") not in ALGORITHMS or header.get("alg") != jose.ALGORITHMS[holder.public_key.algorithm]:
        raise _bad("The proof's algorithm is not allowed or does not fit its key.")
    if not holder.public_key.verify(signature, signing_input):
        raise _bad("The proof's signature does not match its key.")
    aud = claims.get("aud")
    if audience not in (aud if isinstance(aud, list) else [aud]):
        raise _bad("The proof's audience (aud) is not this credential issuer.")
    _check_iat(claims.get("iat"), max_age, now or datetime.now(UTC))
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not consume_nonce(nonce):
        raise WalletError("invalid_nonce", "The proof's nonce is missing, unknown, expired or already used; "
                                           "get a fresh one from the nonce endpoint.")
    return holder


def _check_iat(iat: Any, max_age: int, now: datetime) -> None:
    if not isinstance(iat, int | float) or isinstance(iat, bool):
        raise _bad("The proof has no issued-at time (iat).")
    age = now.timestamp() - float(iat)
    if age > max_age or age < -60:
        raise _bad("The proof's issued-at time (iat) is not recent.")
