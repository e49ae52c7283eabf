"""NRPS connector against membership payloads as the NRPS 2.0 spec, Canvas and Moodle document them."""

from __future__ import annotations

import pytest
import responses
from connectors_support import FakeClock, grant_tokens

from connectors import errors
from connectors.lti_nrps import MEMBERSHIP_CONTAINER, MemberStatus, NrpsConnector
from connectors.lti_token import AccessTokenClient

CANVAS_URL = "https://canvas.example.edu/api/lti/courses/5/names_and_roles"
MOODLE_URL = "https://moodle.example.edu/mod/lti/services.php/CourseSection/2/bindings/3/memberships"
HEADERS = {"Content-Type": MEMBERSHIP_CONTAINER}
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
# NRPS 2.0 "Context membership" sample shape (also in openedx/xblock-lti-consumer ADR 0004).
SPEC_MEMBER = {
    "status": "Active",
    "name": "Jane Q. Public",
    "picture": "https://platform.example.edu/jane.jpg",
    "given_name": "Jane",
    "family_name": "Doe",
    "middle_name": "Marie",
    "email": "jane@platform.example.edu",
    "user_id": "0ae836b9-7fc9-4060-006f-27b2066ac545",
    "lis_person_sourcedid": "59254-6782-12ab",
    "roles": [INSTRUCTOR],
}
# Canvas "Names and Role API": NamesAndRoleContext and a membership with Canvas's extra fields.
CANVAS_PAGE = {
    "id": CANVAS_URL,
    "context": {"id": "4dde05e8ca1973bcca9bffc13e1548820eee93a3", "label": "CS-101", "title": "Computer Science 101"},
    "members": [
        {**SPEC_MEMBER, "user_id": "535fa085f22b4655f48cd5a36a9215f64c062838", "roles": [LEARNER]},
        {
            "status": "Inactive",
            "user_id": "86157096483e6b3a50bfedc6bac902c0b20a824f",
            "roles": [LEARNER],
            "lti11_legacy_user_id": "86157096483e6b3a50bfedc6bac902c0b20a824f",
        },
    ],
}
# Moodle ltiservice_memberships users_to_json(): ids from the database, message claims for rlid requests.
MOODLE_PAGE = {
    "id": MOODLE_URL,
    "context": {"id": "2", "label": "PHYS101", "title": "Physics 101"},
    "members": [
        {
            "status": "Active",
            "roles": [LEARNER],
            "user_id": 3,
            "lis_person_sourcedid": "",
            "message": [
                {
                    "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiResourceLinkRequest",
                    "https://purl.imsglobal.org/spec/lti-bo/claim/basicoutcome": {
                        "lis_result_sourcedid": '{"data":{"instanceid":"4"}}',
                        "lis_outcome_service_url": "https://moodle.example.edu/mod/lti/service.php",
                    },
                }
            ],
        }
    ],
}


@pytest.fixture
def nrps(mocked: responses.RequestsMock, token_client: AccessTokenClient, clock: FakeClock) -> NrpsConnector:
    grant_tokens(mocked, "roster-token")
    return NrpsConnector(token_client, sleep=clock.sleep, now=clock.utc)


def test_canvas_roster_across_pages_with_differences_link(mocked: responses.RequestsMock, nrps: NrpsConnector) -> None:
    page2 = f"{CANVAS_URL}?page=Bookmark:WzEwXQ&per_page=10"
    differences = f"{CANVAS_URL}?since=2024-05-01T12%3A00%3A00Z&Token=Xy"
    mocked.get(CANVAS_URL, json=CANVAS_PAGE, headers={**HEADERS, "Link": f'<{page2}>; rel="next"'})
    last = {**CANVAS_PAGE, "members": [{**SPEC_MEMBER, "user_id": "u-3"}]}
    mocked.get(page2, json=last, headers={**HEADERS, "Link": f'<{differences}>; rel="differences"'})
    roster = nrps.memberships(CANVAS_URL)
    assert [m.user_id for m in roster.members][1:] == ["86157096483e6b3a50bfedc6bac902c0b20a824f", "u-3"]
    assert roster.members[1].status is MemberStatus.INACTIVE
    assert roster.members[0].email == "jane@platform.example.edu" and roster.members[0].given_name == "Jane"
    assert roster.context is not None and roster.context.label == "CS-101"
    assert roster.differences_url == differences
    assert mocked.calls[2].request.url == page2
    assert mocked.calls[1].request.headers["Accept"] == MEMBERSHIP_CONTAINER


