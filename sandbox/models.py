"""Plain records the in-memory platform keeps: users, courses, tools, links, grades."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
ROLE_INSTRUCTOR = LIS + "membership#Instructor"
ROLE_LEARNER = LIS + "membership#Learner"
ROLE_INSTITUTION_ADMIN = LIS + "institution/person#Administrator"


@dataclass
class User:
    id: str
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    roles: list[str] = field(default_factory=list)  # institution/system roles

    @property
    def name(self) -> str | None:
        parts = [p for p in (self.given_name, self.family_name) if p]
        return " ".join(parts) or None


@dataclass
class Membership:
    user_id: str
    roles: list[str]
    status: str = "Active"  # Active | Inactive | Deleted (NRPS 2.0 vocabulary)


@dataclass
class Course:
    id: str
    title: str
    label: str
    members: dict[str, Membership] = field(default_factory=dict)


@dataclass
class ResourceLink:
    id: str
    course_id: str
    title: str
    client_id: str | None = None  # None: launches the tool chosen at launch time
    url: str | None = None  # target_link_uri override (deep-linked items)
    custom: dict[str, str] = field(default_factory=dict)


@dataclass
class Tool:
    client_id: str
    name: str
    jwks_uri: str
    initiate_login_uri: str
    redirect_uris: list[str]
    target_link_uri: str
    deployment_id: str
    scopes: list[str] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    custom: dict[str, str] = field(default_factory=dict)
    deep_link_url: str | None = None  # None: the tool did not ask for LtiDeepLinkingRequest
    domain: str | None = None
    registration: dict[str, Any] = field(default_factory=dict)


@dataclass
class LineItem:
    id: str
    course_id: str
    label: str
    score_maximum: float
    resource_id: str | None = None
    tag: str | None = None
    resource_link_id: str | None = None
    start_date_time: str | None = None
    end_date_time: str | None = None
    grades_released: bool | None = None
    client_id: str | None = None  # owner; None = created by the platform, visible to every tool


@dataclass(frozen=True)
class ScoreRecord:
    """One score POSTed by a tool; `applied` is False when it was older than the latest one."""

    line_item_id: str
    course_id: str
    user_id: str
    body: dict[str, Any]
    applied: bool
    client_id: str


@dataclass(frozen=True)
class Launch:
    """A launch the platform started; its `hint` travels as lti_message_hint."""

    hint: str
    client_id: str
    user_id: str
    course_id: str
    resource_link_id: str | None
    message_type: str
    created_at: float = field(default_factory=time.time)


@dataclass
class Faults:
    """Fault injection for the service endpoints (AGS, NRPS, token)."""

    error_rate: float = 0.0
    latency_ms: int = 0
    status: int = 503
    retry_after: int | None = 1
