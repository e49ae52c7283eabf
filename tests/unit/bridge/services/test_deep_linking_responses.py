"""Deep Linking 2.0 settings and responses for the request shapes Moodle and Canvas send (§4.4, §4.5)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bridge.services.deep_linking import DeepLinkError, PickedActivity, build_response, clean_url, parse_settings
from bridge.services.keys import SigningKey

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
LAUNCH_URL = "https://bridge.example/lti/launch?from=dl#top"
# Moodle 4.x (mod/lti): no data, no accept_lineitem, the sesskey in the return URL, a "frame" target.
MOODLE = {"accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["frame", "iframe", "window"],
          "accept_copy_advice": False, "accept_multiple": True, "accept_unsigned": False, "auto_create": False,
          "can_confirm": False, "title": "Bridge", "text": "",
          "deep_link_return_url": "https://moodle.example/mod/lti/contentitem_return.php?course=2&id=5&sesskey=Ab1"}
# Canvas, assignment selection: one item, line items accepted and auto-created, data to echo, extra keys.
CANVAS = {"deep_link_return_url": "https://canvas.example/courses/1/deep_linking_response?modal=true",
          "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["iframe", "window"],
          "accept_media_types": "application/vnd.ims.lti.v1.ltilink", "auto_create": True, "accept_multiple": False,
          "accept_lineitem": True, "data": "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", "validation_context": None,
          "errors": {"errors": {}}}
# Canvas, editor button: several content types, window/embed targets, no line items.
CANVAS_EDITOR = {**CANVAS, "accept_types": ["link", "file", "html", "ltiResourceLink", "image"],
                 "accept_presentation_document_targets": ["embed", "window"], "accept_multiple": True,
                 "accept_lineitem": False}


@pytest.fixture(scope="module")
def key() -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = private.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return SigningKey(kid="k1", alg="RS256", private_pem=pem, public_pem=public)


def _respond(raw: dict[str, Any], picks: list[PickedActivity], key: SigningKey) -> tuple[Any, dict[str, Any]]:
    answer = build_response(parse_settings(raw), picks, key=key, issuer="https://lms.example", client_id="tool-1",
                            deployment_id="dep-1", launch_url=LAUNCH_URL, now=NOW)
    claims = jwt.decode(answer.jwt, key.public_pem, algorithms=["RS256"], audience="https://lms.example",
                        options={"verify_exp": False, "verify_iat": False})
    assert jwt.get_unverified_header(answer.jwt)["kid"] == "k1"
    return answer, claims


def test_moodle_request_several_items_no_data_line_items_offered(key: SigningKey) -> None:
    answer, claims = _respond(MOODLE, [PickedActivity("Essay", 20.0), PickedActivity("Attendance")], key)
    assert answer.return_url == MOODLE["deep_link_return_url"]  # query kept: Moodle checks the sesskey
    assert "https://purl.imsglobal.org/spec/lti-dl/claim/data" not in claims
    essay, attendance = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert essay["url"] == "https://bridge.example/lti/launch" and essay["iframe"] == {"width": 1024, "height": 768}
    assert essay["lineItem"] == {"scoreMaximum": 20.0, "label": "Essay", "resourceId": essay["custom"]["activity_id"],
                                 "tag": "credential-tracked"}
    assert "lineItem" not in attendance and attendance["custom"]["activity_id"] != essay["custom"]["activity_id"]
    assert claims["iss"] == "tool-1" and claims["exp"] - claims["iat"] == 300 and claims["nonce"]
    assert claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] == "dep-1"
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert list(answer.activity_ids) == [essay["custom"]["activity_id"], attendance["custom"]["activity_id"]]


def test_canvas_assignment_selection_one_item_and_data_echoed(key: SigningKey) -> None:
    with pytest.raises(DeepLinkError, match="one activity at a time"):
        _respond(CANVAS, [PickedActivity("Essay", 20.0), PickedActivity("Quiz", 5.0)], key)
    _answer, claims = _respond(CANVAS, [PickedActivity("Essay", 20.0)], key)
    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == CANVAS["data"]
    [item] = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["lineItem"]["scoreMaximum"] == 20.0 and item["iframe"]


def test_canvas_editor_button_no_line_items_and_a_window(key: SigningKey) -> None:
    _answer, claims = _respond(CANVAS_EDITOR, [PickedActivity("Essay", 20.0), PickedActivity("Quiz")], key)
    items = claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert all("lineItem" not in i and i["window"] == {"targetName": "_blank"} and "iframe" not in i for i in items)


def test_absent_settings_are_read_conservatively() -> None:
    settings = parse_settings({"deep_link_return_url": "https://lms.example/return"})
    assert not settings.accept_multiple and settings.accept_lineitem
    assert settings.accept_types == frozenset({"ltiResourceLink"}) and settings.targets == ()


@pytest.mark.parametrize("raw", [None, {}, {"deep_link_return_url": ""}, {"deep_link_return_url": 5}, "x"])
def test_not_a_deep_linking_request(raw: Any) -> None:
    with pytest.raises(DeepLinkError, match="not a deep-linking request"):
        parse_settings(raw)


def test_places_that_take_no_tool_links_and_bad_picks_are_refused(key: SigningKey) -> None:
    with pytest.raises(DeepLinkError, match="does not accept tool links"):
        _respond({**CANVAS, "accept_types": ["file", "image"]}, [PickedActivity("Essay")], key)
    with pytest.raises(DeepLinkError, match="greater than 0"):
        _respond(MOODLE, [PickedActivity("Essay", 0.0)], key)
    with pytest.raises(DeepLinkError, match="greater than 0"):
        _respond(MOODLE, [PickedActivity("Essay", float("nan"))], key)
    with pytest.raises(DeepLinkError, match="greater than 0"):
        _respond(MOODLE, [PickedActivity("Essay", float("inf"))], key)
    with pytest.raises(DeepLinkError, match="needs a title"):
        _respond(MOODLE, [PickedActivity("  ")], key)


def test_clean_url_drops_query_and_fragment() -> None:
    assert clean_url(LAUNCH_URL) == "https://bridge.example/lti/launch"
