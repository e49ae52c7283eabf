"""Fixtures for connector tests: a tool key pair, a fake clock and sleep, a token endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.lti_token import AccessTokenClient, PemSigner, TokenEndpoint

TOKEN_URL = "https://lms.example.edu/login/oauth2/token"
ISSUER = "https://lms.example.edu"


class FakeClock:
    """Epoch seconds that only move when a test says so; also sleeps by moving time."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def utc(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)


@pytest.fixture(scope="session")
def tool_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def signer(tool_key: rsa.RSAPrivateKey) -> PemSigner:
    pem = tool_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return PemSigner(kid="tool-key-1", private_key_pem=pem)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def token_client(signer: PemSigner, clock: FakeClock) -> AccessTokenClient:
    return AccessTokenClient(
        TokenEndpoint(issuer=ISSUER, client_id="10000000000001", token_url=TOKEN_URL),
        signer,
        clock=clock,
        sleep=clock.sleep,
        now=clock.utc,
    )


def grant_tokens(mock: responses.RequestsMock, *values: str, expires_in: int = 3600) -> None:
    """Let the token endpoint hand out ``values`` in turn (then keep giving the last one)."""
    for value in values:
        mock.post(TOKEN_URL, json={"access_token": value, "token_type": "Bearer", "expires_in": expires_in})
