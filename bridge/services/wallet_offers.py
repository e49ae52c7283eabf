"""OpenID4VCI 1.0 credential offers and the pre-authorized code grant (§4, §6; draft 13 shapes accepted).

An offer carries a pre-authorized code derived from a random offer token (HMAC with the instance secret), so
the offer can be served again by reference (``credential_offer_uri``) while the database holds only digests.
Codes are short-lived and single use; a wrong transaction code counts against the offer and enough of them
lock it (a leaked offer link without its code is worth little).  Errors carry the OAuth 2.0 / OpenID4VCI
error codes (RFC 6749 §5.2, OpenID4VCI §6.3, §8.3.1.2).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bridge.models import WalletNonce, WalletOffer
from bridge.services import template_delivery

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
CONFIG_LDP = "OpenBadgeCredential_ldp_vc"
CONFIG_JWT = "OpenBadgeCredential_jwt_vc_json"
CONFIGURATIONS = {CONFIG_LDP: "ob3-rdfc", CONFIG_JWT: "ob3-jwt"}
OFFER_SCHEME = "openid-credential-offer://"


class WalletError(Exception):
    """An OAuth / OpenID4VCI error answer: ``code`` as the spec names it, a sentence, and the HTTP status."""

    def __init__(self, code: str, description: str, status: int = 400, **extra: Any) -> None:
        super().__init__(description)
        self.code, self.description, self.status, self.extra = code, description, status, extra

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "error_description": self.description, **self.extra}


@dataclass(frozen=True, slots=True)
class WalletSettings:
    """Everything the wallet services need from the configuration, read once by the views."""

    issuer_url: str  # the Credential Issuer Identifier (= the tool's public base URL)
    secret: bytes
    display_name: str
    logo_url: str = ""
    code_ttl: int = 600
    token_ttl: int = 600
    nonce_ttl: int = 300
    max_attempts: int = 5
    proof_max_age: int = 300
    tx_code_length: int = 6
    deferred: bool = False

    @classmethod
    def from_config(cls, config: Any) -> WalletSettings:
        base = str(config["BASE_URL"]).rstrip("/")
        return cls(issuer_url=base, secret=str(config["SECRET_KEY"]).encode(),
                   display_name=str(config.get("ISSUER_NAME") or config.get("TOOL_NAME") or "Credential bridge"),
                   logo_url=str(config.get("WALLET_LOGO_URL") or f"{base}/static/logo.svg"),
                   code_ttl=int(config.get("WALLET_CODE_TTL", 600)), token_ttl=int(config.get("WALLET_TOKEN_TTL", 600)),
                   nonce_ttl=int(config.get("WALLET_NONCE_TTL", 300)),
                   max_attempts=int(config.get("WALLET_MAX_ATTEMPTS", 5)),
                   deferred=bool(config.get("WALLET_DEFERRED", False)))


@dataclass(frozen=True, slots=True)
class NewOffer:
    """A freshly made offer: the only moment the offer token and transaction code exist in the clear."""

    offer: WalletOffer
    offer_uri: str  # https://…/wallet/offers/<token>
    wallet_link: str  # openid-credential-offer://?credential_offer_uri=…
    tx_code: str | None


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _code_for(settings: WalletSettings, offer_token: str) -> str:
    return hmac.new(settings.secret, f"oid4vci-code:{offer_token}".encode(), hashlib.sha256).hexdigest()


def _tx_digest(settings: WalletSettings, offer: WalletOffer, tx_code: str) -> str:
    return hmac.new(settings.secret, f"tx:{offer.offer_token_hash}:{tx_code}".encode(), hashlib.sha256).hexdigest()


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def create_offer(session: Session, settings: WalletSettings, *, source: str, award_id: int | None = None,
                 user_id: int | None = None, registration_id: int | None = None, recipient: str = "",
                 tx_code: bool = True, configuration_ids: tuple[str, ...] = (CONFIG_LDP, CONFIG_JWT),
                 now: datetime | None = None) -> NewOffer:
    """Store a new offer (earlier unused offers of the same award expire) and return its links; commits."""
    moment = _now(now)
    if award_id is not None:
        for old in session.scalars(select(WalletOffer).where(WalletOffer.award_id == award_id,
                                                             WalletOffer.state == "offered")):
            old.state = "expired"
    token = secrets.token_urlsafe(32)
    offer = WalletOffer(offer_token_hash=digest(token), source=source, award_id=award_id, user_id=user_id,
                        registration_id=registration_id, recipient=recipient, configuration_ids=list(configuration_ids),
                        code_expires_at=moment + timedelta(seconds=settings.code_ttl), state="offered", last_error="",
                        failed_attempts=0)
    offer.code_hash = digest(_code_for(settings, token))
    code = None
    if tx_code:
        code = "".join(secrets.choice("0123456789") for _ in range(settings.tx_code_length))
        offer.tx_code_hash, offer.tx_code_length = _tx_digest(settings, offer, code), settings.tx_code_length
    session.add(offer)
    session.commit()
    offer_uri = f"{settings.issuer_url}/wallet/offers/{token}"
    return NewOffer(offer, offer_uri, f"{OFFER_SCHEME}?credential_offer_uri={quote(offer_uri, safe='')}", code)


def offer_by_token(session: Session, token: str, *, now: datetime | None = None) -> WalletOffer | None:
    """The offer a ``credential_offer_uri`` points at, while its code can still be redeemed."""
    offer = session.scalars(select(WalletOffer).where(WalletOffer.offer_token_hash == digest(token))).first()
    if offer is None or offer.state != "offered" or offer.code_expires_at <= _now(now):
        return None
    return offer


def offer_document(settings: WalletSettings, offer: WalletOffer, token: str) -> dict[str, Any]:
    """The Credential Offer object (§4.1.1); the same shape in draft 13 and 1.0."""
    grant: dict[str, Any] = {"pre-authorized_code": _code_for(settings, token)}
    if offer.tx_code_hash:
        grant["tx_code"] = {"input_mode": "numeric", "length": offer.tx_code_length,
                            "description": "Enter the code shown next to the QR code on your course page."}
    return {"credential_issuer": settings.issuer_url, "credential_configuration_ids": list(offer.configuration_ids),
            "grants": {PRE_AUTHORIZED_GRANT: grant}}


def offer_by_value_link(document: dict[str, Any]) -> str:
    """``openid-credential-offer://?credential_offer=…`` (offer by value)."""
    return f"{OFFER_SCHEME}?credential_offer={quote(json.dumps(document, separators=(',', ':')), safe='')}"


