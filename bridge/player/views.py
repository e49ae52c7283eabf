"""The learner's player: LTI resource link → SCORM activity → attempt; run-time JSON endpoints.

The page itself carries no data in inline scripts (CSP ``script-src 'self'``): ``scorm-api.js`` reads one
``data-config-url`` and fetches the rest. Run-time endpoints are authorised by the attempt token in the URL
(no cookies: they are called from framed pages and from ``sendBeacon`` while the page unloads).
"""

from __future__ import annotations

import json
from typing import Any, cast

from flask import Flask, Response, abort, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy.orm.exc import StaleDataError

import bridge.player.content  # noqa: F401  (its routes join the blueprint)
import bridge.player.manage  # noqa: F401
from bridge.lti.session import current_launch
from bridge.player import commit_endpoint
from bridge.player.blueprint import bp
from bridge.player.commit_endpoint import MAX_COMMIT_BYTES
from bridge.player.loading import Loaded, load_attempt, player_config
from bridge.player.navigation import sequenced_open  # (its navigate route joins the blueprint too)
from bridge.player.tokens import attempt_token
from bridge.services import packages, scorm_attempts, scorm_commits
from bridge.web import bridge_services, db_session
from scorm.datamodel import datamodel_json
from scorm.manifest_model import SCORM_VERSIONS
from scorm.timing import TIME_12, TIME_2004, TIMEINTERVAL, TIMESPAN_12

__all__ = ["bp"]


@bp.get("/")
def play() -> Any:
    ctx = current_launch()
    session = db_session()
    activity = scorm_attempts.activity_for(session, ctx.course_pk, ctx.resource_link_id)
    if activity is None:
        if ctx.is_instructor:
            return redirect(url_for("player.manage_page", launch=ctx.launch_id), code=303)
        abort(404, description="This activity has no SCORM package yet. Your instructor needs to add one.")
    try:
        # Instructors preview: no credit, browse mode, nothing counted, rolled up or sent to the gradebook.
        attempt = (scorm_attempts.start_preview(session, activity, ctx.user_pk) if ctx.is_instructor
                   else scorm_attempts.current_attempt(session, activity, ctx.user_pk))
    except scorm_attempts.NoAttemptsLeft as err:
        result = scorm_attempts.activity_result(session, activity, ctx.user_pk)
        return render_template("player/done.html", message=str(err), result=result), 403
    session.commit()
    token = attempt_token(attempt.id, attempt.user_id)
    config = player_config(load_attempt(attempt.id, token))
    response = Response(render_template("player/play.html", attempt=attempt, ctx=ctx, player=config,
                                        config_url=url_for("player.config", attempt_id=attempt.id, t=token)))
    if config["content_origin"]:
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"frame-src {config['content_origin']}; base-uri 'none'; form-action 'self'")
    return response


@bp.get("/attempts/<int:attempt_id>/config")
def config(attempt_id: int) -> Response:
    return jsonify(player_config(load_attempt(attempt_id, request.args.get("t", ""))))


@bp.get("/attempts/<int:attempt_id>/sco/<path:sco_id>")
def open_sco(attempt_id: int, sco_id: str) -> Response:
    loaded = load_attempt(attempt_id, request.args.get("t", ""))
    sco = _sco(loaded, sco_id)
    navigation = sequenced_open(loaded, sco)  # SCORM 2004: only a SCO sequencing delivers may run
    start = scorm_attempts.open_sco(db_session(), loaded.attempt, loaded.manifest, sco, loaded.learner)
    response = jsonify({"session": start.session, "values": {**start.values, **navigation}, "counts": start.counts})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/attempts/<int:attempt_id>/commit")
def commit(attempt_id: int) -> Any:
    if (request.content_length or 0) > MAX_COMMIT_BYTES:
        return {"error": "Too much data in one request."}, 413
    body = _json_body()
    try:
        parsed = commit_endpoint.parse(attempt_id, request.args.get("t", ""), body)
        if scorm_attempts.ends_session(parsed.batches):
            return _commit_and_roll_up(parsed)
        outcome, status = scorm_commits.commit(bridge_services().db.engine,
                                               packages.storage_from_config(current_app.config), parsed,
                                               token_for=attempt_token)
    except scorm_attempts.AttemptError as err:
        return {"error": str(err)}, err.status
    return commit_endpoint.answer(outcome, status)


# Non-final commits are answered in front of Flask (``commit_endpoint``); the view above gets what that passes on.
bp.record_once(lambda state: commit_endpoint.install(cast(Flask, state.app)))


def _commit_and_roll_up(parsed: scorm_commits.CommitRequest) -> Any:
    """A batch that ends the session: replayed and rolled up (progress, grade, awards) in one ORM transaction."""
    loaded = load_attempt(parsed.attempt_id, parsed.token)
    sco = _sco(loaded, parsed.sco_id)
    session = db_session()
    try:
        outcome = scorm_attempts.apply_batches(session, loaded.attempt, loaded.activity, loaded.manifest, sco,
                                               loaded.learner, parsed.session_id, parsed.batches)
        session.commit()
    except scorm_attempts.AttemptError as err:
        session.rollback()
        return {"error": str(err)}, err.status
    except StaleDataError:
        session.rollback()  # a concurrent post of the same attempt won; the browser sends again
        return {"error": "The attempt was being saved by another request; try again."}, 503
    return commit_endpoint.answer(outcome, loaded.attempt.status)


@bp.get("/datamodel/<version>.json")
def datamodel(version: str) -> Response:
    if version not in SCORM_VERSIONS:
        abort(404, description="Unknown SCORM version.")
    patterns = {"timespan12": TIMESPAN_12.pattern, "time12": TIME_12.pattern,
                "timeinterval": TIMEINTERVAL.pattern, "time2004": TIME_2004.pattern}
    response = jsonify({**datamodel_json(version), "patterns": patterns})
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def _sco(loaded: Loaded, sco_id: str) -> Any:
    sco = next((s for s in loaded.manifest.scos if s.identifier == sco_id), None)
    if sco is None:
        abort(404, description="This package has no such SCO.")
    return sco


def _json_body() -> dict[str, Any]:
    # sendBeacon posts text/plain, so the body is parsed whatever the content type says.
    try:
        body = json.loads(request.get_data(cache=False) or b"{}")
    except ValueError:
        abort(400, description="The request body is not JSON.")
    if not isinstance(body, dict):
        abort(400, description="The request body must be a JSON object.")
    return body
