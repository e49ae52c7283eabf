"""The SCORM player in Debian Chromium, launched from the sandbox LMS's course page (tool on another site).

The instructor uploads the Rustici golf package (SCORM 1.2) through the upload form and attaches it to the
link; learners then play it inside the course page: the real SCO finds ``window.API`` (our adapter) by
walking ``window.parent``, and every call reaches the server in batches. Checked here: all answers right →
passed, raw 100; wrong answers → failed, raw 7; a suspended attempt resumes at its location; a connection cut
mid-attempt (and the tab closed while offline) loses nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Frame, FrameLocator, Page, expect
from sqlalchemy import select

from bridge.models import ProgressFact, ScormAttempt
from tests.e2e.conftest import Servers

pytestmark = [pytest.mark.browser, pytest.mark.e2e]
DATA = Path(__file__).resolve().parents[1] / "data" / "scorm"
GOLF_12 = DATA / "golf_rte_basic_scorm12.zip"
GOLF_2004 = DATA / "golf_rte_basic_scorm2004_3rd.zip"
PAGES = 16  # the golf 1.2 SCO's own pages; the last one is the quiz


def tool(page: Page) -> FrameLocator:
    return page.frame_locator("iframe[name=tool-frame]")


def sco(page: Page) -> FrameLocator:
    return tool(page).frame_locator("#sco-frame")


def content_url(page: Page) -> str:
    """URL of the golf SCO's inner page frame (launchpage.html → #contentFrame), "" while none is loaded."""
    urls = [f.url for f in page.frames if "/player/content/" in f.url and "launchpage" not in f.url]
    return urls[-1] if urls else ""


def attach_golf(lms: Servers, browser: Any, screenshot: Callable[[Page, str], Path], package: Path = GOLF_12) -> None:
    page = browser.new_page()
    page.goto(lms.play_url("instructor-1"))
    tool(page).get_by_role("link", name="SCORM package for this link").click()
    tool(page).get_by_label("SCORM 1.2 or 2004 package (.zip)").set_input_files(str(package))
    tool(page).get_by_role("button", name="Upload and check").click()
    expect(tool(page).get_by_role("heading", name=re.compile(r"^Imported: Golf Explained"))).to_be_visible()
    tool(page).get_by_role("button", name="Save").click()
    expect(tool(page).get_by_text("This link plays")).to_be_visible()
    screenshot(page, "instructor-attached")
    page.close()


def start_golf(browser: Any, lms: Servers, user: str) -> Page:
    page = browser.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "resume from where you left off?" → yes
    page.goto(lms.play_url(user))
    expect(sco(page).locator("#butNext")).to_be_visible(timeout=10_000)
    assert wait_for(lambda: content_url(page), page=page), "the golf SCO did not start"  # doStart ran (after onload)
    return page


def next_pages(page: Page, count: int, *, offline: bool = False) -> None:
    """Press the SCO's own Next button; offline the new page cannot load, but the SCO records its location."""
    for _ in range(count):
        if offline:
            sco(page).locator("#butNext").click()
            page.wait_for_timeout(300)
            continue
        before = content_url(page)
        sco(page).locator("#butNext").click()
        assert wait_for(lambda b=before: content_url(page) not in ("", b), page=page), f"Next did not leave {before}"


