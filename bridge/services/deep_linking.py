"""Deep Linking 2.0: the picker's choices, the signed LtiDeepLinkingResponse, and the links it creates.

Implements LTI Deep Linking 2.0 §4.4 (the request's ``deep_linking_settings``) and §4.5 (the response): a JWT
signed with the tool's key (``kid`` in the header), with ``iss`` = the tool's client_id, ``aud`` = the platform
issuer, ``nonce``, ``iat``/``exp``, message type ``LtiDeepLinkingResponse``, version ``1.3.0``, the
``deployment_id``, the request's ``data`` echoed unchanged, and ``content_items`` of type ``ltiResourceLink``
(§3.1 "LTI Resource Link") carrying a ``lineItem`` (scoreMaximum, label, resourceId, tag) when the platform
does not refuse line items, ``custom`` parameters, and an ``iframe`` or ``window`` presentation among the
``accept_presentation_document_targets``. Item URLs never carry a query string (Moodle and Blackboard reject
them): what identifies the activity travels in ``custom.activity_id``.

Platform variants handled: Moodle (``accept_multiple`` true, no ``data``, no ``accept_lineitem``, a return URL
with ``sesskey`` in its query, targets ``frame``/``iframe``/``window``); Canvas (``accept_multiple`` false on
assignment selection, ``accept_lineitem`` and ``auto_create`` true, ``data`` to echo, extra keys such as
``accept_media_types``, editor placements whose ``accept_types`` list ``link``/``file``/``html`` too). A
setting that is absent is read conservatively: one item at a time, line items offered (§4.4.1 leaves both
unspecified). The return URL is used exactly as given.

What was picked is stored (``DeepLinkedActivity``) under its ``activity_id``; the first launch of a created
link calls :func:`bind_launch`, which makes the link play the picked SCORM package or track the picked activity.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import jwt
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.models import DeepLinkedActivity, LaunchSession, ScormActivity, ScormPackage
from bridge.models.base import utcnow
from bridge.services import scorm_attempts
from bridge.services.keys import SigningKey

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LIFETIME = 300
ACTIVITY_TAG = "credential-tracked"
SCORM_KIND = "scorm"
IFRAME = {"width": 1024, "height": 768}


class DeepLinkError(ValueError):
    """The deep-linking request cannot be answered as asked; the message is for the instructor."""


@dataclass(frozen=True, slots=True)
class DeepLinkSettings:
    return_url: str
    data: str | None
    accept_multiple: bool
    accept_lineitem: bool
    accept_types: frozenset[str]
    targets: tuple[str, ...] = ()  # accept_presentation_document_targets, in the platform's order
    auto_create: bool = False


@dataclass(frozen=True, slots=True)
class PickedActivity:
    """A choice in the picker: a SCORM package (``package_id``), a new credential-tracked activity, or an
    earlier one again (``activity_id``). ``score_maximum`` None: no gradebook column."""

    title: str
    score_maximum: float | None = None
    kind: str = ACTIVITY_TAG
    package_id: int | None = None
    activity_id: str | None = None


@dataclass(frozen=True, slots=True)
class PickerOption:
    """Something the picker offers besides new tracked activities."""

    kind: str  # SCORM_KIND (a package) | ACTIVITY_TAG (a tracked activity linked before)
    key: str  # package id or activity id
    title: str
    detail: str


@dataclass(frozen=True, slots=True)
class DeepLinkAnswer:
    return_url: str
    jwt: str
    items: int
    activity_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LinkedActivity:
    """What a launched resource link stands for (see :func:`bind_launch`)."""

    activity_id: str
    kind: str
    title: str
    scorm_activity_pk: int | None


# -- the request ----------------------------------------------------------------------------------------
def settings_for(session: Session, launch_id: str) -> DeepLinkSettings:
    """The deep_linking_settings the platform sent with this launch (kept in the launch session)."""
    launch = session.get(LaunchSession, launch_id)
    return parse_settings((launch.claims if launch is not None else {}).get("deep_linking_settings"))


def parse_settings(raw: Any) -> DeepLinkSettings:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("deep_link_return_url"), str) \
            or not raw["deep_link_return_url"]:
        raise DeepLinkError("This launch is not a deep-linking request: add the activity from the LMS's "
                            "activity chooser.")
    types = raw.get("accept_types")
    targets = raw.get("accept_presentation_document_targets")
    return DeepLinkSettings(
        return_url=raw["deep_link_return_url"],
        data=str(raw["data"]) if raw.get("data") not in (None, "") else None,
        accept_multiple=raw.get("accept_multiple") is True,
        accept_lineitem=raw.get("accept_lineitem") is not False,
        accept_types=frozenset(str(t) for t in types) if isinstance(types, list) else frozenset({"ltiResourceLink"}),
        targets=tuple(str(t) for t in targets) if isinstance(targets, list) else (),
        auto_create=raw.get("auto_create") is True)


# -- the picker -----------------------------------------------------------------------------------------
def picker_options(session: Session, registration_pk: int, course_pk: int | None) -> list[PickerOption]:
    """The course's SCORM packages (and the tenant's shared ones), then tracked activities linked before."""
    packages = session.scalars(select(ScormPackage).where(
        ScormPackage.registration_id == registration_pk,
        or_(ScormPackage.course_id == course_pk, ScormPackage.course_id.is_(None))).order_by(ScormPackage.title,
                                                                                              ScormPackage.id))
    options = [PickerOption(SCORM_KIND, str(p.id), p.title or p.original_name or f"Package {p.id}",
                            f"SCORM {p.version}") for p in packages]
    if course_pk is not None:
        tracked = session.scalars(select(DeepLinkedActivity).where(
            DeepLinkedActivity.registration_id == registration_pk, DeepLinkedActivity.course_id == course_pk,
            DeepLinkedActivity.kind == ACTIVITY_TAG).order_by(DeepLinkedActivity.title, DeepLinkedActivity.id))
        options += [PickerOption(ACTIVITY_TAG, a.activity_id, a.title, "credential-tracked"
                                 + (f", out of {a.score_maximum:g}" if a.score_maximum else "")) for a in tracked]
    return options


def _resolve(session: Session, pick: PickedActivity, registration_pk: int, course_pk: int | None) -> PickedActivity:
    """Check a pick against what this tenant owns; fill a SCORM pick's or an earlier activity's title."""
    if pick.package_id is not None:
        package = session.get(ScormPackage, pick.package_id)
        if package is None or package.registration_id != registration_pk \
                or package.course_id not in (None, course_pk):
            raise DeepLinkError("That SCORM package is not available in this course any more: reload the page.")
        return PickedActivity(title=(pick.title or package.title or f"Package {package.id}")[:255],
                              score_maximum=pick.score_maximum, kind=SCORM_KIND, package_id=package.id)
    if pick.activity_id is not None:
        earlier = _stored(session, registration_pk, pick.activity_id)
        if earlier is None or earlier.course_id != course_pk or earlier.kind != ACTIVITY_TAG:
            raise DeepLinkError("That activity is not available in this course any more: reload the page.")
        return PickedActivity(title=earlier.title, score_maximum=earlier.score_maximum, kind=ACTIVITY_TAG,
                              activity_id=earlier.activity_id)
    return pick


# -- the response ---------------------------------------------------------------------------------------
def clean_url(url: str) -> str:
    """``url`` without query or fragment (platforms reject deep-linked URLs with a query string)."""
    parts = urlsplit(url)
    return parts._replace(query="", fragment="").geturl()


def content_item(pick: PickedActivity, activity_id: str, *, launch_url: str,
                 settings: DeepLinkSettings) -> dict[str, Any]:
    item: dict[str, Any] = {
        "type": "ltiResourceLink", "title": pick.title, "url": clean_url(launch_url),
        "custom": {"activity_id": activity_id, "activity_kind": pick.kind},
    }
    if settings.accept_lineitem and pick.score_maximum is not None:
        item["lineItem"] = {"scoreMaximum": pick.score_maximum, "label": pick.title, "resourceId": activity_id,
                            "tag": pick.kind}
    if "iframe" in settings.targets:
        item["iframe"] = dict(IFRAME)
    elif "window" in settings.targets:
        item["window"] = {"targetName": "_blank"}
    return item


def _check(settings: DeepLinkSettings, picks: Sequence[PickedActivity]) -> None:
    if "ltiResourceLink" not in settings.accept_types:
        raise DeepLinkError("This place in the course does not accept tool links.")
    if len(picks) > 1 and not settings.accept_multiple:
        raise DeepLinkError("The LMS accepts one activity at a time here: choose only one.")
    for pick in picks:
        if not pick.title.strip():
            raise DeepLinkError("Every activity needs a title.")
        if pick.score_maximum is not None and not (math.isfinite(pick.score_maximum) and pick.score_maximum > 0):
            raise DeepLinkError("A maximum score must be a number greater than 0.")


def build_response(settings: DeepLinkSettings, picks: Sequence[PickedActivity], *, key: SigningKey, issuer: str,
                   client_id: str, deployment_id: str, launch_url: str, now: datetime | None = None) -> DeepLinkAnswer:
    """Sign the LtiDeepLinkingResponse for ``picks`` (an empty list tells the platform nothing was chosen).

    A pick without ``activity_id`` gets a new one; ``activity_ids`` lists them in the order of ``picks``.
    """
    _check(settings, picks)
    ids = tuple(p.activity_id or "act-" + secrets.token_hex(8) for p in picks)
    issued = int((now or utcnow()).timestamp())
    claims: dict[str, Any] = {
        "iss": client_id, "aud": issuer, "iat": issued, "exp": issued + LIFETIME, "nonce": secrets.token_urlsafe(24),
        LTI + "message_type": "LtiDeepLinkingResponse", LTI + "version": "1.3.0",
        LTI + "deployment_id": deployment_id,
        DL + "content_items": [content_item(p, i, launch_url=launch_url, settings=settings)
                               for p, i in zip(picks, ids, strict=True)],
    }
    if settings.data is not None:
        claims[DL + "data"] = settings.data
    if picks:
        claims[DL + "msg"] = f"Added {len(picks)} activit{'y' if len(picks) == 1 else 'ies'}."
    token = jwt.encode(claims, key.private_pem, algorithm=key.alg, headers={"kid": key.kid, "typ": "JWT"})
    return DeepLinkAnswer(return_url=settings.return_url, jwt=token, items=len(picks), activity_ids=ids)


def respond(session: Session, launch_id: str, picks: Sequence[PickedActivity], *, registration_pk: int,
            course_pk: int | None, key: SigningKey, issuer: str, client_id: str, deployment_id: str,
            launch_url: str) -> DeepLinkAnswer:
    """Check the picks, sign the response and remember every new pick under its activity id (one transaction).

    Raises :class:`DeepLinkError` (nothing stored) when the request or a pick cannot be answered.
    """
    settings = settings_for(session, launch_id)
    resolved = [_resolve(session, pick, registration_pk, course_pk) for pick in picks]
    answer = build_response(settings, resolved, key=key, issuer=issuer, client_id=client_id,
                            deployment_id=deployment_id, launch_url=launch_url)
    for pick, activity_id in zip(resolved, answer.activity_ids, strict=True):
        if pick.activity_id is None:
            session.add(DeepLinkedActivity(registration_id=registration_pk, course_id=course_pk,
                                           activity_id=activity_id, kind=pick.kind, title=pick.title,
                                           package_id=pick.package_id, score_maximum=pick.score_maximum))
    session.commit()
    return answer


# -- launches of the created links ----------------------------------------------------------------------
def _stored(session: Session, registration_pk: int, activity_id: str) -> DeepLinkedActivity | None:
    return session.scalars(select(DeepLinkedActivity).where(DeepLinkedActivity.registration_id == registration_pk,
                                                            DeepLinkedActivity.activity_id == activity_id)).first()


def bind_launch(session: Session, *, registration_pk: int, course_pk: int | None, resource_link_id: str | None,
                activity_id: str | None) -> LinkedActivity | None:
    """Connect a launched resource link to the activity picked for it (its ``custom.activity_id``).

    Call it after the launch is recorded. Without an activity id (a link not created by deep linking) it costs
    nothing. A SCORM pick makes the link play the package (a ``ScormActivity`` with default attempt rules, made
    once per link: a course copy's links get their own); a tracked pick only remembers its first link. An
    activity id of another tenant, or a launch without a course or link, binds nothing. Commits.
    """
    if not activity_id or course_pk is None or not resource_link_id:
        return None
    picked = _stored(session, registration_pk, activity_id[:64])
    link = scorm_attempts.link_for(session, course_pk, resource_link_id)
    if picked is None or link is None:
        return None
    if picked.resource_link_pk is None:
        picked.resource_link_pk = link.id
    scorm_pk: int | None = None
    if picked.kind == SCORM_KIND and picked.package_id is not None:
        scorm_pk = _scorm_activity(session, link, picked.package_id)
    session.commit()
    return LinkedActivity(picked.activity_id, picked.kind, picked.title, scorm_pk)


def _scorm_activity(session: Session, link: Any, package_id: int) -> int | None:
    found = session.scalars(select(ScormActivity.id).where(ScormActivity.resource_link_pk == link.id)).first()
    if found is not None:
        return found
    package = session.get(ScormPackage, package_id)
    if package is None:
        return None
    try:
        return scorm_attempts.attach(session, link, package, scorm_attempts.AttemptRules()).id
    except IntegrityError:  # two first launches at once: the loser finds the winner's row
        session.rollback()
        return session.scalars(select(ScormActivity.id).where(ScormActivity.resource_link_pk == link.id)).first()


def linked_activity(session: Session, registration_pk: int, activity_id: str | None) -> DeepLinkedActivity | None:
    """The picked activity behind a launch's ``custom.activity_id`` (None when there is none)."""
    return _stored(session, registration_pk, activity_id[:64]) if activity_id else None
