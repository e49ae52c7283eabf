"""Build LTI 1.3 id_token claim sets (LTI Core 1.3 §5, Deep Linking 2.0 §4.4, AGS/NRPS claims).

`launch_claims` gives a correct claim set; `valid_variants` and `bad_launches` derive the
1EdTech certification cases from it so tests can sign one mutated claim set at a time.
"""

from __future__ import annotations

import copy
import secrets
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import scopes as s
from .models import LIS, Launch

if TYPE_CHECKING:
    from .platform import Platform

LIFETIME = 300
PERSONAL = ("name", "given_name", "family_name", "email")


def launch_claims(
    platform: Platform,
    *,
    client_id: str,
    user_id: str,
    course_id: str | None = "demo-course",
    resource_link_id: str | None = "rl-intro",
    nonce: str | None = None,
    message_type: str = s.RESOURCE_LINK_REQUEST,
    deployment_id: str | None = None,
    target_link_uri: str | None = None,
    deep_link_data: str | None = None,
) -> dict[str, Any]:
    """A complete, valid claim set for a launch of `client_id` by `user_id`."""
    tool = platform.tools.get(client_id)
    user = platform.users[user_id]
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": platform.issuer,
        "aud": client_id,
        "azp": client_id,
        "sub": user.id,
        "iat": now,
        "exp": now + LIFETIME,
        "nonce": nonce or secrets.token_urlsafe(12),
        s.CLAIM_MESSAGE_TYPE: message_type,
        s.CLAIM_VERSION: s.LTI_VERSION,
        s.CLAIM_DEPLOYMENT_ID: deployment_id or (tool.deployment_id if tool else "deployment-1"),
        s.CLAIM_ROLES: list(user.roles),
        s.CLAIM_TOOL_PLATFORM: {
            "guid": platform.issuer,
            "name": "Credential Bridge Sandbox",
            "product_family_code": s.PRODUCT_FAMILY_CODE,
            "version": s.PRODUCT_VERSION,
        },
        s.CLAIM_LAUNCH_PRESENTATION: {
            "document_target": "iframe",
            "locale": "en",
            "return_url": platform.url("/"),
        },
        s.CLAIM_LIS: {"person_sourcedid": user.id},
        s.CLAIM_CUSTOM: dict(tool.custom) if tool else {},
    }
    claims.update({k: v for k in PERSONAL if (v := getattr(user, k))})
    link = platform.resource_links.get(resource_link_id or "")
    target = target_link_uri or (link.url if link and link.url else None)
    if tool is not None:
        default = tool.deep_link_url if message_type == s.DEEP_LINKING_REQUEST else None
        target = target or default or tool.target_link_uri
    claims[s.CLAIM_TARGET_LINK_URI] = target or platform.url("/")
    if course_id is not None:
        _add_context(platform, claims, course_id, user_id)
    if message_type == s.RESOURCE_LINK_REQUEST and link is not None:
        claims[s.CLAIM_RESOURCE_LINK] = {"id": link.id, "title": link.title}
        claims[s.CLAIM_CUSTOM].update(link.custom)
    if message_type == s.DEEP_LINKING_REQUEST:
        claims[s.CLAIM_DL_SETTINGS] = deep_linking_settings(platform, client_id, user_id, course_id, deep_link_data)
    if tool is not None and course_id is not None:
        claims.update(service_claims(platform, client_id, course_id, resource_link_id))
    return claims


def _add_context(platform: Platform, claims: dict[str, Any], course_id: str, user_id: str) -> None:
    course = platform.courses[course_id]
    claims[s.CLAIM_CONTEXT] = {
        "id": course.id,
        "label": course.label,
        "title": course.title,
        "type": [s.COURSE_OFFERING],
    }
    claims[s.CLAIM_LIS]["course_offering_sourcedid"] = course.id
    member = course.members.get(user_id)
    if member is not None and member.status == "Active":
        claims[s.CLAIM_ROLES] = list(member.roles) + claims[s.CLAIM_ROLES]


def deep_linking_settings(
    platform: Platform, client_id: str, user_id: str, course_id: str | None, data: str | None = None
) -> dict[str, Any]:
    """The deep_linking_settings claim; its `data` is remembered so the response can be matched."""
    data = data or "dl-" + secrets.token_urlsafe(12)
    launch = Launch(data, client_id, user_id, course_id or "", None, s.DEEP_LINKING_REQUEST)
    with platform._lock:
        platform.deep_link_requests[data] = launch
    settings: dict[str, Any] = {
        "deep_link_return_url": platform.url("/lti/deep-link-return"),
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "accept_multiple": True,
        "accept_lineitem": True,
        "auto_create": True,
        "title": "Add an activity",
        "text": "Choose what to add to the course",
        "data": data,
    }
    # A platform imitating another LMS's variant: keys set to None are left out (e.g. Moodle sends no
    # accept_lineitem); the return URL may carry a query (Moodle's sesskey, Canvas's modal=true).
    for key, value in platform.deep_link_settings.items():
        if value is None:
            settings.pop(key, None)
        else:
            settings[key] = value
    return settings


