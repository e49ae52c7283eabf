"""OpenID4VCI 1.0 Credential Issuer: metadata (§12.2), credential (§8), deferred (§9) and notification (§11).

Requests in the draft 13 shape are accepted as well (``format`` + ``credential_definition``, a singular
``proof``) and answered in the shape they came in (``credential`` + ``c_nonce``); the checks on nonce,
audience, issued-at and replay are the same for both.  Signing goes through the delivery outbox: it runs at
once unless deferred issuance is configured or it fails, in which case the wallet gets a ``transaction_id``.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import Award, Delivery, IssuedCredential, Issuer, LmsUser, TemplateVersion, WalletOffer
from bridge.services import issuance, outbox, samples, verification
from bridge.services import wallet_offers as offers
from bridge.services.secrets_box import SecretBox
from bridge.services.wallet_offers import CONFIG_JWT, CONFIG_LDP, CONFIGURATIONS, WalletError, WalletSettings
from bridge.services.wallet_proofs import check_proof
from credentials import microcredential as mc

OB3_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
OB3_CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
DRAFT13_FORMATS = {"ldp_vc": CONFIG_LDP, "jwt_vc_json": CONFIG_JWT}
NOTIFICATION_EVENTS = {"credential_accepted": "accepted", "credential_deleted": "deleted",
                       "credential_failure": "failed"}


@dataclass(frozen=True, slots=True)
class Signer:
    """What signing needs: the instance's secret box and configuration (issuer identity, base URL)."""

    box: SecretBox
    config: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CredentialAnswer:
    body: dict[str, Any]
    status: int = 200


def _display(settings: WalletSettings, locales: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"name": settings.display_name, "locale": locale,
             "logo": {"uri": settings.logo_url, "alt_text": settings.display_name}} for locale in locales]


def _configuration(fmt: str, algs: list[str], names: dict[str, str]) -> dict[str, Any]:
    display = [{"name": name, "locale": locale} for locale, name in names.items()]
    definition: dict[str, Any] = {"type": OB3_TYPES}
    if fmt == "ldp_vc":
        definition = {"@context": OB3_CONTEXT, "type": OB3_TYPES}
    return {"format": fmt, "cryptographic_binding_methods_supported": ["did:key", "did:jwk", "jwk"],
            "credential_signing_alg_values_supported": algs,
            "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256", "RS256"]}},
            "credential_definition": definition, "credential_metadata": {"display": display},
            "display": display}  # draft 13 keeps display at this level


def issuer_metadata(settings: WalletSettings, locales: tuple[str, ...] = ("en", "de")) -> dict[str, Any]:
    """``/.well-known/openid-credential-issuer``; this issuer is its own authorization server."""
    base = settings.issuer_url
    names = {"en": "Micro-credential (Open Badges 3.0)", "de": "Microcredential (Open Badges 3.0)"}
    names = {k: v for k, v in names.items() if k in locales} or {"en": names["en"]}
    return {"credential_issuer": base, "authorization_servers": [base],
            "credential_endpoint": f"{base}/wallet/credential", "nonce_endpoint": f"{base}/wallet/nonce",
            "deferred_credential_endpoint": f"{base}/wallet/deferred_credential",
            "notification_endpoint": f"{base}/wallet/notification", "display": _display(settings, locales),
            "credential_configurations_supported": {
                CONFIG_LDP: _configuration("ldp_vc", ["eddsa-rdfc-2022"], names),
                CONFIG_JWT: _configuration("jwt_vc_json", ["ES256"], names)}}


def authorization_server_metadata(settings: WalletSettings) -> dict[str, Any]:
    """RFC 8414 metadata: only the token endpoint, for the pre-authorized code grant."""
    base = settings.issuer_url
    return {"issuer": base, "token_endpoint": f"{base}/wallet/token", "response_types_supported": [],
            "grant_types_supported": [offers.PRE_AUTHORIZED_GRANT], "token_endpoint_auth_methods_supported": ["none"],
            "pre-authorized_grant_anonymous_access_supported": True}


