"""Issuer identities: DIDs, keys per algorithm, rotation, DID documents.

did:web (W3C did:web Method §3.2): the instance's default issuer is ``did:web:<host>`` (its document at
``/.well-known/did.json``), every other issuer ``did:web:<host>:issuers:<slug>`` (``/issuers/<slug>/did.json``).
did:key (v0.9 §3.1): the DID *is* the Ed25519 key, so such an issuer signs everything with that key and
cannot rotate.  Keys: Ed25519 as Multikey (Data Integrity eddsa-*), P-256 (ES256) and RSA (RS256) as
JsonWebKey (DID Core §5.2, Controlled Identifiers §2.2).  Private keys are PKCS#8 encrypted by
:class:`SecretBox`.  Rotation retires a key (it signs nothing new) but keeps it in the DID document under
assertionMethod, so every credential it signed still verifies.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import Issuer, IssuerKey
from bridge.models.base import utcnow
from bridge.models.issuers import DEFAULT_SLUG, DID_METHODS, KEY_TYPES
from bridge.services.secrets_box import SecretBox
from credentials.dids import VerificationMethod, did_document, did_key_for, did_web_for
from credentials.multikey import (
    PrivateKey,
    PublicKey,
    SigningKey,
    generate_ed25519,
    generate_p256,
    generate_rsa,
    public_key_from_jwk,
)

PURPOSE = "credential-issuer-key"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# Which key signs which format: Data Integrity needs Ed25519; JOSE uses ES256 unless RS256 is asked for.
FORMAT_KEY_TYPES = {"ob3-rdfc": "Ed25519", "ob3-jcs": "Ed25519", "ob3-jwt": "P-256", "vc-jose": "P-256"}


class IssuerError(Exception):
    """An issuer cannot be created, found or rotated; the message says what to change."""


def _generate(key_type: str) -> PrivateKey:
    if key_type == "Ed25519":
        return generate_ed25519()
    if key_type == "P-256":
        return generate_p256()
    return generate_rsa(2048)


def _thumbprint(jwk: dict[str, str]) -> str:
    # RFC 7638: the required members in lexicographic order, no whitespace.
    members = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}[jwk["kty"]]
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def _method_id(did: str, method: str, public: PublicKey) -> str:
    if method == "key":
        return f"{did}#{public.multibase}"
    fragment = public.multibase if public.algorithm == "Ed25519" else _thumbprint(public.jwk())
    return f"{did}#{fragment}"


def _add_key(box: SecretBox, issuer: Issuer, key_type: str, private: PrivateKey | None = None) -> IssuerKey:
    private = private or _generate(key_type)
    public = PublicKey(private.public_key())
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key = IssuerKey(key_type=key_type, verification_method=_method_id(issuer.did, issuer.did_method, public),
                    public_jwk=public.jwk(), private_encrypted=box.encrypt(pem, purpose=PURPOSE), notes="")
    issuer.keys.append(key)
    return key


def create_issuer(
    session: Session,
    box: SecretBox,
    *,
    slug: str,
    name: str,
    base_url: str,
    did_method: str = "web",
    url: str = "",
    country: str = "",
    registration_id: int | None = None,
) -> Issuer:
    """A new issuer with an Ed25519, a P-256 and an RSA key (did:key: one Ed25519 key, the DID itself)."""
    if not _SLUG.match(slug):
        raise IssuerError("An issuer's short name may use lower-case letters, digits and '-' (at most 63).")
    if did_method not in DID_METHODS:
        raise IssuerError(f"The DID method must be one of {', '.join(DID_METHODS)}.")
    if session.scalars(select(Issuer).where(Issuer.slug == slug)).first() is not None:
        raise IssuerError(f"An issuer called {slug!r} exists already.")
    if did_method == "key":
        private = generate_ed25519()
        issuer = Issuer(slug=slug, name=name, url=url, country=country.upper(), did_method="key",
                        did=did_key_for(PublicKey(private.public_key())), registration_id=registration_id)
        _add_key(box, issuer, "Ed25519", private)
    else:
        path = None if slug == DEFAULT_SLUG else f"issuers/{slug}"
        issuer = Issuer(slug=slug, name=name, url=url, country=country.upper(), did_method="web",
                        did=did_web_for(base_url, path), registration_id=registration_id)
        for key_type in KEY_TYPES:
            _add_key(box, issuer, key_type)
    session.add(issuer)
    session.commit()
    return issuer


def ensure_default_issuer(
    session: Session, box: SecretBox, *, base_url: str, name: str, did_method: str = "web", url: str = "",
    country: str = ""
) -> Issuer:
    """The instance's default issuer, created (with its keys) on first use."""
    issuer = by_slug(session, DEFAULT_SLUG)
    if issuer is None:
        issuer = create_issuer(session, box, slug=DEFAULT_SLUG, name=name, base_url=base_url,
                               did_method=did_method, url=url, country=country)
    return issuer


def by_slug(session: Session, slug: str) -> Issuer | None:
    return session.scalars(select(Issuer).where(Issuer.slug == slug)).first()


def by_did(session: Session, did: str) -> Issuer | None:
    return session.scalars(select(Issuer).where(Issuer.did == did.split("#", 1)[0])).first()


def list_issuers(session: Session) -> list[Issuer]:
    return list(session.scalars(select(Issuer).order_by(Issuer.id)))


def active_key(issuer: Issuer, key_type: str) -> IssuerKey:
    """The newest key of ``key_type`` that is not retired (did:key issuers: always their one key)."""
    if issuer.did_method == "key":
        key_type = "Ed25519"
    for key in reversed(issuer.keys):
        if key.key_type == key_type and key.retired_at is None:
            return key
    raise IssuerError(f"The issuer {issuer.slug!r} has no active {key_type} key; rotate its keys.")


def signing_key(box: SecretBox, issuer: Issuer, fmt: str, *, key_type: str | None = None) -> SigningKey:
    """The decrypted key that signs ``fmt`` (``key_type`` "RSA" for RS256 JOSE)."""
    row = active_key(issuer, key_type or FORMAT_KEY_TYPES.get(fmt, "Ed25519"))
    private = serialization.load_pem_private_key(box.decrypt(row.private_encrypted, purpose=PURPOSE), None)
    return SigningKey(private, row.verification_method)  # type: ignore[arg-type]


def rotate(
    session: Session, box: SecretBox, issuer: Issuer, *, key_types: tuple[str, ...] = KEY_TYPES,
    now: datetime | None = None
) -> list[IssuerKey]:
    """Retire the active keys of ``key_types`` and add fresh ones; retired keys stay in the DID document."""
    if issuer.did_method == "key":
        raise IssuerError("A did:key issuer cannot rotate: its key is its identifier. Create a new issuer.")
    moment = now or utcnow()
    for key in issuer.keys:
        if key.key_type in key_types and key.retired_at is None:
            key.retired_at = moment
    added = [_add_key(box, issuer, key_type) for key_type in key_types]
    session.commit()
    return added


def verification_methods(issuer: Issuer) -> list[VerificationMethod]:
    """Every key the issuer ever used (active and retired), as DID document entries."""
    methods = []
    for key in issuer.keys:
        public = public_key_from_jwk(dict(key.public_jwk))
        kind = "Multikey" if key.key_type == "Ed25519" else "JsonWebKey"
        methods.append(VerificationMethod(key.verification_method, issuer.did, public, type=kind))
    return methods


def did_document_for(issuer: Issuer) -> dict[str, Any]:
    """The issuer's DID document (did:web documents are served; did:key ones are derived by anyone)."""
    return did_document(issuer.did, verification_methods(issuer))
