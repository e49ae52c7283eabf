"""LTI Dynamic Registration 1.0 (1EdTech), tool side: Moodle's and Canvas's flavours.

Spec: https://www.imsglobal.org/spec/lti-dr/v1p0 — §3.3 the platform opens the tool's registration URL with
``openid_configuration`` and ``registration_token``; §3.4 the tool reads the platform configuration;
§3.5 it POSTs its client registration (OpenID Connect Dynamic Client Registration + the
``https://purl.imsglobal.org/spec/lti-tool-configuration`` claim); §3.6 it closes with a postMessage
``{subject: "org.imsglobal.lti.close"}``.

Platform quirks (reference/lti.md): Moodle lists ``messages_supported`` as plain strings, others as
objects; Moodle enables deep linking only when ``messages`` lists LtiDeepLinkingRequest and returns the
deployment id in the tool configuration; hosted Canvas publishes its configuration on a host other than
its issuer; Brightspace names the client-assertion audience in ``authorization_server``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bridge.models import DynamicRegistrationAttempt, Registration
from bridge.services import platforms

PLATFORM_CONF = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONF = "https://purl.imsglobal.org/spec/lti-tool-configuration"
# Hosted Canvas: issuer and configuration host differ by design.
CANVAS_ISSUERS = {"https://canvas.instructure.com", "https://canvas.beta.instructure.com",
                  "https://canvas.test.instructure.com"}
CANVAS_CONFIG_HOST_SUFFIXES = (".instructure.com", ".canvaslms.com")


class RegistrationError(ValueError):
    """Dynamic registration failed; the message tells the LMS administrator why."""


@dataclass(frozen=True, slots=True)
class ToolDescription:
    base_url: str
    name: str
    description: str
    scopes: tuple[str, ...]

    def url(self, path: str) -> str:
        return self.base_url + path


def _get_json(http: requests.Session, url: str, *, what: str) -> dict[str, Any]:
    try:
        response = http.get(url, headers={"Accept": "application/json"})
    except requests.RequestException as err:
        raise RegistrationError(f"The {what} at {url} could not be reached ({type(err).__name__}).") from err
    if response.status_code != 200:
        raise RegistrationError(f"The {what} at {url} answered HTTP {response.status_code}.")
    try:
        data = response.json()
    except ValueError as err:
        raise RegistrationError(f"The {what} at {url} is not JSON.") from err
    if not isinstance(data, dict):
        raise RegistrationError(f"The {what} at {url} is not a JSON object.")
    return data


def check_platform_configuration(config: dict[str, Any], config_url: str) -> None:
    missing = [k for k in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
               if not isinstance(config.get(k), str) or not config.get(k)]
    if missing:
        raise RegistrationError("The platform configuration lacks " + ", ".join(missing) + ".")
    if PLATFORM_CONF not in config:
        raise RegistrationError("The configuration is not an LTI platform configuration (no " + PLATFORM_CONF + ").")
    issuer_host = urlsplit(config["issuer"]).hostname
    config_host = urlsplit(config_url).hostname or ""
    canvas = config["issuer"].rstrip("/") in CANVAS_ISSUERS and config_host.endswith(CANVAS_CONFIG_HOST_SUFFIXES)
    if issuer_host != config_host and not canvas:
        raise RegistrationError(f"The platform's issuer {config['issuer']!r} does not match the host of its "
                                f"configuration URL ({config_host}); refusing to register.")


def supported_messages(config: dict[str, Any]) -> set[str]:
    """Message types the platform supports; Moodle sends strings, others objects with ``type``."""
    raw = (config.get(PLATFORM_CONF) or {}).get("messages_supported")
    if raw is None:
        return {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
    types = set()
    for item in raw if isinstance(raw, list) else []:
        if isinstance(item, str):
            types.add(item)
        elif isinstance(item, dict) and isinstance(item.get("type"), str):
            types.add(item["type"])
    return types


def client_registration(tool: ToolDescription, config: dict[str, Any]) -> dict[str, Any]:
    """The client registration request body (LTI-DR §3.5.2)."""
    product = str((config.get(PLATFORM_CONF) or {}).get("product_family_code", "")).lower()
    offered = config.get("scopes_supported")
    scopes = [s for s in tool.scopes if not isinstance(offered, list) or s in offered]
    launch = tool.url("/lti/launch")
    messages: list[dict[str, Any]] = [{"type": "LtiResourceLinkRequest", "target_link_uri": launch,
                                       "label": tool.name}]
    if "LtiDeepLinkingRequest" in supported_messages(config):
        deep: dict[str, Any] = {"type": "LtiDeepLinkingRequest", "target_link_uri": launch,
                "label": f"{tool.name}: add an activity"}
        if product == "canvas":
            deep["placements"] = ["assignment_selection", "link_selection"]
        messages.append(deep)
    tool_conf: dict[str, Any] = {
        "domain": urlsplit(tool.base_url).netloc,
        "description": tool.description,
        "target_link_uri": launch,
        "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
        "messages": messages,
    }
    if product == "canvas":
        tool_conf["https://canvas.instructure.com/lti/privacy_level"] = "public"
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.url("/lti/login"),
        "redirect_uris": [launch],
        "client_name": tool.name,
        "jwks_uri": tool.url("/.well-known/jwks.json"),
        "logo_uri": tool.url("/static/logo.svg"),
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        TOOL_CONF: tool_conf,
    }


def register(session: Session, http: requests.Session, tool: ToolDescription, *, openid_configuration: str,
             registration_token: str | None, deployment_policy: str = "accept") -> Registration:
    """Run the whole registration; the token is recorded first so it can never be used twice."""
    if urlsplit(openid_configuration).scheme not in {"http", "https"}:
        raise RegistrationError("openid_configuration must be an http(s) URL.")
    attempt = _claim_token(session, openid_configuration, registration_token)
    try:
        config = _get_json(http, openid_configuration, what="platform configuration")
        check_platform_configuration(config, openid_configuration)
        answer = _post_registration(http, config, client_registration(tool, config), registration_token)
        registration = _store(session, config, answer, deployment_policy)
    except (RegistrationError, platforms.RegistryError) as err:
        attempt.status, attempt.detail = "failed", str(err)[:2000]
        session.commit()
        raise RegistrationError(str(err)) from err
    attempt.status, attempt.registration_id = "completed", registration.id
    session.commit()
    return registration


def _claim_token(session: Session, config_url: str, token: str | None) -> DynamicRegistrationAttempt:
    digest = hashlib.sha256((token or f"no-token:{config_url}").encode()).hexdigest()
    attempt = DynamicRegistrationAttempt(token_hash=digest, openid_configuration=config_url)
    session.add(attempt)
    try:
        session.commit()
    except IntegrityError as err:
        session.rollback()
        raise RegistrationError("This registration link was already used. Start the registration again "
                                "from the LMS to get a new one.") from err
    return attempt


def _post_registration(http: requests.Session, config: dict[str, Any], body: dict[str, Any],
                       token: str | None) -> dict[str, Any]:
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    url = config["registration_endpoint"]
    try:
        response = http.post(url, json=body, headers=headers)
    except requests.RequestException as err:
        raise RegistrationError(f"The platform's registration endpoint could not be reached "
                                f"({type(err).__name__}).") from err
    if response.status_code not in (200, 201):
        detail = _error_detail(response)
        raise RegistrationError(f"The platform refused the registration (HTTP {response.status_code}){detail}.")
    try:
        answer = response.json()
    except ValueError as err:
        raise RegistrationError("The platform's registration answer is not JSON.") from err
    if not isinstance(answer, dict) or not answer.get("client_id"):
        raise RegistrationError("The platform's registration answer has no client_id.")
    return answer


def _error_detail(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return ""
    if isinstance(data, dict) and (data.get("error_description") or data.get("error")):
        return f": {data.get('error_description') or data.get('error')}"
    return ""


def _store(session: Session, config: dict[str, Any], answer: dict[str, Any], policy: str) -> Registration:
    tool_conf = answer.get(TOOL_CONF) or {}
    deployment_id = tool_conf.get("deployment_id")
    platform = config.get(PLATFORM_CONF) or {}
    scopes = tuple(str(answer.get("scope") or "").split())
    data = platforms.PlatformInput(
        issuer=config["issuer"], client_id=str(answer["client_id"]),
        auth_login_url=config["authorization_endpoint"], auth_token_url=config["token_endpoint"],
        key_set_url=config["jwks_uri"], deployment_ids=(str(deployment_id),) if deployment_id else (),
        name=str(platform.get("product_family_code") or urlsplit(config["issuer"]).netloc),
        auth_token_audience=config.get("authorization_server") or None, deployment_policy=policy,
        product_family=str(platform.get("product_family_code") or ""), scopes=scopes, created_via="dynamic",
    )
    return platforms.add(session, data)
