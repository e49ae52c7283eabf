"""LTI Names and Role Provisioning Services 2.0 connector: course and resource-link memberships.

Implements NRPS 2.0 "Context membership" (GET ``context_memberships_url`` with ``Accept:
application/vnd.ims.lti-nrps.v2.membershipcontainer+json``), its ``role``, ``limit`` and resource-link
(``rlid``) query parameters, paging by ``Link: <…>; rel="next"`` (followed exactly as given) and
"Membership differences" (``rel="differences"``: a URL returning only the changes since this read; keep it
for the next incremental sync). Members carry ``user_id``, ``roles`` and optionally ``status``
(Active/Inactive/Deleted, Active when absent), names, ``email``, ``lis_person_sourcedid``, and — for ``rlid``
requests — the ``message`` claims the member would receive on launch.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from connectors.lti_service import (
    LtiServiceConnector,
    PayloadError,
    as_list,
    as_object,
    optional_str,
    required_str,
)
from connectors.paging import Page

MEMBERSHIP_CONTAINER = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
SCOPE_MEMBERSHIP_READONLY = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


class MemberStatus(StrEnum):
    ACTIVE = "Active"
    INACTIVE = "Inactive"
    DELETED = "Deleted"


@dataclass(frozen=True, slots=True)
class NrpsContext:
    id: str
    label: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Member:
    """One membership. Personal fields are None when the platform withholds them (privacy settings)."""

    user_id: str
    roles: tuple[str, ...]
    status: MemberStatus = MemberStatus.ACTIVE
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    lis_person_sourcedid: str | None = None
    messages: tuple[Mapping[str, Any], ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def from_json(cls, data: Any) -> Member:
        member = as_object(data, "member")
        roles = as_list(member.get("roles"), "member roles")
        if not all(isinstance(role, str) for role in roles):
            raise PayloadError("member roles must be strings")
        try:
            status = MemberStatus(member.get("status") or MemberStatus.ACTIVE)
        except ValueError as err:
            raise PayloadError("member status is not Active, Inactive or Deleted") from err
        messages = as_list(member.get("message", []), "member message")
        return cls(
            user_id=required_str(member, "user_id"), roles=tuple(roles), status=status,
            name=optional_str(member, "name"), given_name=optional_str(member, "given_name"),
            family_name=optional_str(member, "family_name"), email=optional_str(member, "email"),
            lis_person_sourcedid=optional_str(member, "lis_person_sourcedid"),
            messages=tuple(MappingProxyType(dict(as_object(m, "message"))) for m in messages),
        )


@dataclass(frozen=True, slots=True)
class MembershipPage:
    """One page: where it came from (to resume), its members, and the paging links it announced."""

    url: str
    context: NrpsContext | None
    members: tuple[Member, ...]
    next_url: str | None
    differences_url: str | None


@dataclass(frozen=True, slots=True)
class Roster:
    """A complete membership read: every page was fetched, or an error was raised instead."""

    context: NrpsContext | None
    members: tuple[Member, ...]
    differences_url: str | None


def parse_page(page: Page) -> MembershipPage:
    container = as_object(page.data, "membership container")
    context_data = container.get("context")
    context = None
    if context_data is not None:
        ctx = as_object(context_data, "context")
        context = NrpsContext(required_str(ctx, "id"), optional_str(ctx, "label"), optional_str(ctx, "title"))
    members = tuple(Member.from_json(entry) for entry in as_list(container.get("members"), "members"))
    return MembershipPage(page.url, context, members, page.next_url, page.links.get("differences"))


class NrpsConnector(LtiServiceConnector):
    """Reads memberships for one platform registration, authorised by a ``TokenSource``."""

    name = "lti-nrps"
    SCOPES = frozenset({SCOPE_MEMBERSHIP_READONLY})

    def membership_pages(
        self, url: str, *, role: str | None = None, rlid: str | None = None, limit: int | None = None
    ) -> Iterator[MembershipPage]:
        """Each page of memberships from ``url`` (a memberships URL, a saved ``next`` or differences URL)."""
        params = {"role": role, "rlid": rlid, "limit": str(limit) if limit is not None else None}
        query = {key: value for key, value in params.items() if value is not None}
        for page in self.iter_pages(url, accept=MEMBERSHIP_CONTAINER, params=query or None):
            yield self.parse(page.url, parse_page, page)

    def memberships(
        self, url: str, *, role: str | None = None, rlid: str | None = None, limit: int | None = None
    ) -> Roster:
        """All members (every page) with the context and the last ``differences`` URL announced."""
        context: NrpsContext | None = None
        members: list[Member] = []
        differences: str | None = None
        for page in self.membership_pages(url, role=role, rlid=rlid, limit=limit):
            context = context or page.context
            members.extend(page.members)
            differences = page.differences_url or differences
        return Roster(context, tuple(members), differences)

    def differences(self, differences_url: str) -> Roster:
        """The changes since the read that announced ``differences_url`` (Deleted members included)."""
        return self.memberships(differences_url)
