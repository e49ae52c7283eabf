"""A tenant's EDC endpoints: the EDC wallet and/or self-hosted EDC Issuer base URLs and their secrets.

Secrets (the basic-auth password or bearer token of the EDC services, the EDC Issuer's e-seal certificate
password) are AES-256-GCM encrypted with the instance's :class:`~bridge.services.secrets_box.SecretBox`; an empty
field in an update keeps the stored secret.  See :mod:`connectors.edc` for the APIs behind the URLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import EdcSettings, Registration
from bridge.models.edc import EDC_ROUTES
from bridge.services.secrets_box import SecretBox
from connectors.edc import EdcIssuerConnector, EdcWalletConnector

_SECRET = "edc-service-secret"
_CERT = "edc-issuer-certificate-password"
AUTH_KINDS = ("none", "basic", "bearer")


class EdcSettingsError(ValueError):
    """The settings are not usable; the message tells the administrator what to fix."""


@dataclass(frozen=True, slots=True)
class SettingsInput:
    route: str
    wallet_url: str = ""
    issuer_url: str = ""
    auth: str = "none"
    username: str = ""
    secret: str = ""  # empty: keep the stored one
    certificate_password: str = ""  # empty: keep the stored one


def _url(value: str, what: str) -> str:
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    local = parts.hostname in {"localhost", "127.0.0.1", "::1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and local) or not parts.hostname:
        raise EdcSettingsError(f"The {what} must be an https:// URL (http:// only for localhost).")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise EdcSettingsError(f"The {what} must not carry credentials, a query or a fragment.")
    return value


def get(session: Session, registration_id: int) -> EdcSettings | None:
    return session.scalars(select(EdcSettings).where(EdcSettings.registration_id == registration_id)).first()


def save(session: Session, box: SecretBox, registration_id: int, data: SettingsInput) -> EdcSettings:
    """Create or update the tenant's EDC settings after checking all of them; nothing is stored on an error."""
    if session.get(Registration, registration_id) is None:
        raise EdcSettingsError(f"There is no registration {registration_id}.")
    if data.route not in EDC_ROUTES:
        raise EdcSettingsError("The route must be 'wallet' (we seal and deposit) or 'issuer' (your EDC Issuer seals).")
    if data.auth not in AUTH_KINDS:
        raise EdcSettingsError("Authentication must be none, basic or bearer.")
    wallet_url = _url(data.wallet_url, "EDC wallet URL") if data.route == "wallet" or data.wallet_url else ""
    issuer_url = _url(data.issuer_url, "EDC Issuer URL") if data.route == "issuer" or data.issuer_url else ""
    row = get(session, registration_id) or EdcSettings(registration_id=registration_id)
    if data.auth == "basic" and not data.username.strip():
        raise EdcSettingsError("Basic authentication needs a user name.")
    if data.auth != "none" and not (data.secret or row.secret_encrypted):
        raise EdcSettingsError("This authentication needs a password or token.")
    if data.route == "issuer" and not (data.certificate_password or row.certificate_password_encrypted):
        raise EdcSettingsError("The EDC Issuer route needs the password of the issuer's e-seal certificate.")
    row.route, row.wallet_url, row.issuer_url = data.route, wallet_url, issuer_url
    row.auth, row.username = data.auth, data.username.strip() if data.auth == "basic" else ""
    if data.secret:
        row.secret_encrypted = box.encrypt(data.secret.encode(), purpose=_SECRET)
    if data.auth == "none":
        row.secret_encrypted = None
    if data.certificate_password:
        row.certificate_password_encrypted = box.encrypt(data.certificate_password.encode(), purpose=_CERT)
    session.add(row)
    session.commit()
    return row


def _credentials(settings: EdcSettings, box: SecretBox) -> dict[str, str]:
    if settings.auth == "none" or settings.secret_encrypted is None:
        return {}
    secret = box.decrypt(settings.secret_encrypted, purpose=_SECRET).decode()
    return {"token": secret} if settings.auth == "bearer" else {"username": settings.username, "password": secret}


def wallet_connector(settings: EdcSettings, box: SecretBox, http: requests.Session, **options: Any
                     ) -> EdcWalletConnector:
    return EdcWalletConnector(settings.wallet_url, session=http, **_credentials(settings, box), **options)


def issuer_connector(settings: EdcSettings, box: SecretBox, http: requests.Session, **options: Any
                     ) -> EdcIssuerConnector:
    return EdcIssuerConnector(settings.issuer_url, session=http, **_credentials(settings, box), **options)


def certificate_password(settings: EdcSettings, box: SecretBox) -> str:
    if settings.certificate_password_encrypted is None:
        return ""
    return box.decrypt(settings.certificate_password_encrypted, purpose=_CERT).decode()
