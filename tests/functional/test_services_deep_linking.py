"""Deep-linking round trip: an instructor's LtiDeepLinkingRequest, the picker, and a signed response that the
sandbox platform (verifying the tool's signature from its JWKS over real HTTP) accepts and turns into links."""

from __future__ import annotations

import html
import re

import jwt
import pytest
import requests

from tests.support.live_services import Live, live_fixture  # noqa: F401  (the `live` fixture)

pytestmark = pytest.mark.e2e
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def _open_picker(live: Live) -> str:
    landed = live.lti.launch("instructor-1", "rl-intro", deep_link=True)
    assert landed.status_code == 303 and "/instructor/deep-link" in landed.headers["Location"]
    picker = live.lti.client.get(landed.headers["Location"])
    assert picker.status_code == 200 and "Add an activity" in picker.get_data(as_text=True)
    return re.search(r'name="launch" value="([^"]+)"', picker.get_data(as_text=True)).group(1)  # type: ignore[union-attr]


def _answer(page: str) -> tuple[str, str]:
    action = html.unescape(re.search(r'<form id="autosubmit" method="post" action="([^"]+)"', page).group(1))  # type: ignore[union-attr]
    token = re.search(r'name="JWT" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return action, token


def test_round_trip_creates_links_and_gradebook_columns(live: Live) -> None:
    launch = _open_picker(live)
    response = live.lti.client.post("/instructor/deep-link", data={
        "launch": launch, "title-0": "Reflection essay", "max-0": "20", "title-1": "Attendance", "max-1": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "js/autosubmit.js" in page and "<script>" not in page
    action, token = _answer(page)

    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == live.lti.client_id and claims["aud"] == live.platform.issuer
    assert claims[f"{DL}data"].startswith("dl-")
    items = claims[f"{DL}content_items"]
    assert [i["title"] for i in items] == ["Reflection essay", "Attendance"]
    assert all("?" not in i["url"] for i in items)
    assert items[0]["lineItem"]["scoreMaximum"] == 20.0 and "lineItem" not in items[1]
    assert items[0]["custom"]["activity_id"] == items[0]["lineItem"]["resourceId"]

    returned = requests.post(action, data={"JWT": token}, timeout=10)  # what the auto-submitting page does
    assert returned.status_code == 200, returned.text
    assert len(live.platform.deep_link_responses) == 1
    created = [li for li in live.platform.line_items.values() if li.label == "Reflection essay"]
    assert len(created) == 1 and created[0].score_maximum == 20.0 and created[0].tag == "credential-tracked"

    replay = requests.post(action, data={"JWT": token}, timeout=10)
    assert replay.status_code == 400  # the platform refuses the same response twice (nonce, data)


def test_bad_picks_are_explained_and_nothing_is_signed(live: Live) -> None:
    launch = _open_picker(live)
    response = live.lti.client.post("/instructor/deep-link", data={"launch": launch, "title-0": "Quiz",
                                                                   "max-0": "-5"})
    assert response.status_code == 400 and "greater than 0" in response.get_data(as_text=True)
    assert "JWT" not in response.get_data(as_text=True)


def test_a_learner_cannot_open_the_picker(live: Live) -> None:
    landed = live.lti.launch("learner-1", "rl-intro")
    assert landed.status_code == 303
    assert live.lti.client.get("/instructor/deep-link").status_code == 403
