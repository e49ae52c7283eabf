"""VC-API exchange for the DCC Learner Credential Wallet (VC-API "Exchanges"; DCC request deep link).

The learner's page carries a deep link with ``request={"credentialRequestOrigin": …, "protocols": {"vcapi":
<exchange URL>}}``.  The wallet POSTs ``{}`` to the exchange and gets a VerifiablePresentationRequest asking
for DIDAuthentication with a one-time ``challenge`` and our ``domain``; it answers with a presentation signed
(``authentication``) by its did:key, which must answer that challenge; the credential is then issued to that
DID through the delivery outbox and returned inside a VerifiablePresentation.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import Delivery, WalletOffer
from bridge.services import outbox
from bridge.services import wallet_offers as offers
from bridge.services.credential_contexts import canonicalizer
from bridge.services.wallet_issuer import Signer, credential_value, oid4vci_deliverer
from bridge.services.wallet_offers import CONFIG_LDP, WalletError, WalletSettings
from credentials.dids import DidResolver
from credentials.proofs import eddsa_jcs_2022, eddsa_rdfc_2022

VC_V2 = "https://www.w3.org/ns/credentials/v2"
LCW_REQUEST = "https://lcw.app/request.html"
CRYPTOSUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022")


@dataclass(frozen=True, slots=True)
class NewExchange:
    offer: WalletOffer
    exchange_url: str
    deep_link: str


def create_exchange(session: Session, settings: WalletSettings, *, source: str, award_id: int | None = None,
                    user_id: int | None = None, recipient: str = "", now: datetime | None = None) -> NewExchange:
    """A new single-use exchange (stored as a wallet offer of channel ``vcapi``); commits."""
    moment = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    offer = WalletOffer(offer_token_hash=offers.digest(token), code_hash=offers.digest(secrets.token_urlsafe(32)),
                        source=source, award_id=award_id, user_id=user_id, recipient=recipient,
                        configuration_ids=["vcapi"], state="offered", failed_attempts=0, last_error="",
                        code_expires_at=moment + timedelta(seconds=settings.code_ttl))
    session.add(offer)
    session.commit()
    url = f"{settings.issuer_url}/wallet/exchanges/{token}"
    request = {"credentialRequestOrigin": settings.issuer_url, "protocols": {"vcapi": url}}
    return NewExchange(offer, url, f"{LCW_REQUEST}?request={quote(json.dumps(request, separators=(',', ':')))}")


def _exchange(session: Session, token: str, moment: datetime) -> WalletOffer:
    offer = session.scalars(select(WalletOffer).where(WalletOffer.offer_token_hash == offers.digest(token))).first()
    if offer is None or offer.configuration_ids != ["vcapi"] or offer.code_expires_at <= moment:
        raise WalletError("not_found", "This exchange does not exist or has expired.", 404)
    return offer


def participate(session: Session, settings: WalletSettings, signer: Signer, token: str, body: Any,
                *, now: datetime | None = None) -> dict[str, Any]:
    """One step of the exchange: ``{}`` → the presentation request; a presentation → the credential."""
    moment = now or datetime.now(UTC)
    offer = _exchange(session, token, moment)
    presentation = body.get("verifiablePresentation") if isinstance(body, Mapping) else None
    if presentation is None:
        return {"verifiablePresentationRequest": {
            "query": [{"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}],
                       "acceptedCryptosuites": [{"cryptosuite": c} for c in CRYPTOSUITES]}],
            "challenge": offers.new_nonce(session, settings, now=moment), "domain": settings.issuer_url}}
    holder = _authenticated_holder(session, settings, presentation, moment)
    delivery = session.scalars(select(Delivery).where(Delivery.offer_id == offer.id)).first()
    if delivery is None:
        delivery = Delivery(offer=offer, channel="vcapi", state="pending", attempts=0, last_error="",
                            request={"configuration_id": CONFIG_LDP, "holder_did": holder})
        offer.holder_did, offer.state = holder, "pending"
        session.add(delivery)
        session.commit()
        outbox.attempt(session, delivery, oid4vci_deliverer(signer), now=moment)
    elif delivery.request.get("holder_did") != holder:
        raise WalletError("credential_request_denied", "This exchange was already completed for another DID.", 403)
    if delivery.state != "done":
        raise WalletError("issuance_pending", delivery.last_error or "The credential is being signed; try again.",
                          503)
    offer.state = "issued"
    session.commit()
    return {"verifiablePresentation": {"@context": [VC_V2], "type": ["VerifiablePresentation"],
                                       "verifiableCredential": [credential_value(session, delivery)]}}


def _authenticated_holder(session: Session, settings: WalletSettings, presentation: Any, moment: datetime) -> str:
    """The presentation's holder DID once its authentication proof answers one of our challenges."""
    proof = presentation.get("proof") if isinstance(presentation, Mapping) else None
    holder = presentation.get("holder") if isinstance(presentation, Mapping) else None
    if not isinstance(proof, Mapping) or not isinstance(holder, str) or not holder.startswith("did:key:"):
        raise WalletError("invalid_request", "Send a presentation with a holder did:key and a proof.")
    method = str(proof.get("verificationMethod", ""))
    challenge = proof.get("challenge")
    if method.split("#", 1)[0] != holder or not isinstance(challenge, str):
        raise WalletError("invalid_request", "The proof must be made by the holder's key and answer the challenge.")
    if proof.get("cryptosuite") == "eddsa-rdfc-2022":
        result = eddsa_rdfc_2022.verify_proof(presentation, resolver=DidResolver(), expected_purpose="authentication",
                                              challenge=challenge, domain=settings.issuer_url,
                                              canonicalizer=canonicalizer())
    elif proof.get("cryptosuite") == "eddsa-jcs-2022":
        result = eddsa_jcs_2022.verify_proof(presentation, resolver=DidResolver(), expected_purpose="authentication",
                                             challenge=challenge, domain=settings.issuer_url)
    else:
        raise WalletError("invalid_request", f"Sign the presentation with {' or '.join(CRYPTOSUITES)}.")
    if not result.valid:
        raise WalletError("invalid_request", f"The presentation does not verify: {result.reason}")
    if not offers.consume_nonce(session, challenge, now=moment):
        raise WalletError("invalid_request", "The challenge is unknown, expired or was already answered.")
    return holder
