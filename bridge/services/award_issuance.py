"""Issuance of pending awards: a signed Open Badge 3.0 credential for each active award that has none yet.

An award is *pending* while it is active, not expired, and no credential was issued for it (issued credentials
name their award in ``source = "award:<id>"``, as wallet and EDC deliveries do). The credential is an
``OpenBadgeCredential`` (OB 3.0 §8, VC Data Model 2.0) signed with the tenant-independent default issuer in
``ISSUANCE_FORMAT`` (``ob3-rdfc`` by default: Data Integrity eddsa-rdfc-2022), its recipient the learner's
e-mail address as the platform sent it (hashed and salted in ``credentialSubject.identifier``, OB 3.0
§B.1.2 IdentityObject). Learners whose platform withholds e-mail addresses are left to the wallet flow, which
binds the credential to their DID (``waiting_for_wallet``).

Exactly once: the caller holds the job lease of the course or of its shard (``bridge.jobs``; a shard is the
awards whose id is k modulo n), each credential is signed and stored in its own transaction
(``issuance.issue``), and an award is re-checked just before it is issued, so a run that stops half-way is
simply run again. Revocation indices are reserved in blocks (``status_lists.reserve``) and the issuer's key
decrypted once per run: what is left per credential is building, signing and one insert.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import BindParameter, bindparam, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.models import Award, IssuedCredential, Issuer, LmsUser, TemplateVersion
from bridge.models.base import utcnow
from bridge.services import issuance, status_lists, verification
from bridge.services import issuers as issuer_service
from bridge.services.secrets_box import SecretBox
from credentials import microcredential as mc
from credentials.errors import CredentialError
from credentials.multikey import SigningKey
from credentials.record_errors import RecordError
from credentials.sign import FORMATS as SIGN_FORMATS

DEFAULT_FORMAT = "ob3-rdfc"
INDEX_BLOCK = 50  # revocation indices reserved per short transaction (status_lists.reserve)
Shard = tuple[int, int]  # (k, n): the awards whose id is k modulo n


@dataclass
class IssueReport:
    issued: int = 0
    waiting_for_wallet: int = 0
    failed: int = 0
    errors: list[str] | None = None

    def as_counts(self) -> dict[str, Any]:
        return {"issued": self.issued, "waiting_for_wallet": self.waiting_for_wallet, "failed": self.failed,
                **({"errors": self.errors[:20]} if self.errors else {})}


def _source(award_id: int) -> str:
    return f"award:{award_id}"


def _pending_query(now: datetime | BindParameter[datetime]) -> Any:
    issued = exists().where(IssuedCredential.source == ("award:" + Award.id.cast(IssuedCredential.source.type)))
    return select(Award.id).where(Award.status == "active", ~issued,
                                  or_(Award.valid_until.is_(None), Award.valid_until > now))


@cache
def _still_pending() -> Any:
    """The award and its learner if the award is still pending (built once: it runs once per credential)."""
    return (_pending_query(bindparam("now")).with_only_columns(Award, LmsUser)
            .join(LmsUser, LmsUser.id == Award.user_id).where(Award.id == bindparam("award_id")))


def pending_awards(session: Session, course_pk: int | None = None, *, now: datetime | None = None) -> list[int]:
    """Ids of the pending awards (of one course, or of every course), oldest first."""
    query = _pending_query(now or utcnow())
    if course_pk is not None:
        query = query.where(Award.course_id == course_pk)
    return list(session.scalars(query.order_by(Award.id)))


def courses_with_pending(session: Session, *, now: datetime | None = None) -> list[int]:
    """Courses that have pending awards (the issuance job's fan-out list)."""
    query = _pending_query(now or utcnow()).with_only_columns(Award.course_id).where(Award.course_id.is_not(None))
    return sorted({pk for pk in session.scalars(query.distinct()) if pk is not None})


def _template(session: Session, version_id: int) -> mc.MicroCredentialTemplate:
    """The parsed template version, parsed once per session (versions never change once stored)."""
    cache: dict[int, mc.MicroCredentialTemplate] = session.info.setdefault("issuance_templates", {})
    if version_id not in cache:
        cache[version_id] = mc.from_json(session.get_one(TemplateVersion, version_id).body)
    return cache[version_id]


def default_issuer(session: Session, box: SecretBox, config: Mapping[str, Any]) -> Issuer:
    """The instance's issuer; created on first use, also when two workers get there at the same moment."""
    try:
        return verification.default_issuer(session, box, config)
    except IntegrityError:
        session.rollback()  # the other worker created it first: use theirs
        return verification.default_issuer(session, box, config)


def issue_award(session: Session, box: SecretBox, config: Mapping[str, Any], award_id: int,
                *, now: datetime | None = None, issuer: Issuer | None = None,
                reserved: status_lists.ReservedIndex | None = None,
                key: SigningKey | None = None) -> IssuedCredential | None:
    """Issue the award's credential if it is still pending and the learner has an e-mail; None otherwise."""
    found = session.execute(_still_pending(), {"now": now or utcnow(), "award_id": award_id}).first()
    if found is None:
        return None  # issued meanwhile (another path), revoked or expired
    award, user = found
    if not user.email:
        return None
    record = mc.MicroCredentialRecord(_template(session, award.template_version_id),
                                      mc.Learner(name=user.name, email=user.email), award.awarded_at, None)
    issuer = issuer or default_issuer(session, box, config)
    options = issuance.IssueOptions(fmt=_format(config), base_url=str(config["BASE_URL"]),
                                    valid_until=award.valid_until, source=_source(award.id))
    return issuance.issue(session, box, issuer, record, options, reserved=reserved, key=key)


def _format(config: Mapping[str, Any]) -> str:
    return str(config.get("ISSUANCE_FORMAT") or DEFAULT_FORMAT)


def issue_pending(session: Session, box: SecretBox, config: Mapping[str, Any], course_pk: int | None = None,
                  *, now: datetime | None = None, shard: Shard | None = None) -> IssueReport:
    """Issue every pending award of the course (or of every course); one transaction per credential.

    ``shard`` (k, n) limits the run to awards whose id is k modulo n, so n workers can share a course.
    Revocation indices are reserved in blocks and the signing key decrypted once per run.
    """
    report = IssueReport()
    query = _pending_query(now or utcnow()).add_columns(LmsUser.email.is_not(None)).join(
        LmsUser, LmsUser.id == Award.user_id)
    if course_pk is not None:
        query = query.where(Award.course_id == course_pk)
    if shard is not None:
        query = query.where(Award.id % shard[1] == shard[0])
    rows = session.execute(query.order_by(Award.id)).all()
    to_issue = [award_id for award_id, has_email in rows if has_email]
    report.waiting_for_wallet = len(rows) - len(to_issue)
    if not to_issue:
        return report
    issuer = default_issuer(session, box, config)
    fmt = _format(config)
    key = issuer_service.signing_key(box, issuer, fmt) if fmt in SIGN_FORMATS else None
    reserved: list[status_lists.ReservedIndex] = []
    try:
        for position, award_id in enumerate(to_issue):
            if not reserved and fmt != "edc":
                reserved = status_lists.reserve(session, issuer, "revocation",
                                                min(INDEX_BLOCK, len(to_issue) - position))
            _issue_one(session, box, config, award_id, report, now=now, issuer=issuer,
                       reserved=reserved, key=key)
    finally:
        if reserved:
            session.rollback()
            status_lists.release(session, reserved)
    return report


def _issue_one(session: Session, box: SecretBox, config: Mapping[str, Any], award_id: int, report: IssueReport,
               *, now: datetime | None, issuer: Issuer, reserved: list[status_lists.ReservedIndex],
               key: SigningKey | None) -> None:
    """Issue one award into ``report``; the reserved index it used is taken off ``reserved``."""
    slot = reserved[-1] if reserved else None
    try:
        issued = issue_award(session, box, config, award_id, now=now, issuer=issuer, reserved=slot, key=key)
    except (issuance.IssuanceError, CredentialError, RecordError) as err:
        session.rollback()
        report.failed += 1
        report.errors = [*(report.errors or []), f"award {award_id}: {type(err).__name__}"]
        return
    if issued is not None:
        report.issued += 1
        if slot is not None:
            reserved.pop()
