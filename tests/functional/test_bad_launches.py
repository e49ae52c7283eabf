"""The launches 1EdTech certification expects a tool to refuse, and our own additions.

Each is refused with a 4xx page that tells an LMS admin what is wrong, and nothing is stored.
"""

from __future__ import annotations

import html
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import func, select

from bridge.models import Course, LaunchSession, LmsUser
from sandbox import tokens
from tests.support.launch_actions import LaunchActions

EXPECTED_TEXT = {
    "no_kid": "without a key id",
    "wrong_kid": "not in the platform's published key set",
    "wrong_lti_version": "not an LTI 1.3.0 message",
    "no_lti_version": "not an LTI 1.3.0 message",
    "not_a_jwt": "not a JWT",
    "missing_claims": "",
    "bad_timestamps": "expired",
    "no_message_type": "no message type",
    "no_roles": "no roles claim",
    "no_deployment_id": "no deployment id",
    "no_resource_link_id": "no resource link id",
    "no_sub": "does not identify the user",
}


def _counts(app: Any) -> tuple[int, int, int]:
    with app.extensions["bridge"].db.session() as session:
        return tuple(session.scalar(select(func.count()).select_from(m)) or 0  # type: ignore[return-value]
                     for m in (LaunchSession, LmsUser, Course))


def _claims(lti: LaunchActions, nonce: str, user: str = "learner-1") -> dict[str, Any]:
    return tokens.launch_claims(lti.platform, client_id=lti.client_id or "", user_id=user, nonce=nonce)


@pytest.mark.parametrize("case", sorted(EXPECTED_TEXT))
def test_certification_bad_launch_is_refused(app: Any, registered: LaunchActions, case: str) -> None:
    step = registered.login()
    bad = tokens.bad_launches(registered.platform, _claims(registered, step.nonce))[case]
    response = registered.post_id_token(step, bad)
    assert 400 <= response.status_code < 500
    page = html.unescape(response.get_data(as_text=True))
    assert "The launch was refused" in page
    assert EXPECTED_TEXT[case] in page
    assert _counts(app) == (0, 0, 0)


def _sign(lti: LaunchActions, claims: dict[str, Any], **headers: Any) -> str:
    return str(lti.platform.sign_id_token(claims, headers or None))


def test_state_mismatch_is_refused(app: Any, registered: LaunchActions) -> None:
    step = registered.login()
    token = _sign(registered, _claims(registered, step.nonce))
    response = registered.client.post("/lti/launch", data={"id_token": token, "state": "state-forged"})
    assert response.status_code == 400
    assert "login state is unknown" in html.unescape(response.get_data(as_text=True))
    assert _counts(app) == (0, 0, 0)


def test_nonce_from_another_login_is_refused(app: Any, registered: LaunchActions) -> None:
    first, second = registered.login(), registered.login()
    token = _sign(registered, _claims(registered, first.nonce))
    response = registered.post_id_token(second, token)
    assert response.status_code == 400
    assert "nonce mismatch" in html.unescape(response.get_data(as_text=True))


def test_not_yet_valid_token_is_refused(app: Any, registered: LaunchActions) -> None:
    step = registered.login()
    claims = _claims(registered, step.nonce)
    claims.update(iat=int(time.time()) + 3600, exp=int(time.time()) + 7200)
    response = registered.post_id_token(step, _sign(registered, claims))
    assert response.status_code == 400
    assert "not valid yet" in html.unescape(response.get_data(as_text=True))


def test_unknown_issuer_is_refused_at_login(app: Any, registered: LaunchActions) -> None:
    fields = registered.initiation()
    fields["iss"] = "https://unknown.example"
    response = registered.client.post("/lti/login", data=fields)
    assert response.status_code == 403
    assert "no registration for issuer" in html.unescape(response.get_data(as_text=True))


def test_unknown_client_id_is_refused(app: Any, registered: LaunchActions) -> None:
    step = registered.login()
    claims = _claims(registered, step.nonce)
    claims["aud"] = claims["azp"] = "someone-else"
    response = registered.post_id_token(step, _sign(registered, claims))
    assert response.status_code in (400, 403)
    assert _counts(app) == (0, 0, 0)


