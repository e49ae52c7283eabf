"""Verify a credential in any supported format and explain the answer in plain words.

Follows VC Data Model 2.0 §7.1 "Verification" (and §4.9 validity period; VC 1.1 §4.6/4.7
issuanceDate/expirationDate), Data Integrity 1.0 §4.4 "Verify Proof" with the EdDSA suites,
VC-JOSE-COSE §3 and OB 3.0 §8.2 for JWTs, Open Badges 3.0 §9 "Verification and Validation"
(issuer controls the key, schema), Bitstring Status List v1.0 §3.3, and for a JAdES-sealed European
Digital Credential the seal (credentials.jades), the EDC SHACL shapes and the dates.  Each step is a
:class:`Check` whose ``detail`` a learner or an employer can read.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from credentials import jades, jose, schema
from credentials.dids import DidResolver
from credentials.errors import CredentialError
from credentials.jsonld import Canonicalizer
from credentials.proofs import ProofVerification, eddsa_jcs_2022, eddsa_rdfc_2022
from credentials.status_list import check_status

FetchStatusList = Callable[[str], Mapping[str, Any] | str]
PLAIN = {
    "signature-mismatch": "The signature does not match the content: the credential was changed after it was issued.",
    "key-unavailable": "The issuer's signing key could not be found, so the signature cannot be checked.",
    "purpose-not-authorized": "The key that signed the credential is not one the issuer uses to issue credentials.",
    "undefined-term": "The credential contains information its vocabulary does not define, so no signature covers it.",
    "proof-expired": "The signature has expired.",
    "wrong-algorithm": "The signature uses a method that does not fit the issuer's key.",
    "claims-mismatch": "The signed envelope and the credential inside it disagree about its issuer or holder.",
}


@dataclass(frozen=True, slots=True)
class Check:
    """One verification step: its name, whether it passed, and why, in plain words."""

    check: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """All checks; ``valid`` only when every one passed."""

    valid: bool
    checks: list[Check]
    format: str = "unknown"

    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def verify_credential(
    doc_or_jwt: Mapping[str, Any] | str,
    *,
    resolver: DidResolver,
    fetch_status_list: FetchStatusList | None = None,
    trusted_issuers: Collection[str] | None = None,
    now: datetime | None = None,
    canonicalizer: Canonicalizer | None = None,
) -> VerificationResult:
    """Verify a Data Integrity credential (JSON), a ``vc+jwt``, an OB 3.0 VC-JWT or a sealed EDC."""
    checks: list[Check] = []
    sealed = _sealed_edc(doc_or_jwt)
    if sealed is not None:
        return _verify_sealed_edc(sealed, now or datetime.now(UTC))
    fmt, credential, signers = _verify_signature(doc_or_jwt, resolver, canonicalizer, checks)
    if credential is None:
        return VerificationResult(False, checks, fmt)
    issuer = jose.issuer_id(credential)
    checks.append(_issuer_check(issuer, signers))
    checks.extend(_date_checks(credential, now or datetime.now(UTC)))
    checks.extend(_status_checks(credential, issuer, fetch_status_list, resolver, canonicalizer))
    if schema.is_open_badge(credential):
        errors = schema.ob3_schema_errors(credential)
        detail = (
            f"The credential does not follow the Open Badges 3.0 format ({errors[0]})."
            if errors
            else "The credential follows the Open Badges 3.0 format."
        )
        checks.append(Check("schema", not errors, detail))
    if trusted_issuers is not None:
        known = issuer in trusted_issuers
        checks.append(
            Check(
                "trust",
                known,
                "The issuer is on the list of trusted issuers."
                if known
                else "The issuer is not on the list of trusted issuers.",
            )
        )
    return VerificationResult(all(c.ok for c in checks), checks, fmt)


def _sealed_edc(value: Mapping[str, Any] | str) -> Mapping[str, Any] | None:
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if jades.is_sealed(value) else None  # type: ignore[return-value]


def _verify_sealed_edc(sealed: Mapping[str, Any], now: datetime) -> VerificationResult:
    """A JAdES-sealed European Digital Credential: the seal, the EDC shapes, the validity dates."""
    from credentials.edc_shacl import validate_edc  # pyshacl is loaded only when an EDC comes along

    seal = jades.verify_seal(sealed, now=now)
    checks = [Check("format", True, "The credential is a European Digital Credential with an electronic seal.")]
    detail = seal.detail if seal.code in ("ok", "signature-mismatch") else f"The seal is not valid: {seal.detail}"
    checks.append(Check("proof", seal.valid, detail))
    credential = seal.credential
    if credential is None:
        return VerificationResult(False, checks, "edc-jades")
    try:
        report = validate_edc(credential)
        checks.append(Check("schema", report.conforms, report.summary()))
    except CredentialError as err:
        checks.append(Check("schema", False, f"The credential cannot be checked against the EDC shapes: {err}"))
    checks.extend(_date_checks(credential, now))
    return VerificationResult(all(c.ok for c in checks), checks, "edc-jades")


def _verify_signature(
    value: Mapping[str, Any] | str, resolver: DidResolver, canon: Canonicalizer | None, checks: list[Check]
) -> tuple[str, Mapping[str, Any] | None, list[str]]:
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            value = ""
    if isinstance(value, str):
        answer = jose.verify_jws(value, resolver=resolver)
        if answer.code == "malformed" and not answer.header:
            checks.append(Check("format", False, "This is not a credential this service can read."))
            return "unknown", None, []
        fmt = "vc-jwt" if "vc" in answer.claims else "vc+jwt"
        checks.append(Check("format", True, "The credential is a signed JSON Web Token."))
        checks.append(Check("proof", answer.valid, _plain(answer.code, "The signature matches the content.")))
        return fmt, answer.credential, [answer.verification_method or ""]
    if not isinstance(value, Mapping) or not value.get("proof"):
        checks.append(Check("format", False, "The credential carries no signature."))
        return "unknown", None, []
    proofs = value["proof"] if isinstance(value["proof"], list) else [value["proof"]]
    results = [_verify_one(value, p, resolver, canon) for p in proofs]
    fmt = str(proofs[0].get("cryptosuite", "unknown")) if isinstance(proofs[0], Mapping) else "unknown"
    checks.append(Check("format", True, "The credential carries an embedded Data Integrity signature."))
    bad = [r for r in results if not r.valid]
    checks.append(Check("proof", not bad, _plain(bad[0].code if bad else "ok", "The signature matches the content.")))
    return fmt, value, [r.verification_method or "" for r in results]


def _verify_one(
    secured: Mapping[str, Any], proof: Any, resolver: DidResolver, canon: Canonicalizer | None
) -> ProofVerification:
    suite = proof.get("cryptosuite") if isinstance(proof, Mapping) else None
    if suite == eddsa_rdfc_2022.CRYPTOSUITE:
        return eddsa_rdfc_2022.verify_proof(secured, resolver=resolver, proof=proof, canonicalizer=canon)
    if suite == eddsa_jcs_2022.CRYPTOSUITE:
        return eddsa_jcs_2022.verify_proof(secured, resolver=resolver, proof=proof)
    return ProofVerification(False, "unsupported", "The signature uses a method this service does not support.")


def _plain(code: str, ok_text: str) -> str:
    if code == "ok":
        return ok_text
    return PLAIN.get(code, "The signature is not in a form this service can check.")


def _issuer_check(issuer: str, signers: list[str]) -> Check:
    """OB 3.0 §9: the key must belong to (be controlled by) the issuer the credential names."""
    owned = bool(issuer) and all(s.split("#", 1)[0] == issuer for s in signers)
    if owned:
        return Check("issuer", True, "The credential was signed with a key that belongs to its issuer.")
    return Check("issuer", False, "The credential was signed with a key that does not belong to the issuer it names.")


def _date_checks(credential: Mapping[str, Any], now: datetime) -> list[Check]:
    start = credential.get("validFrom", credential.get("issuanceDate"))
    end = credential.get("validUntil", credential.get("expirationDate"))
    checks: list[Check] = []
    for value, name in ((start, "valid_from"), (end, "valid_until")):
        if value is None:
            continue
        moment = _parse(value)
        if moment is None:
            checks.append(Check(name, False, f"The date {value!r} in the credential is not a valid date."))
        elif name == "valid_from" and moment > now:
            checks.append(Check(name, False, f"The credential is not valid yet: it becomes valid on {_day(moment)}."))
        elif name == "valid_until" and moment < now:
            checks.append(Check(name, False, f"The credential expired on {_day(moment)}."))
        else:
            checks.append(Check(name, True, "The credential is within its validity period."))
    return checks


def _status_checks(
    credential: Mapping[str, Any],
    issuer: str,
    fetch: FetchStatusList | None,
    resolver: DidResolver,
    canon: Canonicalizer | None,
) -> list[Check]:
    entries = credential.get("credentialStatus") or []
    checks = []
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, Mapping) or entry.get("type") != "BitstringStatusListEntry":
            continue
        purpose = str(entry.get("statusPurpose", "revocation"))
        if fetch is None:
            checks.append(Check("status", True, f"The {purpose} status was not checked (no status source given)."))
            continue
        checks.append(_one_status(entry, purpose, issuer, fetch, resolver, canon))
    return checks


def _one_status(
    entry: Mapping[str, Any],
    purpose: str,
    issuer: str,
    fetch: FetchStatusList,
    resolver: DidResolver,
    canon: Canonicalizer | None,
) -> Check:
    unknown = Check("status", False, f"The {purpose} status could not be checked: the issuer's list is unavailable.")
    try:
        fetched = fetch(str(entry.get("statusListCredential")))
    except Exception:  # the injected fetch's own errors: the status is simply unknown
        return unknown
    listed = verify_credential(fetched, resolver=resolver, canonicalizer=canon)
    list_credential = _credential_of(fetched)
    if not listed.valid or list_credential is None or jose.issuer_id(list_credential) != issuer:
        return unknown
    try:
        result = check_status(entry, list_credential)
    except CredentialError:
        return unknown
    if not result.set:
        return Check("status", True, f"The issuer has not marked the credential for {purpose}.")
    word = "revoked" if purpose == "revocation" else "suspended"
    return Check("status", False, f"The issuer has {word} this credential.")


def _credential_of(fetched: Mapping[str, Any] | str) -> Mapping[str, Any] | None:
    if isinstance(fetched, Mapping):
        return fetched
    try:
        payload = jose.decode(fetched)[1]
    except CredentialError:
        return None
    vc = payload.get("vc")
    return vc if isinstance(vc, Mapping) else payload


def _parse(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(moment: datetime) -> str:
    return moment.strftime("%d %B %Y")
