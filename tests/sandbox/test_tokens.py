"""The claim-set helpers used for the 1EdTech certification cases."""

from __future__ import annotations

import jwt
from flask.testing import FlaskClient

from sandbox import tokens
from sandbox.platform import Platform

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def test_launch_claims_for_an_unregistered_tool(platform: Platform) -> None:
    claims = tokens.launch_claims(platform, client_id="tool-x", user_id="instructor-1", deployment_id="d-1")
    assert claims["aud"] == "tool-x" and claims[LTI + "deployment_id"] == "d-1"
    assert claims[LTI + "roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
    assert claims[LTI + "resource_link"]["id"] == "rl-intro"


def test_eighteen_valid_variants(platform: Platform) -> None:
    claims = tokens.launch_claims(platform, client_id="tool-x", user_id="learner-1")
    variants = {
        **tokens.valid_variants(claims, "Instructor"),
        **{f"learner_{k}": v for k, v in tokens.valid_variants(claims, "Learner").items()},
    }
    assert len(variants) == 18
    assert variants["short_role"][LTI + "roles"] == ["Instructor"]
    assert variants["learner_no_role"][LTI + "roles"] == []
    assert "email" not in variants["names_only"] and "name" not in variants["email_only"]
    assert not {"name", "email", "given_name"} & set(variants["no_pii"])
    assert LTI + "context" not in variants["email_no_context"]


def test_twelve_bad_launches(client: FlaskClient, platform: Platform) -> None:
    claims = tokens.launch_claims(platform, client_id="tool-x", user_id="learner-1")
    bad = tokens.bad_launches(platform, claims)
    assert len(bad) == 12
    assert "kid" not in jwt.get_unverified_header(bad["no_kid"])
    assert jwt.get_unverified_header(bad["wrong_kid"])["kid"] != platform.kid
    unverified = {k: jwt.decode(v, options={"verify_signature": False}) for k, v in bad.items() if k != "not_a_jwt"}
    assert "sub" not in unverified["no_sub"] and LTI + "roles" not in unverified["no_roles"]
    assert "id" not in unverified["no_resource_link_id"][LTI + "resource_link"]
    assert unverified["wrong_lti_version"][LTI + "version"] == "1.2.0"
    assert unverified["bad_timestamps"]["exp"] < unverified["bad_timestamps"]["iat"] + 7200


def test_sign_id_token_can_set_alg_header(platform: Platform) -> None:
    token = platform.sign_id_token({"a": 1}, {"alg": "RS512", "kid": "other"})
    assert jwt.get_unverified_header(token) == {"alg": "RS512", "kid": "other", "typ": "JWT"}