def test_differences_fetch_reports_deleted_members(mocked: responses.RequestsMock, nrps: NrpsConnector) -> None:
    differences = f"{CANVAS_URL}?since=2024-05-01&Token=Xy"
    gone = {"user_id": "u-9", "roles": [LEARNER], "status": "Deleted"}
    mocked.get(differences, json={"id": CANVAS_URL, "members": [gone]}, headers=HEADERS)
    roster = nrps.differences(differences)
    assert [(m.user_id, m.status) for m in roster.members] == [("u-9", MemberStatus.DELETED)]
    assert mocked.calls[1].request.url == differences


def test_moodle_resource_link_roster_with_message_claims(mocked: responses.RequestsMock, nrps: NrpsConnector) -> None:
    mocked.get(MOODLE_URL, json=MOODLE_PAGE, headers=HEADERS)
    roster = nrps.memberships(MOODLE_URL, rlid="4", role="Learner", limit=50)
    (member,) = roster.members
    assert member.user_id == "3" and member.name is None and member.email is None
    claim = member.messages[0]["https://purl.imsglobal.org/spec/lti/claim/message_type"]
    assert claim == "LtiResourceLinkRequest"
    assert mocked.calls[1].request.url == f"{MOODLE_URL}?role=Learner&rlid=4&limit=50"


def test_status_defaults_to_active(mocked: responses.RequestsMock, nrps: NrpsConnector) -> None:
    mocked.get(CANVAS_URL, json={"id": CANVAS_URL, "members": [{"user_id": "a", "roles": []}]}, headers=HEADERS)
    assert nrps.memberships(CANVAS_URL).members[0].status is MemberStatus.ACTIVE


@pytest.mark.parametrize(
    "member",
    [
        {"roles": [LEARNER]},
        {"user_id": "a"},
        {"user_id": "a", "roles": "Learner"},
        {"user_id": "a", "roles": [LEARNER], "status": "Suspended"},
        {"user_id": "a", "roles": [LEARNER], "email": ["x@y"]},
        {"user_id": "a", "roles": [LEARNER], "message": {"not": "a list"}},
    ],
)
def test_a_malformed_member_fails_the_page(
    mocked: responses.RequestsMock, nrps: NrpsConnector, member: dict[str, object]
) -> None:
    mocked.get(CANVAS_URL, json={"id": CANVAS_URL, "members": [SPEC_MEMBER, member]}, headers=HEADERS)
    with pytest.raises(errors.ConnectorBadResponse) as caught:
        nrps.memberships(CANVAS_URL)
    assert caught.value.connector == "lti-nrps"


def test_partial_roster_is_never_returned_and_resume_point_is_known(
    mocked: responses.RequestsMock, nrps: NrpsConnector
) -> None:
    page2 = f"{CANVAS_URL}?page=2"
    mocked.get(CANVAS_URL, json=CANVAS_PAGE, headers={**HEADERS, "Link": f'<{page2}>; rel="next"'})
    mocked.get(page2, status=500)
    done = []
    with pytest.raises(errors.ConnectorUnavailable) as caught:
        for page in nrps.membership_pages(CANVAS_URL):
            done.append(page.url)
    assert done == [CANVAS_URL]
    assert caught.value.url == page2


def test_membership_container_must_list_members(mocked: responses.RequestsMock, nrps: NrpsConnector) -> None:
    mocked.get(CANVAS_URL, json={"id": CANVAS_URL, "context": {"id": "c"}}, headers=HEADERS)
    with pytest.raises(errors.ConnectorBadResponse, match="members"):
        nrps.memberships(CANVAS_URL)


def test_html_error_page_is_a_bad_response(mocked: responses.RequestsMock, nrps: NrpsConnector) -> None:
    mocked.get(CANVAS_URL, body="<html>Log in</html>", content_type="text/html")
    with pytest.raises(errors.ConnectorBadResponse, match="text/html"):
        nrps.memberships(CANVAS_URL)


def test_huge_roster_page_is_refused(
    mocked: responses.RequestsMock, token_client: AccessTokenClient, clock: FakeClock
) -> None:
    grant_tokens(mocked, "roster-token")
    members = [{**SPEC_MEMBER, "user_id": f"u{n}"} for n in range(200)]
    mocked.get(CANVAS_URL, json={"id": CANVAS_URL, "members": members}, headers=HEADERS)
    small = NrpsConnector(token_client, sleep=clock.sleep, max_page_bytes=10_000)
    with pytest.raises(errors.ConnectorBadResponse, match="larger than"):
        small.memberships(CANVAS_URL)
