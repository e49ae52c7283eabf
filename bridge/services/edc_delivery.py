"""EDC delivery: deposit an award's European Digital Credential into the learner's EDC wallet, through the outbox.

Two routes per tenant (:class:`~bridge.models.EdcSettings`): ``wallet`` — we seal the ELM credential with the
instance's JAdES e-seal (:func:`bridge.services.issuance.issue`, format ``edc``) and deposit it with the EDC
Wallet API v1 (by wallet address or e-mail); ``issuer`` — the tenant's self-hosted EDC Issuer seals it with its
own certificate and sends it (``/api/v1/public/credentials/seal_and_send``).  See :mod:`connectors.edc`.

State machine of an :class:`~bridge.models.EdcDelivery`: ``pending`` → ``done`` (outcome ``deposited``, or
``duplicate`` when the wallet answered 409: it holds this credential already) or → ``failed`` (the wallet
refused it, 400/404, with its message; or :data:`~bridge.services.outbox.MAX_ATTEMPTS` transient failures).
Transient failures (timeouts, 5xx, refused credentials of ours) stay ``pending`` with a backoff.  One row per
award and address (unique; a failed one is queued again when the learner asks again), and one sealed file per
award, sent on every retry and to every address, so the wallet's duplicate check (by credential id) and our
``Idempotency-Key`` make a second deposit of an award impossible.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.models import Award, EdcDelivery, EdcSettings, IssuedCredential, LmsUser, TemplateVersion
from bridge.services import edc_settings, issuance, notices, outbox, verification
from bridge.services.secrets_box import SecretBox, SecretBoxError
from connectors import edc, errors
from credentials import microcredential as mc
from credentials.record_errors import InvalidRecord

log = logging.getLogger(__name__)
_TARGET_PURPOSE = "edc-delivery-target"


class EdcDeliveryError(ValueError):
    """A delivery cannot be requested as asked; the message is for the learner."""


@dataclass(frozen=True, slots=True)
class EdcContext:
    """What the deliverer needs: the secret box, configuration (base URL, e-seal), HTTP session, connector options."""

    box: SecretBox
    config: Mapping[str, Any]
    http: requests.Session
    connector_options: Mapping[str, Any] | None = None


def _target_hash(award_id: int, kind: str, target: str) -> str:
    return hashlib.sha256(f"{award_id}\0{kind}\0{target.lower()}".encode()).hexdigest()


def request_delivery(session: Session, box: SecretBox, award: Award, *, registration_id: int,
                     wallet_address: str = "", email: str = "") -> EdcDelivery:
    """Queue the deposit of ``award`` to a wallet address or e-mail; the existing row if already queued
    (a failed one is queued again: same idempotency key, same sealed file, so still at most one deposit)."""
    wallet_address, email = wallet_address.strip(), email.strip()
    if bool(wallet_address) == bool(email):
        raise EdcDeliveryError("Give either your EDC wallet address or the e-mail address of your Europass account.")
    settings = edc_settings.get(session, registration_id)
    if settings is None:
        raise EdcDeliveryError("Delivery to Europass (EDC) is not set up for your institution yet.")
    if award.status != "active":
        raise EdcDeliveryError("This credential was revoked or suspended; it cannot be delivered.")
    try:
        # A wallet address is kept as given (the EDC Issuer takes it whole); one wallet is one wallet id.
        kind, target, key = (("wallet", wallet_address, edc.wallet_id(wallet_address)) if wallet_address
                             else ("email", edc.check_email(email), edc.check_email(email)))
    except ValueError as err:
        raise EdcDeliveryError(str(err)) from err
    digest = _target_hash(award.id, kind, key)
    existing = session.scalars(select(EdcDelivery).where(EdcDelivery.award_id == award.id,
                                                         EdcDelivery.target_hash == digest)).first()
    if existing is not None:
        if existing.state == "failed":  # asked again: try again, with the same key and the same sealed file
            existing.state, existing.attempts, existing.last_error = "pending", 0, ""
            existing.next_attempt_at = datetime.now(UTC)
            session.commit()
        return existing
    row = EdcDelivery(registration_id=registration_id, user_id=award.user_id, award_id=award.id, target_kind=kind,
                      target_encrypted=box.encrypt(target.encode(), purpose=_TARGET_PURPOSE), target_hash=digest,
                      idempotency_key=hashlib.sha256(f"edc:{award.id}:{digest}".encode()).hexdigest(),
                      route=settings.route, state="pending", attempts=0, last_error="", outcome="", remote_id="",
                      viewer_url="", next_attempt_at=datetime.now(UTC))
    session.add(row)
    try:
        session.commit()
    except IntegrityError:  # the same request arrived twice at once: the other one made the row
        session.rollback()
        return session.scalars(select(EdcDelivery).where(EdcDelivery.award_id == award.id,
                                                         EdcDelivery.target_hash == digest)).one()
    log.info("edc delivery queued", extra={"edc_delivery": row.id, "award": award.id})
    return row


def _record(session: Session, award: Award, config: Mapping[str, Any], issuer_did: str) -> mc.MicroCredentialRecord:
    version = session.get_one(TemplateVersion, award.template_version_id)
    template = mc.from_json(version.body)
    legal_id = str(config.get("ISSUER_LEGAL_ID") or "") or issuer_did
    # The EDC shapes require the awarding body's legal identifier (as `bridge credential issue-sample --format edc`).
    bodies = tuple(b if b.eidas_id else replace(b, eidas_id=legal_id) for b in template.awarding_bodies)
    user = session.get_one(LmsUser, award.user_id)
    learner = mc.Learner(name=user.name, email=user.email)
    # An award means the learner met the template's criteria; the EDC shapes require a resulting grade.
    return mc.MicroCredentialRecord(replace(template, awarding_bodies=bodies), learner, award.awarded_at, "Pass")


def _sealed(session: Session, ctx: EdcContext, row: EdcDelivery, award: Award) -> IssuedCredential:
    """The sealed EDC of this award: issued once, then the very same file on every retry and for every address
    (the wallet deduplicates by credential id, so one award never lands twice in one wallet)."""
    if row.issued_credential_id is None:
        row.issued_credential_id = session.scalar(
            select(EdcDelivery.issued_credential_id).where(EdcDelivery.award_id == award.id,
                                                           EdcDelivery.issued_credential_id.is_not(None)).limit(1))
    if row.issued_credential_id is not None:
        return session.get_one(IssuedCredential, row.issued_credential_id)
    issuer = verification.default_issuer(session, ctx.box, ctx.config)
    seal = issuance.load_seal(ctx.config, ctx.box)
    tsa = ctx.config.get("EDC_TSA_URL")
    issued = issuance.issue(session, ctx.box, issuer, _record(session, award, ctx.config, issuer.did),
                            issuance.IssueOptions(fmt="edc", base_url=str(ctx.config["BASE_URL"]).rstrip("/"),
                                                  source=f"award:{award.id}", seal=seal.key,
                                                  timestamper=issuance.tsa_timestamper(str(tsa), ctx.http)
                                                  if tsa else None))
    row.issued_credential_id = issued.id
    session.commit()  # kept even if the deposit fails: a retry sends the same credential id
    return issued


def _unsealed(session: Session, ctx: EdcContext, row: EdcDelivery, award: Award) -> dict[str, Any]:
    from credentials.edc_shacl import EdcShapeError, ensure_valid_edc
    from credentials.elm_builder import ElmOptions, build_elm

    issuer = verification.default_issuer(session, ctx.box, ctx.config)
    # One id per award, whichever address it goes to: the wallet's duplicate check (409) then covers them all.
    credential_id = f"urn:credential:{uuid.uuid5(uuid.NAMESPACE_URL, f'edc-award:{award.id}:{row.registration_id}')}"
    try:
        credential = build_elm(_record(session, award, ctx.config, issuer.did), ElmOptions(credential_id=credential_id))
        ensure_valid_edc(credential)
    except (EdcShapeError, InvalidRecord) as err:
        raise outbox.DeliveryFailed(f"The credential could not be built: {err}") from err
    return credential


def _send(session: Session, ctx: EdcContext, row: EdcDelivery, settings: EdcSettings, award: Award) -> edc.EdcReceipt:
    target = ctx.box.decrypt(row.target_encrypted, purpose=_TARGET_PURPOSE).decode()
    options = dict(ctx.connector_options or {})
    if row.route == "issuer":
        issuer_api = edc_settings.issuer_connector(settings, ctx.box, ctx.http, **options)
        address = f"mailto:{target}" if row.target_kind == "email" else target
        return issuer_api.seal_and_send(_unsealed(session, ctx, row, award), delivery_addresses=(address,),
                                        certificate_password=edc_settings.certificate_password(settings, ctx.box),
                                        idempotency_key=row.idempotency_key)
    sealed = _sealed(session, ctx, row, award)
    wallet = edc_settings.wallet_connector(settings, ctx.box, ctx.http, **options)
    by = {"wallet_address": target} if row.target_kind == "wallet" else {"email": target}
    return wallet.deposit(sealed.content.encode(), filename=f"{sealed.public_id}.json",
                          idempotency_key=row.idempotency_key, **by)


def deliverer(ctx: EdcContext) -> outbox.Deliverer:
    """The outbox deliverer for EDC rows: seal (once), deposit, translate the answer into the state machine."""

    def deliver(session: Session, row: EdcDelivery) -> int | None:
        award = session.get(Award, row.award_id)
        if award is None or award.status != "active":
            raise outbox.DeliveryRejected("The award behind this delivery no longer exists or was revoked.")
        settings = edc_settings.get(session, row.registration_id)
        if settings is None:
            raise outbox.DeliveryFailed("Delivery to Europass (EDC) is not set up for this institution.")
        try:
            receipt = _send(session, ctx, row, settings, award)
        except issuance.IssuanceError as err:
            raise outbox.DeliveryFailed(f"The credential could not be sealed: {err}") from err
        except SecretBoxError as err:
            raise outbox.DeliveryFailed("The stored EDC settings cannot be decrypted; an administrator must enter "
                                        "them again.") from err
        except edc.EdcRejected as err:
            raise outbox.DeliveryRejected(f"The EDC service refused the credential: {err.api_message}") from err
        except errors.ConnectorAuthError as err:
            raise outbox.DeliveryFailed("The EDC service refused our access; an administrator must check the "
                                        "EDC settings.") from err
        except errors.ConnectorUnavailable as err:
            raise outbox.DeliveryFailed("The EDC service could not be reached.") from err
        except errors.ConnectorError as err:
            raise outbox.DeliveryFailed(f"The EDC service answered unexpectedly ({err.message}).") from err
        row.outcome = "duplicate" if receipt.duplicate else "deposited"
        row.remote_id = receipt.credential_uuid or ""
        row.viewer_url = receipt.viewer_urls[0] if receipt.viewer_urls else ""
        log.info("edc delivery done", extra={"edc_delivery": row.id, "outcome": row.outcome})
        return row.issued_credential_id

    return deliver


def due(session: Session, *, now: datetime | None = None, limit: int = 50) -> list[EdcDelivery]:
    moment = now or datetime.now(UTC)
    return list(session.scalars(select(EdcDelivery).where(EdcDelivery.state == "pending",
                                                          EdcDelivery.next_attempt_at <= moment)
                                .order_by(EdcDelivery.next_attempt_at, EdcDelivery.id).limit(limit)))


def run_due(session: Session, ctx: EdcContext, *, now: datetime | None = None,
            mailer: notices.Mailer | None = None) -> int:
    """The job: attempt every due EDC delivery; returns how many were completed.

    With a ``mailer``, the learner gets an e-mail notice when a delivery is done or has failed for good.
    """
    deliver = deliverer(ctx)
    done = 0
    for row in due(session, now=now):
        done += outbox.attempt(session, row, deliver, now=now)
        if mailer is not None and row.state != "pending":
            notice = notice_for(session, row)
            if notice is not None:
                notices.send_quietly(mailer, notice, about=f"edc delivery {row.id}")
    return done


def notice_for(session: Session, row: EdcDelivery) -> notices.Notice | None:
    """The e-mail notice about a finished delivery, to the learner's LMS address (None without one)."""
    user = session.get(LmsUser, row.user_id)
    award = session.get(Award, row.award_id)
    if user is None or not user.email or award is None:
        return None
    title = session.get_one(TemplateVersion, award.template_version_id).title
    if row.state == "done":
        subject = f"Your credential \"{title}\" is in your Europass wallet"
        link = f"View it: {row.viewer_url}\n" if row.viewer_url else ""
        text = f"{state_text(row)}\n\nCredential: {title}\n{link}"
    else:
        subject = f"Your credential \"{title}\" could not be delivered to Europass"
        text = f"{state_text(row)}\n\nCredential: {title}\nYou can ask again from the course's wallet page.\n"
    return notices.Notice(to=user.email, subject=subject, text=text)


def of_user(session: Session, user_id: int) -> list[EdcDelivery]:
    return list(session.scalars(select(EdcDelivery).where(EdcDelivery.user_id == user_id)
                                .order_by(EdcDelivery.id.desc())))


def of_tenant(session: Session, registration_id: int | None = None, *, limit: int = 200) -> list[EdcDelivery]:
    query = select(EdcDelivery)
    if registration_id is not None:
        query = query.where(EdcDelivery.registration_id == registration_id)
    return list(session.scalars(query.order_by(EdcDelivery.id.desc()).limit(limit)))


def state_text(row: EdcDelivery) -> str:
    """The state of a delivery in plain words, for learners and admins."""
    if row.state == "done":
        return ("Delivered to your Europass wallet." if row.outcome == "deposited"
                else "Already in your Europass wallet (it was delivered before).")
    if row.state == "failed":
        return f"Not delivered. {row.last_error}"
    if row.attempts == 0:
        return "Waiting to be sent."
    return f"Not delivered yet. {row.last_error}"
