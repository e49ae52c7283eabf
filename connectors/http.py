"""HTTP for every connector: one session with timeouts, a User-Agent and error translation.

Every outside call in the project goes through :func:`make_session` (house rule 6); the same session is
handed to pylti1p3 as ``requests_session=``, so it must stay a drop-in ``requests.Session``.
"""

from __future__ import annotations

from typing import Any

import requests

DEFAULT_USER_AGENT = "credential-bridge/0.1"
DEFAULT_TIMEOUT = 10.0


class TimeoutSession(requests.Session):
    """A ``requests.Session`` whose requests get ``default_timeout`` unless the caller passes ``timeout``."""

    def __init__(self, *, default_timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.default_timeout = default_timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        # requests' own default is "wait forever"; an explicit timeout=None from a caller still gets ours.
        # Positionally, timeout is 7th after the URL (params, data, headers, cookies, files, auth).
        if kwargs.get("timeout") is None and len(args) <= 6:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)


def make_session(
    *, user_agent: str = DEFAULT_USER_AGENT, timeout: float = DEFAULT_TIMEOUT
) -> requests.Session:
    """Return a session whose every request has a default ``timeout`` (seconds) and our User-Agent."""
    session = TimeoutSession(default_timeout=timeout)
    session.headers["User-Agent"] = user_agent
    return session