def redeem_code(session: Session, settings: WalletSettings, form: dict[str, str], *,
                now: datetime | None = None) -> dict[str, Any]:
    """The token endpoint (§6): pre-authorized code (+ transaction code) → access token and ``c_nonce``."""
    moment = _now(now)
    if form.get("grant_type") != PRE_AUTHORIZED_GRANT:
        raise WalletError("unsupported_grant_type", "Only the pre-authorized code grant is supported.")
    code = form.get("pre-authorized_code") or ""
    if not code:
        raise WalletError("invalid_request", "The pre-authorized_code parameter is missing.")
    offer = session.scalars(select(WalletOffer).where(WalletOffer.code_hash == digest(code))
                            .with_for_update()).first()
    if offer is None:
        raise WalletError("invalid_grant", "The pre-authorized code is not valid.")
    _check_redeemable(session, offer, moment)
    _check_tx_code(session, settings, offer, form.get("tx_code") or form.get("user_pin"))
    token = secrets.token_urlsafe(32)
    # One conditional UPDATE: of two wallets racing with the same code, exactly one gets a token.
    claimed = session.execute(update(WalletOffer).where(WalletOffer.id == offer.id, WalletOffer.state == "offered")
                              .values(state="token_issued", access_token_hash=digest(token),
                                      token_expires_at=moment + timedelta(seconds=settings.token_ttl)))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise WalletError("invalid_grant", "The pre-authorized code has already been used.")
    nonce = new_nonce(session, settings, now=moment, commit=False)
    session.commit()
    session.refresh(offer)
    return {"access_token": token, "token_type": "Bearer", "expires_in": settings.token_ttl,
            "c_nonce": nonce, "c_nonce_expires_in": settings.nonce_ttl}


def _check_redeemable(session: Session, offer: WalletOffer, moment: datetime) -> None:
    if offer.state == "locked":
        raise WalletError("invalid_grant", "Too many wrong transaction codes: this offer is locked. "
                                           "Make a new offer on the course page.")
    if offer.state != "offered":
        raise WalletError("invalid_grant", "The pre-authorized code has already been used.")
    if offer.code_expires_at <= moment:
        offer.state = "expired"
        session.commit()
        raise WalletError("invalid_grant", "The pre-authorized code has expired. Make a new offer.")


