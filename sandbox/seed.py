"""The demo course, its people and its resource links."""

from __future__ import annotations

from .models import ROLE_INSTITUTION_ADMIN, ROLE_INSTRUCTOR, ROLE_LEARNER
from .platform import Platform

COURSE = "demo-course"


def seed(platform: Platform, extra_learners: int = 0) -> None:
    """Course "demo-course" with an instructor, two learners, an admin and two resource links."""
    platform.add_course(COURSE, "Digital Skills 101", "DS101")
    platform.add_user("instructor-1", "Ada", "Lovelace", "ada@example.edu")
    platform.add_user("learner-1", "Grace", "Hopper", "grace@example.edu")
    platform.add_user("learner-2", "Alan", "Turing")
    platform.add_user("admin-1", "Sam", "Admin", "admin@example.edu", roles=[ROLE_INSTITUTION_ADMIN])
    platform.enroll(COURSE, "instructor-1", [ROLE_INSTRUCTOR])
    platform.enroll(COURSE, "learner-1", [ROLE_LEARNER])
    platform.enroll(COURSE, "learner-2", [ROLE_LEARNER])
    for n in range(1, extra_learners + 1):
        user_id = f"learner-gen-{n:04d}"
        platform.add_user(user_id, "Learner", f"{n:04d}", f"learner{n:04d}@example.edu")
        platform.enroll(COURSE, user_id, [ROLE_LEARNER])
    platform.add_resource_link("rl-intro", COURSE, "Introduction")
    platform.add_resource_link("rl-quiz", COURSE, "Final quiz")
    platform.add_line_item(COURSE, "Final quiz", 100, resource_link_id="rl-quiz", resource_id="quiz")
