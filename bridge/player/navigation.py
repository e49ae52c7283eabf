"""SCORM 2004 navigation endpoint: the player asks, sequencing (``bridge.services.scorm_sequencing``) decides.

``POST /player/attempts/<id>/navigate?t=TOKEN`` with ``{"request": "launch" | "terminated" | "state" |
"continue" | "previous" | "choice" | "exitAll" | "suspendAll", "target": "ITEM"}`` answers the navigation
state (SCO to run, previous/next validity, table of contents); a refused request answers 409 with the same
state and the reason in plain words, an unknown request or activity 400. Authorised by the attempt token,
like the other run-time endpoints.
"""

from __future__ import annotations

from typing import Any

from flask import abort, request
from sqlalchemy.orm.exc import StaleDataError

from bridge.player.blueprint import bp
from bridge.player.loading import Loaded, load_attempt
from bridge.services import scorm_sequencing
from bridge.web import db_session
from scorm.manifest_model import Sco


@bp.post("/attempts/<int:attempt_id>/navigate")
def navigate(attempt_id: int) -> Any:
    loaded = load_attempt(attempt_id, request.args.get("t", ""))
    if not scorm_sequencing.sequenced(loaded.manifest):
        abort(400, description="This package has no SCORM 2004 sequencing; the player navigates it itself.")
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("request"), str) or not isinstance(
            body.get("target") or "", str):
        abort(400, description="Send a JSON object with a 'request' (and a 'target' for a choice).")
    session = db_session()
    try:
        nav = scorm_sequencing.navigate_attempt(session, loaded.attempt, loaded.activity, loaded.manifest,
                                                body["request"], body.get("target"))
        session.commit()
    except scorm_sequencing.NavigationRefused as refused:
        session.commit()  # the results recorded before the refusal stay; the learner stays where they are
        return {**refused.nav.to_json(), "error": str(refused)}, 409
    except scorm_sequencing.NavigationError as err:
        session.rollback()
        return {"error": str(err)}, err.status
    except StaleDataError:
        session.rollback()  # a commit of the same attempt won the race; the player asks again
        return {"error": "The attempt was being saved by another request; try again."}, 503
    return nav.to_json()


def sequenced_open(loaded: Loaded, sco: Sco) -> dict[str, str]:
    """For ``open_sco``: the extra run-time values of a sequenced SCO, after checking sequencing delivers it
    (aborts with 409 and the reason when it does not). Nothing for SCORM 1.2."""
    if not scorm_sequencing.sequenced(loaded.manifest):
        return {}
    session = db_session()
    try:
        values = scorm_sequencing.open_check(loaded.attempt, loaded.manifest, sco.identifier)
        session.commit()
    except scorm_sequencing.NavigationRefused as refused:
        session.commit()
        abort(409, description=str(refused))
    except StaleDataError:
        session.rollback()
        abort(503, description="The attempt was being saved by another request; try again.")
    return values

