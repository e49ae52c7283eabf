"""The connectors' error tree: one root, translated at the HTTP boundary.

Modelled on httpx's written-out exception tree: every error carries the connector's name and the URL it
was talking to, and (when there was one) the HTTP status and the ``requests.Response``. Callers catch
:class:`ConnectorError` to handle any outside-system failure, or a subclass to react to one kind.

Never put tokens or personal data into a message: these strings end up in logs.
"""

from __future__ import annotations

import requests


class ConnectorError(Exception):
    """Root of every error raised by ``connectors``.

    ``connector`` is the connector's ``name`` (``"lti-ags"``, ``"canvas"``…), ``url`` the request URL
    (without credentials), ``status`` the HTTP status if a response arrived, ``response`` that response.
    """

    def __init__(
        self,
        connector: str,
        url: str,
        message: str = "",
        *,
        status: int | None = None,
        response: requests.Response | None = None,
    ) -> None:
        self.connector = connector
        self.url = url
        self.status = status
        self.response = response
        self.message = message or _first_line(type(self).__doc__)
        super().__init__(self.message)

    def __str__(self) -> str:
        status = f" (HTTP {self.status})" if self.status is not None else ""
        return f"{self.connector}: {self.message}{status} [{self.url}]"


def _first_line(doc: str | None) -> str:
    return doc.strip().splitlines()[0] if doc else "connector error"


class ConnectorUnavailable(ConnectorError):
    """The outside system could not be reached: timeout, connection error, or 5xx after retries."""


class RateLimited(ConnectorUnavailable):
    """The outside system kept answering 429 Too Many Requests after the retry budget was spent.

    ``retry_after`` is the delay in seconds the server last asked for, if it said.
    """

    def __init__(
        self,
        connector: str,
        url: str,
        message: str = "",
        *,
        status: int | None = 429,
        response: requests.Response | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(connector, url, message, status=status, response=response)
        self.retry_after = retry_after


class ConnectorAuthError(ConnectorError):
    """The outside system refused our credentials (401/403, also after a token refresh)."""


class ConnectorBadResponse(ConnectorError):
    """The answer was unusable: malformed JSON, wrong media type, missing fields, paging loop, huge page."""


class ConnectorNotFound(ConnectorError):
    """The outside system answered 404 Not Found (or 410 Gone) for the resource."""


class ConnectorRequestError(ConnectorError):
    """The outside system rejected the request as invalid (another 4xx: 400, 409, 415, 422…)."""


def error_for_status(
    connector: str,
    url: str,
    status: int,
    response: requests.Response | None = None,
    *,
    retry_after: float | None = None,
) -> ConnectorError:
    """Translate an HTTP error status into the tree: 401/403 auth, 404/410 not found, 429, 5xx, other 4xx."""
    if status == 429:
        return RateLimited(connector, url, "too many requests", response=response, retry_after=retry_after)
    kind: type[ConnectorError] = ConnectorRequestError
    if status in (401, 403):
        kind = ConnectorAuthError
    elif status in (404, 410):
        kind = ConnectorNotFound
    elif status >= 500:
        kind = ConnectorUnavailable
    return kind(connector, url, f"HTTP {status}", status=status, response=response)


__all__ = [
    "ConnectorAuthError",
    "ConnectorBadResponse",
    "ConnectorError",
    "ConnectorNotFound",
    "ConnectorRequestError",
    "ConnectorUnavailable",
    "RateLimited",
    "error_for_status",
]
