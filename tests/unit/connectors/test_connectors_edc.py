"""EDC connector against `responses` mocks of the EDC Wallet API v1 and the EDC Issuer's API sealing.

Shapes follow the EDCI wallet's ``CredentialResource`` (multipart part ``_credentialXML``; 400 invalid credential,
404 no wallet, 409 a credential with the same ID already exists; ``ApiErrorMessage`` bodies) and the issuer's
``/api/v1/public/credentials/seal_and_send`` (parts ``_file``, ``password``, ``signOnBehalf``; basic auth).
"""

from __future__ import annotations

import json
from email.parser import BytesParser
from email.policy import HTTP

import pytest
import requests
import responses
from connectors_support import FakeClock

from connectors import errors
from connectors.edc import EdcIssuerConnector, EdcRejected, EdcWalletConnector, api_message, wallet_id
from connectors.retry import RetryPolicy

WALLET = "https://wallet.edc.example.eu"
ISSUER = "https://issuer.edc.example.eu"
BY_ADDRESS = f"{WALLET}/api/v1/wallets/7c9d2f0a-1b/credentials"
BY_EMAIL = f"{WALLET}/api/v1/wallets/email/learner@example.org/credentials"
SEAL_AND_SEND = f"{ISSUER}/api/v1/public/credentials/seal_and_send"
SEALED = json.dumps({"payload": "eyJ…", "signatures": [{"protected": "e30", "signature": "AA"}]}).encode()
VIEW = {"uuid": "0b2f-credential", "viewerURL": "https://wallet.edc.example.eu/viewer/0b2f", "title": "Data"}


def wallet(clock: FakeClock, **kwargs: object) -> EdcWalletConnector:
    return EdcWalletConnector(WALLET, retry=RetryPolicy(max_attempts=3), sleep=clock.sleep, now=clock.utc,
                              **kwargs)  # type: ignore[arg-type]


