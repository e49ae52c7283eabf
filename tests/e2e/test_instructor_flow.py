"""The instructor flow in Debian Chromium, inside the sandbox LMS's course page: create a credential template,
pick a gradebook item as the criterion, the learner completes it, the award appears (screenshots saved)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from bridge.models import Course, CourseLineItem, LmsUser
from bridge.services.progress import FactInput, record_facts
from tests.e2e.conftest import Servers

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
expect.set_options(timeout=15_000)
QUIZ = "https://lms.example/lineitems/final-quiz"


def _frame(page: Page) -> Any:
    return page.frame_locator("iframe[name=tool-frame]")


def test_create_template_pick_criterion_learner_completes_award_appears(
    lms: Servers, browser_with: Callable[[str], Any], screenshot: Callable[[Page, str], Path]
) -> None:
    browser = browser_with("blocked")
    learner = browser.new_page()
    learner.goto(lms.play_url("learner-1"))
    expect(_frame(learner).get_by_role("link", name="My progress and credentials")).to_be_visible()
    page = browser.new_page()
    page.goto(lms.play_url("instructor-1"))
    tool = _frame(page)
    tool.get_by_role("link", name="Credential templates and award rules").click()
    tool.get_by_role("link", name="New credential template").click()
    tool.get_by_label("Title (en)").fill("Data literacy")
    tool.get_by_label("Outcome 1 (en)").fill("Read charts critically")
    tool.get_by_label("Notional workload (ECTS credits) *").fill("1000")
    tool.get_by_role("button", name="Save").click()
    expect(tool.get_by_role("heading", name="problems to fix before saving", exact=False)).to_be_visible()
    problems = tool.get_by_role("alert")
    for message in ("at most 999 ECTS", "Choose the assessment", "Add at least one awarding body"):
        expect(problems.get_by_text(message, exact=False)).to_be_visible()
    screenshot(page, "template-problems")
    tool.get_by_label("Notional workload (ECTS credits) *").fill("2.5")
    tool.get_by_label("EQF level").select_option("5")
    tool.get_by_label("Assessment *").select_option("testing")
    tool.get_by_label("Participation *").select_option("online")
    tool.get_by_label("Quality assurance *").select_option("internal")
    tool.get_by_label("Name", exact=True).fill("University of Zed")
    tool.get_by_label("Country code (e.g. DE)").fill("IE")
    tool.get_by_role("button", name="Save").click()
    expect(tool.get_by_role("heading", name="Preview: Data literacy", exact=False)).to_be_visible()
    screenshot(page, "preview")

    db = lms.tool_app.extensions["bridge"].db
    with db.session() as s:  # what the AGS sync records for the course's gradebook
        course = s.scalars(select(Course)).one()
        s.add(CourseLineItem(course_id=course.id, url=QUIZ, label="Final quiz", score_maximum=100))
        s.commit()
        course_pk = course.id
        learner_pk = s.scalars(select(LmsUser).where(LmsUser.sub == "learner-1")).one().id
    tool.get_by_role("link", name="Award rule").click()
    tool.get_by_label("Gradebook: Final quiz").check()
    tool.get_by_label("Condition").first.select_option("min_score")
    tool.get_by_label("Minimum score in percent").first.fill("80")
    tool.get_by_role("button", name="Save rule").click()
    expect(tool.get_by_role("heading", name="learners × credentials", exact=False)).to_be_visible()
    expect(tool.get_by_role("row", name="Grace Hopper In progress", exact=False)).to_be_visible()
    expect(tool.get_by_role("row", name="Ada Lovelace", exact=False)).to_have_count(0)
    screenshot(page, "dashboard-pending")

    with db.session() as s:  # the learner completes the quiz (as the AGS results sync reports it)
        record_facts(s, [FactInput(course_pk, learner_pk, f"ags:{QUIZ}", True, "ags", datetime.now(UTC), None,
                                   90, 100)])
        s.commit()
    tool.get_by_role("button", name="Evaluate all learners now").click()
    expect(tool.get_by_text("Awarded", exact=True)).to_be_visible()
    screenshot(page, "dashboard-awarded")

    _frame(learner).get_by_role("link", name="My progress and credentials").click()
    expect(_frame(learner).get_by_text("Earned on", exact=False)).to_be_visible()
    screenshot(learner, "learner-earned")
