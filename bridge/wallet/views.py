"""OpenID4VCI 1.0 endpoints (draft 13 shapes accepted): metadata, offers by reference, token, nonce,
credential, deferred credential, notification.  Errors are JSON ``{"error", "error_description"}`` with the
codes OAuth 2.0 and OpenID4VCI name; answers carrying tokens or nonces are ``Cache-Control: no-store``."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, jsonify, request

from bridge.services import vcapi, wallet_issuer, wallet_offers
from bridge.services.wallet_offers import WalletError
from bridge.wallet import edc, learner, template_setting  # noqa: F401  (register these pages on the blueprint)
from bridge.wallet.blueprint import bp, settings
from bridge.web import bridge_services, db_session


def _json(body: Any, status: int = 200) -> Response:
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(WalletError)
def _wallet_error(err: WalletError) -> Response:
    response = _json(err.body(), err.status)
    if err.status == 401:
        response.headers["WWW-Authenticate"] = f'Bearer error="{err.code}"'
    if err.code == "invalid_nonce":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.after_request
def _cors(response: Response) -> Response:
    # Web wallets call the issuer from their own origin; nothing here relies on cookies.
    if request.path.startswith(("/.well-known/", "/wallet/")):
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, DPoP"
    return response


@bp.get("/.well-known/openid-credential-issuer")
def issuer_metadata() -> Response:
    return jsonify(wallet_issuer.issuer_metadata(settings()))


@bp.get("/.well-known/oauth-authorization-server")
def authorization_server_metadata() -> Response:
    return jsonify(wallet_issuer.authorization_server_metadata(settings()))


@bp.get("/wallet/offers/<token>")
def credential_offer(token: str) -> Response:
    offer = wallet_offers.offer_by_token(db_session(), token)
    if offer is None:
        abort(404, description="This credential offer has expired or was used. Make a new one on the course page.")
    return _json(wallet_offers.offer_document(settings(), offer, token))


@bp.post("/wallet/token")
def token() -> Response:
    return _json(wallet_offers.redeem_code(db_session(), settings(), request.form.to_dict()))


@bp.post("/wallet/nonce")
def nonce() -> Response:
    return _json({"c_nonce": wallet_offers.new_nonce(db_session(), settings())})


@bp.post("/wallet/credential")
def credential() -> Response:
    signer = wallet_issuer.Signer(bridge_services().box, current_app.config)
    answer = wallet_issuer.request_credential(db_session(), settings(), signer, request.headers.get(
        "Authorization", ""), request.get_json(silent=True))
    return _json(answer.body, answer.status)


@bp.post("/wallet/deferred_credential")
def deferred_credential() -> Response:
    answer = wallet_issuer.deferred_credential(db_session(), settings(), request.headers.get("Authorization", ""),
                                               request.get_json(silent=True))
    return _json(answer.body, answer.status)


@bp.post("/wallet/notification")
def notification() -> Response:
    wallet_issuer.notify(db_session(), request.headers.get("Authorization", ""), request.get_json(silent=True))
    return Response(status=204)


@bp.post("/wallet/exchanges/<token>")
def vcapi_exchange(token: str) -> Response:
    signer = wallet_issuer.Signer(bridge_services().box, current_app.config)
    return _json(vcapi.participate(db_session(), settings(), signer, token, request.get_json(silent=True)))
