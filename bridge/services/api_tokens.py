"""Per-tenant REST API tokens with scopes. Only the SHA-256 of a token is stored; it is shown once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bridge.models import ApiToken, Registration

SCOPES = ("templates:read", "templates:write", "awards:read", "awards:write", "progress:read")
PREFIX = "cbt_"


class TokenError(ValueError):
    pass


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(session: Session, registration_pk: int, scopes: list[str], name: str = "") -> tuple[ApiToken, str]:
    """A new token for a tenant; returns the row and the token text (never stored)."""
    if session.get(Registration, registration_pk) is None:
        raise TokenError(f"There is no platform registration #{registration_pk}.")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise TokenError(f"Choose scopes among {', '.join(SCOPES)} (unknown: {', '.join(unknown) or 'none given'}).")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(registration_id=registration_pk, name=name, token_hash=_hash(token), prefix=token[:12],
                   scopes=sorted(set(scopes)))
    session.add(row)
    session.flush()
    return row, token


def authenticate(session: Session, token: str, *, now: datetime) -> ApiToken | None:
    """The live token row for ``token``, or None (unknown or revoked)."""
    if not token.startswith(PREFIX):
        return None
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == _hash(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    row.last_used_at = now
    return row


def revoke(session: Session, token_id: int, *, now: datetime) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise TokenError(f"There is no API token #{token_id}.")
    row.revoked_at = now
    return row


def list_tokens(session: Session, registration_pk: int | None = None) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id)
    if registration_pk is not None:
        query = query.where(ApiToken.registration_id == registration_pk)
    return list(session.scalars(query))
