"""Selection and randomization (SN SR.1, SR.2) through the player: the attempt keeps the children it drew."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bridge.models import ScormAttempt
from tests.functional.test_scorm_player import _learner_player, _open, _setup
from tests.functional.test_scorm_sequencing import NS, _nav, _run
from tests.support.launch_actions import LaunchActions

PAGES = ("p1", "p2", "p3", "p4")
ORG_SEQ = ('<imsss:sequencing><imsss:controlMode choice="true" flow="true"/><imsss:randomizationControls '
           'selectionTiming="once" selectCount="2" reorderChildren="true" randomizationTiming="once"/>'
           '</imsss:sequencing>')


def _package(tmp_path: Path) -> Path:
    items = "".join(f'<item identifier="{p}" identifierref="r_{p}"><title>{p}</title></item>' for p in PAGES)
    resources = "".join(f'<resource identifier="r_{p}" type="webcontent" adlcp:scormType="sco" href="{p}.html">'
                        f'<file href="{p}.html"/></resource>' for p in PAGES)
    manifest = (f'<?xml version="1.0"?><manifest identifier="pool" {NS}><metadata><schema>ADL SCORM</schema>'
                f'<schemaversion>2004 4th Edition</schemaversion></metadata><organizations default="o">'
                f'<organization identifier="o"><title>Pool</title>{items}{ORG_SEQ}</organization>'
                f'</organizations><resources>{resources}</resources></manifest>')
    path = tmp_path / "pool.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest)
        for p in PAGES:
            archive.writestr(f"{p}.html", "<html><body>page</body></html>")
    return path


def _order(toc: list[dict[str, Any]]) -> list[str]:
    return [entry["identifier"] for entry in toc]


def test_two_of_four_drawn_once_and_kept_by_the_attempt(app: Any, registered: LaunchActions, tmp_path: Path) -> None:
    _setup(registered, _package(tmp_path))
    config = _learner_player(registered)
    client = registered.client
    drawn = _order(config["toc"])
    assert len(drawn) == 2 and set(drawn) <= set(PAGES)
    launched = _nav(client, config, "launch").get_json()
    assert _order(launched["toc"]) == drawn and launched["sco"] == drawn[0]  # the page showed the same draw
    left_out = next(p for p in PAGES if p not in drawn)
    assert _nav(client, config, "choice", left_out).status_code == 409
    assert client.get(config["open_url"].replace("__SCO__", left_out)).status_code == 409
    start = _run(client, config, drawn[0], ("cmi.completion_status", "completed"), ("adl.nav.request", "suspendAll"))
    assert start["values"][f"adl.nav.request_valid.choice.{{target={left_out}}}"] == "false"
    _nav(client, config, "terminated")

    again = _learner_player(registered)  # resumed: the same attempt, the same two pages in the same order
    assert again["attempt"] == config["attempt"] and _order(again["toc"]) == drawn
    assert _nav(client, again, "launch").get_json()["sco"] == drawn[0]
    _open(client, again, drawn[0])
    with app.extensions["bridge"].db.session() as session:
        tree = session.scalars(select(ScormAttempt)).one().sequencing["tree"]
        assert tree["seed"] and tree["activities"]["o"]["children"] == drawn
