"""EDC screens: the admin sets a tenant's EDC wallet (secrets encrypted, bad input refused, CSRF), a learner asks
through a real launch for delivery to their Europass wallet and sees its state before and after the outbox job."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from typing import Any

import pytest
import responses
from flask import Flask
from sqlalchemy import select

from bridge.models import EdcDelivery, EdcSettings
from bridge.services import awards, edc_delivery, launches
from bridge.services import credential_templates as templates
from bridge.services.edc_delivery import EdcContext
from tests.conftest import tool_config
from tests.support.awards_data import make_tenant, sample_template
from tests.support.launch_actions import LaunchActions

AUTH = {"Authorization": "Basic " + base64.b64encode(b"admin:s3cret-admin").decode()}
WALLET = "https://wallet.edc.example.eu"


@pytest.fixture
def admin_app(tmp_path: Any, database_url: str) -> Any:
    from bridge import create_app

    application: Flask = create_app(tool_config(tmp_path, DATABASE_URL=database_url, ADMIN_PASSWORD="s3cret-admin"))
    yield application
    application.extensions["bridge"].db.dispose()


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_admin_saves_edc_settings_and_refuses_bad_ones(admin_app: Flask) -> None:
    with admin_app.extensions["bridge"].db.session() as s:
        reg_id = make_tenant(s).registration.id
        s.commit()
    client = admin_app.test_client()
    assert client.get("/admin/edc").status_code == 401
    page = client.get("/admin/edc", headers=AUTH).get_data(as_text=True)
    assert "not set up" in page
    token = _csrf(page)
    form = {"route": "wallet", "wallet_url": WALLET, "auth": "basic", "username": "bridge", "secret": "pw-1"}
    assert client.post(f"/admin/edc/{reg_id}", data={**form, "csrf_token": "forged"}, headers=AUTH).status_code == 400
    bad = client.post(f"/admin/edc/{reg_id}", data={**form, "wallet_url": "ftp://x", "csrf_token": token},
                      headers=AUTH, follow_redirects=True)
    assert "Not saved: The EDC wallet URL must be an https:// URL" in bad.get_data(as_text=True)
    with admin_app.extensions["bridge"].db.session() as s:
        assert s.scalars(select(EdcSettings)).all() == []
    saved = client.post(f"/admin/edc/{reg_id}", data={**form, "csrf_token": token}, headers=AUTH,
                        follow_redirects=True).get_data(as_text=True)
    assert "Saved the EDC settings" in saved and "(stored)" in saved and "pw-1" not in saved
    with admin_app.extensions["bridge"].db.session() as s:
        row = s.scalars(select(EdcSettings)).one()
        assert (row.route, row.wallet_url, row.auth, row.username) == ("wallet", WALLET, "basic", "bridge")
        assert row.secret_encrypted and b"pw-1" not in row.secret_encrypted


def test_learner_sends_an_award_to_europass_and_sees_its_state(app: Flask, registered: LaunchActions) -> None:
    launch = registered.launch("learner-1").headers["Location"].split("launch=")[1]
    services = app.extensions["bridge"]
    with services.db.session() as s:
        ctx = launches.load_context(s, launch)
        assert ctx.course_pk is not None
        tpl = templates.save_template(s, registration_pk=ctx.registration_pk, course_pk=ctx.course_pk,
                                      template=sample_template())
        award = awards.award_manually(s, tpl, ctx.user_pk, ctx.course_pk, reason="Prior learning", by=None,
                                      now=datetime.now(UTC))
        s.add(EdcSettings(registration_id=ctx.registration_pk, route="wallet", wallet_url=WALLET, auth="none",
                          username=""))
        s.commit()
        award_id = award.id
    client = registered.client
    page = client.get(f"/learner/wallet/?launch={launch}").get_data(as_text=True)
    assert "Send to my Europass wallet" in page
    form = {"launch": launch, "csrf_token": _csrf(page), "award_id": str(award_id)}
    refused = client.post("/learner/wallet/edc", data={**form, "email": "not an address"}).get_data(as_text=True)
    assert "This is not an e-mail address." in refused
    queued = client.post("/learner/wallet/edc", data={**form, "email": "ada@example.org"}).get_data(as_text=True)
    assert "queued for your Europass wallet" in queued and "Waiting to be sent." in queued
    client.post("/learner/wallet/edc", data={**form, "email": "ada@example.org"})  # asking twice: still one delivery
    with responses.RequestsMock() as mock:
        mock.post(f"{WALLET}/api/v1/wallets/email/ada@example.org/credentials",
                  json={"uuid": "u-1", "viewerURL": f"{WALLET}/viewer/u-1"})
        with services.db.session() as s:
            assert s.scalars(select(EdcDelivery)).one().award_id == award_id
            assert edc_delivery.run_due(s, EdcContext(box=services.box, config=app.config, http=services.http)) == 1
    after = client.get(f"/learner/wallet/?launch={launch}").get_data(as_text=True)
    assert "Delivered to your Europass wallet." in after and f"{WALLET}/viewer/u-1" in after


def test_cli_sets_shows_and_lists_without_secrets_on_the_command_line(app: Flask, monkeypatch: Any) -> None:
    from click.testing import CliRunner

    from bridge.cli import main

    with app.extensions["bridge"].db.session() as s:
        reg_id = make_tenant(s).registration.id
        s.commit()
    runner = CliRunner()
    monkeypatch.setenv("EDC_TEST_TOKEN", "tok-1")
    bad = runner.invoke(main, ["edc", "set", "--platform", str(reg_id), "--wallet-url", "http://x.example"], obj=app)
    assert bad.exit_code == 1 and "must be an https:// URL" in bad.output
    ok = runner.invoke(main, ["edc", "set", "--platform", str(reg_id), "--wallet-url", WALLET, "--auth", "bearer",
                              "--secret-env", "EDC_TEST_TOKEN"], obj=app)
    assert ok.exit_code == 0, ok.output
    shown = runner.invoke(main, ["edc", "show", "--platform", str(reg_id), "--json"], obj=app)
    assert '"secret_stored": true' in shown.output and "tok-1" not in shown.output
    prompted = runner.invoke(main, ["edc", "set", "--platform", str(reg_id), "--route", "issuer", "--issuer-url",
                                    "https://issuer.edc.example.eu"], input="p12-pass\n", obj=app)
    assert prompted.exit_code == 0, prompted.output
    with app.extensions["bridge"].db.session() as s:
        row = s.scalars(select(EdcSettings)).one()
        assert row.route == "issuer" and row.certificate_password_encrypted is not None
    assert runner.invoke(main, ["edc", "deliveries"], obj=app).output.strip() == "no EDC deliveries"


def test_admin_sees_wallet_deliveries_with_problems(admin_app: Flask) -> None:
    from bridge.models import Delivery
    from bridge.services import wallet_offers
    from bridge.services.wallet_offers import WalletSettings

    client = admin_app.test_client()
    assert "No wallet delivery has failed." in client.get("/admin/edc", headers=AUTH).get_data(as_text=True)
    with admin_app.extensions["bridge"].db.session() as s:
        new = wallet_offers.create_offer(s, WalletSettings.from_config(admin_app.config), source="sample",
                                         recipient="learner@example.org", tx_code=False)
        s.add(Delivery(offer=new.offer, channel="oid4vci", state="failed", attempts=8,
                       last_error="The credential could not be signed: no key. We gave up after 8 attempts.",
                       request={}))
        s.commit()
    page = client.get("/admin/edc", headers=AUTH).get_data(as_text=True)
    assert "The credential could not be signed: no key. We gave up after 8 attempts." in page
