"""OIDC authorization endpoint logic (LTI Core 1.3 §5.1.1, 1EdTech Security Framework §5.1.1.2-3)."""

from __future__ import annotations

from collections.abc import Mapping

from . import tokens
from .errors import ProtocolError
from .models import Launch, Tool
from .platform import Platform


class RedirectableError(ProtocolError):
    """An OIDC error returned to the tool's (verified) redirect_uri with form_post."""

    def __init__(self, redirect_uri: str, state: str | None, error: str, description: str) -> None:
        super().__init__(error, description, 400)
        self.redirect_uri = redirect_uri
        self.state = state

    def fields(self) -> dict[str, str]:
        out = {"error": self.error, "error_description": self.description}
        if self.state is not None:
            out["state"] = self.state
        return out


def _tool_and_redirect(platform: Platform, params: Mapping[str, str]) -> tuple[Tool, str]:
    tool = platform.tools.get(params.get("client_id", ""))
    if tool is None:
        raise ProtocolError("invalid_client", "unknown client_id: register the tool first")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in tool.redirect_uris:
        raise ProtocolError("invalid_request", f"redirect_uri {redirect_uri!r} is not registered for the tool")
    return tool, redirect_uri


def _check(params: Mapping[str, str], platform: Platform, tool: Tool) -> Launch:
    if "openid" not in params.get("scope", "").split():
        raise ValueError("invalid_scope", "scope must be openid")
    if params.get("response_type") != "id_token":
        raise ValueError("unsupported_response_type", "response_type must be id_token")
    if params.get("response_mode") != "form_post":
        raise ValueError("invalid_request", "response_mode must be form_post")
    if params.get("prompt") != "none":
        raise ValueError("invalid_request", "prompt must be none")
    if not params.get("nonce"):
        raise ValueError("invalid_request", "nonce is required")
    launch = platform.find_launch(params.get("lti_message_hint", ""))
    if launch is None or launch.client_id != tool.client_id:
        raise ValueError("invalid_request", "lti_message_hint does not match a launch started by this platform")
    if params.get("login_hint") not in platform.users or params.get("login_hint") != launch.user_id:
        raise ValueError("login_required", "login_hint does not name the user who started the launch")
    return launch


def authorize(platform: Platform, params: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """Return (redirect_uri, form fields with id_token and state) or raise an error.

    ProtocolError when the redirect_uri cannot be trusted (answered with a 400 page),
    RedirectableError otherwise (form-posted back to the tool).
    """
    tool, redirect_uri = _tool_and_redirect(platform, params)
    state = params.get("state")
    try:
        launch = _check(params, platform, tool)
    except ValueError as err:
        raise RedirectableError(redirect_uri, state, err.args[0], err.args[1]) from err
    claims = tokens.launch_claims(
        platform,
        client_id=tool.client_id,
        user_id=launch.user_id,
        course_id=launch.course_id,
        resource_link_id=launch.resource_link_id,
        nonce=params["nonce"],
        message_type=launch.message_type,
    )
    fields = {"id_token": platform.sign_id_token(claims)}
    if state is not None:
        fields["state"] = state
    return redirect_uri, fields
