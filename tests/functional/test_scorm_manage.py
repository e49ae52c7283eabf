"""Instructor screens of a SCORM activity: per-SCO weights used by the weighted rollup (the form, the checks,
the result); deleting a package (refused while a link plays it; row and files go together or not at all);
the instructor's no-credit preview."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bridge.models import GradeOutbox, ProgressFact, ScormActivity, ScormAttempt, ScormPackage
from bridge.services import packages
from tests.functional.test_scorm_player import (
    GOLF_12,
    GOLF_2004,
    _calls,
    _commit,
    _csrf,
    _finish_2004,
    _launch_id,
    _learner_player,
    _multi_sco_package,
    _open,
    _setup,
    _upload,
)
from tests.support.launch_actions import LaunchActions


def _activity(app: Any) -> ScormActivity:
    with app.extensions["bridge"].db.session() as session:
        return session.scalars(select(ScormActivity)).one()


def test_weighted_rollup_uses_the_weights_set_in_the_form(app: Any, registered: LaunchActions,
                                                          tmp_path: Path) -> None:
    package = tmp_path / "multi.zip"
    package.write_bytes(_multi_sco_package())
    launch = _setup(registered, package, sco_scoring="weighted", **{"weight:i1": "3", "weight:i2": "1",
                                                                       "weight:i3": "0", "weight:gone": "5"})
    assert _activity(app).sco_weights == {"i1": 3.0, "i2": 1.0, "i3": 0.0}  # "gone" is no SCO of this package
    page = registered.client.get(f"/player/manage?launch={launch}").get_data(as_text=True)
    assert 'name="weight:i2"' in page and 'value="3.0"' in page and "i1: 3.0" in page
    config = _learner_player(registered)
    for sco, scaled in (("i1", "1"), ("i2", "0.5"), ("i3", "0")):
        _finish_2004(registered.client, config, sco, scaled)
    with app.extensions["bridge"].db.session() as session:
        attempt = session.scalars(select(ScormAttempt)).one()
        assert attempt.score_scaled == (3 * 1 + 1 * 0.5 + 0 * 0) / 4  # 0.875; the plain average would be 0.5


def test_bad_weights_are_refused_and_change_nothing(app: Any, registered: LaunchActions, tmp_path: Path) -> None:
    package = tmp_path / "multi.zip"
    package.write_bytes(_multi_sco_package())
    launch = _setup(registered, package, sco_scoring="weighted", **{"weight:i1": "2"})
    before = _activity(app)
    launch = _launch_id(registered.launch("instructor-1"))
    for weights, message in (({"weight:i1": "heavy"}, "is not a number"),
                             ({"weight:i2": "-1"}, "0 or more"),
                             ({"weight:i1": "0", "weight:i2": "0", "weight:i3": "0"}, "at least one SCO")):
        form = {"launch": launch, "csrf_token": _csrf(registered.client, launch), "package_id": before.package_id,
                "sco_scoring": "weighted", "max_attempts": "5", **weights}
        response = registered.client.post("/player/manage/attach", data=form)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
        after = _activity(app)
        assert (after.sco_weights, after.max_attempts) == ({"i1": 2.0}, before.max_attempts)


def _packages(app: Any) -> list[ScormPackage]:
    with app.extensions["bridge"].db.session() as session:
        return list(session.scalars(select(ScormPackage).order_by(ScormPackage.id)))


def _delete(client: FlaskClient, launch: str, package_id: int) -> Any:
    return client.post(f"/player/manage/packages/{package_id}/delete",
                       data={"launch": launch, "csrf_token": _csrf(client, launch)})


def test_a_package_no_link_plays_is_deleted_with_its_files(app: Any, registered: LaunchActions) -> None:
    _setup(registered)  # golf, played by the link
    launch = _launch_id(registered.launch("instructor-1"))
    spare = _upload(registered.client, launch, GOLF_2004.read_bytes(), GOLF_2004.name)
    assert spare.status_code == 303
    played, unused = _packages(app)
    folder = Path(app.config["INSTANCE_DIR"]) / unused.storage_path
    assert folder.is_dir()
    page = registered.client.get(f"/player/manage?launch={launch}").get_data(as_text=True)
    assert f"/player/manage/packages/{unused.id}/delete" in page
    assert f"/player/manage/packages/{played.id}/delete" not in page  # shown as "played by this link"
    assert _delete(registered.client, launch, unused.id).status_code == 303
    assert [p.id for p in _packages(app)] == [played.id]
    assert not folder.exists() and not folder.with_name(folder.name + ".deleting").exists()


def test_a_played_package_is_refused_and_its_attempts_and_files_stay(app: Any, registered: LaunchActions) -> None:
    _setup(registered)
    config = _learner_player(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    _commit(registered.client, config, sco, start["session"], [{"seq": 1, "calls": _calls(
        ("cmi.core.lesson_location", "5"))}])
    (package,) = _packages(app)
    launch = _launch_id(registered.launch("instructor-1"))
    refused = _delete(registered.client, launch, package.id)
    assert refused.status_code == 409 and "Attach another package to that link first" in refused.get_data(
        as_text=True)
    assert [p.id for p in _packages(app)] == [package.id]
    assert (Path(app.config["INSTANCE_DIR"]) / package.storage_path / "imsmanifest.xml").is_file()
    with app.extensions["bridge"].db.session() as session:
        assert session.scalars(select(ScormAttempt)).one().sco_states[sco]["runtime"]["values"][
            "cmi.core.lesson_location"] == "5"


def test_a_failed_delete_puts_the_files_back(app: Any, registered: LaunchActions, tmp_path: Path) -> None:
    """The database refuses the delete (here: the session cannot commit): the row and the files stay."""
    launch = _launch_id(registered.launch("instructor-1"))
    assert _upload(registered.client, launch, GOLF_12.read_bytes()).status_code == 303
    (package,) = _packages(app)
    storage = packages.storage_from_config(app.config)
    folder = storage.package_dir(package)

    class RefusingSession:
        def __init__(self, inner: Any) -> None:
            self.inner = inner

        def __getattr__(self, name: str) -> Any:
            return getattr(self.inner, name)

        def commit(self) -> None:
            raise OperationalError("COMMIT", {}, Exception("database is locked"))

    with app.extensions["bridge"].db.session() as session:
        target = session.get(ScormPackage, package.id)
        with pytest.raises(OperationalError):
            packages.delete_package(RefusingSession(session), storage, target)  # type: ignore[arg-type]
    assert [p.id for p in _packages(app)] == [package.id]
    assert (folder / "imsmanifest.xml").is_file()


def test_another_course_cannot_delete_a_package(app: Any, registered: LaunchActions) -> None:
    launch = _launch_id(registered.launch("instructor-1"))
    assert _upload(registered.client, launch, GOLF_12.read_bytes()).status_code == 303
    (package,) = _packages(app)
    with app.extensions["bridge"].db.session() as session:
        session.get(ScormPackage, package.id).course_id = None
        session.commit()
    assert _delete(registered.client, launch, package.id).status_code == 404
    assert len(_packages(app)) == 1


def _preview(lti: LaunchActions) -> dict[str, Any]:
    """Open the player from the "Preview" button of the instructor's manage page."""
    launch = _launch_id(lti.launch("instructor-1"))
    page = lti.client.get(f"/player/manage?launch={launch}").get_data(as_text=True)
    href = page.split('class="button" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    html = lti.client.get(href).get_data(as_text=True)
    assert "Preview (no credit)" in html
    config_url = html.split('data-config-url="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    config: dict[str, Any] = lti.client.get(config_url).get_json()
    return config


def test_an_instructor_preview_is_no_credit_and_records_nothing(app: Any, registered: LaunchActions) -> None:
    _setup(registered)
    config = _preview(registered)
    sco = config["scos"][0]["identifier"]
    start = _open(registered.client, config, sco)
    assert (start["values"]["cmi.core.credit"], start["values"]["cmi.core.lesson_mode"]) == ("no-credit", "browse")
    done = _commit(registered.client, config, sco, start["session"], [{"seq": 1, "calls": _calls(
        ("cmi.core.score.raw", "95"), last="LMSFinish")}]).get_json()
    assert done["terminated"]
    with app.extensions["bridge"].db.session() as session:
        preview = session.get(ScormAttempt, config["attempt"])
        assert preview is not None and preview.preview and preview.number == 0
        # SCORM 1.2 finish rule in browse mode: "browsed", no mastery comparison without credit.
        assert preview.sco_states[sco]["runtime"]["values"]["cmi.core.lesson_status"] == "browsed"
        assert session.scalars(select(ProgressFact)).first() is None
        assert session.scalars(select(GradeOutbox)).first() is None
    launch = _launch_id(registered.launch("instructor-1"))
    page = registered.client.get(f"/player/manage?launch={launch}").get_data(as_text=True)
    assert "No attempts yet." in page
    again = _preview(registered)  # a new preview replaces the old one
    learner = _learner_player(registered)
    with app.extensions["bridge"].db.session() as session:
        attempts = session.scalars(select(ScormAttempt).order_by(ScormAttempt.id)).all()
        assert [(a.id, a.preview, a.number) for a in attempts] == [(again["attempt"], True, 0),
                                                                   (learner["attempt"], False, 1)]
