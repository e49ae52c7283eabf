"""The tool's RSA signing keys: generated on first start, encrypted at rest, rotated with a grace period.

The JWKS (RFC 7517) lists the active key and every retired key whose grace period has not ended, so
platforms that cached an older kid can still verify client assertions and deep-linking responses.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import ToolKey
from bridge.models.base import utcnow
from bridge.services.secrets_box import SecretBox

PURPOSE = "tool-key"


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    alg: str
    private_pem: str
    public_pem: str


def _b64u_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(public_pem: str, kid: str, alg: str = "RS256") -> dict[str, Any]:
    key = serialization.load_pem_public_key(public_pem.encode())
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("tool keys are RSA keys")
    numbers = key.public_numbers()
    return {"kty": "RSA", "alg": alg, "use": "sig", "kid": kid, "e": _b64u_uint(numbers.e), "n": _b64u_uint(numbers.n)}


def _thumbprint_kid(jwk: dict[str, Any]) -> str:
    # RFC 7638 JWK thumbprint: stable, derived from the key itself.
    canonical = '{"e":"' + jwk["e"] + '","kty":"RSA","n":"' + jwk["n"] + '"}'
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def generate_key(session: Session, box: SecretBox, *, size: int = 2048) -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=size)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    kid = _thumbprint_kid(public_jwk(public_pem, "tmp"))
    key = ToolKey(kid=kid, public_pem=public_pem, private_encrypted=box.encrypt(private_pem, purpose=PURPOSE))
    session.add(key)
    return key


def active_key_row(session: Session) -> ToolKey | None:
    return session.scalars(
        select(ToolKey).where(ToolKey.retired_at.is_(None)).order_by(ToolKey.id.desc()).limit(1)
    ).first()


def ensure_active_key(session: Session, box: SecretBox, *, size: int = 2048) -> ToolKey:
    """Return the active key, generating the first one on first start."""
    key = active_key_row(session)
    if key is None:
        key = generate_key(session, box, size=size)
        session.commit()
    return key


def signing_key(session: Session, box: SecretBox) -> SigningKey:
    key = active_key_row(session)
    if key is None:
        raise LookupError("the tool has no signing key yet; run `bridge keys rotate` or start the app once")
    private_pem = box.decrypt(key.private_encrypted, purpose=PURPOSE).decode()
    return SigningKey(kid=key.kid, alg=key.alg, private_pem=private_pem, public_pem=key.public_pem)


def rotate(
    session: Session, box: SecretBox, *, grace: timedelta, size: int = 2048, now: datetime | None = None
) -> ToolKey:
    """Publish a new active key; the previous one stays in the JWKS for ``grace``."""
    now = now or utcnow()
    for old in session.scalars(select(ToolKey).where(ToolKey.retired_at.is_(None))):
        old.retired_at = now
        old.expires_at = now + grace
    key = generate_key(session, box, size=size)
    session.commit()
    return key


def jwks(session: Session, *, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    rows = session.scalars(select(ToolKey).order_by(ToolKey.id.desc())).all()
    published = [k for k in rows if k.retired_at is None or (k.expires_at is not None and k.expires_at > now)]
    return {"keys": [public_jwk(k.public_pem, k.kid, k.alg) for k in published]}


def list_keys(session: Session) -> list[ToolKey]:
    return list(session.scalars(select(ToolKey).order_by(ToolKey.id)))