def test_unknown_deployment_refused_when_policy_is_reject(app: Any, registered: LaunchActions) -> None:
    from bridge.models import Registration

    with app.extensions["bridge"].db.session() as session:
        session.scalars(select(Registration)).one().deployment_policy = "reject"
        session.commit()
    step = registered.login()
    claims = _claims(registered, step.nonce)
    claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = "deployment-unknown"
    response = registered.post_id_token(step, _sign(registered, claims))
    assert response.status_code == 403
    assert "does not accept new deployments" in html.unescape(response.get_data(as_text=True))
    assert _counts(app) == (0, 0, 0)


def test_unknown_deployment_recorded_when_policy_is_accept(app: Any, registered: LaunchActions) -> None:
    from bridge.models import Deployment

    step = registered.login()
    claims = _claims(registered, step.nonce)
    claims["https://purl.imsglobal.org/spec/lti/claim/deployment_id"] = "deployment-new"
    assert registered.post_id_token(step, _sign(registered, claims)).status_code == 303
    with app.extensions["bridge"].db.session() as session:
        recorded = session.scalars(select(Deployment).where(Deployment.deployment_id == "deployment-new")).one()
        assert recorded.auto_recorded


def test_alg_none_is_refused(app: Any, registered: LaunchActions) -> None:
    step = registered.login()
    claims = _claims(registered, step.nonce)
    token = jwt.encode(claims, None, algorithm="none", headers={"kid": registered.platform.kid})
    response = registered.post_id_token(step, token)
    assert response.status_code == 400
    assert "'none' is not accepted" in html.unescape(response.get_data(as_text=True))
    assert _counts(app) == (0, 0, 0)


def test_hmac_with_public_key_is_refused(app: Any, registered: LaunchActions) -> None:
    step = registered.login()
    token = jwt.encode(_claims(registered, step.nonce), "s" * 64, algorithm="HS256",
                       headers={"kid": registered.platform.kid})
    response = registered.post_id_token(step, token)
    assert response.status_code == 400
    assert "asymmetric" in html.unescape(response.get_data(as_text=True))


def test_signature_by_key_not_in_platform_jwks_is_refused(app: Any, registered: LaunchActions) -> None:
    step = registered.login()
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(_claims(registered, step.nonce), attacker, algorithm="RS256",
                       headers={"kid": registered.platform.kid})
    response = registered.post_id_token(step, token)
    assert response.status_code == 400
    assert "invalid" in html.unescape(response.get_data(as_text=True)).lower()
    assert _counts(app) == (0, 0, 0)


def test_refusals_are_logged_without_personal_data(app: Any, registered: LaunchActions,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    step = registered.login()
    bad = tokens.bad_launches(registered.platform, _claims(registered, step.nonce))["no_sub"]
    with caplog.at_level("INFO", logger="bridge"):
        registered.post_id_token(step, bad)
    text = caplog.text
    assert "missing_sub" in text
    for secret in ("grace@example.edu", "Grace", bad, step.state):
        assert secret not in text


@pytest.mark.parametrize("role", ["Instructor", "Learner"])
@pytest.mark.parametrize("variant", tokens.VALID_VARIANTS)
def test_certification_valid_variants_are_accepted(app: Any, registered: LaunchActions, role: str,
                                                   variant: str) -> None:
    step = registered.login()
    claims = tokens.valid_variants(_claims(registered, step.nonce), role)[variant]
    response = registered.post_id_token(step, _sign(registered, claims))
    assert response.status_code == 303, html.unescape(response.get_data(as_text=True))
    landing = response.headers["Location"]
    # Without any role a user gets the least-privileged (learner) page.
    is_teacher = role == "Instructor" and variant != "no_role"
    assert landing.startswith("/instructor/" if is_teacher else "/learner/")
    assert registered.client.get(landing).status_code == 200
    with app.extensions["bridge"].db.session() as session:
        user = session.scalars(select(LmsUser)).one()
        assert (user.email is not None) == ("email" in claims)
        assert (user.name is not None) == ("name" in claims)
