"""VC-API exchange (DCC Learner Credential Wallet) against a test holder: the deep link names the exchange,
``{}`` yields a DIDAuthentication request with a challenge, a presentation signed for that challenge yields
the credential bound to the holder's did:key; a replayed, foreign or unsigned presentation is refused."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlparse

from flask import Flask

from bridge.services import vcapi
from bridge.services.wallet_offers import WalletSettings
from credentials.dids import did_key_for
from credentials.multikey import SigningKey, generate_ed25519
from credentials.proofs import ProofOptions, eddsa_jcs_2022


def _holder() -> SigningKey:
    private = generate_ed25519()
    did = did_key_for(SigningKey(private, "x").public)
    return SigningKey(private, f"{did}#{did.removeprefix('did:key:')}")


def _presentation(key: SigningKey, request: dict[str, Any], holder: str | None = None) -> dict[str, Any]:
    vp = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiablePresentation"],
          "holder": holder or key.controller}
    options = ProofOptions(key.verification_method, proof_purpose="authentication",
                           challenge=request["challenge"], domain=request["domain"])
    return eddsa_jcs_2022.create_proof(vp, key, options)


def _exchange(app: Flask) -> str:
    with app.extensions["bridge"].db.session() as s:
        made = vcapi.create_exchange(s, WalletSettings.from_config(app.config), source="sample",
                                     recipient="learner@example.org")
    request = json.loads(parse_qs(urlparse(made.deep_link).query)["request"][0])
    assert request["protocols"]["vcapi"] == made.exchange_url
    return made.exchange_url


def test_exchange_issues_to_the_authenticated_holder(app: Flask, client: Any) -> None:
    url = _exchange(app)
    asked = client.post(url, json={}).get_json()["verifiablePresentationRequest"]
    assert asked["query"][0]["type"] == "DIDAuthentication" and asked["domain"] == "http://localhost"
    key = _holder()
    answer = client.post(url, json={"verifiablePresentation": _presentation(key, asked)})
    assert answer.status_code == 200, answer.get_json()
    credential = answer.get_json()["verifiablePresentation"]["verifiableCredential"][0]
    assert credential["credentialSubject"]["id"] == key.controller
    again = client.post(url, json={"verifiablePresentation": _presentation(key, asked)})  # replayed challenge
    assert again.status_code == 400 and "already answered" in again.get_json()["error_description"]


def test_exchange_refuses_foreign_or_unsigned_presentations(app: Flask, client: Any) -> None:
    url = _exchange(app)
    asked = client.post(url, json={}).get_json()["verifiablePresentationRequest"]
    key, other = _holder(), _holder()
    foreign = _presentation(other, asked, holder=key.controller)
    assert client.post(url, json={"verifiablePresentation": foreign}).status_code == 400
    wrong_domain = _presentation(key, {**asked, "domain": "https://evil.example"})
    refused = client.post(url, json={"verifiablePresentation": wrong_domain})
    assert refused.status_code == 400 and "does not verify" in refused.get_json()["error_description"]
    unsigned = {"holder": key.controller, "type": ["VerifiablePresentation"]}
    assert client.post(url, json={"verifiablePresentation": unsigned}).status_code == 400
    assert client.post("/wallet/exchanges/unknown", json={}).status_code == 404
