"""Instructor screens for the SCORM activity of a resource link: upload, parse result, attach, attempts, CSV.

Forms carry the HMAC CSRF token of ``bridge.admin.auth`` (no cookies needed in framed LMS pages); a
refused package answers 400 with the reason and stores nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, redirect, render_template, request, url_for

from bridge.admin.auth import check_csrf, csrf_token
from bridge.lti.context import LaunchContext
from bridge.lti.session import current_launch
from bridge.models import LmsUser, ScormAttempt, ScormPackage
from bridge.player.blueprint import bp
from bridge.services import packages, scorm_attempts, scorm_interactions, scorm_reports
from bridge.web import db_session


def _instructor() -> LaunchContext:
    ctx = current_launch(instructor=True)
    if ctx.course_pk is None:
        abort(400, description="Launch the tool from a course to manage its SCORM activities.")
    return ctx


def _page(ctx: LaunchContext, *, error: str = "", imported: ScormPackage | None = None, status: int = 200) -> Any:
    session = db_session()
    activity = scorm_attempts.activity_for(session, ctx.course_pk, ctx.resource_link_id)
    rows = []
    if activity is not None:
        users = {u.id: u for u in session.query(LmsUser).filter(LmsUser.registration_id == ctx.registration_pk)}
        rows = [(users[a.user_id].sub if a.user_id in users else str(a.user_id), a)
                for a in scorm_attempts.attempts_of(session, activity)]
    return render_template(
        "player/manage.html", ctx=ctx, csrf=csrf_token(f"launch:{ctx.launch_id}"), activity=activity, rows=rows,
        packages=packages.list_packages(session, ctx.registration_pk, ctx.course_pk), error=error,
        imported=imported, interaction_count=scorm_interactions.interaction_count), status


@bp.get("/manage")
def manage_page() -> Any:
    ctx = _instructor()
    imported = request.args.get("imported", type=int)
    package = db_session().get(ScormPackage, imported) if imported else None
    if package is not None and package.course_id != ctx.course_pk:
        package = None
    return _page(ctx, imported=package)


@bp.post("/manage/upload")
def upload() -> Any:
    ctx = _instructor()
    check_csrf(f"launch:{ctx.launch_id}")
    limit = int(current_app.config.get("SCORM_MAX_PACKAGE_MB") or 1024) * 1024 * 1024
    if (request.content_length or 0) > limit:
        return _page(ctx, error=f"The file is larger than the {limit // (1024 * 1024)} MB allowed for a package.",
                     status=413)
    file = request.files.get("package")
    if file is None or not file.filename:
        return _page(ctx, error="Choose a SCORM package (.zip) to upload.", status=400)
    session = db_session()
    try:
        package = packages.import_zip(session, packages.storage_from_config(current_app.config), file.stream,
                                      registration_id=ctx.registration_pk, course_id=ctx.course_pk,
                                      original_name=file.filename)
        session.commit()
    except packages.PackageRefused as err:
        session.rollback()
        return _page(ctx, error=f"The package was refused: {err}", status=400)
    return redirect(url_for("player.manage_page", launch=ctx.launch_id, imported=package.id), code=303)


@bp.post("/manage/attach")
def attach() -> Any:
    ctx = _instructor()
    check_csrf(f"launch:{ctx.launch_id}")
    session = db_session()
    package = session.get(ScormPackage, request.form.get("package_id", type=int) or 0)
    link = scorm_attempts.link_for(session, ctx.course_pk or 0, ctx.resource_link_id or "")
    if package is None or package.course_id != ctx.course_pk or link is None:
        return _page(ctx, error="Choose one of this course's packages, from a launch of a course link.", status=400)
    try:
        rules = scorm_attempts.AttemptRules(
            max_attempts=request.form.get("max_attempts", 0, type=int),
            grading_policy=request.form.get("grading", "last"), sco_scoring=request.form.get("sco_scoring", "average"),
            sco_weights=_weights_from_form())
        scorm_attempts.attach(session, link, package, rules)
        session.commit()
    except scorm_attempts.AttemptError as err:
        session.rollback()
        return _page(ctx, error=str(err), status=400)
    return redirect(url_for("player.manage_page", launch=ctx.launch_id), code=303)


@bp.post("/manage/packages/<int:package_id>/delete")
def delete_package(package_id: int) -> Any:
    ctx = _instructor()
    check_csrf(f"launch:{ctx.launch_id}")
    session = db_session()
    package = session.get(ScormPackage, package_id)
    if package is None or package.course_id != ctx.course_pk:
        return _page(ctx, error="This course has no such package.", status=404)
    try:
        packages.delete_package(session, packages.storage_from_config(current_app.config), package)
    except packages.PackageInUse as err:
        return _page(ctx, error=f"The package was not deleted: {err}", status=409)
    return redirect(url_for("player.manage_page", launch=ctx.launch_id, deleted=package_id), code=303)


def _weights_from_form() -> dict[str, float]:
    """``weight:<SCO identifier>`` fields; an empty field means the default weight (1)."""
    weights: dict[str, float] = {}
    for key, value in request.form.items():
        if key.startswith("weight:") and value.strip():
            try:
                weights[key.removeprefix("weight:")] = float(value)
            except ValueError:
                raise scorm_attempts.AttemptError(f"The weight {value[:20]!r} is not a number.") from None
    return weights


@bp.get("/manage/attempts.csv")
def attempts_csv() -> Response:
    ctx = _instructor()
    session = db_session()
    activity = scorm_attempts.activity_for(session, ctx.course_pk, ctx.resource_link_id)
    if activity is None:
        abort(404, description="This link has no SCORM activity yet.")
    users = {u.id: u.sub for u in session.query(LmsUser).filter(LmsUser.registration_id == ctx.registration_pk)}
    rows = [(users.get(a.user_id, str(a.user_id)), a) for a in scorm_attempts.attempts_of(session, activity)]
    return Response(scorm_reports.attempts_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="scorm-attempts-{activity.id}.csv"'})


@bp.get("/manage/attempts/<int:attempt_id>")
def attempt_detail(attempt_id: int) -> Any:
    ctx = _instructor()
    session = db_session()
    activity = scorm_attempts.activity_for(session, ctx.course_pk, ctx.resource_link_id)
    attempt = session.get(ScormAttempt, attempt_id)
    if activity is None or attempt is None or attempt.activity_id != activity.id:
        abort(404, description="This link has no such attempt.")
    learner = session.get(LmsUser, attempt.user_id)
    return render_template("player/attempt.html", ctx=ctx, attempt=attempt, learner=learner.sub if learner else "",
                           interactions=scorm_interactions.interactions(session, attempt))
