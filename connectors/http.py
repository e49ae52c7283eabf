"""HTTP for every connector: one session with timeouts, retries, error translation and paging.

Every outside call in the project goes through :func:`make_session` (house rule 6); the same session is
handed to pylti1p3 as ``requests_session=``, so it stays a drop-in ``requests.Session``.
:class:`HttpConnector` is the base class of every connector (after python-social-auth's ``BaseAuth``):
subclasses declare ``name`` and media types as class constants and override the
:meth:`HttpConnector.authorize` hook. Retries follow :mod:`connectors.retry` (a Retry-After the server sends
holds back every request of the same connector, on any thread, until it has passed); paging follows RFC 8288
(:mod:`connectors.paging`); errors are the tree in :mod:`connectors.errors`, raised ``from`` the cause.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

import requests

from connectors import errors
from connectors.paging import Page, walk_pages
from connectors.retry import IDEMPOTENT_METHODS, RetryPolicy, parse_retry_after, utc_now

DEFAULT_USER_AGENT = "credential-bridge/0.1"
DEFAULT_TIMEOUT = 10.0
T = TypeVar("T")


class TimeoutSession(requests.Session):
    """A ``requests.Session`` whose requests get ``default_timeout`` unless the caller passes ``timeout``."""

    def __init__(self, *, default_timeout: float = DEFAULT_TIMEOUT) -> None:
        super().__init__()
        self.default_timeout = default_timeout
        self._environment: dict[tuple[str, str, Any], Any] = {}

    def merge_environment_settings(self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any) -> Any:
        """requests' environment settings (proxy and CA-bundle variables), read once per origin.

        requests re-reads ``os.environ`` (``*_PROXY``, ``NO_PROXY``, ``REQUESTS_CA_BUNDLE``) for every request,
        which costs more CPU than fetching a page over a LAN; the answer depends only on the URL's origin,
        so it is kept per origin. Calls with their own proxies or certificate are not cached; the cache
        assumes the session's own ``proxies``/``verify``/``cert`` and the process environment are set before use.
        """
        if proxies or cert is not None or not isinstance(url, str):
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlsplit(url)
        key = (parts.scheme, parts.netloc, verify)
        found = self._environment.get(key)
        if found is None:
            found = self._environment[key] = super().merge_environment_settings(url, {}, None, verify, None)
        return {**found, "proxies": dict(found["proxies"]), "stream": self.stream if stream is None else stream}

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


@dataclass(frozen=True, slots=True)
class HttpResult:
    """One HTTP answer, its body already read (and bounded in size)."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes = field(repr=False)
    response: requests.Response = field(repr=False)

    @property
    def media_type(self) -> str:
        """The Content-Type without parameters, lower-cased (``""`` when absent)."""
        return self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()


class _NetworkFailure(Exception):
    def __init__(self, error: errors.ConnectorError, *, retryable: bool) -> None:
        super().__init__(str(error))
        self.error, self.retryable = error, retryable