def _check_tx_code(session: Session, settings: WalletSettings, offer: WalletOffer, sent: str | None) -> None:
    if offer.tx_code_hash is None:
        if sent:
            raise WalletError("invalid_request", "This offer has no transaction code; do not send one.")
        return
    if not sent:
        raise WalletError("invalid_request", "This offer needs its transaction code (tx_code).")
    if hmac.compare_digest(offer.tx_code_hash, _tx_digest(settings, offer, sent)):
        return
    offer.failed_attempts += 1
    if offer.failed_attempts >= settings.max_attempts:
        offer.state = "locked"
        offer.last_error = "Too many wrong transaction codes were entered; the offer was locked."
    session.commit()
    raise WalletError("invalid_grant", "The transaction code is wrong.")


def new_nonce(session: Session, settings: WalletSettings, *, now: datetime | None = None, commit: bool = True) -> str:
    """A fresh ``c_nonce`` (§7): stored as a digest, valid ``nonce_ttl`` seconds, usable once."""
    value = secrets.token_urlsafe(24)
    session.execute(delete(WalletNonce).where(WalletNonce.expires_at < _now(now) - timedelta(hours=1)))
    session.add(WalletNonce(nonce_hash=digest(value), expires_at=_now(now) + timedelta(seconds=settings.nonce_ttl)))
    if commit:
        session.commit()
    return value


def consume_nonce(session: Session, value: str, *, now: datetime | None = None) -> bool:
    """Mark the nonce used; False when it is unknown, expired or was used before."""
    moment = _now(now)
    used = session.execute(update(WalletNonce).where(WalletNonce.nonce_hash == digest(value),
                                                     WalletNonce.used_at.is_(None), WalletNonce.expires_at > moment)
                           .values(used_at=moment))
    session.commit()
    return bool(used.rowcount == 1)  # type: ignore[attr-defined]


def offer_for_token(session: Session, authorization: str, *, now: datetime | None = None) -> WalletOffer:
    """The offer an access token (``Authorization: Bearer …``) was issued for, or ``invalid_token`` (401)."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() not in {"bearer", "dpop"} or not token.strip():
        raise WalletError("invalid_token", "An access token (Authorization: Bearer …) is required.", 401)
    offer = session.scalars(select(WalletOffer).where(WalletOffer.access_token_hash == digest(token.strip()))).first()
    if offer is None or offer.token_expires_at is None or offer.token_expires_at <= _now(now):
        raise WalletError("invalid_token", "The access token is not valid or has expired.", 401)
    return offer


def offers_of_user(session: Session, user_id: int) -> list[WalletOffer]:
    return list(session.scalars(select(WalletOffer).where(WalletOffer.user_id == user_id)
                                .order_by(WalletOffer.id.desc())))


def offer_award(session: Session, settings: WalletSettings, award: Any, *, tx_code: bool | None = None,
                now: datetime | None = None) -> NewOffer:
    """A new offer of one of the learner's active awards (``bridge.models.Award``).

    ``tx_code`` None: the award's template decides (:func:`bridge.services.template_delivery.tx_code_required`).
    """
    if award.status != "active":
        raise WalletError("invalid_request", f"This credential is {award.status} and cannot be added to a wallet.")
    if tx_code is None:
        tx_code = template_delivery.tx_code_required(session, award.template_id)
    return create_offer(session, settings, source="award", award_id=award.id, user_id=award.user_id,
                        tx_code=tx_code, now=now)


STATE_TEXT = {
    "offered": "Waiting for your wallet to scan the code.",
    "token_issued": "Your wallet has connected; waiting for it to ask for the credential.",
    "pending": "Your credential is being signed; your wallet will fetch it shortly.",
    "issued": "Sent to your wallet.",
    "accepted": "Your wallet confirmed it stored the credential.",
    "deleted": "Your wallet reported that the credential was deleted.",
    "failed": "The delivery failed.",
    "expired": "This offer expired before it was used.",
    "locked": "Locked after too many wrong transaction codes.",
}


def state_text(offer: WalletOffer) -> str:
    """The state of an offer in plain words, with the failure reason when there is one."""
    text = STATE_TEXT.get(offer.state, offer.state)
    pending_error = next((d.last_error for d in offer.deliveries if d.last_error), "")
    reason = offer.last_error or pending_error
    return f"{text} {reason}".strip()
