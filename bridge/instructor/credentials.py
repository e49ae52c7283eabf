"""Instructor screens for micro-credentials: templates (with validation feedback), award rules over the
course's activities, preview (card + OB3 JSON), dashboard of learners × credentials, manual award/revoke, CSV.

Inside the LTI launch (instructor role only); every link and form carries the ``launch`` id, so the pages work in
an LMS iframe without cookies; POSTs carry a CSRF token bound to the launch (``bridge.admin.auth``).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any, NoReturn

from flask import Blueprint, Response, abort, current_app, make_response, redirect, render_template, request, url_for

from bridge.admin.auth import check_csrf, csrf_token
from bridge.instructor import rule_form, template_form
from bridge.lti.context import LaunchContext
from bridge.lti.session import current_launch
from bridge.models import CredentialTemplate
from bridge.services import award_reports, awards, template_delivery
from bridge.services import credential_templates as templates
from bridge.web import db_session
from credentials.record_errors import Problem

bp = Blueprint("credentials", __name__, url_prefix="/instructor/credentials")
DONE = {"saved": "The credential template was saved.", "rule": "The award rule was saved.",
        "awarded": "The credential was awarded.", "status": "The award's status was changed.",
        "evaluated": "All learners were evaluated against the rules.",
        "wallet": "The wallet offer setting was saved."}


def _ctx(*, post: bool = False) -> tuple[LaunchContext, int]:
    ctx = current_launch(instructor=True)
    if ctx.course_pk is None:
        abort(400, description="Launch the tool from a course to manage its credentials.")
    if post:
        check_csrf(f"launch:{ctx.launch_id}")
    return ctx, ctx.course_pk


def _page(name: str, ctx: LaunchContext, **kw: Any) -> str:
    return render_template(f"instructor/{name}.html", ctx=ctx, csrf=csrf_token(f"launch:{ctx.launch_id}"),
                           done=DONE.get(request.args.get("done", "")), **kw)


def _back(endpoint: str, ctx: LaunchContext, done: str, **kw: Any) -> Response:
    return make_response(redirect(url_for(endpoint, launch=ctx.launch_id, done=done, **kw), 303))


def _template(ctx: LaunchContext, course: int, template_id: int) -> CredentialTemplate:
    try:
        return templates.get_template(db_session(), ctx.registration_pk, template_id, course)
    except templates.NotFound as err:
        abort(404, description=str(err))


def _refuse(err: templates.AwardsError) -> NoReturn:
    abort(404 if isinstance(err, templates.NotFound) else 422, description=str(err))


@bp.get("/")
def index() -> str:
    ctx, course = _ctx()
    rows = templates.list_templates(db_session(), ctx.registration_pk, course)
    ruled = {t.id for t in rows if awards.get_rule(db_session(), t.id, course) is not None}
    return _page("credentials", ctx, templates=rows, ruled=ruled, current=templates.current_version)


def _form_page(ctx: LaunchContext, state: template_form.FormState, template: CredentialTemplate | None,
               status: int = 200) -> tuple[str, int]:
    bodies = templates.list_awarding_bodies(db_session(), ctx.registration_pk)
    return _page("template_form", ctx, state=state, template=template, bodies=bodies, choices=template_form.CHOICES,
                 languages=template_form.LANGUAGES), status


@bp.get("/new")
def new() -> tuple[str, int]:
    ctx, _ = _ctx()
    return _form_page(ctx, template_form.FormState(template_form.default_languages(ctx.locale),
                                                   template_form.default_languages(ctx.locale)[0]), None)


@bp.get("/<int:template_id>/edit")
def edit(template_id: int) -> tuple[str, int]:
    ctx, course = _ctx()
    row = _template(ctx, course, template_id)
    record = templates.load(templates.current_version(row))
    bodies = templates.list_awarding_bodies(db_session(), ctx.registration_pk)
    ids = [b.id for b in bodies if templates.organisation(b).name.text(record.default_language) in
           {o.name.text(record.default_language) for o in record.awarding_bodies}]
    return _form_page(ctx, template_form.state_from_template(record, ids), row)


@bp.post("/new")
@bp.post("/<int:template_id>/edit")
def save(template_id: int | None = None) -> Any:
    ctx, course = _ctx(post=True)
    row = _template(ctx, course, template_id) if template_id is not None else None
    state = template_form.state_from_form(request.form, ctx.locale)
    if request.form.get("action") in ("languages", "add_outcome"):
        return _form_page(ctx, state, row)
    session = db_session()
    bodies = templates.list_awarding_bodies(session, ctx.registration_pk)
    record, problems = template_form.parse(state, bodies, templates.organisation)
    if problems:
        state.problems = problems
        return _form_page(ctx, state, row, 422)
    extra = template_form.new_body(state)
    if extra is not None:
        templates.save_awarding_body(session, ctx.registration_pk, extra)
    library = row.course_id is None if row else request.form.get("library") == "1"
    saved = templates.save_template(session, registration_pk=ctx.registration_pk, course_pk=None if library else course,
                                    template=record, user_pk=ctx.user_pk, existing=row)
    session.commit()
    return _back("credentials.preview", ctx, "saved", template_id=saved.id)


@bp.get("/<int:template_id>/preview")
def preview(template_id: int) -> str:
    ctx, course = _ctx()
    row = _template(ctx, course, template_id)
    version = templates.current_version(row)
    ob3 = templates.ob3_achievement(row, version, current_app.config["BASE_URL"])
    return _page("preview", ctx, template=row, version=version, record=templates.load(version),
                 ob3_json=json.dumps(ob3, indent=2, ensure_ascii=False),
                 tx_code_required=template_delivery.tx_code_required(db_session(), row.id))


@bp.get("/<int:template_id>/rule")
def rule(template_id: int) -> str:
    ctx, course = _ctx()
    row = _template(ctx, course, template_id)
    stored = awards.get_rule(db_session(), row.id, course)
    current = awards.rule_of(stored) if stored else None
    return _page("rule_form", ctx, template=row, **rule_form.choices(db_session(), ctx.registration_pk, course,
                                                                     row, current))


@bp.post("/<int:template_id>/rule")
def save_rule(template_id: int) -> Any:
    ctx, course = _ctx(post=True)
    row = _template(ctx, course, template_id)
    try:
        awards.set_rule(db_session(), row, course, rule_form.parse(request.form))
    except (templates.InvalidInput, rule_form.RuleProblem) as err:
        db_session().rollback()
        problems = err.problems if isinstance(err, templates.InvalidInput) else [
            Problem("rule", "invalid_rule", p) for p in err.problems]
        return _page("rule_form", ctx, template=row, problems=problems, **rule_form.choices(
            db_session(), ctx.registration_pk, course, row, None, request.form)), 422
    db_session().commit()
    return _back("credentials.dashboard", ctx, "rule")


@bp.get("/dashboard")
def dashboard() -> str:
    ctx, course = _ctx()
    columns, rows = award_reports.dashboard(db_session(), ctx.registration_pk, course, now=datetime.now(UTC))
    return _page("dashboard", ctx, columns=columns, rows=rows, current=templates.current_version)


@bp.get("/dashboard.csv")
def dashboard_csv() -> Response:
    ctx, course = _ctx()
    columns, rows = award_reports.dashboard(db_session(), ctx.registration_pk, course, now=datetime.now(UTC))
    out = io.StringIO()
    writer = csv.writer(out)
    for line in award_reports.csv_rows(columns, rows):
        # A leading = + - @ would run as a formula in spreadsheets.
        writer.writerow([f"'{v}" if v[:1] in ("=", "+", "-", "@") else v for v in line])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="credentials-course-{course}.csv"'})


@bp.post("/evaluate")
def evaluate() -> Response:
    ctx, course = _ctx(post=True)
    awards.evaluate_course(db_session(), course, now=datetime.now(UTC))
    db_session().commit()
    return _back("credentials.dashboard", ctx, "evaluated")


@bp.post("/award")
def award() -> Response:
    ctx, course = _ctx(post=True)
    session = db_session()
    user = request.form.get("user_id", "")
    if not user.isdigit() or int(user) not in awards.course_learners(session, course):
        abort(404, description="That learner is not in this course.")
    row = _template(ctx, course, int(request.form.get("template_id", "0") or 0))
    try:
        awards.award_manually(session, row, int(user), course, reason=request.form.get("reason", ""),
                              by=ctx.user_pk, now=datetime.now(UTC))
    except templates.AwardsError as err:
        _refuse(err)
    session.commit()
    return _back("credentials.dashboard", ctx, "awarded")


@bp.post("/awards/<int:award_id>/status")
def award_status(award_id: int) -> Response:
    ctx, course = _ctx(post=True)
    try:
        found = awards.get_award(db_session(), ctx.registration_pk, award_id, course)
        awards.change_status(db_session(), found, request.form.get("status", ""),
                             reason=request.form.get("reason", ""), by=ctx.user_pk, now=datetime.now(UTC))
    except templates.AwardsError as err:
        _refuse(err)
    db_session().commit()
    return _back("credentials.dashboard", ctx, "status")
