"""The learner's "Add to wallet" page in Debian Chromium, inside the sandbox LMS: the QR code as the browser draws it
is read back (tests/support/qr_decode.py) into an OpenID4VCI offer link, and that offer is valid — its
credential_offer_uri answers an offer for this issuer with a pre-authorized code and the transaction code shown
on the page, which a wallet then redeems at the token endpoint (screenshots saved as artifacts)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from playwright.sync_api import Page, expect
from sqlalchemy import select

from bridge.models import Course, LmsUser
from bridge.services import awards
from bridge.services import credential_templates as templates
from tests.e2e.conftest import Servers
from tests.support.awards_data import sample_template
from tests.support.qr_decode import decode_png

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
expect.set_options(timeout=15_000)
PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def test_learner_page_qr_code_decodes_to_a_valid_offer(lms: Servers, browser_with: Callable[[str], Any],
                                                       screenshot: Callable[[Page, str], Path]) -> None:
    browser = browser_with("blocked")
    page = browser.new_page()
    page.goto(lms.play_url("learner-1"))
    tool = page.frame_locator("iframe[name=tool-frame]")
    expect(tool.get_by_role("link", name="My progress and credentials")).to_be_visible()
    with lms.tool_app.extensions["bridge"].db.session() as s:  # the learner has earned a credential
        course = s.scalars(select(Course)).one()
        learner = s.scalars(select(LmsUser).where(LmsUser.sub == "learner-1")).one()
        template = templates.save_template(s, registration_pk=course.registration_id, course_pk=course.id,
                                           template=sample_template())
        awards.award_manually(s, template, learner.id, course.id, reason="Prior learning", by=None,
                              now=datetime.now(UTC))
        s.commit()
    tool.get_by_role("link", name="My progress and credentials").click()
    tool.get_by_role("link", name="Add to your wallet or send to Europass").click()
    tool.get_by_role("button", name="Add to wallet").click()
    qr = tool.locator("#offer-qr")
    expect(qr).to_be_visible()
    screenshot(page, "offer")

    link = decode_png(qr.screenshot())  # what a phone camera would read from Chromium's rendering
    assert link == tool.locator("#offer-link").get_attribute("href")
    assert link.startswith("openid-credential-offer://?")
    offer_uri = parse_qs(urlsplit(link).query)["credential_offer_uri"][0]
    assert offer_uri.startswith(f"{lms.tool_url}/wallet/offers/")
    offer = requests.get(offer_uri, timeout=10).json()
    assert offer["credential_issuer"] == lms.tool_url
    assert offer["credential_configuration_ids"]
    grant = offer["grants"][PRE_AUTHORIZED]
    tx_code = tool.locator("#tx-code").inner_text()
    assert re.fullmatch(r"\d{6}", tx_code) and grant["tx_code"]["length"] == len(tx_code)
    token = requests.post(f"{lms.tool_url}/wallet/token", timeout=10, data={
        "grant_type": PRE_AUTHORIZED, "pre-authorized_code": grant["pre-authorized_code"], "tx_code": tx_code})
    assert token.status_code == 200 and token.json()["token_type"].lower() in {"bearer", "dpop"}
    page.reload()  # the learner comes back: the page shows the offer's new state in plain words
    tool = page.frame_locator("iframe[name=tool-frame]")
    tool.get_by_role("link", name="My progress and credentials").click()
    tool.get_by_role("link", name="Add to your wallet or send to Europass").click()
    expect(tool.get_by_text("Your wallet has connected; waiting for it to ask for the credential.")).to_be_visible()
    screenshot(page, "after-redeem")
