"""Fixtures for connector tests: a tool key pair, a fake clock and sleep, a token endpoint."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses
from connectors_support import ISSUER, TOKEN_URL, FakeClock
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.lti_token import AccessTokenClient, PemSigner, TokenEndpoint


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