def _requested_configuration(body: Mapping[str, Any]) -> tuple[str, bool]:
    """The configuration id asked for and whether the request has the draft 13 shape."""
    if "credential_identifier" in body:
        raise WalletError("unknown_credential_identifier", "This issuer hands out no credential identifiers; "
                                                           "ask by credential_configuration_id.")
    if isinstance(body.get("credential_configuration_id"), str):
        return body["credential_configuration_id"], "proof" in body
    fmt, definition = body.get("format"), body.get("credential_definition")
    if fmt is None:
        raise WalletError("invalid_credential_request", "Say which credential you want "
                                                        "(credential_configuration_id).")
    types = definition.get("type") if isinstance(definition, Mapping) else None
    if fmt not in DRAFT13_FORMATS or not isinstance(types, list) or "OpenBadgeCredential" not in types:
        raise WalletError("unknown_credential_configuration", "This issuer offers Open Badges 3.0 credentials "
                                                              "as ldp_vc or jwt_vc_json only.")
    return DRAFT13_FORMATS[str(fmt)], True


def _proof_jwt(body: Mapping[str, Any]) -> Any:
    proof, proofs = body.get("proof"), body.get("proofs")
    if proof is not None and proofs is not None:
        raise WalletError("invalid_credential_request", "Send either proof or proofs, not both.")
    if isinstance(proof, Mapping):
        if proof.get("proof_type") != "jwt":
            raise WalletError("invalid_proof", "Only jwt proofs are supported.")
        return proof.get("jwt")
    if isinstance(proofs, Mapping):
        jwts = proofs.get("jwt")
        if set(proofs) != {"jwt"} or not isinstance(jwts, list) or not jwts:
            raise WalletError("invalid_proof", "Only jwt proofs are supported (proofs.jwt).")
        if len(jwts) > 1:
            raise WalletError("invalid_credential_request", "This issuer issues one credential per request.")
        return jwts[0]
    raise WalletError("invalid_proof", "A proof of possession of the holder's key is required.")


def request_credential(session: Session, settings: WalletSettings, signer: Signer, authorization: str,
                       body: Any, *, now: datetime | None = None) -> CredentialAnswer:
    """The credential endpoint: check token, request and proof; deliver through the outbox."""
    offer = offers.offer_for_token(session, authorization, now=now)
    if not isinstance(body, Mapping):
        raise WalletError("invalid_credential_request", "The request body must be a JSON object.")
    configuration_id, draft13 = _requested_configuration(body)
    if configuration_id not in CONFIGURATIONS or configuration_id not in offer.configuration_ids:
        raise WalletError("unknown_credential_configuration", f"{configuration_id!r} was not offered.")
    holder = check_proof(_proof_jwt(body), audience=settings.issuer_url, max_age=settings.proof_max_age, now=now,
                         consume_nonce=lambda value: offers.consume_nonce(session, value, now=now))
    delivery = _delivery_for(session, offer, configuration_id, holder.did)
    if delivery.state == "pending" and not settings.deferred:
        outbox.attempt(session, delivery, oid4vci_deliverer(signer), now=now)
    return _answer(session, settings, offer, delivery, draft13=draft13, now=now)


def _delivery_for(session: Session, offer: WalletOffer, configuration_id: str, holder_did: str) -> Delivery:
    delivery = session.scalars(select(Delivery).where(Delivery.offer_id == offer.id,
                                                      Delivery.channel == "oid4vci")).first()
    if delivery is not None:
        if delivery.request.get("holder_did") != holder_did or delivery.request.get(
                "configuration_id") != configuration_id:
            raise WalletError("credential_request_denied", "This offer was already used for another key or format.")
        return delivery
    delivery = Delivery(offer=offer, channel="oid4vci", state="pending", attempts=0, last_error="",
                        request={"configuration_id": configuration_id, "holder_did": holder_did})
    offer.holder_did, offer.state = holder_did, "pending"
    session.add(delivery)
    session.commit()
    return delivery


def _answer(session: Session, settings: WalletSettings, offer: WalletOffer, delivery: Delivery, *, draft13: bool,
            now: datetime | None) -> CredentialAnswer:
    extra: dict[str, Any] = {}
    if draft13:
        extra = {"c_nonce": offers.new_nonce(session, settings, now=now), "c_nonce_expires_in": settings.nonce_ttl}
    if delivery.state == "failed":
        raise WalletError("credential_request_denied", delivery.last_error)
    if delivery.state != "done":
        transaction_id = secrets.token_urlsafe(24)
        delivery.transaction_hash = offers.digest(transaction_id)
        session.commit()
        return CredentialAnswer({"transaction_id": transaction_id, "interval": 5, **extra}, 200 if draft13 else 202)
    credential = credential_value(session, delivery)
    if offer.notification_id is None:
        offer.notification_id = secrets.token_urlsafe(16)
    offer.state = "issued" if offer.state in {"pending", "token_issued"} else offer.state
    session.commit()
    body = {"credential": credential} if draft13 else {"credentials": [{"credential": credential}]}
    return CredentialAnswer({**body, "notification_id": offer.notification_id, **extra})


