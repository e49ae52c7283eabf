"""Helpers shared by the connector tests: a fake clock and a scripted token endpoint."""

from __future__ import annotations

from datetime import UTC, datetime

import responses

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


def grant_tokens(mock: responses.RequestsMock, *values: str, expires_in: int = 3600) -> None:
    """Let the token endpoint hand out ``values`` in turn (then keep giving the last one)."""
    for value in values:
        mock.post(TOKEN_URL, json={"access_token": value, "token_type": "Bearer", "expires_in": expires_in})
