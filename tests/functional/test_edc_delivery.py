"""EDC delivery through the outbox against `responses` mocks of the EDC Wallet API v1 and the EDC Issuer API.

A real award is sealed (JAdES, demo e-seal) and deposited; the wallet's answers drive the state machine:
success, 409 (already there: delivered), 400 (failed, the API's message kept), 5xx and timeouts (retried with
backoff, the very same sealed file every time), and the issuer route's seal_and_send.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import pytest
import requests
import responses
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bridge.models import Award, EdcDelivery
from bridge.services import awards, edc_delivery, edc_settings, outbox
from bridge.services import credential_templates as templates
from bridge.services.edc_delivery import EdcContext, EdcDeliveryError
from bridge.services.edc_settings import EdcSettingsError, SettingsInput
from connectors.retry import RetryPolicy
from credentials import jades
from tests.support.awards_data import make_tenant, sample_template

WALLET = "https://wallet.edc.example.eu"
ISSUER = "https://issuer.edc.example.eu"
BY_ADDRESS = f"{WALLET}/api/v1/wallets/w-123/credentials"
BY_EMAIL = f"{WALLET}/api/v1/wallets/email/ada@example.org/credentials"
SEAL_AND_SEND = f"{ISSUER}/api/v1/public/credentials/seal_and_send"
VIEW = {"uuid": "edc-uuid-1", "viewerURL": f"{WALLET}/viewer/edc-uuid-1"}


def _multipart(request: Any) -> dict[str, bytes]:
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + bytes(request.body))
    return {str(p.get_param("name", header="content-disposition")): bytes(p.get_payload(decode=True))
            for p in message.iter_parts()}


@pytest.fixture
def mocked() -> Any:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def world(app: Flask) -> Any:
    services = app.extensions["bridge"]
    with services.db.session() as s:
        tenant = make_tenant(s)
        tpl = templates.save_template(s, registration_pk=tenant.registration.id, course_pk=tenant.course.id,
                                      template=sample_template())
        award = awards.award_manually(s, tpl, tenant.learners[0].id, tenant.course.id, reason="Prior learning",
                                      by=None, now=datetime.now(UTC))
        s.commit()
        ids = (tenant.registration.id, award.id)
    ctx = EdcContext(box=services.box, config=app.config, http=services.http,
                     connector_options={"retry": RetryPolicy(max_attempts=2), "sleep": lambda _s: None})
    return app, ctx, ids


def _setup(s: Session, ctx: EdcContext, registration_id: int, **changes: str) -> None:
    data = {"route": "wallet", "wallet_url": WALLET, "auth": "bearer", "secret": "wallet-token-123", **changes}
    edc_settings.save(s, ctx.box, registration_id, SettingsInput(**data))


def _queue(s: Session, ctx: EdcContext, ids: tuple[int, int], **target: str) -> EdcDelivery:
    return edc_delivery.request_delivery(s, ctx.box, s.get_one(Award, ids[1]), registration_id=ids[0], **target)


def _run(s: Session, ctx: EdcContext, *, later: timedelta = timedelta(0)) -> int:
    return edc_delivery.run_due(s, ctx, now=datetime.now(UTC) + later)


def test_settings_keep_secrets_encrypted_and_refuse_bad_urls(world: Any) -> None:
    app, ctx, (reg, _award) = world
    with app.extensions["bridge"].db.session() as s:
        with pytest.raises(EdcSettingsError, match="https://"):
            _setup(s, ctx, reg, wallet_url="http://wallet.example.eu")
        assert edc_settings.get(s, reg) is None  # nothing half-written
        with pytest.raises(EdcSettingsError, match="certificate"):
            _setup(s, ctx, reg, route="issuer", issuer_url=ISSUER)
        _setup(s, ctx, reg)
        raw = s.execute(text("SELECT secret_encrypted FROM edc_settings")).scalar_one()
        assert b"wallet-token-123" not in bytes(raw)


def test_deposit_by_wallet_address_seals_once_and_is_idempotent(world: Any, mocked: Any,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    app, ctx, ids = world
    mocked.post(BY_ADDRESS, json=VIEW)
    with app.extensions["bridge"].db.session() as s:
        _setup(s, ctx, ids[0])
        row = _queue(s, ctx, ids, wallet_address="https://europa.eu/europass/wallet/w-123")
        assert _queue(s, ctx, ids, wallet_address="w-123").id == row.id  # one award, one address: one delivery
        with caplog.at_level(logging.INFO):
            done = _run(s, ctx)
        s.refresh(row)
        assert done == 1, row.last_error
        assert (row.state, row.outcome, row.remote_id, row.viewer_url) == ("done", "deposited", "edc-uuid-1",
                                                                           VIEW["viewerURL"])
        assert edc_delivery.state_text(row) == "Delivered to your Europass wallet."
        assert _run(s, ctx, later=timedelta(hours=1)) == 0  # done rows are not sent again
    sent = mocked.calls[0].request
    assert sent.headers["Authorization"] == "Bearer wallet-token-123"
    assert sent.headers["Idempotency-Key"] == row.idempotency_key
    sealed = json.loads(_multipart(sent)["_credentialXML"])
    assert jades.is_sealed(sealed)
    assert len(mocked.calls) == 1
    assert "w-123" not in caplog.text and "wallet-token" not in caplog.text


def test_409_already_deposited_counts_as_delivered(world: Any, mocked: Any) -> None:
    app, ctx, ids = world
    mocked.post(BY_EMAIL, status=409, json={"message": "A credential with the same ID already exists"})
    with app.extensions["bridge"].db.session() as s:
        _setup(s, ctx, ids[0])
        row = _queue(s, ctx, ids, email="ada@example.org")
        assert _run(s, ctx) == 1
        s.refresh(row)
        assert (row.state, row.outcome) == ("done", "duplicate")
        assert "Already in your Europass wallet" in edc_delivery.state_text(row)
        raw = s.execute(text("SELECT target_encrypted FROM edc_deliveries")).scalar_one()
        assert b"ada@example.org" not in bytes(raw)


def test_400_fails_at_once_with_the_apis_message(world: Any, mocked: Any) -> None:
    app, ctx, ids = world
    mocked.post(BY_ADDRESS, status=400, json={"message": "Bad request", "description": "Seal certificate expired"})
    with app.extensions["bridge"].db.session() as s:
        _setup(s, ctx, ids[0])
        row = _queue(s, ctx, ids, wallet_address="w-123")
        assert _run(s, ctx) == 0
        s.refresh(row)
        assert row.state == "failed" and row.attempts == 1
        assert row.last_error == "The EDC service refused the credential: Seal certificate expired"
        assert edc_delivery.state_text(row).startswith("Not delivered. The EDC service refused")


def test_5xx_and_timeouts_are_retried_with_backoff_sending_the_same_file(world: Any, mocked: Any) -> None:
    app, ctx, ids = world
    mocked.post(BY_ADDRESS, status=500, json={"message": "There's been an unexpected error"})
    mocked.post(BY_ADDRESS, body=requests.ReadTimeout("slow"))
    mocked.post(BY_ADDRESS, body=requests.ReadTimeout("slow"))
    mocked.post(BY_ADDRESS, json=VIEW)
    with app.extensions["bridge"].db.session() as s:
        _setup(s, ctx, ids[0])
        row = _queue(s, ctx, ids, wallet_address="w-123")
        assert _run(s, ctx) == 0
        s.refresh(row)
        assert row.state == "pending" and "could not be reached" in row.last_error
        assert row.next_attempt_at > datetime.now(UTC)
        assert _run(s, ctx) == 0  # not due yet: nothing is sent
        assert len(mocked.calls) == 1
        assert _run(s, ctx, later=timedelta(seconds=outbox.FIRST_RETRY_SECONDS + 1)) == 0  # two timeouts
        s.refresh(row)
        assert row.state == "pending" and row.attempts == 2
        assert _run(s, ctx, later=timedelta(minutes=5)) == 1
        s.refresh(row)
        assert row.state == "done" and row.attempts == 3
    bodies = {_multipart(call.request)["_credentialXML"] for call in mocked.calls}
    assert len(mocked.calls) == 4 and len(bodies) == 1  # every retry carries the same sealed credential


def test_issuer_route_takes_the_wallet_address_whole(world: Any, mocked: Any) -> None:
    app, ctx, ids = world
    mocked.post(SEAL_AND_SEND, json={"viewerURL": []})
    with app.extensions["bridge"].db.session() as s:
        _setup(s, ctx, ids[0], route="issuer", wallet_url="", issuer_url=ISSUER, certificate_password="p12")
        _queue(s, ctx, ids, wallet_address="https://europa.eu/europass/wallet/w-123")
        assert _run(s, ctx) == 1
    upload = json.loads(_multipart(mocked.calls[0].request)["_file"])
    assert upload["deliveryDetails"]["deliveryAddress"] == ["https://europa.eu/europass/wallet/w-123"]


def test_issuer_route_seal_and_send_with_basic_auth(world: Any, mocked: Any) -> None:
    app, ctx, ids = world
    mocked.post(SEAL_AND_SEND, json={"viewerURL": [f"{WALLET}/viewer/2"]})
    with app.extensions["bridge"].db.session() as s:
        _setup(s, ctx, ids[0], route="issuer", wallet_url="", issuer_url=ISSUER, auth="basic", username="bridge",
               secret="pw", certificate_password="p12-secret")
        row = _queue(s, ctx, ids, email="ada@example.org")
        assert row.route == "issuer"
        assert _run(s, ctx) == 1
        s.refresh(row)
        assert row.viewer_url == f"{WALLET}/viewer/2" and row.issued_credential_id is None
    parts = _multipart(mocked.calls[0].request)
    upload = json.loads(parts["_file"])
    assert upload["deliveryDetails"]["deliveryAddress"] == ["mailto:ada@example.org"]
    assert "EuropeanDigitalCredential" in upload["credential"]["type"]
    assert parts["password"] == b"p12-secret"


def test_bad_requests_change_nothing(world: Any) -> None:
    app, ctx, ids = world
    with app.extensions["bridge"].db.session() as s:
        with pytest.raises(EdcDeliveryError, match="not set up"):
            _queue(s, ctx, ids, email="ada@example.org")
        _setup(s, ctx, ids[0])
        for target in ({"email": "nope"}, {"wallet_address": "../x"}, {}, {"email": "a@b.eu", "wallet_address": "w"}):
            with pytest.raises(EdcDeliveryError):
                _queue(s, ctx, ids, **target)
        assert s.scalars(select(EdcDelivery)).all() == []


def test_learner_gets_an_email_notice_over_smtp_when_a_delivery_finishes(world: Any, mocked: Any) -> None:
    from bridge.models import LmsUser
    from bridge.services.notices import SmtpMailer
    from tests.support.smtp_server import SmtpServer

    app, ctx, ids = world
    mocked.add_passthru("http://127.0.0.1")
    mocked.post(BY_ADDRESS, json=VIEW)
    with app.extensions["bridge"].db.session() as s, SmtpServer() as smtp:
        _setup(s, ctx, ids[0])
        award = s.get_one(Award, ids[1])
        s.get_one(LmsUser, award.user_id).email = "learner0@uniz.example"
        s.commit()
        _queue(s, ctx, ids, wallet_address="w-123")
        mailer = SmtpMailer(host="127.0.0.1", port=smtp.port, sender="bridge@uniz.example", starttls=False)
        assert edc_delivery.run_due(s, ctx, mailer=mailer) == 1
    (mail,) = smtp.messages
    assert mail.recipients == ["learner0@uniz.example"] and mail.sender == "bridge@uniz.example"
    assert mail.message["Subject"] == 'Your credential "Critical thinking online" is in your Europass wallet'
    assert VIEW["viewerURL"] in mail.message.get_payload(decode=True).decode()  # type: ignore[union-attr]


def test_a_mail_server_that_is_down_does_not_change_the_delivery(world: Any, mocked: Any,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    from bridge.models import LmsUser
    from bridge.services.notices import SmtpMailer
    from tests.support.servers import free_port

    app, ctx, ids = world
    mocked.post(BY_ADDRESS, status=400, json={"message": "Invalid credential"})
    with app.extensions["bridge"].db.session() as s:
        _setup(s, ctx, ids[0])
        award = s.get_one(Award, ids[1])
        s.get_one(LmsUser, award.user_id).email = "learner0@uniz.example"
        s.commit()
        row = _queue(s, ctx, ids, wallet_address="w-123")
        edc_delivery.run_due(s, ctx, mailer=SmtpMailer(host="127.0.0.1", port=free_port(), sender="b@x.eu",
                                                       starttls=False, timeout=2))
        s.refresh(row)
        assert row.state == "failed" and row.last_error.endswith("Invalid credential")
    assert "e-mail notice not sent" in caplog.text and "learner0@" not in caplog.text


def test_asking_again_after_a_failure_retries_the_same_delivery(world: Any, mocked: Any) -> None:
    app, ctx, ids = world
    mocked.post(BY_ADDRESS, status=404, json={"message": "No wallet exists with the given Wallet address"})
    mocked.post(BY_ADDRESS, json=VIEW)
    with app.extensions["bridge"].db.session() as s:
        _setup(s, ctx, ids[0])
        row = _queue(s, ctx, ids, wallet_address="w-123")
        _run(s, ctx)
        s.refresh(row)
        assert row.state == "failed" and "No wallet exists" in row.last_error
        again = _queue(s, ctx, ids, wallet_address="w-123")  # the learner created the wallet and asks again
        assert again.id == row.id and again.state == "pending" and again.attempts == 0
        assert _run(s, ctx) == 1
        s.refresh(row)
        assert row.state == "done" and s.scalars(select(EdcDelivery)).all() == [row]
    first, second = (_multipart(c.request)["_credentialXML"] for c in mocked.calls)
    assert first == second  # the same sealed credential: the wallet's duplicate check still holds


def test_one_award_is_one_sealed_credential_whatever_the_address(world: Any, mocked: Any) -> None:
    app, ctx, ids = world
    mocked.post(BY_ADDRESS, json=VIEW)
    mocked.post(BY_EMAIL, status=409, json={"message": "A credential with the same ID already exists"})
    with app.extensions["bridge"].db.session() as s:
        _setup(s, ctx, ids[0])
        by_address = _queue(s, ctx, ids, wallet_address="w-123")
        by_email = _queue(s, ctx, ids, email="ada@example.org")  # the same learner's wallet, found by e-mail
        assert _run(s, ctx) == 2
        s.refresh(by_address)
        s.refresh(by_email)
        assert by_address.issued_credential_id == by_email.issued_credential_id
        assert (by_address.outcome, by_email.outcome) == ("deposited", "duplicate")
    files = [_multipart(c.request)["_credentialXML"] for c in mocked.calls]
    assert len(files) == 2 and files[0] == files[1]
