"""Canvas developer-key JSON ("LTI key → Paste JSON"), served at the stable URL /lti/canvas.json.

Shape per Canvas's "LTI 1.3 Configuration" docs: title, description, oidc_initiation_url, target_link_uri,
public_jwk_url, scopes, custom_fields, extensions[{platform: "canvas.instructure.com", privacy_level,
settings: {placements: [...]}}].
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit


def developer_key(base_url: str, title: str, description: str, scopes: Sequence[str]) -> dict[str, Any]:
    launch = f"{base_url}/lti/launch"
    placements = [
        {"placement": "course_navigation", "message_type": "LtiResourceLinkRequest", "target_link_uri": launch,
         "text": title, "default": "enabled"},
        {"placement": "link_selection", "message_type": "LtiDeepLinkingRequest", "target_link_uri": launch,
         "text": f"{title}: add an activity"},
        {"placement": "assignment_selection", "message_type": "LtiDeepLinkingRequest", "target_link_uri": launch,
         "text": f"{title}: add an activity"},
    ]
    return {
        "title": title,
        "description": description,
        "oidc_initiation_url": f"{base_url}/lti/login",
        "target_link_uri": launch,
        "public_jwk_url": f"{base_url}/.well-known/jwks.json",
        "scopes": list(scopes),
        "custom_fields": {"canvas_course_id": "$Canvas.course.id", "canvas_user_locale": "$Canvas.user.locale"},
        "extensions": [{
            "platform": "canvas.instructure.com",
            "domain": urlsplit(base_url).netloc,
            "tool_id": "credential-bridge",
            "privacy_level": "public",
            "settings": {"text": title, "placements": placements},
        }],
    }
