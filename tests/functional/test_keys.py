"""Tool keys: generated on first start, encrypted at rest, published with kid, rotated with a grace period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bridge.models import ToolKey
from bridge.models.base import utcnow
from bridge.services import keys as key_service
from bridge.services.secrets_box import SecretBox, SecretBoxError


def test_jwks_publishes_an_rsa_key_with_kid(client: Any) -> None:
    response = client.get("/.well-known/jwks.json")
    assert response.status_code == 200
    (key,) = response.get_json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
    assert len(key["n"]) >= 342  # 2048 bits, base64url
    assert "d" not in key and "p" not in key


def test_private_key_is_encrypted_at_rest(app: Any) -> None:
    with app.extensions["bridge"].db.session() as session:
        row = session.scalars(select(ToolKey)).one()
        assert b"PRIVATE KEY" not in row.private_encrypted
        pem = key_service.signing_key(session, app.extensions["bridge"].box).private_pem
        assert pem.startswith("-----BEGIN PRIVATE KEY-----")
        with pytest.raises(SecretBoxError, match="BRIDGE_SECRET_KEY"):
            key_service.signing_key(session, SecretBox(b"another-secret-key-entirely"))


def test_rotation_keeps_old_key_for_grace_period(app: Any, client: Any) -> None:
    old_kid = client.get("/.well-known/jwks.json").get_json()["keys"][0]["kid"]
    services = app.extensions["bridge"]
    with services.db.session() as session:
        new = key_service.rotate(session, services.box, grace=timedelta(hours=1))
        kids = [k["kid"] for k in key_service.jwks(session)["keys"]]
        assert kids == [new.kid, old_kid]
        assert key_service.signing_key(session, services.box).kid == new.kid
        later = utcnow() + timedelta(hours=2)
        assert [k["kid"] for k in key_service.jwks(session, now=later)["keys"]] == [new.kid]


def test_keys_survive_restart(app: Any, tmp_path: Any) -> None:
    from bridge import create_app
    from tests.conftest import tool_config

    kid = app.test_client().get("/.well-known/jwks.json").get_json()["keys"][0]["kid"]
    again = create_app(tool_config(tmp_path, DATABASE_URL=app.config["DATABASE_URL"]))
    assert again.test_client().get("/.well-known/jwks.json").get_json()["keys"][0]["kid"] == kid
    again.extensions["bridge"].db.dispose()
