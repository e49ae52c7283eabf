"""Users, courses and memberships, with the change log NRPS `rel="differences"` answers from."""

from __future__ import annotations

import threading

from .models import Course, Membership, ResourceLink, User


class Roster:
    """Mixin of `Platform`: people and courses. Every method takes the platform lock."""

    _lock: threading.RLock
    users: dict[str, User]
    courses: dict[str, Course]
    resource_links: dict[str, ResourceLink]
    # (sequence number, course id, user id) for every membership change, in order.
    membership_log: list[tuple[int, str, str]]

    def add_user(
        self,
        user_id: str,
        given_name: str | None = None,
        family_name: str | None = None,
        email: str | None = None,
        roles: list[str] | None = None,
    ) -> User:
        with self._lock:
            user = User(user_id, given_name, family_name, email, list(roles or []))
            self.users[user_id] = user
            return user

    def add_course(self, course_id: str, title: str, label: str) -> Course:
        with self._lock:
            course = Course(course_id, title, label)
            self.courses[course_id] = course
            return course

    def enroll(self, course_id: str, user_id: str, roles: list[str], status: str = "Active") -> Membership:
        with self._lock:
            if user_id not in self.users:
                raise KeyError(f"unknown user {user_id!r}")
            member = Membership(user_id, list(roles), status)
            self.courses[course_id].members[user_id] = member
            self._log_change(course_id, user_id)
            return member

    def set_member_status(self, course_id: str, user_id: str, status: str) -> None:
        """Mark a member Active, Inactive or Deleted (a Deleted member shows only in differences)."""
        with self._lock:
            self.courses[course_id].members[user_id].status = status
            self._log_change(course_id, user_id)

    def add_resource_link(
        self,
        link_id: str,
        course_id: str,
        title: str,
        *,
        client_id: str | None = None,
        url: str | None = None,
        custom: dict[str, str] | None = None,
    ) -> ResourceLink:
        with self._lock:
            if course_id not in self.courses:
                raise KeyError(f"unknown course {course_id!r}")
            link = ResourceLink(link_id, course_id, title, client_id, url, dict(custom or {}))
            self.resource_links[link_id] = link
            return link

    def membership_seq(self) -> int:
        with self._lock:
            return self.membership_log[-1][0] if self.membership_log else 0

    def changed_since(self, course_id: str, seq: int) -> set[str]:
        with self._lock:
            return {uid for s, cid, uid in self.membership_log if s > seq and cid == course_id}

    def _log_change(self, course_id: str, user_id: str) -> None:
        self.membership_log.append((self.membership_seq() + 1, course_id, user_id))
