"""Deep Linking 2.0 responses: the activities an instructor picked, as a signed LtiDeepLinkingResponse.

Implements LTI Deep Linking 2.0 §4.4–4.5: a JWT signed with the tool's key (``kid`` in the header), with
``iss`` = the tool's client_id, ``aud`` = the platform issuer, ``nonce``, ``iat``/``exp``, message type
``LtiDeepLinkingResponse``, version ``1.3.0``, the ``deployment_id``, the request's ``data`` echoed, and
``content_items`` of type ``ltiResourceLink`` carrying a ``lineItem`` (scoreMaximum, label, resourceId,
tag) and ``custom`` parameters. Item URLs never carry a query string (Moodle and Blackboard reject them):
what identifies the activity travels in ``custom``. Several items only when the platform accepts multiple.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import jwt
from sqlalchemy.orm import Session

from bridge.models import LaunchSession
from bridge.models.base import utcnow
from bridge.services.keys import SigningKey

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LIFETIME = 300
ACTIVITY_TAG = "credential-tracked"


class DeepLinkError(ValueError):
    """The deep-linking request cannot be answered as asked; the message is for the instructor."""


@dataclass(frozen=True, slots=True)
class DeepLinkSettings:
    return_url: str
    data: str | None
    accept_multiple: bool
    accept_lineitem: bool
    accept_types: frozenset[str]


@dataclass(frozen=True, slots=True)
class PickedActivity:
    """A credential-tracked activity chosen in the picker; ``score_maximum`` None: no gradebook column."""

    title: str
    score_maximum: float | None = None
    kind: str = ACTIVITY_TAG


@dataclass(frozen=True, slots=True)
class DeepLinkAnswer:
    return_url: str
    jwt: str
    items: int


def settings_for(session: Session, launch_id: str) -> DeepLinkSettings:
    """The deep_linking_settings the platform sent with this launch (kept in the launch session)."""
    launch = session.get(LaunchSession, launch_id)
    raw = (launch.claims if launch is not None else {}).get("deep_linking_settings")
    if not isinstance(raw, Mapping) or not raw.get("deep_link_return_url"):
        raise DeepLinkError("This launch is not a deep-linking request: add the activity from the LMS's "
                            "activity chooser.")
    return DeepLinkSettings(
        return_url=str(raw["deep_link_return_url"]), data=str(raw["data"]) if raw.get("data") else None,
        accept_multiple=raw.get("accept_multiple") is not False,
        accept_lineitem=raw.get("accept_lineitem") is not False,
        accept_types=frozenset(str(t) for t in raw.get("accept_types") or ["ltiResourceLink"]))


def clean_url(url: str) -> str:
    """``url`` without query or fragment (platforms reject deep-linked URLs with a query string)."""
    parts = urlsplit(url)
    return parts._replace(query="", fragment="").geturl()


def content_item(pick: PickedActivity, *, launch_url: str, accept_lineitem: bool) -> dict[str, Any]:
    activity_id = "act-" + secrets.token_hex(6)
    item: dict[str, Any] = {
        "type": "ltiResourceLink", "title": pick.title, "url": clean_url(launch_url),
        "custom": {"activity_id": activity_id, "activity_kind": pick.kind},
    }
    if accept_lineitem and pick.score_maximum is not None:
        item["lineItem"] = {"scoreMaximum": pick.score_maximum, "label": pick.title, "resourceId": activity_id,
                            "tag": pick.kind}
    return item


def build_response(settings: DeepLinkSettings, picks: Sequence[PickedActivity], *, key: SigningKey, issuer: str,
                   client_id: str, deployment_id: str, launch_url: str, now: datetime | None = None) -> DeepLinkAnswer:
    """Sign the LtiDeepLinkingResponse for ``picks`` (an empty list tells the platform nothing was chosen)."""
    if "ltiResourceLink" not in settings.accept_types:
        raise DeepLinkError("This place in the course does not accept tool links.")
    if len(picks) > 1 and not settings.accept_multiple:
        raise DeepLinkError("The LMS accepts one activity at a time here: choose only one.")
    for pick in picks:
        if not pick.title.strip():
            raise DeepLinkError("Every activity needs a title.")
        if pick.score_maximum is not None and pick.score_maximum <= 0:
            raise DeepLinkError("A maximum score must be greater than 0.")
    issued = int((now or utcnow()).timestamp())
    claims: dict[str, Any] = {
        "iss": client_id, "aud": issuer, "iat": issued, "exp": issued + LIFETIME, "nonce": secrets.token_urlsafe(24),
        LTI + "message_type": "LtiDeepLinkingResponse", LTI + "version": "1.3.0",
        LTI + "deployment_id": deployment_id,
        DL + "content_items": [content_item(p, launch_url=launch_url, accept_lineitem=settings.accept_lineitem)
                               for p in picks],
    }
    if settings.data is not None:
        claims[DL + "data"] = settings.data
    if picks:
        claims[DL + "msg"] = f"Added {len(picks)} activit{'y' if len(picks) == 1 else 'ies'}."
    token = jwt.encode(claims, key.private_pem, algorithm=key.alg, headers={"kid": key.kid, "typ": "JWT"})
    return DeepLinkAnswer(return_url=settings.return_url, jwt=token, items=len(picks))
