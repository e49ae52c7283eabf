"""A small OpenID4VCI wallet written for the tests from the specification text (1.0 and draft 13), independent
of the issuer's code: keys and JWS by jwcrypto, did:key by hand (multicodec 0xed01 + base58btc).

It talks through ``http`` (a requests.Session against a live server, or an adapter over Flask's test client),
so the same client runs over real HTTP and in-process.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qs, urlparse

import base58
from jwcrypto import jwk, jws
from jwcrypto.common import base64url_decode

PRE_AUTH = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


class Http(Protocol):
    def get(self, url: str) -> tuple[int, Any]: ...
    def post(self, url: str, *, data: dict[str, str] | None = None, json_body: Any = None,
             token: str | None = None) -> tuple[int, Any]: ...


class FlaskHttp:
    """``Http`` over a Flask test client (absolute URLs on the app's BASE_URL)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def get(self, url: str) -> tuple[int, Any]:
        r = self.client.get(url)
        return r.status_code, r.get_json(silent=True)

    def post(self, url: str, *, data: dict[str, str] | None = None, json_body: Any = None,
             token: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = self.client.post(url, data=data, json=json_body, headers=headers)
        return r.status_code, r.get_json(silent=True)


class RequestsHttp:
    def __init__(self, session: Any) -> None:
        self.session = session

    def get(self, url: str) -> tuple[int, Any]:
        r = self.session.get(url, timeout=30)
        return r.status_code, r.json()

    def post(self, url: str, *, data: dict[str, str] | None = None, json_body: Any = None,
             token: str | None = None) -> tuple[int, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = self.session.post(url, data=data, json=json_body, headers=headers, timeout=30)
        return r.status_code, r.json() if r.content else None


def did_key_of(key: jwk.JWK) -> str:
    raw = base64url_decode(key.export_public(as_dict=True)["x"])
    return "did:key:z" + base58.b58encode(b"\xed\x01" + raw).decode()


@dataclass
class Wallet:
    http: Http
    key: jwk.JWK = field(default_factory=lambda: jwk.JWK.generate(kty="OKP", crv="Ed25519"))
    offer: dict[str, Any] = field(default_factory=dict)
    issuer: dict[str, Any] = field(default_factory=dict)
    server: dict[str, Any] = field(default_factory=dict)
    token: dict[str, Any] = field(default_factory=dict)

    @property
    def did(self) -> str:
        return did_key_of(self.key)

    def receive(self, link: str) -> dict[str, Any]:
        """Resolve an ``openid-credential-offer://`` link (by value or by reference) and load both metadata."""
        query = parse_qs(urlparse(link).query)
        if "credential_offer" in query:
            self.offer = json.loads(query["credential_offer"][0])
        else:
            status, self.offer = self.http.get(query["credential_offer_uri"][0])
            assert status == 200, self.offer
        base = self.offer["credential_issuer"]
        self.issuer = self.http.get(f"{base}/.well-known/openid-credential-issuer")[1]
        as_base = (self.issuer.get("authorization_servers") or [base])[0]
        self.server = self.http.get(f"{as_base}/.well-known/oauth-authorization-server")[1]
        return self.offer

    @property
    def code(self) -> str:
        return str(self.offer["grants"][PRE_AUTH]["pre-authorized_code"])

    def redeem(self, tx_code: str | None = None, code: str | None = None) -> tuple[int, Any]:
        form = {"grant_type": PRE_AUTH, "pre-authorized_code": code or self.code}
        if tx_code is not None:
            form["tx_code"] = tx_code
        status, body = self.http.post(self.server["token_endpoint"], data=form)
        if status == 200:
            self.token = body
        return status, body

    def nonce(self) -> str:
        status, body = self.http.post(self.issuer["nonce_endpoint"])
        assert status == 200, body
        return str(body["c_nonce"])

    def proof(self, nonce: str | None, *, aud: str | None = None, signer: jwk.JWK | None = None,
              iat: int | None = None, header: dict[str, Any] | None = None) -> str:
        claims: dict[str, Any] = {"aud": aud or self.issuer["credential_issuer"], "iat": iat or int(time.time())}
        if nonce is not None:
            claims["nonce"] = nonce
        protected = header or {"alg": "EdDSA", "typ": "openid4vci-proof+jwt",
                               "kid": f"{self.did}#{self.did.removeprefix('did:key:')}"}
        token = jws.JWS(json.dumps(claims))
        token.add_signature(signer or self.key, alg=protected["alg"], protected=json.dumps(protected))
        return str(token.serialize(compact=True))

    def request(self, body: dict[str, Any], token: str | None = None) -> tuple[int, Any]:
        return self.http.post(self.issuer["credential_endpoint"], json_body=body,
                              token=token if token is not None else self.token.get("access_token"))

    def credential_v1(self, configuration_id: str, proof_jwt: str) -> tuple[int, Any]:
        return self.request({"credential_configuration_id": configuration_id, "proofs": {"jwt": [proof_jwt]}})

    def credential_draft13(self, fmt: str, proof_jwt: str) -> tuple[int, Any]:
        return self.request({"format": fmt, "credential_definition": {
            "type": ["VerifiableCredential", "OpenBadgeCredential"]}, "proof": {"proof_type": "jwt", "jwt": proof_jwt}})
