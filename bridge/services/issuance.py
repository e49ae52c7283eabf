"""Issue one credential: micro-credential record + recipient → signed credential, stored exactly as signed.

Formats (credentials.sign): ``ob3-rdfc`` (Data Integrity eddsa-rdfc-2022, the one OB 3.0 certification
needs), ``ob3-jcs`` (eddsa-jcs-2022), ``ob3-jwt`` (OB 3.0 §8.2 VC-JWT) and ``vc-jose`` (VC-JOSE-COSE
``vc+jwt``), ES256 by default or RS256.  Each credential gets a revocation entry (Bitstring Status List,
random index) allocated in the same transaction that stores it: a failure leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import IssuedCredential, Issuer
from bridge.services import issuers as issuer_service
from bridge.services import status_lists
from bridge.services.credential_contexts import canonicalizer
from bridge.services.secrets_box import SecretBox
from credentials.microcredential import Learner, MicroCredentialRecord, to_json
from credentials.ob3_builder import Evidence, Ob3Options, build_ob3
from credentials.sign import FORMATS, sign_credential
from credentials.status_list import status_entry

MEDIA_TYPES = {"ob3-rdfc": "application/vc", "ob3-jcs": "application/vc", "ob3-jwt": "application/jwt",
               "vc-jose": "application/vc+jwt"}
ISSUABLE = (*FORMATS, "edc")


class IssuanceError(Exception):
    """The credential cannot be issued as asked; the message says what to change."""


@dataclass(frozen=True, slots=True)
class IssueOptions:
    """How to issue: format, the tool's public URL, and the optional parts of the credential."""

    fmt: str
    base_url: str
    jose_key_type: str | None = None  # "RSA" for RS256; ES256 (P-256) otherwise
    evidence: tuple[Evidence, ...] = ()
    valid_until: datetime | None = None
    achievement_id: str | None = None
    source: str = ""


def learner_for(recipient: str, name: str | None = None) -> Learner:
    """A learner identified by a DID (``did:…``) or an e-mail address (hashed into the credential)."""
    value = recipient.strip()
    if value.startswith("did:"):
        return Learner(name=name, did=value)
    if "@" in value:
        return Learner(name=name, email=value)
    raise IssuanceError("Give the recipient as an e-mail address or a DID (did:method:identifier).")


def _achievement_id(base_url: str, record: MicroCredentialRecord) -> str:
    digest = hashlib.sha256(to_json(record.template).encode()).hexdigest()[:16]
    return f"{base_url}/achievements/{digest}"


def issue(
    session: Session, box: SecretBox, issuer: Issuer, record: MicroCredentialRecord, opts: IssueOptions
) -> IssuedCredential:
    """Build, sign and store one credential; commit.  :class:`IssuanceError` on anything unissuable."""
    if opts.fmt == "edc":
        raise IssuanceError("European Digital Credentials (format 'edc') cannot be sealed yet: "
                            "the JAdES e-seal is not available in this version.")
    if opts.fmt not in FORMATS:
        raise IssuanceError(f"Unknown format {opts.fmt!r}; use one of {', '.join(ISSUABLE)}.")
    public_id = uuid.uuid4().hex
    credential_id = f"{opts.base_url}/credentials/{public_id}"
    entry = status_lists.allocate(session, issuer, "revocation")
    status = status_entry(status_lists.list_url(opts.base_url, entry.status_list), entry.list_index, "revocation")
    unsigned = build_ob3(record, Ob3Options(
        credential_id=credential_id, issuer_id=issuer.did,
        achievement_id=opts.achievement_id or _achievement_id(opts.base_url, record),
        valid_until=opts.valid_until, evidence=opts.evidence, status=(status,)))
    key = issuer_service.signing_key(box, issuer, opts.fmt, key_type=opts.jose_key_type)
    signed = sign_credential(unsigned, key, opts.fmt, canonicalizer=canonicalizer())
    content = signed if isinstance(signed, str) else json.dumps(signed, ensure_ascii=False, indent=2)
    issued = IssuedCredential(public_id=public_id, credential_id=credential_id, issuer_id=issuer.id, format=opts.fmt,
                              media_type=MEDIA_TYPES[opts.fmt], content=content, source=opts.source[:255],
                              status_reason="")
    session.add(issued)
    session.flush()
    entry.credential_id = issued.id
    session.commit()
    return issued


def by_public_id(session: Session, public_id: str) -> IssuedCredential | None:
    return session.scalars(select(IssuedCredential).where(IssuedCredential.public_id == public_id)).first()


def find(session: Session, reference: str) -> IssuedCredential | None:
    """An issued credential by public id, by its public link, or by the credential's own ``id``."""
    ref = reference.strip()
    found = by_public_id(session, ref.rstrip("/").rsplit("/", 1)[-1])
    if found is None:
        found = session.scalars(select(IssuedCredential).where(IssuedCredential.credential_id == ref)).first()
    return found