def wait_for(check: Callable[[], Any], timeout: float = 30.0, page: Page | None = None) -> Any:
    """Poll ``check``; with a ``page``, wait through Playwright so its frame events keep being processed."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        if page is not None and not page.is_closed():
            page.wait_for_timeout(200)
        else:
            time.sleep(0.2)


def attempt_of(lms: Servers, user: str) -> ScormAttempt | None:
    from bridge.models import LmsUser

    with lms.tool_app.extensions["bridge"].db.session() as session:
        found = session.execute(select(ScormAttempt).join(LmsUser, LmsUser.id == ScormAttempt.user_id)
                                .where(LmsUser.sub == user).order_by(ScormAttempt.id.desc())).scalars().first()
        if found is not None:
            session.expunge(found)
        return found


def location_of(lms: Servers, user: str) -> str | None:
    attempt = attempt_of(lms, user)
    if attempt is None or not attempt.sco_states:
        return None
    state = next(iter(attempt.sco_states.values()))
    return str(state["runtime"]["values"].get("cmi.core.lesson_location"))


def answer_quiz_correctly(frame: Frame) -> None:
    """Choose the right answer of every question (the golf quiz marks them with class="correctAnswer")."""
    # The frame's URL changes before its questions exist: wait for the form, or nothing gets answered.
    frame.wait_for_load_state("load")
    expect(frame.get_by_role("button", name="Submit Answers")).to_be_visible()
    expect(frame.locator(".correctAnswer input").first).to_be_attached()
    for radio in frame.locator(".correctAnswer input[type=radio]").all():
        radio.check()
    for field in frame.locator(".correctAnswer input[type=text]").all():
        text = field.locator("xpath=..").inner_text()  # "… (18)": the expected number follows the field
        field.fill(text.rsplit("(", 1)[1].rstrip(") \n"))
    frame.get_by_role("button", name="Submit Answers").click()


@pytest.mark.parametrize("package", [GOLF_12, GOLF_2004], ids=["scorm12", "scorm2004"])
def test_golf_all_answers_right_passes_with_raw_100(
    lms: Servers, browser_with: Callable[[str], Any], screenshot: Callable[[Page, str], Path], package: Path
) -> None:
    browser = browser_with("allowed")
    attach_golf(lms, browser, screenshot, package)
    page = start_golf(browser, lms, "learner-1")
    screenshot(page, "golf-first-page")
    for _ in range(PAGES * 2):  # to the last page (the quiz): the SCO disables Next there
        if sco(page).locator("#butNext").is_disabled():
            break
        next_pages(page, 1)
    quiz = wait_for(lambda: next((f for f in page.frames if "assessmenttemplate" in f.url), None), page=page)
    assert quiz is not None, f"the quiz page did not open: {[f.url for f in page.frames]}"
    answer_quiz_correctly(quiz)
    expect(quiz.get_by_text("Score: 100")).to_be_visible()
    screenshot(page, "golf-quiz-passed")
    sco(page).locator("#butExit").click()
    attempt = wait_for(lambda: (a := attempt_of(lms, "learner-1")) is not None and a.status == "completed" and a,
                       page=page)
    assert attempt, f"the attempt was not completed: {attempt_of(lms, 'learner-1')}"
    assert (attempt.passed, attempt.score_raw, attempt.score_scaled) == (True, 100.0, 1.0)
    values = attempt.sco_states[next(iter(attempt.sco_states))]["runtime"]["values"]
    if package == GOLF_12:
        assert values["cmi.core.lesson_status"] == "passed" and values["cmi.core.total_time"] != "0000:00:00.00"
    else:
        assert (values["cmi.completion_status"], values["cmi.success_status"]) == ("completed", "passed")
        assert values["cmi.score.scaled"] == "1" and values["cmi.total_time"] != "PT0S"
    with lms.tool_app.extensions["bridge"].db.session() as session:
        fact = session.scalars(select(ProgressFact)).one()
        assert (fact.completed, fact.passed, fact.score) == (True, True, 1.0)
    expect(tool(page).locator("#save-status")).to_have_text("All progress saved")


def answer_quiz_wrongly(frame: Frame) -> None:
    """Choose a wrong answer of every choice and true/false question and leave the numeric fields empty.

    The quiz compares with ``==``, so an empty field counts as right where the answer is 0 (the scratch-golfer
    question): one of 15 right, score round(100 / 15) = 7.
    """
    frame.wait_for_load_state("load")
    expect(frame.get_by_role("button", name="Submit Answers")).to_be_visible()
    expect(frame.locator(".answer input[type=radio]").first).to_be_attached()
    for radio in frame.locator(".answer input[type=radio]").all():
        radio.check()  # several wrong answers of one question: the last one checked stays, still wrong
    frame.get_by_role("button", name="Submit Answers").click()


def test_golf_12_wrong_answers_fail_with_raw_7(
    lms: Servers, browser_with: Callable[[str], Any], screenshot: Callable[[Page, str], Path]
) -> None:
    browser = browser_with("allowed")
    attach_golf(lms, browser, screenshot)
    page = start_golf(browser, lms, "learner-1")
    for _ in range(PAGES * 2):  # to the last page (the quiz): the SCO disables Next there
        if sco(page).locator("#butNext").is_disabled():
            break
        next_pages(page, 1)
    quiz = wait_for(lambda: next((f for f in page.frames if "assessmenttemplate" in f.url), None), page=page)
    assert quiz is not None, f"the quiz page did not open: {[f.url for f in page.frames]}"
    answer_quiz_wrongly(quiz)
    expect(quiz.get_by_text("Score: 7", exact=True)).to_be_visible()
    screenshot(page, "golf-quiz-failed")
    sco(page).locator("#butExit").click()
    attempt = wait_for(lambda: (a := attempt_of(lms, "learner-1")) is not None and a.status == "completed" and a,
                       page=page)
    assert attempt, f"the attempt was not finished: {attempt_of(lms, 'learner-4')}"
    assert (attempt.completed, attempt.passed, attempt.score_raw, attempt.score_scaled) == (True, False, 7.0, 0.07)
    values = attempt.sco_states[next(iter(attempt.sco_states))]["runtime"]["values"]
    assert (values["cmi.core.lesson_status"], values["cmi.core.score.raw"]) == ("failed", "7")
    with lms.tool_app.extensions["bridge"].db.session() as session:
        fact = session.scalars(select(ProgressFact)).one()
        assert (fact.completed, fact.passed, fact.score) == (True, False, 0.07)
    expect(tool(page).locator("#save-status")).to_have_text("All progress saved")


def test_suspended_attempt_resumes_at_its_location(
    lms: Servers, browser_with: Callable[[str], Any], screenshot: Callable[[Page, str], Path]
) -> None:
    browser = browser_with("allowed")
    attach_golf(lms, browser, screenshot)
    page = start_golf(browser, lms, "learner-2")
    next_pages(page, 3)
    assert wait_for(lambda: content_url(page).endswith("Playing/OtherScoring.html"), page=page)
    page.goto("about:blank")  # leave the course page: the SCO suspends and finishes while unloading
    attempt = wait_for(lambda: (a := attempt_of(lms, "learner-2")) is not None and a.status == "suspended" and a)
    assert attempt, f"the attempt was not suspended: {attempt_of(lms, 'learner-2')}"
    page.close()

    again = start_golf(browser, lms, "learner-2")
    assert wait_for(lambda: content_url(again).endswith("Playing/OtherScoring.html"), page=again), \
        f"the resumed attempt did not restore the location: {content_url(again)}"
    screenshot(again, "golf-resumed")
    assert attempt_of(lms, "learner-2").number == 1  # type: ignore[union-attr]


def test_connection_cut_mid_attempt_loses_nothing(
    lms: Servers, browser_with: Callable[[str], Any], screenshot: Callable[[Page, str], Path]
) -> None:
    browser = browser_with("allowed")
    attach_golf(lms, browser, screenshot)
    page = start_golf(browser, lms, "learner-1")
    next_pages(page, 2)
    assert wait_for(lambda: location_of(lms, "learner-1") == "2", page=page), "autosave did not reach the server"

    browser.set_offline(True)
    next_pages(page, 3, offline=True)  # location 5, only in the browser
    expect(tool(page).locator("#save-status")).to_have_attribute("data-state", "offline", timeout=20_000)
    screenshot(page, "golf-offline")
    assert location_of(lms, "learner-1") == "2"
    browser.set_offline(False)
    assert wait_for(lambda: location_of(lms, "learner-1") == "5", timeout=40, page=page), \
        "the queue was not sent on reconnect"
    expect(tool(page).locator("#save-status")).to_have_text("All progress saved")

    # Offline again, and the tab is closed before the connection returns: the queue waits in localStorage.
    browser.set_offline(True)
    next_pages(page, 2, offline=True)  # location 7
    page.wait_for_timeout(1000)
    player = page.frame(name="tool-frame")
    assert player is not None
    queued = player.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('bridge-scorm-queue:'))"
                             ".flatMap((k) => JSON.parse(localStorage.getItem(k)))")
    calls = [(c["element"], c["value"]) for batch in queued for c in batch["calls"]]
    assert ("cmi.core.lesson_location", "7") in calls, f"the offline calls are not queued on the device: {calls}"
    page.close()
    # A keepalive request sent while the tab closes may still slip past DevTools' offline emulation; either way
    # (that request, or the queue sent by the next page load) the calls must arrive.
    browser.set_offline(False)
    again = start_golf(browser, lms, "learner-1")
    assert wait_for(lambda: location_of(lms, "learner-1") == "7", page=again), "the queued calls were lost with the tab"
    assert wait_for(lambda: content_url(again).endswith("Etiquette/Play.html"), page=again)
    screenshot(again, "golf-after-offline")


def test_golf_12_through_the_relay_on_a_separate_content_origin(
    lms: Servers, browser_with: Callable[[str], Any], screenshot: Callable[[Page, str], Path]
) -> None:
    """SCORM_CONTENT_ORIGIN: the tool at http://localhost:P, content and relay at http://127.0.0.1:P."""
    content_origin = f"http://127.0.0.1:{lms.tool.port}"
    lms.tool_app.config["SCORM_CONTENT_ORIGIN"] = content_origin
    browser = browser_with("allowed")
    attach_golf(lms, browser, screenshot)
    page = browser.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(lms.play_url("learner-1"))
    golf = tool(page).frame_locator("#sco-frame").frame_locator("#sco-frame")  # player → relay → SCO
    expect(golf.locator("#butNext")).to_be_visible(timeout=10_000)
    relay = next(f for f in page.frames if "/player/relay" in f.url)
    assert relay.url.startswith(content_origin + "/") and relay.evaluate("typeof window.API") == "object"
    assert page.frame(name="tool-frame").evaluate("typeof window.API") == "undefined"  # type: ignore[union-attr]
    assert wait_for(lambda: content_url(page), page=page)
    for _ in range(2):
        before = content_url(page)
        golf.locator("#butNext").click()
        assert wait_for(lambda b=before: content_url(page) not in ("", b), page=page)
    assert wait_for(lambda: location_of(lms, "learner-1") == "2", page=page), "the relay's calls were not saved"
    assert content_url(page).startswith(content_origin + "/")
    screenshot(page, "golf-relay")


