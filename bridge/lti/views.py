"""LTI endpoints: OIDC login, launch, platform-storage verification, JWKS, dynamic registration, Canvas JSON."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, make_response, redirect, render_template, request, url_for
from werkzeug.sansio.response import Response as BaseResponse

from bridge.lti import canvas
from bridge.lti.errors import BrowserStateMissing, LaunchError
from bridge.lti.launch import LaunchSettings, start_login, validate_launch
from bridge.lti.tool_conf import DbToolConf
from bridge.services import keys as key_service
from bridge.services import launches, scorm_attempts
from bridge.services import registration as dynreg
from bridge.web import bridge_services, db_session, kv_store, set_cookie

bp = Blueprint("lti", __name__)
log = logging.getLogger("bridge.lti")
LAUNCH_COOKIE = "bridge_launch"


def _settings() -> LaunchSettings:
    c = current_app.config
    return LaunchSettings(base_url=c["BASE_URL"], state_ttl=int(c["STATE_TTL_SECONDS"]),
                          leeway=int(c["JWT_LEEWAY_SECONDS"]), jwks_ttl=int(c["PLATFORM_JWKS_TTL_SECONDS"]),
                          jwks_refetch_interval=int(c["PLATFORM_JWKS_REFETCH_INTERVAL"]))


def _tool_conf() -> DbToolConf:
    return DbToolConf(db_session(), bridge_services().box,
                      default_policy=current_app.config["DEFAULT_DEPLOYMENT_POLICY"])


def _params() -> dict[str, str]:
    return {k: v for k, v in (request.form if request.method == "POST" else request.args).items()}


def _refuse(err: LaunchError) -> tuple[str, int]:
    db_session().rollback()
    # Codes and registration data only: never the token, names or e-mails.
    log.warning("lti refused: code=%s status=%s path=%s", err.code, err.status, request.path)
    if isinstance(err, BrowserStateMissing):
        return render_template("lti/new_window.html", relaunch_url=err.relaunch_url, error=err), err.status
    return render_template("error.html", title="The launch was refused", message=err.message, hint=err.hint,
                           code=err.code), err.status


@bp.route("/lti/login", methods=["GET", "POST"])
def login() -> Any:
    # A login reads one registration row and writes one state record: two lone statements, no transaction
    # needed (on PostgreSQL: two network round trips instead of four).
    db_session().connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    try:
        result = start_login(_params(), request.cookies, secure=request.is_secure, tool_conf=_tool_conf(),
                             store=kv_store(), settings=_settings())
    except LaunchError as err:
        return _refuse(err)
    response: BaseResponse
    if result.storage_target:
        response = make_response(render_template("lti/storage_put.html", result=result))
    elif request.headers.get("Sec-Fetch-Dest") == "iframe" and not request.values.get("lti1p3_new_window"):
        response = make_response(render_template("lti/cookie_check.html", result=result, params=_params()))
    else:
        response = redirect(result.auth_url, code=302)
    for name, (value, max_age) in result.cookies.items():
        set_cookie(response, name, value, max_age)
    return response


@bp.post("/lti/launch")
def launch() -> Any:
    services, session = bridge_services(), db_session()
    tool_conf = _tool_conf()
    try:
        message = validate_launch(_params(), request.cookies, secure=request.is_secure, tool_conf=tool_conf,
                                  store=kv_store(), http=services.http, settings=_settings())
    except LaunchError as err:
        return _refuse(err)
    if tool_conf.last_deployment is None:
        return _refuse(LaunchError("unknown_deployment", "The launch's deployment is not registered.", status=403))
    recorded = launches.record_launch(
        session, registration=message.registration_row, deployment=tool_conf.last_deployment,
        body=message.get_launch_data(), state=request.form["state"], verified=message.browser_verified,
        ttl=int(current_app.config["LAUNCH_SESSION_TTL_SECONDS"]))
    context = recorded.context
    log.info("lti launch: registration=%s deployment=%s course=%s user=%s type=%s verified=%s",
             context.registration_pk, context.deployment_id, context.course_pk, context.user_pk,
             context.message_type, context.verified)
    state = request.form["state"]
    if not context.verified:
        response: BaseResponse = make_response(render_template(
            "lti/storage_get.html", launch_id=context.launch_id, state=state,
            storage_target=message.state_params.get("storage_target"),
            storage_origin=message.state_params.get("storage_origin"), relaunch_url=None))
    else:
        response = _land(context, plays_scorm=recorded.scorm_activity_pk is not None)
    # The state is spent: expire its cookie so browsers don't carry one cookie per past launch.
    if f"lti1p3-{state}" in request.cookies:
        set_cookie(response, f"lti1p3-{state}", "", 0)
    return response


@bp.post("/lti/launch/verify")
def verify() -> Any:
    try:
        context = launches.verify_browser(db_session(), request.form.get("launch", ""), request.form.get("state", ""))
    except launches.SessionError as err:
        return render_template("error.html", title="The launch could not be completed", message=str(err),
                               hint="Launch the tool again from the course page."), 401
    return _land(context)


def _land(context: launches.LaunchContext, *, plays_scorm: bool | None = None) -> BaseResponse:
    if plays_scorm is None:  # not known from the launch's own query (platform-storage verification)
        plays_scorm = scorm_attempts.activity_for(db_session(), context.course_pk, context.resource_link_id) is not None
    if context.is_deep_linking and context.is_instructor:
        target = url_for("instructor.deep_link", launch=context.launch_id)
    elif plays_scorm:
        target = url_for("player.manage_page" if context.is_instructor else "player.play", launch=context.launch_id)
    elif context.is_instructor:
        target = url_for("instructor.home", launch=context.launch_id)
    else:
        target = url_for("learner.progress", launch=context.launch_id)
    response = redirect(target, code=303)
    set_cookie(response, LAUNCH_COOKIE, context.launch_id, int(current_app.config["LAUNCH_SESSION_TTL_SECONDS"]))
    return response


@bp.get("/.well-known/jwks.json")
@bp.get("/lti/jwks")
def jwks() -> Response:
    response = jsonify(key_service.jwks(db_session()))
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/lti/register")
def register() -> Any:
    config_url = request.args.get("openid_configuration", "")
    if not config_url:
        return render_template("error.html", title="Dynamic registration",
                               message="This address starts an LTI Dynamic Registration and must be opened by "
                                       "the LMS with an openid_configuration parameter.",
                               hint="In Moodle: Site administration → Plugins → Manage tools → Tool URL. "
                                    "In Canvas: Developer Keys → + LTI Registration."), 400
    c = current_app.config
    tool = dynreg.ToolDescription(base_url=c["BASE_URL"], name=c["TOOL_NAME"], description=c["TOOL_DESCRIPTION"],
                                  scopes=tuple(c["LTI_SCOPES"]))
    try:
        registration = dynreg.register(db_session(), bridge_services().http, tool, openid_configuration=config_url,
                                       registration_token=request.args.get("registration_token"),
                                       deployment_policy=c["DEFAULT_DEPLOYMENT_POLICY"])
    except dynreg.RegistrationError as err:
        log.warning("dynamic registration refused: %s", err)
        return render_template("error.html", title="The registration failed", message=str(err),
                               hint="Fix the cause and start the registration again from the LMS."), 400
    log.info("dynamic registration: registration=%s issuer=%s", registration.id, registration.issuer)
    return render_template("lti/registered.html", registration=registration)


@bp.get("/lti/canvas.json")
def canvas_config() -> Response:
    c = current_app.config
    return jsonify(canvas.developer_key(c["BASE_URL"], c["TOOL_NAME"], c["TOOL_DESCRIPTION"], c["LTI_SCOPES"]))
