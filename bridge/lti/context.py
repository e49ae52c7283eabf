"""``LaunchContext``: the typed view of a launch that the rest of the tool uses (claim dicts stay in bridge.lti).

Roles follow LTI 1.3 Core §A.2 (context and institution role vocabularies); short names such as
``Instructor`` are accepted as context roles, as the spec allows for the core roles.
"""

from __future__ import annotations

from dataclasses import dataclass

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
TEACHING_ROLES = frozenset({
    f"{LIS}membership#Instructor", f"{LIS}membership#ContentDeveloper",
    f"{LIS}membership/Instructor#TeachingAssistant", f"{LIS}membership#Administrator",
    "Instructor", "ContentDeveloper", "TeachingAssistant",
})
ADMIN_ROLES = frozenset({
    f"{LIS}institution/person#Administrator", f"{LIS}system/person#Administrator",
    f"{LIS}system/person#SysAdmin", f"{LIS}membership#Administrator", "Administrator",
})


@dataclass(frozen=True, slots=True)
class LaunchContext:
    launch_id: str
    registration_pk: int
    issuer: str
    client_id: str
    deployment_id: str
    user_pk: int
    user_id: str
    roles: frozenset[str]
    message_type: str
    course_pk: int | None = None
    context_id: str | None = None
    course_title: str = ""
    resource_link_id: str | None = None
    locale: str = "en"
    verified: bool = True

    @property
    def is_admin(self) -> bool:
        return bool(self.roles & ADMIN_ROLES)

    @property
    def is_instructor(self) -> bool:
        return self.is_admin or bool(self.roles & TEACHING_ROLES)

    @property
    def is_learner(self) -> bool:
        return not self.is_instructor

    @property
    def is_deep_linking(self) -> bool:
        return self.message_type == "LtiDeepLinkingRequest"
