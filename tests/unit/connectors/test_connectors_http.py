"""HttpConnector and make_session: timeouts, retries with Retry-After, budgets, error translation, JSON."""

from __future__ import annotations

import random

import pytest
import requests
import responses
from connectors_support import FakeClock

from connectors import errors
from connectors.http import HttpConnector, make_session
from connectors.retry import RetryPolicy

URL = "https://api.example.edu/thing"


def connector(clock: FakeClock, **kwargs: object) -> HttpConnector:
    return HttpConnector(sleep=clock.sleep, now=clock.utc, rng=random.Random(7), **kwargs)  # type: ignore[arg-type]


def test_session_sends_default_timeout_and_user_agent(mocked: responses.RequestsMock) -> None:
    mocked.get(URL, json={})
    session = make_session(timeout=4.5)
    session.get(URL)
    session.get(URL, timeout=1.0)
    sent = [getattr(call.request, "req_kwargs", {}).get("timeout") for call in mocked.calls]
    assert sent == [4.5, 1.0]
    assert mocked.calls[0].request.headers["User-Agent"] == "credential-bridge/0.1"
    assert isinstance(session, requests.Session)


def test_retry_after_seconds_is_honoured(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.get(URL, status=503, headers={"Retry-After": "7"})
    mocked.get(URL, json={"ok": True})
    data, _ = connector(clock).request_json("GET", URL, accept="application/json")
    assert data == {"ok": True}
    assert clock.sleeps == [7.0]


def test_retry_after_http_date_is_honoured(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    when = clock.utc().timestamp() + 12
    from email.utils import formatdate

    mocked.get(URL, status=429, headers={"Retry-After": formatdate(when, usegmt=True)})
    mocked.get(URL, json={})
    connector(clock).request("GET", URL)
    assert clock.sleeps == [pytest.approx(12.0, abs=1.0)]


def test_retry_after_holds_back_the_connectors_other_requests(mocked: responses.RequestsMock,
                                                              clock: FakeClock) -> None:
    """A request started (on another thread) while one waits out a 429 waits too, instead of piling on."""
    other = URL + "/other"
    mocked.get(URL, status=429, headers={"Retry-After": "5"})
    mocked.get(URL, json={"n": 1})
    mocked.get(other, json={"n": 2})
    during: list[object] = []

    def sleep(seconds: float) -> None:
        if not during:  # the first wait: meanwhile another caller asks the same platform
            during.append("asking")
            during[0] = lms.request_json("GET", other, accept="application/json")[0]
        clock.sleep(seconds)

    lms = HttpConnector(sleep=sleep, now=clock.utc, rng=random.Random(7))
    assert lms.request_json("GET", URL, accept="application/json")[0] == {"n": 1}
    assert during == [{"n": 2}] and clock.sleeps == [5.0, 5.0]  # the other request waited the 5 s out first
    assert [call.request.url for call in mocked.calls] == [URL, other, URL]


def test_backoff_is_full_jitter_within_the_cap(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    for _ in range(3):
        mocked.get(URL, status=502)
    mocked.get(URL, json={})
    policy = RetryPolicy(max_attempts=4, base=1.0, cap=3.0)
    connector(clock, retry=policy).request("GET", URL)
    assert len(clock.sleeps) == 3
    assert [s <= c for s, c in zip(clock.sleeps, [1.0, 2.0, 3.0], strict=True)] == [True] * 3


def test_attempt_budget_exhausted_raises_rate_limited(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.get(URL, status=429, headers={"Retry-After": "1"})
    with pytest.raises(errors.RateLimited) as caught:
        connector(clock, retry=RetryPolicy(max_attempts=3)).request("GET", URL)
    assert len(mocked.calls) == 3
    assert caught.value.retry_after == 1.0
    assert isinstance(caught.value, errors.ConnectorUnavailable)


def test_retry_after_beyond_sleep_budget_gives_up_at_once(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.get(URL, status=503, headers={"Retry-After": "3600"})
    with pytest.raises(errors.ConnectorUnavailable) as caught:
        connector(clock, retry=RetryPolicy(max_total_sleep=30)).request("GET", URL)
    assert caught.value.status == 503
    assert clock.sleeps == []
    assert len(mocked.calls) == 1


def test_post_is_not_repeated_after_a_gateway_error(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.post(URL, status=502)
    with pytest.raises(errors.ConnectorUnavailable):
        connector(clock).request("POST", URL, json_body={"a": 1})
    assert len(mocked.calls) == 1


def test_connection_errors_are_retried_then_translated(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.get(URL, body=requests.ConnectionError("reset"))
    with pytest.raises(errors.ConnectorUnavailable) as caught:
        connector(clock, retry=RetryPolicy(max_attempts=2)).request("GET", URL)
    assert isinstance(caught.value.__cause__, requests.ConnectionError)
    assert caught.value.url == URL and caught.value.connector == "http"
    assert len(mocked.calls) == 2


def test_timeout_becomes_unavailable(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.get(URL, body=requests.ReadTimeout("slow"))
    with pytest.raises(errors.ConnectorUnavailable) as caught:
        connector(clock, retry=RetryPolicy(max_attempts=1)).request("GET", URL)
    assert isinstance(caught.value.__cause__, requests.Timeout)


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, errors.ConnectorRequestError),
        (401, errors.ConnectorAuthError),
        (403, errors.ConnectorAuthError),
        (404, errors.ConnectorNotFound),
        (410, errors.ConnectorNotFound),
        (422, errors.ConnectorRequestError),
        (500, errors.ConnectorUnavailable),
    ],
)
def test_status_codes_map_to_the_error_tree(
    mocked: responses.RequestsMock, clock: FakeClock, status: int, kind: type[errors.ConnectorError]
) -> None:
    mocked.get(URL, status=status)
    with pytest.raises(kind) as caught:
        connector(clock).request("GET", URL)
    assert caught.value.status == status
    assert caught.value.response is not None
    assert str(status) in str(caught.value)


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"<html>login</html>", "text/html", "expected"),
        (b"{not json", "application/json", "malformed JSON"),
        (b'{"a": 1}', "", "expected"),
    ],
)
def test_unusable_bodies_are_bad_responses(
    mocked: responses.RequestsMock, clock: FakeClock, body: bytes, content_type: str, reason: str
) -> None:
    mocked.get(URL, body=body, content_type=content_type or None)
    with pytest.raises(errors.ConnectorBadResponse, match=reason):
        connector(clock).request_json("GET", URL, accept="application/vnd.example+json")


def test_vendor_media_type_and_plain_json_are_accepted(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.get(URL, body=b"[1]", content_type="application/vnd.example+json; charset=utf-8")
    mocked.get(URL, body=b"[2]", content_type="application/json")
    http = connector(clock)
    assert http.request_json("GET", URL, accept="application/vnd.example+json")[0] == [1]
    assert http.request_json("GET", URL, accept="application/vnd.example+json")[0] == [2]


def test_oversized_body_is_refused_without_keeping_it(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    mocked.get(URL, body=b"[" + b"1," * 5000 + b"1]", content_type="application/json")
    with pytest.raises(errors.ConnectorBadResponse, match="larger than"):
        connector(clock).request("GET", URL, max_bytes=1000)


def test_environment_proxies_and_ca_bundle_apply_as_in_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.edu:3128")
    monkeypatch.setenv("NO_PROXY", "intranet.example.edu")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/campus.pem")
    ours, plain = make_session(), requests.Session()
    for url in ("https://api.example.edu/a", "https://api.example.edu/b?page=2", "https://intranet.example.edu/x",
                "http://api.example.edu/c"):
        for stream in (None, True):
            got = ours.merge_environment_settings(url, {}, stream, None, None)
            assert got == plain.merge_environment_settings(url, {}, stream, None, None), url
    got = ours.merge_environment_settings("https://api.example.edu/a", {}, None, None, None)
    assert got["proxies"]["https"] == "http://proxy.example.edu:3128" and got["verify"] == "/etc/ssl/campus.pem"
    got["proxies"].clear()  # a caller changing the answer does not change the next one
    assert ours.merge_environment_settings("https://api.example.edu/z", {}, None, None, None)["proxies"]
    assert "https" not in ours.merge_environment_settings("https://intranet.example.edu/y", {}, None, None, None)[
        "proxies"]
