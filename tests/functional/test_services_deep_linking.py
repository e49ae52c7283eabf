"""Deep-linking round trip: an instructor's LtiDeepLinkingRequest, the picker, and a signed response that the
sandbox platform (verifying the tool's signature from its JWKS over real HTTP) accepts and turns into links."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from sqlalchemy import select

from bridge.models import Course, DeepLinkedActivity, LaunchSession
from bridge.services import deep_linking, packages, scorm_attempts
from tests.support.live_services import COURSE, Live, live_fixture  # noqa: F401  (the `live` fixture)

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


# -- Moodle's and Canvas's variants of the request, SCORM packages in the picker, routing of created links --
GOLF_12 = Path(__file__).resolve().parents[1] / "data" / "scorm" / "golf_rte_basic_scorm12.zip"
MOODLE = {"accept_presentation_document_targets": ["frame", "iframe", "window"], "accept_copy_advice": False,
          "accept_multiple": True, "accept_unsigned": False, "auto_create": False, "can_confirm": False,
          "accept_lineitem": None}  # Moodle sends no accept_lineitem; its return URL carries the sesskey
CANVAS = {"accept_multiple": False, "accept_lineitem": True, "auto_create": True,
          "accept_media_types": "application/vnd.ims.lti.v1.ltilink",
          "accept_presentation_document_targets": ["iframe", "window"], "validation_context": None}


def _package(live: Live, *, other_course: bool = False) -> int:
    with live.session() as session:
        course = session.scalars(select(Course).filter_by(context_id=COURSE)).one()
        course_pk = course.id
        if other_course:
            other = Course(registration_id=course.registration_id, deployment_pk=course.deployment_pk,
                           context_id="another-course")
            session.add(other)
            session.flush()
            course_pk = other.id
        with GOLF_12.open("rb") as source:
            package = packages.import_zip(session, packages.storage_from_config(live.app.config), source,
                                          registration_id=course.registration_id, course_id=course_pk,
                                          original_name=GOLF_12.name)
        session.commit()
        return package.id


def _custom(live: Live, launched: Any) -> dict[str, str]:
    launch_id = parse_qs(urlsplit(launched.headers["Location"]).query)["launch"][0]
    with live.session() as session:
        stored = session.get(LaunchSession, launch_id)
        assert stored is not None
        return dict(stored.claims.get("custom") or {})


def _bind(live: Live, link_id: str, custom: dict[str, str]) -> deep_linking.LinkedActivity | None:
    with live.session() as session:
        course = session.scalars(select(Course).filter_by(context_id=COURSE)).one()
        return deep_linking.bind_launch(session, registration_pk=course.registration_id, course_pk=course.id,
                                        resource_link_id=link_id, activity_id=custom.get("activity_id"))


def test_moodle_variant_scorm_package_and_tracked_activity_round_trip_and_routing(live: Live) -> None:
    return_url = live.platform.url("/lti/deep-link-return?course=demo-course&id=7&sesskey=s3ss")
    live.platform.deep_link_settings = {**MOODLE, "deep_link_return_url": return_url}
    package_id = _package(live)
    launch = _open_picker(live)
    picker = live.lti.client.get(f"/instructor/deep-link?launch={launch}").get_data(as_text=True)
    assert f'name="package" value="{package_id}"' in picker and "SCORM 1.2" in picker

    response = live.lti.client.post("/instructor/deep-link", data={
        "launch": launch, "package": str(package_id), f"package-max-{package_id}": "100",
        "title-0": "Reflection essay", "max-0": "10"})
    assert response.status_code == 200, response.get_data(as_text=True)
    action, token = _answer(response.get_data(as_text=True))
    assert action == return_url  # posted back exactly as given, sesskey included
    scorm_item, tracked_item = jwt.decode(token, options={"verify_signature": False})[f"{DL}content_items"]
    assert scorm_item["custom"]["activity_kind"] == "scorm" and scorm_item["title"].startswith("Golf Explained")
    assert tracked_item["custom"]["activity_kind"] == "credential-tracked"
    assert all("?" not in i["url"] and "iframe" in i for i in (scorm_item, tracked_item))
    assert scorm_item["lineItem"]["scoreMaximum"] == 100.0  # accept_lineitem absent: offered

    assert requests.post(action, data={"JWT": token}, timeout=10).status_code == 200
    links = {link.title: link for link in live.platform.resource_links.values() if link.custom.get("activity_id")}
    scorm_link, tracked_link = links[scorm_item["title"]], links["Reflection essay"]

    # The first launch of the created SCORM link carries its activity id; the launch binds it, so even this first
    # launch lands in the SCORM player.
    first = live.lti.launch("learner-1", scorm_link.id)
    assert first.headers["Location"].startswith("/player/")
    custom = _custom(live, first)
    assert custom["activity_id"] == scorm_item["custom"]["activity_id"]
    bound = _bind(live, scorm_link.id, custom)
    assert bound is not None and bound.kind == "scorm" and bound.scorm_activity_pk is not None
    with live.session() as session:
        course = session.scalars(select(Course).filter_by(context_id=COURSE)).one()
        activity = scorm_attempts.activity_for(session, course.id, scorm_link.id)
        assert activity is not None and activity.id == bound.scorm_activity_pk and activity.package_id == package_id
    assert _bind(live, scorm_link.id, custom) == bound  # idempotent
    again = live.lti.launch("learner-1", scorm_link.id)
    assert again.headers["Location"].startswith("/player/")  # later launches route to the SCORM player

    tracked = _bind(live, tracked_link.id, _custom(live, live.lti.launch("learner-1", tracked_link.id)))
    assert tracked is not None and tracked.kind == "credential-tracked" and tracked.scorm_activity_pk is None
    with live.session() as session:
        row = session.scalars(select(DeepLinkedActivity).filter_by(activity_id=tracked.activity_id)).one()
        assert row.title == "Reflection essay" and row.score_maximum == 10.0 and row.resource_link_pk is not None


def test_canvas_variant_takes_one_item_at_a_time_and_a_refused_answer_stores_nothing(live: Live) -> None:
    live.platform.deep_link_settings = {**CANVAS,
                                        "deep_link_return_url": live.platform.url("/lti/deep-link-return?modal=true")}
    launch = _open_picker(live)
    two = live.lti.client.post("/instructor/deep-link", data={"launch": launch, "title-0": "Essay", "max-0": "20",
                                                               "title-1": "Quiz"})
    assert two.status_code == 400 and "one activity at a time" in two.get_data(as_text=True)
    with live.session() as session:
        assert session.scalars(select(DeepLinkedActivity)).all() == []

    one = live.lti.client.post("/instructor/deep-link", data={"launch": launch, "title-0": "Essay", "max-0": "20"})
    action, token = _answer(one.get_data(as_text=True))
    claims = jwt.decode(token, options={"verify_signature": False})
    [item] = claims[f"{DL}content_items"]
    assert claims[f"{DL}data"].startswith("dl-") and action.endswith("?modal=true")
    assert requests.post(action, data={"JWT": token}, timeout=10).status_code == 200
    [column] = [li for li in live.platform.line_items.values() if li.label == "Essay"]
    assert column.resource_id == item["custom"]["activity_id"] and column.tag == "credential-tracked"

    # The same tracked activity offered again, and linked a second time under the same activity id.
    launch = _open_picker(live)
    assert f'name="activity" value="{column.resource_id}"' in live.lti.client.get(
        f"/instructor/deep-link?launch={launch}").get_data(as_text=True)
    relinked = live.lti.client.post("/instructor/deep-link", data={"launch": launch, "activity": column.resource_id})
    [item] = jwt.decode(_answer(relinked.get_data(as_text=True))[1],
                        options={"verify_signature": False})[f"{DL}content_items"]
    assert item["custom"]["activity_id"] == column.resource_id and item["title"] == "Essay"
    with live.session() as session:
        assert len(session.scalars(select(DeepLinkedActivity)).all()) == 1


def test_a_package_of_another_course_cannot_be_picked(live: Live) -> None:
    foreign = _package(live, other_course=True)
    launch = _open_picker(live)
    assert f'value="{foreign}"' not in live.lti.client.get(f"/instructor/deep-link?launch={launch}").get_data(
        as_text=True)
    response = live.lti.client.post("/instructor/deep-link", data={"launch": launch, "package": str(foreign)})
    assert response.status_code == 400 and "not available" in response.get_data(as_text=True)
    assert "JWT" not in response.get_data(as_text=True)
