"""Instructor settings of a SCORM activity: per-SCO weights used by the weighted rollup (the form, the
checks, the result)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from bridge.models import ScormActivity, ScormAttempt
from tests.functional.test_scorm_player import (
    _csrf,
    _finish_2004,
    _launch_id,
    _learner_player,
    _multi_sco_package,
    _setup,
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
