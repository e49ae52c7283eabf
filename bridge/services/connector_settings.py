"""Per-tenant settings of the connectors beyond LTI (Moodle Web Services, Canvas REST), token encrypted.

``save`` validates the input (kind, an absolute http(s) base URL without credentials — plain http only for a
loopback host —, a non-empty token) and stores the token with :class:`~bridge.services.secrets_box.SecretBox`
bound to the tenant and kind, so a ciphertext copied to another row does not decrypt. ``connector_for``
builds the connector with the decrypted token for one sync; the token is never logged nor shown again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import ConnectorSetting, Registration
from bridge.models.connectors import CONNECTOR_KINDS
from bridge.services.secrets_box import SecretBox
from connectors.canvas_rest import CanvasRestConnector
from connectors.moodle_ws import MoodleWsConnector

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


class ConnectorSettingError(ValueError):
    """The settings are not usable; the message says what to change (never containing the token)."""


@dataclass(frozen=True, slots=True)
class SettingView:
    """What may be shown of a setting: everything but the token."""

    registration_id: int
    kind: str
    base_url: str
    enabled: bool


def _purpose(registration_id: int, kind: str) -> str:
    return f"connector-token:{registration_id}:{kind}"


def check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ConnectorSettingError("The base URL must be an absolute https:// address of the LMS.")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ConnectorSettingError("The base URL must not carry credentials, a query or a fragment.")
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise ConnectorSettingError("Use https:// for the LMS (plain http only for a server on this machine).")
    return base_url.strip().rstrip("/")


def save(session: Session, box: SecretBox, registration_id: int, kind: str, base_url: str, token: str,
         *, enabled: bool = True) -> SettingView:
    """Add or replace the tenant's connector of ``kind``; nothing is written when the input is refused."""
    if kind not in CONNECTOR_KINDS:
        raise ConnectorSettingError(f"The connector kind must be one of {', '.join(CONNECTOR_KINDS)}.")
    if session.get(Registration, registration_id) is None:
        raise ConnectorSettingError(f"There is no platform registration {registration_id}.")
    url = check_base_url(base_url)
    token = token.strip()
    if not token or any(ch.isspace() for ch in token):
        raise ConnectorSettingError("The access token is empty or contains spaces.")
    row = find(session, registration_id, kind) or ConnectorSetting(registration_id=registration_id, kind=kind)
    row.base_url, row.enabled = url, enabled
    row.token_ciphertext = box.encrypt(token.encode(), purpose=_purpose(registration_id, kind))
    session.add(row)
    session.flush()
    return view(row)


def find(session: Session, registration_id: int, kind: str) -> ConnectorSetting | None:
    return session.scalars(select(ConnectorSetting).where(ConnectorSetting.registration_id == registration_id,
                                                          ConnectorSetting.kind == kind)).first()


def enabled_for(session: Session, registration_id: int) -> list[ConnectorSetting]:
    return list(session.scalars(select(ConnectorSetting).where(
        ConnectorSetting.registration_id == registration_id, ConnectorSetting.enabled.is_(True))
        .order_by(ConnectorSetting.kind)))


def list_settings(session: Session) -> list[SettingView]:
    rows = session.scalars(select(ConnectorSetting).order_by(ConnectorSetting.registration_id, ConnectorSetting.kind))
    return [view(row) for row in rows]


def remove(session: Session, registration_id: int, kind: str) -> bool:
    row = find(session, registration_id, kind)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def view(row: ConnectorSetting) -> SettingView:
    return SettingView(row.registration_id, row.kind, row.base_url, row.enabled)


def connector_for(box: SecretBox, setting: ConnectorSetting, **http: Any) -> MoodleWsConnector | CanvasRestConnector:
    """The connector of ``setting`` with its decrypted token (``http``: session, retry… for the base class)."""
    token = box.decrypt(setting.token_ciphertext, purpose=_purpose(setting.registration_id, setting.kind)).decode()
    if setting.kind == "moodle":
        return MoodleWsConnector(setting.base_url, token, **http)
    return CanvasRestConnector(setting.base_url, token, **http)