def parts(request: requests.PreparedRequest) -> dict[str, tuple[str | None, bytes]]:
    """The multipart body of a sent request: name → (filename, bytes)."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + bytes(request.body or b""))  # type: ignore[arg-type]
    found: dict[str, tuple[str | None, bytes]] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        found[name] = (part.get_filename(), bytes(part.get_payload(decode=True)))
    return found


def deposit(connector: EdcWalletConnector, **target: str) -> object:
    return connector.deposit(SEALED, filename="credential.jsonld", idempotency_key="award-7:wallet", **target)


def test_deposit_by_wallet_address_sends_the_sealed_file_and_reads_the_view(mocked: responses.RequestsMock,
                                                                           clock: FakeClock) -> None:
    mocked.post(BY_ADDRESS, json=VIEW)
    receipt = deposit(wallet(clock), wallet_address="https://europa.eu/europass/wallet/7c9d2f0a-1b")
    sent = mocked.calls[0].request
    assert parts(sent)["_credentialXML"] == ("credential.jsonld", SEALED)
    assert sent.headers["Idempotency-Key"] == "award-7:wallet"
    assert receipt.duplicate is False  # type: ignore[attr-defined]
    assert receipt.credential_uuid == "0b2f-credential"  # type: ignore[attr-defined]
    assert receipt.viewer_urls == (VIEW["viewerURL"],)  # type: ignore[attr-defined]


def test_deposit_by_email_uses_the_email_path(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.post(BY_EMAIL, json={**VIEW, "viewerURL": None})
    receipt = deposit(wallet(clock, token="wallet-token"), email="mailto:learner@example.org")
    assert mocked.calls[0].request.headers["Authorization"] == "Bearer wallet-token"
    assert receipt.viewer_urls == ()  # type: ignore[attr-defined]


def test_409_means_the_credential_is_there_already(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.post(BY_ADDRESS, status=409, json={"code": "409", "message": "A credential with the same ID already exists"})
    receipt = deposit(wallet(clock), wallet_address="7c9d2f0a-1b")
    assert receipt.duplicate is True  # type: ignore[attr-defined]
    assert len(mocked.calls) == 1


def test_400_is_rejected_with_the_apis_message(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.post(BY_ADDRESS, status=400, json={"code": "400", "message": "Bad request",
                                             "description": "The credential has no valid seal"})
    with pytest.raises(EdcRejected) as caught:
        deposit(wallet(clock), wallet_address="7c9d2f0a-1b")
    assert caught.value.status == 400
    assert "The credential has no valid seal" in caught.value.api_message
    assert len(mocked.calls) == 1  # a refusal is not retried


def test_404_unknown_wallet_says_so_in_plain_words(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.post(BY_ADDRESS, status=404, body=b"")
    with pytest.raises(EdcRejected) as caught:
        deposit(wallet(clock), wallet_address="7c9d2f0a-1b")
    assert caught.value.api_message == "The EDC service knows no wallet with this address."


def test_503_is_retried_then_succeeds(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.post(BY_ADDRESS, status=503)
    mocked.post(BY_ADDRESS, json=VIEW)
    receipt = deposit(wallet(clock), wallet_address="7c9d2f0a-1b")
    assert receipt.duplicate is False  # type: ignore[attr-defined]
    assert len(mocked.calls) == 2 and len(clock.sleeps) == 1


def test_504_is_retried_because_a_repeat_is_harmless(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    # The wallet deduplicates by credential id, so the deposit counts as idempotent: a gateway timeout is retried.
    mocked.post(BY_ADDRESS, status=504)
    mocked.post(BY_ADDRESS, status=409, json={"message": "A credential with the same ID already exists"})
    assert deposit(wallet(clock), wallet_address="7c9d2f0a-1b").duplicate is True  # type: ignore[attr-defined]


def test_500_is_unavailable_for_the_outbox_to_retry(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.post(BY_ADDRESS, status=500, json={"message": "There's been an unexpected error"})
    with pytest.raises(errors.ConnectorUnavailable):
        deposit(wallet(clock), wallet_address="7c9d2f0a-1b")


def test_timeouts_are_retried_and_then_reported_unavailable(mocked: responses.RequestsMock,
                                                             clock: FakeClock) -> None:
    for _ in range(3):
        mocked.post(BY_ADDRESS, body=requests.ReadTimeout("slow"))
    with pytest.raises(errors.ConnectorUnavailable) as caught:
        deposit(wallet(clock), wallet_address="7c9d2f0a-1b")
    assert "timeout" in str(caught.value)
    assert len(mocked.calls) == 3


def test_bad_addresses_are_refused_before_any_request(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    with pytest.raises(ValueError):
        deposit(wallet(clock), wallet_address="../../admin")
    with pytest.raises(ValueError):
        deposit(wallet(clock), email="not-an-address")
    with pytest.raises(ValueError):
        wallet(clock).deposit(SEALED, filename="c.json", idempotency_key="k")
    assert wallet_id("https://europa.eu/europass/wallet/abc_1/") == "abc_1"
    assert not mocked.calls


def test_seal_and_send_posts_the_upload_with_basic_auth(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.post(SEAL_AND_SEND, json={"viewerURL": ["https://wallet.edc.example.eu/viewer/1"]})
    issuer = EdcIssuerConnector(ISSUER, username="bridge", password="s3cret", sleep=clock.sleep, now=clock.utc)
    receipt = issuer.seal_and_send({"id": "urn:credential:1", "type": ["VerifiableCredential"]},
                                   delivery_addresses=("mailto:learner@example.org",), certificate_password="p12",
                                   idempotency_key="award-7:issuer")
    sent = mocked.calls[0].request
    assert sent.headers["Authorization"] == "Basic YnJpZGdlOnMzY3JldA=="
    body = parts(sent)
    upload = json.loads(body["_file"][1])
    assert upload["credential"]["id"] == "urn:credential:1"
    assert upload["deliveryDetails"] == {"deliveryAddress": ["mailto:learner@example.org"]}
    assert body["password"][1] == b"p12" and body["signOnBehalf"][1] == b"false"
    assert receipt.viewer_urls == ("https://wallet.edc.example.eu/viewer/1",)


def test_seal_and_send_passes_on_the_wallets_refusal(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.post(SEAL_AND_SEND, status=400, json={"message": "EDCI-Wallet: Invalid email"})
    issuer = EdcIssuerConnector(ISSUER, sleep=clock.sleep, now=clock.utc)
    with pytest.raises(EdcRejected) as caught:
        issuer.seal_and_send({"id": "urn:credential:1"}, delivery_addresses=("mailto:x@example.org",),
                             certificate_password="p12", idempotency_key="k")
    assert caught.value.api_message == "EDCI-Wallet: Invalid email"


def test_api_message_reads_edc_error_bodies() -> None:
    assert api_message(b'{"message": "Bad request", "description": "Seal expired"}') == "Seal expired"
    assert api_message(b'{"message": "Wrong", "description": "Seal expired"}') == "Wrong Seal expired"
    assert api_message(b"<html>proxy error</html>") == ""
    assert api_message(b"plain words") == "plain words"
    assert len(api_message(json.dumps({"message": "x" * 1000}).encode())) == 300
