"""Per-template "transaction code required": the learner's wallet offer follows the award's template (a code by
default, none once the template says "off"), set with ``bridge credential tx-code TEMPLATE_ID required|off``."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from click.testing import CliRunner
from flask import Flask

from bridge.cli import main
from bridge.models import WalletOffer
from bridge.services import awards, launches
from bridge.services import credential_templates as templates
from tests.functional.wallet_client import FlaskHttp, Wallet
from tests.support.awards_data import sample_template
from tests.support.launch_actions import LaunchActions


def _offer_page(client: object, launch: str, award_id: int) -> str:
    page = client.get(f"/learner/wallet/?launch={launch}").get_data(as_text=True)  # type: ignore[attr-defined]
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    made = client.post("/learner/wallet/offer",  # type: ignore[attr-defined]
                       data={"launch": launch, "csrf_token": csrf, "award_id": str(award_id)})
    return str(made.get_data(as_text=True))


def test_offer_follows_the_templates_tx_code_setting(app: Flask, registered: LaunchActions) -> None:
    launch = registered.launch("learner-1").headers["Location"].split("launch=")[1]
    with app.extensions["bridge"].db.session() as s:
        ctx = launches.load_context(s, launch)
        assert ctx.course_pk is not None
        tpl = templates.save_template(s, registration_pk=ctx.registration_pk, course_pk=ctx.course_pk,
                                      template=sample_template())
        award = awards.award_manually(s, tpl, ctx.user_pk, ctx.course_pk, reason="Prior learning", by=None,
                                      now=datetime.now(UTC))
        s.commit()
        template_id, award_id = tpl.id, award.id
    assert re.search(r'id="tx-code">\d{6}<', _offer_page(registered.client, launch, award_id))  # default: a code
    runner = CliRunner()
    off = runner.invoke(main, ["credential", "tx-code", str(template_id), "off"], obj=app)
    assert off.exit_code == 0, off.output
    assert 'id="tx-code"' not in _offer_page(registered.client, launch, award_id)
    with app.extensions["bridge"].db.session() as s:
        offers = s.query(WalletOffer).order_by(WalletOffer.id).all()
        assert [o.tx_code_hash is not None for o in offers] == [True, False]
    missing = runner.invoke(main, ["credential", "tx-code", "9999", "required"], obj=app)
    assert missing.exit_code != 0 and "There is no credential template 9999." in missing.output


def test_instructor_switches_the_setting_on_the_template_preview(app: Flask, registered: LaunchActions) -> None:
    launch = registered.launch("instructor-1").headers["Location"].split("launch=")[1]
    with app.extensions["bridge"].db.session() as s:
        ctx = launches.load_context(s, launch)
        assert ctx.course_pk is not None
        tpl = templates.save_template(s, registration_pk=ctx.registration_pk, course_pk=ctx.course_pk,
                                      template=sample_template())
        s.commit()
        template_id = tpl.id
    client = registered.client
    preview = client.get(f"/instructor/credentials/{template_id}/preview?launch={launch}").get_data(as_text=True)
    assert '<strong id="tx-code-setting">required</strong>' in preview
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', preview).group(1)  # type: ignore[union-attr]
    url = f"/instructor/credentials/{template_id}/wallet-offers"
    assert client.post(url, data={"launch": launch, "csrf_token": csrf, "tx_code": "maybe"}).status_code == 400
    assert client.post("/instructor/credentials/9999/wallet-offers",
                       data={"launch": launch, "csrf_token": csrf, "tx_code": "off"}).status_code == 404
    done = client.post(url, data={"launch": launch, "csrf_token": csrf, "tx_code": "off"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "The wallet offer setting was saved." in text and '<strong id="tx-code-setting">not required' in text
    learner = registered.launch("learner-1").headers["Location"].split("launch=")[1]
    assert client.post(url, data={"launch": learner, "csrf_token": csrf, "tx_code": "required"}).status_code in {
        400, 403}
    with app.extensions["bridge"].db.session() as s:
        from bridge.services import template_delivery

        assert template_delivery.tx_code_required(s, template_id) is False


def test_learner_can_have_the_code_sent_by_email_instead_of_shown(app: Flask, registered: LaunchActions) -> None:
    from bridge.models import LmsUser
    from tests.support.smtp_server import SmtpServer

    launch = registered.launch("learner-1").headers["Location"].split("launch=")[1]
    with app.extensions["bridge"].db.session() as s:
        ctx = launches.load_context(s, launch)
        assert ctx.course_pk is not None
        tpl = templates.save_template(s, registration_pk=ctx.registration_pk, course_pk=ctx.course_pk,
                                      template=sample_template())
        award = awards.award_manually(s, tpl, ctx.user_pk, ctx.course_pk, reason="Prior learning", by=None,
                                      now=datetime.now(UTC))
        s.get_one(LmsUser, ctx.user_pk).email = "grace@uniz.example"
        s.commit()
        award_id = award.id
    client = registered.client
    assert "send the transaction code to my e-mail" not in client.get(
        f"/learner/wallet/?launch={launch}").get_data(as_text=True)  # no SMTP configured: no such choice
    with SmtpServer() as smtp:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=smtp.port, SMTP_STARTTLS=False,
                          SMTP_FROM="bridge@uniz.example")
        page = client.get(f"/learner/wallet/?launch={launch}").get_data(as_text=True)
        assert "send the transaction code to my e-mail" in page
        csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
        made = client.post("/learner/wallet/offer", data={"launch": launch, "csrf_token": csrf,
                                                          "award_id": str(award_id), "tx_by_email": "1"})
    text = made.get_data(as_text=True)
    assert 'id="tx-code"' not in text and "enter the code we sent to your e-mail address" in text
    (mail,) = smtp.messages
    assert mail.recipients == ["grace@uniz.example"]
    code = re.search(r"Transaction code: (\d{6})", mail.message.get_payload(decode=True).decode())  # type: ignore[union-attr]
    assert code is not None
    link = html.unescape(re.search(r'id="offer-link" href="([^"]+)"', text).group(1))  # type: ignore[union-attr]
    wallet = Wallet(FlaskHttp(app.test_client()))
    wallet.receive(link)
    assert wallet.redeem(code.group(1))[0] == 200  # the e-mailed code is the offer's code
    from tests.support.servers import free_port

    app.config.update(SMTP_PORT=free_port())  # the mail server is down: the code is shown after all
    page = client.get(f"/learner/wallet/?launch={launch}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    fallback = client.post("/learner/wallet/offer", data={"launch": launch, "csrf_token": csrf,
                                                          "award_id": str(award_id), "tx_by_email": "1"})
    text = fallback.get_data(as_text=True)
    assert "We could not send the e-mail, so here is the transaction code." in text
    assert re.search(r'id="tx-code">\d{6}<', text)
