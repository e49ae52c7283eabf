"""LTI Dynamic Registration 1.0 §3.5–3.6: validate a tool's client registration, as Moodle does."""

from __future__ import annotations

from typing import Any

from . import scopes as s
from .errors import ProtocolError
from .models import Tool


def _invalid(description: str) -> ProtocolError:
    return ProtocolError("invalid_client_metadata", description, 400)


def _require_str(data: dict[str, Any], name: str, where: str = "") -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise _invalid(f"{where}{name} is required and must be a non-empty string")
    return value


def parse_messages(raw: Any) -> list[dict[str, Any]]:
    """`messages` as objects; Moodle lists plain strings, others objects with a `type`."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise _invalid("lti-tool-configuration messages must be a list")
    messages = []
    for entry in raw:
        if isinstance(entry, str):
            messages.append({"type": entry})
        elif isinstance(entry, dict) and isinstance(entry.get("type"), str):
            messages.append(dict(entry))
        else:
            raise _invalid("each message must be a message type string or an object with a type")
    return messages


def validate(metadata: Any, client_id: str, deployment_id: str) -> Tool:
    """Turn a registration request body into a Tool, or raise ProtocolError(invalid_client_metadata)."""
    if not isinstance(metadata, dict):
        raise _invalid("the registration must be a JSON object")
    response_types = metadata.get("response_types")
    if not isinstance(response_types, list) or "id_token" not in response_types:
        raise _invalid("response_types must include id_token")
    if metadata.get("token_endpoint_auth_method") != "private_key_jwt":
        raise _invalid("token_endpoint_auth_method must be private_key_jwt")
    if metadata.get("application_type") != "web":
        raise _invalid("application_type must be web")
    redirect_uris = metadata.get("redirect_uris")
    if (
        not isinstance(redirect_uris, list)
        or not redirect_uris
        or not all(isinstance(u, str) and u for u in redirect_uris)
    ):
        raise _invalid("redirect_uris must be a non-empty list of URLs")
    jwks_uri = _require_str(metadata, "jwks_uri")
    login_uri = _require_str(metadata, "initiate_login_uri")
    client_name = _require_str(metadata, "client_name")
    config = metadata.get(s.TOOL_CONFIGURATION)
    if not isinstance(config, dict):
        raise _invalid(f"{s.TOOL_CONFIGURATION} is required")
    domain = _require_str(config, "domain", "lti-tool-configuration ")
    target = _require_str(config, "target_link_uri", "lti-tool-configuration ")
    messages = parse_messages(config.get("messages"))
    deep_link = next((m for m in messages if m["type"] == s.DEEP_LINKING_REQUEST), None)
    requested = str(metadata.get("scope") or "").split()
    custom = config.get("custom_parameters") or {}
    if not isinstance(custom, dict):
        raise _invalid("custom_parameters must be an object")
    return Tool(
        client_id=client_id,
        name=client_name,
        jwks_uri=jwks_uri,
        initiate_login_uri=login_uri,
        redirect_uris=list(redirect_uris),
        target_link_uri=target,
        deployment_id=deployment_id,
        scopes=[sc for sc in requested if sc in s.SUPPORTED_SCOPES],
        messages=messages,
        custom={str(k): str(v) for k, v in custom.items()},
        deep_link_url=(deep_link.get("target_link_uri") or target) if deep_link else None,
        domain=domain,
        registration=metadata,
    )


def response_body(tool: Tool) -> dict[str, Any]:
    """The 200 answer: the registration echoed, plus client_id, granted scope and deployment_id."""
    body = dict(tool.registration)
    config = dict(body.get(s.TOOL_CONFIGURATION) or {})
    config["deployment_id"] = tool.deployment_id
    body.update({"client_id": tool.client_id, "scope": " ".join(tool.scopes), s.TOOL_CONFIGURATION: config})
    return body
