"""SCORM 2004 sequencing in Debian Chromium: the player's buttons and contents follow the server's engine.

A generated two-SCO package (lesson, quiz; flow, choice, forwardOnly; the quiz disabled until the lesson is
passed) whose pages call ``window.API_1484_11`` as real SCOs do. Checked: Next and the quiz entry stay
disabled until the lesson reports "passed", Next then delivers the quiz, Previous stays disabled (forwardOnly),
and the quiz's own adl.nav.request "continue" at Terminate ends the course with a plain message.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Servers
from tests.e2e.test_scorm_player import tool
from tests.functional.test_scorm_sequencing import _package

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

PAGE = """<!doctype html><html><body><h1>{title} page</h1>
<button id="pass" type="button">Pass</button><button id="continue" type="button">Finish and continue</button>
<script>
var api = null, w = window;
while (w && !api) {{ api = w.API_1484_11; if (w === w.parent) {{ break; }} w = w.parent; }}
api.Initialize("");
var done = false;
function finish() {{ if (!done) {{ done = true; api.Terminate(""); }} }}
document.getElementById("pass").onclick = function () {{
  api.SetValue("cmi.completion_status", "completed"); api.SetValue("cmi.success_status", "passed"); api.Commit("");
}};
document.getElementById("continue").onclick = function () {{ api.SetValue("adl.nav.request", "continue"); finish(); }};
window.addEventListener("pagehide", finish);
</script></body></html>"""


def _gated_package(tmp_path: Path) -> Path:
    source = _package(tmp_path)
    path = tmp_path / "gated-live.zip"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", original.read("imsmanifest.xml"))
        for n, title in ((1, "Lesson"), (2, "Quiz")):
            archive.writestr(f"p{n}.html", PAGE.format(title=title))
    return path


@pytest.mark.parametrize("relay", [False, True], ids=["same-origin", "relay"])
def test_next_and_the_contents_follow_the_sequencing_rules(
    lms: Servers, browser_with: Callable[[str], Any], screenshot: Callable[[Any, str], Path], tmp_path: Path,
    relay: bool,
) -> None:
    if relay:  # the SCO runs next to the relay page on a separate content origin
        lms.tool_app.config["SCORM_CONTENT_ORIGIN"] = f"http://127.0.0.1:{lms.tool.port}"
    browser = browser_with("allowed")
    page = browser.new_page()
    page.goto(lms.play_url("instructor-1"))
    tool(page).get_by_role("link", name="SCORM package for this link").click()
    tool(page).get_by_label("SCORM 1.2 or 2004 package (.zip)").set_input_files(str(_gated_package(tmp_path)))
    tool(page).get_by_role("button", name="Upload and check").click()
    expect(tool(page).get_by_role("heading", name=re.compile(r"^Imported: Gated course"))).to_be_visible()
    tool(page).get_by_role("button", name="Save").click()
    expect(tool(page).get_by_text("This link plays")).to_be_visible()
    page.close()

    page = browser.new_page()
    page.goto(lms.play_url("learner-1"))
    sco_frame = tool(page).frame_locator("#sco-frame")
    content = sco_frame.frame_locator("#sco-frame") if relay else sco_frame
    expect(content.get_by_role("heading", name="Lesson page")).to_be_visible(timeout=15_000)
    next_button, previous = tool(page).locator("#nav-next"), tool(page).locator("#nav-prev")
    quiz_entry = tool(page).locator('button[data-sco="quiz"]')
    expect(next_button).to_be_disabled()
    expect(quiz_entry).to_be_disabled()
    screenshot(page, "lesson-gated")

    content.get_by_role("button", name="Pass").click()  # Commit → fresh navigation state from the server
    expect(next_button).to_be_enabled(timeout=10_000)
    expect(quiz_entry).to_be_enabled()
    next_button.click()
    expect(content.get_by_role("heading", name="Quiz page")).to_be_visible(timeout=15_000)
    expect(previous).to_be_disabled()  # forwardOnly
    expect(tool(page).locator('button[data-sco="lesson"]')).to_be_disabled()
    screenshot(page, "quiz-forward-only")

    content.get_by_role("button", name="Finish and continue").click()  # the SCO's own adl.nav.request
    expect(tool(page).locator("#nav-message")).to_have_text(
        "You have reached the end of this course. Your progress is saved.", timeout=15_000)
    screenshot(page, "course-ended")