CONFORMANCE_12 = [
    ("get", "cmi.core._children", ""), ("get", "cmi.core.student_id", ""), ("get", "cmi.core.exit", ""),
    ("get", "cmi.nothing", ""), ("get", "cmi.core.score._children", ""), ("get", "cmi.core.score._count", ""),
    ("get", "cmi.interactions._count", ""), ("get", "cmi.interactions.0.id", ""), ("get", "cmi._version", ""),
    ("set", "cmi.core.student_id", "x"), ("set", "cmi.core.score.raw", "101"), ("set", "cmi.core.score.raw", "abc"),
    ("set", "cmi.core.score.raw", "55.5"), ("set", "cmi.core.lesson_status", "not attempted"),
    ("set", "cmi.core.lesson_status", "bogus"), ("set", "cmi.core.exit", "suspend"), ("set", "cmi.core.exit", "x"),
    ("set", "cmi.core.session_time", "0000:01:02.5"), ("set", "cmi.core.session_time", "1:2:3"),
    ("set", "cmi.interactions.1.id", "q1"), ("set", "cmi.interactions.0.id", "q0"),
    ("set", "cmi.interactions.0.result", "correct"), ("set", "cmi.interactions.0.result", "maybe"),
    ("get", "cmi.interactions._count", ""), ("set", "cmi.interactions._count", "3"),
    ("set", "cmi.suspend_data", "x" * 5000), ("set", "cmi.core.lesson_location", "y" * 256),
    ("get", "cmi.core.score.raw", ""), ("set", "cmi.objectives.0.id", "o1"),
    ("set", "cmi.objectives.0.score.raw", "50"), ("get", "cmi.objectives._count", ""),
]
CONFORMANCE_2004 = [
    ("get", "cmi._version", ""), ("get", "cmi.learner_id", ""), ("get", "cmi.exit", ""), ("get", "cmi.nothing", ""),
    ("get", "cmi.score._children", ""), ("get", "cmi.interactions._count", ""),
    ("get", "cmi.interactions.0.id", ""), ("set", "cmi.learner_id", "x"), ("set", "cmi.score.scaled", "1.5"),
    ("set", "cmi.score.scaled", "abc"), ("set", "cmi.score.scaled", "0.79"), ("set", "cmi.score.raw", "-20"),
    ("set", "cmi.completion_status", "done"), ("set", "cmi.success_status", "passed"),
    ("set", "cmi.exit", "suspend"), ("set", "cmi.session_time", "PT1M30.5S"), ("set", "cmi.session_time", "P"),
    ("set", "cmi.interactions.1.id", "q1"), ("set", "cmi.interactions.0.id", "q0"),
    ("set", "cmi.interactions.0.learner_response", "a"), ("set", "cmi.interactions.0.type", "choice"),
    ("set", "cmi.interactions.0.result", "incorrect"), ("set", "cmi.interactions.0.latency", "PT5S"),
    ("set", "cmi.objectives.0.id", "urn:bad id"), ("set", "cmi.progress_measure", "2"),
    ("set", "cmi.location", "z" * 1001), ("set", "adl.nav.request", "{target=i1}choice"),
    ("set", "adl.nav.request", "sideways"), ("get", "cmi.score.raw", ""), ("get", "cmi.suspend_data", ""),
    ("set", "cmi.learner_preference.audio_captioning", "2"), ("set", "cmi.comments_from_learner.0.comment",
                                                              "{lang=en}ok"),
]


