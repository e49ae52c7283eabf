"""Award -> unsigned Open Badges 3.0 ``OpenBadgeCredential`` (VC Data Model 2.0).

OB 3.0 §B.1: ``credentialSubject`` is an ``AchievementSubject`` identified by ``id`` (a DID) and/or
``identifier`` (``IdentityObject``; §B.1.14: ``identityHash`` = "sha256$" + hex SHA-256 of the e-mail followed
by the ``salt``).  The extensions context is always listed so that ``credentialSchema`` with
``1EdTechJsonSchemaValidator2019`` stays defined; our context carries the Annex I elements OB3 lacks.
The result is unsigned: the proof modules sign it.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from credentials.achievement import MC_CONTEXT_URL, Json, issuer_profile, ob3_achievement
from credentials.microcredential import MicroCredentialRecord, validate
from credentials.record_errors import InvalidRecord, Problem

CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json", MC_CONTEXT_URL]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Evidence of the learning (OB3 ``Evidence``): a URL or narrative the learner may show."""

    name: str
    url: str | None = None
    narrative: str | None = None
    genre: str | None = None


@dataclass(frozen=True, slots=True)
class Ob3Options:
    """Everything the credential needs besides the record."""

    credential_id: str
    issuer_id: str
    achievement_id: str
    valid_until: datetime | None = None
    evidence: Sequence[Evidence] = ()
    status: Sequence[Json] = ()
    salt: str | None = None


def hashed_email(email: str, salt: str | None = None) -> Json:
    """An OB3 ``IdentityObject`` for an e-mail address, hashed with a (random unless given) salt."""
    salt = salt if salt is not None else secrets.token_hex(16)
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return {"type": "IdentityObject", "identityHash": f"sha256${digest}", "identityType": "emailAddress",
            "hashed": True, "salt": salt}


def _timestamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _subject(record: MicroCredentialRecord, opts: Ob3Options, achievement: Json) -> Json:
    subject: Json = {"type": ["AchievementSubject"]}
    if record.learner.did:
        subject["id"] = record.learner.did
    if record.learner.email:
        subject["identifier"] = [hashed_email(record.learner.email, opts.salt)]
    subject["achievement"] = achievement
    if record.grade:
        subject["result"] = [{"type": ["Result"], "resultDescription": f"{opts.achievement_id}#grade",
                              "value": record.grade}]
    subject["creditsEarned"] = float(record.template.ects)
    return subject


def _evidence(items: Sequence[Evidence]) -> list[Json]:
    out: list[Json] = []
    for item in items:
        node: Json = {"type": ["Evidence"], "name": item.name}
        for key in ("url", "narrative", "genre"):
            if getattr(item, key):
                node["id" if key == "url" else key] = getattr(item, key)
        out.append(node)
    return out


def build_ob3(record: MicroCredentialRecord, opts: Ob3Options) -> Json:
    """The unsigned ``OpenBadgeCredential`` for an award; :class:`InvalidRecord` on any Annex I fault."""
    problems = validate(record)
    if not (record.learner.did or record.learner.email):
        problems.append(Problem("learner", "missing", "An Open Badge needs the learner's DID or e-mail."))
    if problems:
        raise InvalidRecord(problems)
    t = record.template
    lang = t.default_language
    issuer = issuer_profile(t.awarding_bodies[0], opts.issuer_id, lang)
    achievement = ob3_achievement(t, opts.achievement_id, issuer)
    if len(t.awarding_bodies) > 1:
        achievement["awardingBody"] = [issuer_profile(org, f"{opts.issuer_id}#awarding-body-{i}", lang)
                                       for i, org in enumerate(t.awarding_bodies[1:], 2)]
    credential: Json = {
        "@context": list(CONTEXTS), "id": opts.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": t.title.text(lang),
        "issuer": issuer, "validFrom": _timestamp(record.issued), "awardedDate": _timestamp(record.issued),
        "credentialSubject": _subject(record, opts, achievement),
    }
    if opts.valid_until:
        credential["validUntil"] = _timestamp(opts.valid_until)
    if opts.evidence:
        credential["evidence"] = _evidence(opts.evidence)
    if opts.status:
        credential["credentialStatus"] = list(opts.status) if len(opts.status) > 1 else dict(opts.status[0])
    return credential
