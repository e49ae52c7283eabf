"""Public credential endpoints: DID documents, context, status lists, the verify API and the verify page."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import responses
from flask import Flask
from flask.testing import FlaskClient

from bridge.services import issuers
from credentials.dids import DidResolver, VerificationMethod, did_document, did_web_url
from credentials.multikey import SigningKey, generate_ed25519
from credentials.sign import sign_credential
from credentials.verify import verify_credential
from tests.functional.credentials_support import FORMATS, cli, issue_sample


def local_fetch(client: FlaskClient) -> Any:
    """did:web over the test client: https://localhost/… → the app (no network)."""
    def fetch(url: str) -> Any:
        response = client.get(url.removeprefix("https://localhost"))
        assert response.status_code == 200
        return response.get_json()
    return fetch


def test_did_document_is_served_and_resolves(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200 and response.mimetype == "application/did+json"
    document = response.get_json()
    assert document["id"] == "did:web:localhost"
    assert {m["type"] for m in document["verificationMethod"]} == {"Multikey", "JsonWebKey"}
    proof = json.loads(issue_sample(app, tmp_path, "ob3-rdfc").read_text())["proof"]
    method = DidResolver(local_fetch(client)).verification_method(proof["verificationMethod"])
    assert method.controller == "did:web:localhost" and "assertionMethod" in method.relationships


def test_path_based_did_web_for_another_issuer(app: Flask, client: FlaskClient) -> None:
    services = app.extensions["bridge"]
    with services.db.session() as session:
        issuer = issuers.create_issuer(session, services.box, slug="faculty-of-law", name="Faculty of Law",
                                       base_url=app.config["BASE_URL"])
        did = issuer.did
    assert did == "did:web:localhost:issuers:faculty-of-law"
    assert did_web_url(did) == "https://localhost/issuers/faculty-of-law/did.json"
    assert DidResolver(local_fetch(client)).resolve(did)["id"] == did
    assert client.get("/issuers/nobody/did.json").status_code == 404


def test_context_is_served(client: FlaskClient) -> None:
    response = client.get("/contexts/mc/v1")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ectsCredits" in response.get_json()["@context"]


def test_status_list_credential_is_signed_and_reflects_revocation(app: Flask, client: FlaskClient,
                                                                  tmp_path: Path) -> None:
    path = issue_sample(app, tmp_path, "ob3-jcs")
    entry = json.loads(path.read_text())["credentialStatus"]
    list_path = entry["statusListCredential"].removeprefix("http://localhost")
    before = json.loads(client.get(list_path).data)
    assert before["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    resolver = DidResolver(local_fetch(client))
    from bridge.services.credential_contexts import canonicalizer

    assert verify_credential(before, resolver=resolver, canonicalizer=canonicalizer()).valid
    assert cli(app, "revoke", str(path)).exit_code == 0
    after = json.loads(client.get(list_path).data)
    assert after["credentialSubject"]["encodedList"] != before["credentialSubject"]["encodedList"]
    assert client.get("/status/999999").status_code == 404


@pytest.mark.parametrize("fmt", FORMATS)
def test_api_verifies_every_format(app: Flask, client: FlaskClient, tmp_path: Path, fmt: str) -> None:
    text = issue_sample(app, tmp_path, fmt).read_text()
    body = json.loads(text) if fmt.startswith("ob3-r") or fmt == "ob3-jcs" else {"credential": text}
    answer = client.post("/api/v1/verify", json=body).get_json()
    assert answer["valid"] is True, answer
    raw = client.post("/api/v1/verify", data=text, content_type="text/plain").get_json()
    assert raw["valid"] is True


def test_api_says_why_a_tampered_credential_fails(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    doc = json.loads(issue_sample(app, tmp_path, "ob3-rdfc").read_text())
    doc["validFrom"] = "2020-01-01T00:00:00Z"
    answer = client.post("/api/v1/verify", json={"credential": doc}).get_json()
    assert answer["valid"] is False
    assert [c["check"] for c in answer["checks"] if not c["ok"]] == ["proof"]
    assert client.post("/api/v1/verify", data="").status_code == 400


def test_verify_page_explains_the_result(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    page = client.get("/verify")
    assert page.status_code == 200 and b'<label for="credential">' in page.data and b"<script" not in page.data
    text = issue_sample(app, tmp_path, "ob3-rdfc").read_text()
    good = client.post("/verify", data={"credential": text}).get_data(as_text=True)
    assert "This credential is genuine" in good and "Sample micro-credential" in good
    doc = json.loads(text)
    doc["credentialSubject"]["achievement"]["name"] = "Rocket science"
    bad = client.post("/verify", data={"credential": json.dumps(doc)}).get_data(as_text=True)
    assert "could not be confirmed" in bad
    assert "the credential was changed after it was issued" in bad


def test_verify_page_upload_and_revoked(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    path = issue_sample(app, tmp_path, "vc-jose")
    cli(app, "revoke", str(path))
    upload = {"file": (io.BytesIO(path.read_bytes()), "credential.jwt")}
    page = client.post("/verify", data=upload, content_type="multipart/form-data").get_data(as_text=True)
    assert "could not be confirmed" in page and "The issuer has revoked this credential." in page
    empty = client.post("/verify", data={"credential": ""})
    assert empty.status_code == 400 and "Paste a credential" in empty.get_data(as_text=True)


def test_public_link_and_verify_by_url(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    link = json.loads(issue_sample(app, tmp_path, "ob3-rdfc").read_text())["id"]
    html = client.get(link.removeprefix("http://localhost"), headers={"Accept": "text/html"})
    assert html.status_code == 200 and "This credential is genuine" in html.get_data(as_text=True)
    by_url = client.get("/verify", query_string={"credential": link}).get_data(as_text=True)
    assert "This credential is genuine" in by_url
    refused = client.get("/verify", query_string={"credential": "https://127.0.0.1/credential.json"})
    assert refused.status_code == 400 and "not a public address" in refused.get_data(as_text=True)
    assert client.get("/credentials/unknown").status_code == 404


@responses.activate
def test_someone_elses_did_web_credential_and_the_trust_list(app: Flask, client: FlaskClient) -> None:
    did = "did:web:issuer.example"
    key = SigningKey(generate_ed25519(), f"{did}#key-1")
    document = did_document(did, [VerificationMethod(key.verification_method, did, key.public)])
    responses.get("https://issuer.example/.well-known/did.json", json=document)
    credential = sign_credential({
        "@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
        "issuer": did, "validFrom": "2025-01-01T00:00:00Z", "credentialSubject": {"name": "Ana"}}, key, "ob3-jcs")
    answer = client.post("/api/v1/verify", json=credential).get_json()
    assert {c["check"]: c["ok"] for c in answer["checks"]} == {
        "format": True, "proof": True, "issuer": True, "valid_from": True, "trust": False}
    responses.get("https://trust.example/issuers.json", json={"issuers": [{"id": did}]})
    app.config["TRUSTED_ISSUERS_URL"] = "https://trust.example/issuers.json"
    assert client.post("/api/v1/verify", json=credential).get_json()["valid"] is True
    assert len([c for c in responses.calls if "did.json" in (c.request.url or "")]) == 1, "did:web documents are cached"


def test_verify_page_summarizes_a_sealed_edc(app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    text = issue_sample(app, tmp_path, "edc").read_text()
    payload = json.loads(json.loads(text)["payload"])
    title = payload["credentialSubject"]["hasClaim"]["title"]["en"]
    issuer = payload["issuer"]["legalName"]["en"]
    page = client.post("/verify", data={"credential": text}).get_data(as_text=True)
    assert f"<dt>Achievement</dt><dd>{title}</dd>" in page
    assert f"<dt>Issued by</dt><dd>{issuer}</dd>" in page
    assert "This credential is genuine" in page and f"about “{title}”" in page
