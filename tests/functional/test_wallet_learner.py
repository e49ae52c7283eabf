"""Learner "Add to wallet" page through a real launch: an earned award gets an offer with a QR code, a
same-device link and a transaction code; a wallet redeems it and the page shows the offer's state.  Also
``bridge credential offer AWARD_ID`` and the delivery outbox (backoff, reasons in plain words)."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from click.testing import CliRunner

from bridge.cli import main
from bridge.models import Delivery
from bridge.services import awards, launches, outbox, wallet_offers
from bridge.services import credential_templates as templates
from bridge.services.wallet_offers import WalletSettings
from tests.functional.wallet_client import FlaskHttp, Wallet
from tests.support.awards_data import sample_template
from tests.support.launch_actions import LaunchActions

LDP = "OpenBadgeCredential_ldp_vc"


def _award_for(app: Any, launch: str) -> int:
    with app.extensions["bridge"].db.session() as s:
        ctx = launches.load_context(s, launch)
        assert ctx.course_pk is not None
        tpl = templates.save_template(s, registration_pk=ctx.registration_pk, course_pk=ctx.course_pk,
                                      template=sample_template())
        award = awards.award_manually(s, tpl, ctx.user_pk, ctx.course_pk, reason="Prior learning", by=None,
                                      now=datetime.now(UTC))
        s.commit()
        return award.id


def test_learner_adds_an_award_to_a_wallet_and_sees_its_state(app: Any, registered: LaunchActions) -> None:
    launch = registered.launch("learner-1").headers["Location"].split("launch=")[1]
    award_id = _award_for(app, launch)
    client = registered.client
    page = client.get(f"/learner/wallet/?launch={launch}").get_data(as_text=True)
    assert "Critical thinking online" in page and "Add to wallet" in page
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post("/learner/wallet/offer", data={"launch": launch, "csrf_token": "forged",
                                                      "award_id": str(award_id)}).status_code == 400
    made = client.post("/learner/wallet/offer", data={"launch": launch, "csrf_token": csrf, "award_id": str(award_id)})
    text = made.get_data(as_text=True)
    assert made.status_code == 200 and 'src="data:image/png;base64,' in text
    link = html.unescape(re.search(r'id="offer-link" href="([^"]+)"', text).group(1))  # type: ignore[union-attr]
    tx_code = re.search(r'id="tx-code">(\d{6})<', text).group(1)  # type: ignore[union-attr]
    assert link.startswith("openid-credential-offer://?credential_offer_uri=")
    wallet = Wallet(FlaskHttp(app.test_client()))
    wallet.receive(link)
    assert wallet.redeem(tx_code)[0] == 200
    status, body = wallet.credential_v1(LDP, wallet.proof(wallet.nonce()))
    assert status == 200, body
    subject = body["credentials"][0]["credential"]["credentialSubject"]
    assert subject["id"] == wallet.did and subject["achievement"]["name"] == "Critical thinking online"
    after = client.get(f"/learner/wallet/?launch={launch}").get_data(as_text=True)
    assert "Sent to your wallet." in after
    lcw = client.post("/learner/wallet/exchange", data={"launch": launch, "csrf_token": csrf,
                                                        "award_id": str(award_id)}).get_data(as_text=True)
    assert 'id="exchange-link" href="https://lcw.app/request.html?request=' in lcw and 'id="exchange-qr"' in lcw


def test_cli_offers_an_award_by_id(app: Any, registered: LaunchActions) -> None:
    launch = registered.launch("learner-1").headers["Location"].split("launch=")[1]
    award_id = _award_for(app, launch)
    result = CliRunner().invoke(main, ["credential", "offer", str(award_id), "--json"], obj=app)
    assert result.exit_code == 0, result.output
    made = json.loads(result.stdout)
    assert made["tx_code"] and made["wallet_link"].startswith("openid-credential-offer://")
    missing = CliRunner().invoke(main, ["credential", "offer", "99999"], obj=app)
    assert missing.exit_code == 1 and "no award 99999" in missing.output
    assert CliRunner().invoke(main, ["credential", "offer"], obj=app).exit_code == 2


def test_outbox_retries_with_backoff_and_says_why_it_gave_up(app: Any) -> None:
    settings = WalletSettings.from_config(app.config)
    now = datetime.now(UTC)
    with app.extensions["bridge"].db.session() as s:
        offer = wallet_offers.create_offer(s, settings, source="sample", tx_code=False).offer
        delivery = Delivery(offer=offer, channel="oid4vci", state="pending", attempts=0, last_error="",
                            next_attempt_at=now, request={"configuration_id": LDP, "holder_did": "did:key:z6Mkexample"})
        s.add(delivery)
        s.commit()

        def broken(_session: Any, _delivery: Delivery) -> int:
            raise outbox.DeliveryFailed("The signing service did not answer.")

        assert outbox.process_due(s, {"oid4vci": broken}, now=now) == 0
        assert delivery.attempts == 1 and delivery.state == "pending"
        assert delivery.last_error == "The signing service did not answer. We will try again automatically."
        assert delivery.next_attempt_at == now + timedelta(seconds=30)
        assert outbox.process_due(s, {"oid4vci": broken}, now=now) == 0  # not due yet: no attempt
        assert delivery.attempts == 1
        moment = now
        while delivery.state == "pending":
            moment = delivery.next_attempt_at
            outbox.process_due(s, {"oid4vci": broken}, now=moment)
        assert delivery.attempts == outbox.MAX_ATTEMPTS and delivery.state == "failed"
        assert "We gave up after 8 attempts" in delivery.last_error
        assert offer.state == "failed"
        assert "did not answer" in wallet_offers.state_text(offer)