@pytest.mark.parametrize(("package", "calls"), [(GOLF_12, CONFORMANCE_12), (GOLF_2004, CONFORMANCE_2004)],
                         ids=["scorm12", "scorm2004"])
def test_browser_adapter_answers_like_the_server_runtime(
    lms: Servers, browser_with: Callable[[str], Any], screenshot: Callable[[Page, str], Path], package: Path,
    calls: list[tuple[str, str, str]],
) -> None:
    """The JS adapter (window.API / API_1484_11 in the player) and scorm.runtime give the same answers and
    error codes for the same calls: both follow the one data model definition."""
    from scorm.runtime import RuntimeSession

    browser = browser_with("allowed")
    attach_golf(lms, browser, screenshot, package)
    page = start_golf(browser, lms, "learner-1")
    player = page.frame(name="tool-frame")
    assert player is not None
    script = """(calls) => {
      const api = window.API || window.API_1484_11, v12 = !!window.API;
      return calls.map(([kind, element, value]) => {
        const returned = kind === "get" ? (v12 ? api.LMSGetValue(element) : api.GetValue(element))
                                        : (v12 ? api.LMSSetValue(element, value) : api.SetValue(element, value));
        return [returned, Number(v12 ? api.LMSGetLastError() : api.GetLastError())];
      });
    }"""
    browser_answers = [tuple(a) for a in player.evaluate(script, [list(c) for c in calls])]
    version = "1.2" if package == GOLF_12 else "2004 3rd"
    runtime = RuntimeSession(version, None, learner_id="learner-1")
    runtime.initialize("")
    server_answers = []
    for kind, element, value in calls:
        returned = runtime.get_value(element) if kind == "get" else runtime.set_value(element, value)
        if element in ("cmi.learner_id", "cmi.core.student_id") and kind == "get":
            returned = "learner-1"
        server_answers.append((returned, int(runtime.get_last_error())))
    mismatches = [(call, b, s) for call, b, s in zip(calls, browser_answers, server_answers, strict=True) if b != s]
    assert not mismatches, mismatches
