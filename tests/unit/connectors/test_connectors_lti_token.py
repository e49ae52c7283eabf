"""Access tokens: the client assertion's claims, caching per (issuer, client_id, scopes), refresh-once."""

from __future__ import annotations

import threading
import time
from urllib.parse import parse_qs

import jwt
import pytest
import responses
from connectors_support import ISSUER, TOKEN_URL, FakeClock, grant_tokens
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors import errors
from connectors.lti_token import (
    BRIGHTSPACE_TOKEN_AUDIENCE,
    JWT_BEARER,
    AccessTokenClient,
    PemSigner,
    TokenEndpoint,
)
from connectors.token_cache import InMemoryTokenCache

SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SERVICE = "https://lms.example.edu/api/lti/courses/7/line_items"


def form_of(call: responses.Call) -> dict[str, str]:
    body = call.request.body
    text = body.decode() if isinstance(body, bytes) else str(body)
    return {key: values[0] for key, values in parse_qs(text).items()}


def test_token_request_carries_a_valid_signed_assertion(
    mocked: responses.RequestsMock, token_client: AccessTokenClient, tool_key: rsa.RSAPrivateKey
) -> None:
    grant_tokens(mocked, "tok-1")
    token = token_client.get_token([SCORE, LINEITEM])
    form = form_of(mocked.calls[0])
    assert form["grant_type"] == "client_credentials"
    assert form["client_assertion_type"] == JWT_BEARER
    assert form["scope"] == f"{LINEITEM} {SCORE}"
    header = jwt.get_unverified_header(form["client_assertion"])
    assert header["kid"] == "tool-key-1" and header["alg"] == "RS256"
    claims = jwt.decode(
        form["client_assertion"],
        tool_key.public_key(),
        algorithms=["RS256"],
        audience=TOKEN_URL,
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["iss"] == claims["sub"] == "10000000000001"
    assert 0 < claims["exp"] - claims["iat"] <= 300
    assert len(claims["jti"]) >= 16
    assert token.value == "tok-1" and "tok-1" not in repr(token)


def test_each_assertion_has_a_new_jti(token_client: AccessTokenClient, tool_key: rsa.RSAPrivateKey) -> None:
    def jti() -> str:
        claims = jwt.decode(
            token_client.client_assertion(),
            tool_key.public_key(),
            algorithms=["RS256"],
            options={"verify_aud": False, "verify_exp": False, "verify_iat": False},
        )
        return str(claims["jti"])

    assert jti() != jti()


def test_brightspace_audience_override(
    mocked: responses.RequestsMock, signer: PemSigner, clock: FakeClock, tool_key: rsa.RSAPrivateKey
) -> None:
    endpoint = TokenEndpoint(ISSUER, "abc", TOKEN_URL, audience=BRIGHTSPACE_TOKEN_AUDIENCE)
    client = AccessTokenClient(endpoint, signer, clock=clock)
    claims = jwt.decode(
        client.client_assertion(),
        tool_key.public_key(),
        algorithms=["RS256"],
        audience=BRIGHTSPACE_TOKEN_AUDIENCE,
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["aud"] == BRIGHTSPACE_TOKEN_AUDIENCE


def test_token_is_reused_until_shortly_before_expiry(
    mocked: responses.RequestsMock, token_client: AccessTokenClient, clock: FakeClock
) -> None:
    grant_tokens(mocked, "tok-1", expires_in=600)
    grant_tokens(mocked, "tok-2", expires_in=600)
    assert token_client.get_token([SCORE]).value == "tok-1"
    clock.now += 500  # 100 s left: still more than the 60 s skew
    assert token_client.get_token([SCORE]).value == "tok-1"
    clock.now += 45  # 55 s left: inside the skew, refresh
    assert token_client.get_token([SCORE]).value == "tok-2"
    assert len(mocked.calls) == 2


def test_cache_key_separates_scopes_and_clients(
    mocked: responses.RequestsMock, signer: PemSigner, clock: FakeClock
) -> None:
    grant_tokens(mocked, "a", "b", "c")
    cache = InMemoryTokenCache(clock=clock)
    one = AccessTokenClient(TokenEndpoint(ISSUER, "client-1", TOKEN_URL), signer, cache=cache, clock=clock)
    two = AccessTokenClient(TokenEndpoint(ISSUER, "client-2", TOKEN_URL), signer, cache=cache, clock=clock)
    values = {
        one.get_token([SCORE]).value,
        one.get_token([SCORE, LINEITEM]).value,
        two.get_token([SCORE]).value,
    }
    assert values == {"a", "b", "c"}
    assert one.get_token([LINEITEM, SCORE]).value == "b"  # same scope set, any order


def test_concurrent_callers_share_one_fetch(mocked: responses.RequestsMock, token_client: AccessTokenClient) -> None:
    def slow_grant(request: object) -> tuple[int, dict[str, str], str]:
        time.sleep(0.05)  # hold the token endpoint so that the other threads pile up behind the lock
        return 200, {"Content-Type": "application/json"}, '{"access_token": "shared", "expires_in": 3600}'

    mocked.add_callback(responses.POST, TOKEN_URL, callback=slow_grant)
    start = threading.Barrier(8)
    got: list[str] = []

    def worker() -> None:
        start.wait()
        got.append(token_client.get_token([SCORE]).value)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == ["shared"] * 8
    assert len(mocked.calls) == 1


def test_a_401_from_the_service_refreshes_the_token_once(
    mocked: responses.RequestsMock, token_client: AccessTokenClient
) -> None:
    grant_tokens(mocked, "stale", "fresh")
    token_client.get_token([SCORE])
    seen: list[str] = []

    def call(token: str) -> str:
        seen.append(token)
        if token == "stale":
            raise errors.ConnectorAuthError("lti-ags", SERVICE, status=401)
        return "posted"

    assert token_client.call_with_token([SCORE], call) == "posted"
    assert seen == ["stale", "fresh"]


def test_a_second_401_is_raised_not_retried_forever(
    mocked: responses.RequestsMock, token_client: AccessTokenClient
) -> None:
    grant_tokens(mocked, "t1", "t2", "t3")
    calls: list[str] = []

    def always_401(token: str) -> None:
        calls.append(token)
        raise errors.ConnectorAuthError("lti-ags", SERVICE, status=401)

    with pytest.raises(errors.ConnectorAuthError):
        token_client.call_with_token([SCORE], always_401)
    assert calls == ["t1", "t2"]


def test_a_403_is_not_a_reason_to_refresh(mocked: responses.RequestsMock, token_client: AccessTokenClient) -> None:
    grant_tokens(mocked, "t1", "t2")

    def forbidden(token: str) -> None:
        raise errors.ConnectorAuthError("lti-ags", SERVICE, status=403)

    with pytest.raises(errors.ConnectorAuthError):
        token_client.call_with_token([SCORE], forbidden)
    assert len(mocked.calls) == 1


def test_refused_token_request_is_an_auth_error(
    mocked: responses.RequestsMock, token_client: AccessTokenClient
) -> None:
    mocked.post(TOKEN_URL, status=400, json={"error": "invalid_client", "error_description": "unknown kid"})
    with pytest.raises(errors.ConnectorAuthError, match="invalid_client") as caught:
        token_client.get_token([SCORE])
    assert caught.value.status == 400
    assert "client_assertion" not in str(caught.value)


@pytest.mark.parametrize(
    "answer",
    [
        {"token_type": "Bearer", "expires_in": 3600},
        {"access_token": "", "expires_in": 3600},
        {"access_token": "x", "token_type": "mac"},
        {"access_token": "x", "expires_in": -5},
        {"access_token": "x", "expires_in": "soon"},
        ["access_token"],
    ],
)
def test_malformed_token_answers_are_bad_responses(
    mocked: responses.RequestsMock, token_client: AccessTokenClient, answer: object
) -> None:
    mocked.post(TOKEN_URL, json=answer)
    with pytest.raises(errors.ConnectorBadResponse):
        token_client.get_token([SCORE])


def test_assertion_lifetime_above_five_minutes_is_refused(signer: PemSigner) -> None:
    with pytest.raises(ValueError, match="assertion_lifetime"):
        AccessTokenClient(TokenEndpoint(ISSUER, "c", TOKEN_URL), signer, assertion_lifetime=600)