def credential_value(session: Session, delivery: Delivery) -> Any:
    issued = session.get_one(IssuedCredential, delivery.issued_credential_id)
    return json.loads(issued.content) if issued.content.lstrip().startswith("{") else issued.content


def deferred_credential(session: Session, settings: WalletSettings, authorization: str, body: Any,
                        *, now: datetime | None = None) -> CredentialAnswer:
    """The deferred credential endpoint: the credential once the outbox delivered it, else issuance_pending."""
    offer = offers.offer_for_token(session, authorization, now=now)
    transaction_id = body.get("transaction_id") if isinstance(body, Mapping) else None
    delivery = session.scalars(select(Delivery).where(
        Delivery.transaction_hash == offers.digest(str(transaction_id)), Delivery.offer_id == offer.id)).first()
    if not isinstance(transaction_id, str) or delivery is None:
        raise WalletError("invalid_transaction_id", "The transaction_id is not known.")
    if delivery.state == "pending":
        raise WalletError("issuance_pending", "The credential is not signed yet; ask again later.", interval=5)
    return _answer(session, settings, offer, delivery, draft13=False, now=now)


def notify(session: Session, authorization: str, body: Any, *, now: datetime | None = None) -> None:
    """The notification endpoint: the wallet says the credential was accepted, deleted or failed."""
    offer = offers.offer_for_token(session, authorization, now=now)
    if not isinstance(body, Mapping) or body.get("event") not in NOTIFICATION_EVENTS:
        raise WalletError("invalid_notification_request", "event must be credential_accepted, credential_deleted "
                                                          "or credential_failure.")
    if offer.notification_id is None or body.get("notification_id") != offer.notification_id:
        raise WalletError("invalid_notification_id", "The notification_id is not known.")
    offer.state = NOTIFICATION_EVENTS[str(body["event"])]
    if offer.state == "failed":
        description = str(body.get("event_description") or "")[:500]
        offer.last_error = f"Your wallet reported a problem storing the credential. {description}".strip()
    session.commit()


def oid4vci_deliverer(signer: Signer) -> outbox.Deliverer:
    """Sign the offered credential for the holder named in the delivery request."""

    def deliver(session: Session, delivery: Delivery) -> int:
        offer = delivery.offer
        fmt = CONFIGURATIONS[str(delivery.request["configuration_id"])]
        try:
            issuer = verification.default_issuer(session, signer.box, signer.config)
            record, source = _record(session, offer, str(delivery.request["holder_did"]), issuer)
            issued = issuance.issue(session, signer.box, issuer, record, issuance.IssueOptions(
                fmt=fmt, base_url=str(signer.config["BASE_URL"]).rstrip("/"), source=source))
        except issuance.IssuanceError as err:
            raise outbox.DeliveryFailed(f"The credential could not be signed: {err}") from err
        return issued.id

    return deliver


def _record(session: Session, offer: WalletOffer, holder_did: str, issuer: Issuer
            ) -> tuple[mc.MicroCredentialRecord, str]:
    now = datetime.now(UTC).replace(microsecond=0)
    if offer.source == "sample":
        template = samples.sample_template(issuer_name=issuer.name, issuer_url=issuer.url, country=issuer.country)
        email = offer.recipient if "@" in offer.recipient else None
        return samples.sample_record(template, mc.Learner(email=email, did=holder_did), now=now), "sample"
    award = session.get(Award, offer.award_id) if offer.award_id is not None else None
    if award is None or award.status != "active":
        raise outbox.DeliveryFailed("The award behind this offer no longer exists or was revoked.")
    version = session.get_one(TemplateVersion, award.template_version_id)
    user = session.get_one(LmsUser, award.user_id)
    learner = mc.Learner(name=user.name, email=user.email, did=holder_did)
    return mc.MicroCredentialRecord(mc.from_json(version.body), learner, award.awarded_at, None), f"award:{award.id}"


def run_outbox(session: Session, signer: Signer, *, now: datetime | None = None) -> int:
    """The delivery job: every due wallet delivery (OpenID4VCI, VC-API), with backoff; returns completed count."""
    deliver = oid4vci_deliverer(signer)
    return outbox.process_due(session, {"oid4vci": deliver, "vcapi": deliver}, now=now)
