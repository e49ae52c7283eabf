"""OpenID4VCI issuer through a spec-following wallet (tests/functional/wallet_client.py): the pre-authorized
flow with a transaction code in the 1.0 and draft 13 shapes, offers by value and by reference, deferred
issuance through the outbox, notification, and every refusal named as OAuth 2.0 / OpenID4VCI name it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from jwcrypto import jwk

from bridge.cli import main
from bridge.services import wallet_offers
from bridge.services.wallet_offers import WalletSettings
from credentials import jose
from tests.conftest import tool_config
from tests.functional.credentials_support import verify_json
from tests.functional.wallet_client import FlaskHttp, Wallet

LDP, JWT = "OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"


def offer_cli(app: Flask, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["credential", "offer", *args, "--json"], obj=app)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


@pytest.fixture
def wallet(client: Any) -> Wallet:
    return Wallet(FlaskHttp(client))


def _error(answer: tuple[int, Any]) -> tuple[int, str]:
    return answer[0], answer[1]["error"]


def test_metadata_names_both_ob3_configurations_and_the_token_endpoint(client: Any) -> None:
    issuer = client.get("/.well-known/openid-credential-issuer").get_json()
    assert issuer["credential_issuer"] == "http://localhost"
    configs = issuer["credential_configurations_supported"]
    assert configs[LDP]["format"] == "ldp_vc" and configs[LDP]["credential_signing_alg_values_supported"] == [
        "eddsa-rdfc-2022"]
    assert configs[JWT]["format"] == "jwt_vc_json"
    assert "OpenBadgeCredential" in configs[LDP]["credential_definition"]["type"]
    assert {d["locale"] for d in issuer["display"]} == {"en", "de"} and issuer["display"][0]["logo"]["uri"]
    server = client.get("/.well-known/oauth-authorization-server").get_json()
    assert server["token_endpoint"] == "http://localhost/wallet/token"
    assert server["pre-authorized_grant_anonymous_access_supported"] is True


def test_pre_authorized_flow_with_tx_code_issues_ldp_vc_bound_to_holder(app: Flask, wallet: Wallet,
                                                                         tmp_path: Path) -> None:
    made = offer_cli(app, "--sample")
    offer = wallet.receive(made["wallet_link"])
    assert offer["credential_configuration_ids"] == [LDP, JWT]
    assert offer["grants"][wallet_offers.PRE_AUTHORIZED_GRANT]["tx_code"]["length"] == 6
    status, token = wallet.redeem(made["tx_code"])
    assert status == 200 and token["token_type"] == "Bearer"
    status, body = wallet.credential_v1(LDP, wallet.proof(wallet.nonce()))
    assert status == 200, body
    credential = body["credentials"][0]["credential"]
    assert credential["credentialSubject"]["id"] == wallet.did
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    path = tmp_path / "from-wallet.json"
    path.write_text(json.dumps(credential))
    code, answer = verify_json(app, path)
    assert code == 0 and answer["valid"], answer
    notified = app.test_client().post("/wallet/notification", json={
        "notification_id": body["notification_id"], "event": "credential_accepted"},
        headers={"Authorization": f"Bearer {token['access_token']}"})
    assert notified.status_code == 204


def test_draft13_shapes_with_c_nonce_from_token_issue_jwt_vc_json(app: Flask, wallet: Wallet, tmp_path: Path) -> None:
    made = offer_cli(app, "--sample", "--no-tx-code")
    wallet.receive(made["wallet_link"])
    assert "tx_code" not in wallet.offer["grants"][wallet_offers.PRE_AUTHORIZED_GRANT]
    status, token = wallet.redeem()
    assert status == 200 and token["c_nonce"]
    status, body = wallet.credential_draft13("jwt_vc_json", wallet.proof(token["c_nonce"]))
    assert status == 200, body
    assert body["c_nonce"] and isinstance(body["credential"], str)
    assert jose.decode(body["credential"])[1]["sub"] == wallet.did
    path = tmp_path / "from-wallet.jwt"
    path.write_text(body["credential"])
    assert verify_json(app, path)[0] == 0


def test_offer_by_value_is_accepted_too(app: Flask, wallet: Wallet) -> None:
    made = offer_cli(app, "--sample", "--no-tx-code")
    by_reference = app.test_client().get(made["credential_offer_uri"]).get_json()
    wallet.receive(wallet_offers.offer_by_value_link(by_reference))
    assert wallet.redeem()[0] == 200


def test_wrong_expired_and_reused_codes_are_invalid_grant(app: Flask, wallet: Wallet) -> None:
    made = offer_cli(app, "--sample")
    wallet.receive(made["wallet_link"])
    assert _error(wallet.redeem(made["tx_code"], code="not-a-code")) == (400, "invalid_grant")
    assert _error(wallet.redeem(None)) == (400, "invalid_request")  # tx_code required but missing
    assert _error(wallet.redeem("000000" if made["tx_code"] != "000000" else "111111")) == (400, "invalid_grant")
    assert wallet.redeem(made["tx_code"])[0] == 200
    assert _error(wallet.redeem(made["tx_code"])) == (400, "invalid_grant")  # reused
    settings = WalletSettings.from_config(app.config)
    with app.extensions["bridge"].db.session() as session:
        old = wallet_offers.create_offer(session, settings, source="sample", tx_code=False,
                                         now=datetime.now(UTC) - timedelta(hours=1))
    assert app.test_client().get(old.offer_uri).status_code == 404
    code = wallet_offers._code_for(settings, old.offer_uri.rsplit("/", 1)[1])
    assert _error(wallet.redeem(code=code)) == (400, "invalid_grant")  # expired


def test_wrong_tx_codes_lock_the_offer(app: Flask, wallet: Wallet) -> None:
    made = offer_cli(app, "--sample")
    wallet.receive(made["wallet_link"])
    wrong = "999999" if made["tx_code"] != "999999" else "888888"
    for _ in range(5):
        assert _error(wallet.redeem(wrong)) == (400, "invalid_grant")
    status, body = wallet.redeem(made["tx_code"])
    assert (status, body["error"]) == (400, "invalid_grant") and "locked" in body["error_description"]


@pytest.fixture
def redeemed(app: Flask, wallet: Wallet) -> Wallet:
    wallet.receive(offer_cli(app, "--sample", "--no-tx-code")["wallet_link"])
    assert wallet.redeem()[0] == 200
    return wallet


def test_nonce_must_be_ours_and_fresh_and_used_once(redeemed: Wallet) -> None:
    assert _error(redeemed.credential_v1(LDP, redeemed.proof("made-up"))) == (400, "invalid_nonce")
    assert _error(redeemed.credential_v1(LDP, redeemed.proof(None))) == (400, "invalid_nonce")
    nonce = redeemed.nonce()
    assert redeemed.credential_v1(LDP, redeemed.proof(nonce))[0] == 200
    assert _error(redeemed.credential_v1(LDP, redeemed.proof(nonce))) == (400, "invalid_nonce")  # reused


def test_proof_by_another_key_wrong_audience_or_old_iat_is_invalid_proof(redeemed: Wallet) -> None:
    other = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    assert _error(redeemed.credential_v1(LDP, redeemed.proof(redeemed.nonce(), signer=other))) == (
        400, "invalid_proof")
    assert _error(redeemed.credential_v1(LDP, redeemed.proof(redeemed.nonce(), aud="https://evil.example"))) == (
        400, "invalid_proof")
    assert _error(redeemed.credential_v1(LDP, redeemed.proof(redeemed.nonce(), iat=1_600_000_000))) == (
        400, "invalid_proof")
    jwk_header = {"alg": "EdDSA", "typ": "openid4vci-proof+jwt", "jwk": other.export_public(as_dict=True)}
    assert _error(redeemed.credential_v1(LDP, redeemed.proof(redeemed.nonce(), header=jwk_header))) == (
        400, "invalid_proof")  # jwk of one key, signed by another
    wrong_typ = {"alg": "EdDSA", "typ": "JWT", "jwk": redeemed.key.export_public(as_dict=True)}
    assert _error(redeemed.credential_v1(LDP, redeemed.proof(redeemed.nonce(), header=wrong_typ))) == (
        400, "invalid_proof")


def test_token_and_request_problems_are_named(redeemed: Wallet) -> None:
    assert _error(redeemed.request({"credential_configuration_id": LDP}, token="nope")) == (401, "invalid_token")
    assert _error(redeemed.credential_v1("UniversityDegree", redeemed.proof(redeemed.nonce()))) == (
        400, "unknown_credential_configuration")
    assert _error(redeemed.request({"credential_configuration_id": LDP})) == (400, "invalid_proof")
    assert _error(redeemed.request({})) == (400, "invalid_credential_request")


def test_jwk_holder_gets_did_jwk_and_a_second_key_is_refused(redeemed: Wallet) -> None:
    header = {"alg": "EdDSA", "typ": "openid4vci-proof+jwt", "jwk": redeemed.key.export_public(as_dict=True)}
    status, body = redeemed.credential_v1(LDP, redeemed.proof(redeemed.nonce(), header=header))
    assert status == 200, body
    assert body["credentials"][0]["credential"]["credentialSubject"]["id"].startswith("did:jwk:")
    again = redeemed.credential_v1(LDP, redeemed.proof(redeemed.nonce()))  # same offer, the did:key form
    assert _error(again) == (400, "credential_request_denied")


@pytest.fixture
def deferred_app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    from bridge import create_app

    application = create_app(tool_config(tmp_path, DATABASE_URL=database_url, WALLET_DEFERRED=True))
    yield application
    application.extensions["bridge"].db.dispose()


def test_deferred_issuance_through_the_outbox_job(deferred_app: Flask) -> None:
    client = deferred_app.test_client()
    wallet = Wallet(FlaskHttp(client))
    wallet.receive(offer_cli(deferred_app, "--sample", "--no-tx-code")["wallet_link"])
    wallet.redeem()
    status, body = wallet.credential_v1(LDP, wallet.proof(wallet.nonce()))
    assert status == 202 and body["transaction_id"]
    endpoint = wallet.issuer["deferred_credential_endpoint"]
    pending = wallet.http.post(endpoint, json_body={"transaction_id": body["transaction_id"]},
                               token=wallet.token["access_token"])
    assert _error(pending) == (400, "issuance_pending")
    assert _error(wallet.http.post(endpoint, json_body={"transaction_id": "x"}, token=wallet.token["access_token"])) \
        == (400, "invalid_transaction_id")
    ran = CliRunner().invoke(main, ["credential", "deliver"], obj=deferred_app)
    assert "1 deliveries completed" in ran.output
    status, done = wallet.http.post(endpoint, json_body={"transaction_id": body["transaction_id"]},
                                    token=wallet.token["access_token"])
    assert status == 200 and done["credentials"][0]["credential"]["credentialSubject"]["id"] == wallet.did
