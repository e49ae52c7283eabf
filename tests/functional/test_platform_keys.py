"""Platform JWKS: cached in the registration row, re-fetched once on an unknown kid (key rotation)."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import select

from bridge.models import Registration
from tests.support.launch_actions import LaunchActions


def test_platform_key_rotation_is_followed(app: Any, registered: LaunchActions) -> None:
    platform = registered.platform
    assert registered.launch("learner-1").status_code == 303
    with app.extensions["bridge"].db.session() as session:
        cached = session.scalars(select(Registration)).one()
        first_kid = cached.key_set["keys"][0]["kid"]
        cached.key_set_fetched_at = cached.key_set_fetched_at.replace(year=2000)  # outside the re-fetch interval
        session.commit()
    old_key, old_kid = platform.private_key, platform.kid
    platform.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    platform.kid = "sandbox-rotated"
    try:
        assert registered.launch("learner-1").status_code == 303
    finally:
        platform.private_key, platform.kid = old_key, old_kid
    with app.extensions["bridge"].db.session() as session:
        assert session.scalars(select(Registration)).one().key_set["keys"][0]["kid"] == "sandbox-rotated" != first_kid


def test_unknown_kid_does_not_hammer_the_platform(app: Any, registered: LaunchActions) -> None:
    from sandbox import tokens

    assert registered.launch("learner-1").status_code == 303  # caches the key set
    with app.extensions["bridge"].db.session() as session:
        fetched_at = session.scalars(select(Registration)).one().key_set_fetched_at
    step = registered.login()
    claims = tokens.launch_claims(registered.platform, client_id=registered.client_id or "", user_id="learner-1",
                                  nonce=step.nonce)
    forged = registered.platform.sign_id_token(claims, {"kid": "unknown-kid"})
    assert registered.post_id_token(step, forged).status_code == 400
    with app.extensions["bridge"].db.session() as session:
        # Just fetched: an unknown kid inside the re-fetch interval does not trigger another fetch.
        assert session.scalars(select(Registration)).one().key_set_fetched_at == fetched_at