class HttpConnector:
    """Base class owning HTTP for one outside system. Subclasses set the class constants below."""

    name: ClassVar[str] = "http"
    DEFAULT_HEADERS: ClassVar[Mapping[str, str]] = {}
    # Media types accepted in addition to the one a call asks for (many platforms answer plain JSON).
    LENIENT_MEDIA_TYPES: ClassVar[frozenset[str]] = frozenset({"application/json"})
    MAX_BODY_BYTES: ClassVar[int] = 8 * 1024 * 1024
    MAX_PAGES: ClassVar[int] = 1000

    def __init__(
        self,
        session: requests.Session | None = None,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        now: Callable[[], datetime] = utc_now,
        rng: random.Random | None = None,
        max_pages: int | None = None,
        max_page_bytes: int | None = None,
    ) -> None:
        self.session = session if session is not None else make_session()
        self.retry = retry or RetryPolicy()
        self._sleep, self._now, self._rng = sleep, now, rng or random.Random()
        self.max_pages = max_pages or self.MAX_PAGES
        self.max_page_bytes = max_page_bytes or self.MAX_BODY_BYTES
        # Until when the server asked us to wait (Retry-After), for every request of this connector: callers
        # on other threads (a sync fetches several collections at once) hold back too instead of piling on.
        self._paused_until: datetime | None = None

    def authorize(self, send: Callable[[Mapping[str, str]], T]) -> T:
        """Call ``send`` with the authentication headers; override to add tokens (and refresh on 401)."""
        return send({})

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        idempotent: bool | None = None,
        max_bytes: int | None = None,
    ) -> HttpResult:
        """Send one request (retrying transient failures) and return a 2xx/3xx answer, or raise.

        ``files`` sends ``multipart/form-data`` (name → (filename, bytes, media type)) next to the ``data`` fields.
        """
        method = method.upper()
        kwargs: dict[str, Any] = {"params": params, "data": data}
        if files is not None:
            kwargs["files"] = dict(files)
        if json_body is not None:
            kwargs["data"] = json.dumps(json_body).encode()

        def send(auth: Mapping[str, str]) -> HttpResult:
            merged = {**self.DEFAULT_HEADERS, **(headers or {}), **auth}
            result = self._send(method, url, headers=merged, max_bytes=max_bytes or self.MAX_BODY_BYTES,
                                idempotent=method in IDEMPOTENT_METHODS if idempotent is None else idempotent,
                                **kwargs)
            if result.status >= 400:
                raise self._status_error(result)
            return result

        return self.authorize(send)

    def request_json(
        self, method: str, url: str, *, accept: str, content_type: str | None = None, **kwargs: Any
    ) -> tuple[Any, HttpResult]:
        """Like :meth:`request`, with ``Accept: accept``, and decode the JSON answer (checking its type)."""
        headers = {"Accept": accept, **kwargs.pop("headers", {})}
        if content_type is not None:
            headers["Content-Type"] = content_type
        result = self.request(method, url, headers=headers, **kwargs)
        return self.decode_json(result, accept), result

    def decode_json(self, result: HttpResult, expected: str) -> Any:
        """Decode ``result`` as JSON of media type ``expected`` (or a lenient one); None for an empty 2xx."""
        if not result.body.strip() and result.status in (201, 202, 204):
            return None
        if result.media_type not in {expected.lower(), *self.LENIENT_MEDIA_TYPES}:
            raise self.bad_response(result.url, f"expected {expected}, got {result.media_type or 'none'}",
                                    result)
        try:
            return json.loads(result.body)
        except (ValueError, UnicodeDecodeError) as err:
            raise self.bad_response(result.url, "malformed JSON", result) from err

    def iter_pages(
        self, url: str, *, accept: str, params: Mapping[str, str] | None = None
    ) -> Iterator[Page]:
        """Yield each page of a collection, following ``rel="next"`` exactly as given.

        Raises :class:`~connectors.errors.ConnectorBadResponse` on a loop (a ``next`` URL seen before),
        on more than ``max_pages`` pages, or on a page above ``max_page_bytes``. An error's ``url`` is the
        page that failed: pages already yielded are good, and iteration can be resumed from that URL.
        """

        def fetch(page_url: str, page_params: Mapping[str, str] | None) -> tuple[Any, str, str | None]:
            data, result = self.request_json("GET", page_url, accept=accept, params=page_params,
                                             max_bytes=self.max_page_bytes)
            return data, result.url, result.headers.get("Link")

        return walk_pages(fetch, url, params=params, max_pages=self.max_pages, fail=self.bad_response)

    def bad_response(
        self, url: str, message: str, result: HttpResult | None = None
    ) -> errors.ConnectorBadResponse:
        """A :class:`ConnectorBadResponse` for this connector (for subclasses validating payloads)."""
        return errors.ConnectorBadResponse(
            self.name, url, message, status=result.status if result else None,
            response=result.response if result else None,
        )

    def _status_error(self, result: HttpResult) -> errors.ConnectorError:
        retry_after = parse_retry_after(result.headers.get("Retry-After"), now=self._now)
        return errors.error_for_status(self.name, result.url, result.status, result.response,
                                       retry_after=retry_after)

    def _send(self, method: str, url: str, *, idempotent: bool, **kwargs: Any) -> HttpResult:
        slept, attempt = 0.0, 1
        while True:
            self._hold_back()
            wait: float | None = None
            cause: BaseException | None = None
            try:
                result = self._send_once(method, url, idempotent=idempotent, **kwargs)
            except _NetworkFailure as failure:
                if not failure.retryable:
                    raise failure.error from failure.__cause__
                error: errors.ConnectorError = failure.error
                cause = failure.__cause__
            else:
                if not self.retry.should_retry_status(result.status, idempotent=idempotent):
                    return result
                error = self._status_error(result)
                wait = parse_retry_after(result.headers.get("Retry-After"), now=self._now)
            delay = wait if wait is not None else self.retry.backoff(attempt, self._rng)
            if attempt >= self.retry.max_attempts or slept + delay > self.retry.max_total_sleep:
                raise error from cause
            if wait is not None and wait > 0:
                until = self._now() + timedelta(seconds=wait)
                self._paused_until = max(until, self._paused_until or until)
            self._sleep(delay)
            slept, attempt = slept + delay, attempt + 1

    def _hold_back(self) -> None:
        """Wait out a Retry-After another request of this connector was given (once: never longer than asked)."""
        paused_until = self._paused_until
        if paused_until is not None:
            remaining = (paused_until - self._now()).total_seconds()
            if remaining > 0:
                self._sleep(remaining)

    def _send_once(
        self, method: str, url: str, *, idempotent: bool, max_bytes: int, **kwargs: Any
    ) -> HttpResult:
        try:
            response = self.session.request(method, url, stream=True, **kwargs)
            with response:
                body = self._read_body(response, max_bytes)
            # Streaming bounds the size; keeping the bytes lets callers use response.json()/.text as usual.
            response._content = body
        except requests.ConnectTimeout as err:  # never reached the server: always safe to repeat
            raise _NetworkFailure(self._unavailable(url, "connect timeout"), retryable=True) from err
        except requests.Timeout as err:
            raise _NetworkFailure(self._unavailable(url, "timeout"), retryable=idempotent) from err
        except requests.ConnectionError as err:
            raise _NetworkFailure(self._unavailable(url, "connection error"), retryable=idempotent) from err
        except requests.RequestException as err:
            error = errors.ConnectorError(self.name, url, f"request failed: {type(err).__name__}")
            raise _NetworkFailure(error, retryable=False) from err
        return HttpResult(url=response.url or url, status=response.status_code,
                          headers=response.headers, body=body, response=response)

    def _read_body(self, response: requests.Response, max_bytes: int) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise self.bad_response(response.url, f"response larger than {max_bytes} bytes")
        chunks, size = [], 0
        for chunk in response.iter_content(chunk_size=64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise self.bad_response(response.url, f"response larger than {max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def _unavailable(self, url: str, message: str) -> errors.ConnectorUnavailable:
        return errors.ConnectorUnavailable(self.name, url, message)