def service_claims(platform: Platform, client_id: str, course_id: str, resource_link_id: str | None) -> dict[str, Any]:
    """AGS and NRPS endpoint claims, only for the scopes the tool was granted."""
    granted = set(platform.tools[client_id].scopes)
    claims: dict[str, Any] = {}
    ags = [sc for sc in s.AGS_SCOPES if sc in granted]
    if ags:
        lineitems = platform.url(f"/api/lti/courses/{course_id}/lineitems")
        endpoint: dict[str, Any] = {"scope": ags, "lineitems": lineitems}
        item = platform.line_item_for_link(resource_link_id, client_id) if resource_link_id else None
        if item is not None:
            endpoint["lineitem"] = f"{lineitems}/{item.id}"
        claims[s.CLAIM_AGS] = endpoint
    if s.NRPS_MEMBERSHIP_READONLY in granted:
        claims[s.CLAIM_NRPS] = {
            "service_versions": ["2.0"],
            "context_memberships_url": platform.url(f"/api/lti/courses/{course_id}/memberships"),
        }
    return claims


# -- 1EdTech certification variants ----------------------------------------------------------
VALID_VARIANTS = (
    "standard",
    "multiple_roles",
    "short_role",
    "unknown_role",
    "no_role",
    "email_only",
    "names_only",
    "no_pii",
    "email_no_context",
)


def valid_variants(claims: dict[str, Any], role: str = "Instructor") -> dict[str, dict[str, Any]]:
    """The nine valid launches for `role` ("Instructor" or "Learner") the certification suite sends."""
    full_role = f"{LIS}membership#{role}"
    edits: dict[str, Callable[[dict[str, Any]], None]] = {
        "standard": lambda c: c.update({s.CLAIM_ROLES: [full_role]}),
        "multiple_roles": lambda c: c.update(
            {s.CLAIM_ROLES: [full_role, LIS + "membership#Mentor", LIS + "institution/person#Staff"]}
        ),
        "short_role": lambda c: c.update({s.CLAIM_ROLES: [role]}),
        "unknown_role": lambda c: c.update({s.CLAIM_ROLES: [full_role, "http://example.edu/roles#Wizard"]}),
        "no_role": lambda c: c.update({s.CLAIM_ROLES: []}),
        "email_only": lambda c: _drop(c, "name", "given_name", "family_name"),
        "names_only": lambda c: _drop(c, "email"),
        "no_pii": lambda c: _drop(c, *PERSONAL),
        "email_no_context": lambda c: _drop(c, "name", "given_name", "family_name", s.CLAIM_CONTEXT),
    }
    out = {}
    for name, edit in edits.items():
        variant = copy.deepcopy(claims)
        variant[s.CLAIM_ROLES] = [full_role]
        variant.setdefault("email", "someone@example.edu")
        variant.setdefault("given_name", "Some")
        variant.setdefault("family_name", "One")
        variant.setdefault("name", "Some One")
        edit(variant)
        out[name] = variant
    return out


def bad_launches(platform: Platform, claims: dict[str, Any]) -> dict[str, str]:
    """The twelve invalid launches a tool must refuse, each as the string posted as `id_token`."""
    now = int(time.time())

    def signed(edit: Callable[[dict[str, Any]], None], headers: dict[str, Any] | None = None) -> str:
        variant = copy.deepcopy(claims)
        edit(variant)
        return platform.sign_id_token(variant, headers)

    keep: Callable[[dict[str, Any]], None] = lambda c: None  # noqa: E731
    lti_claims = (
        s.CLAIM_MESSAGE_TYPE,
        s.CLAIM_VERSION,
        s.CLAIM_DEPLOYMENT_ID,
        s.CLAIM_ROLES,
        s.CLAIM_RESOURCE_LINK,
        s.CLAIM_TARGET_LINK_URI,
    )
    return {
        "no_kid": signed(keep, {"kid": None}),
        "wrong_kid": signed(keep, {"kid": "not-" + platform.kid}),
        "wrong_lti_version": signed(lambda c: c.update({s.CLAIM_VERSION: "1.2.0"})),
        "no_lti_version": signed(lambda c: _drop(c, s.CLAIM_VERSION)),
        "not_a_jwt": "this-is-not-a-jwt",
        "missing_claims": signed(lambda c: _drop(c, *lti_claims)),
        "bad_timestamps": signed(lambda c: c.update({"iat": now - 7200, "exp": now - 3600})),
        "no_message_type": signed(lambda c: _drop(c, s.CLAIM_MESSAGE_TYPE)),
        "no_roles": signed(lambda c: _drop(c, s.CLAIM_ROLES)),
        "no_deployment_id": signed(lambda c: _drop(c, s.CLAIM_DEPLOYMENT_ID)),
        "no_resource_link_id": signed(lambda c: c.setdefault(s.CLAIM_RESOURCE_LINK, {}).pop("id", None)),
        "no_sub": signed(lambda c: _drop(c, "sub")),
    }


def _drop(claims: dict[str, Any], *names: str) -> None:
    for name in names:
        claims.pop(name, None)
