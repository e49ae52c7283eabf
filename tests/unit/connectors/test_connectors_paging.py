"""Link-header paging (RFC 8288): next links followed exactly, loops and runaways refused, resumable."""

from __future__ import annotations

import pytest
import responses
from connectors_support import FakeClock

from connectors import errors
from connectors.http import HttpConnector
from connectors.paging import parse_link_header

BASE = "https://canvas.example.edu/api/lti/courses/7/line_items"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ('<https://x/a?Page=2>; rel="next"', {"next": "https://x/a?Page=2"}),
        (
            '<https://x/a?p=1>; rel="first", <https://x/a?p=3>; REL=Next',
            {"first": "https://x/a?p=1", "next": "https://x/a?p=3"},
        ),
        ('<https://x/a?p=2,3>; rel="next prev"', {"next": "https://x/a?p=2,3", "prev": "https://x/a?p=2,3"}),
        ("</other?Cursor=AbC>; rel=differences", {"differences": "https://x/other?Cursor=AbC"}),
        # Moodle gradebookservices: typographic quotes and an HTML-escaped query.
        ("<https://m/l?limit=2&amp;from=2>; rel=\u201cnext\u201d", {"next": "https://m/l?limit=2&from=2"}),
        (
            "<https://m/l?from=2>; rel=\u00e2\u0080\u009cnext\u00e2\u0080\u009d",
            {"next": "https://m/l?from=2"},
        ),
        ('<https://x/a>; title="no rel"', {}),
        (None, {}),
    ],
)
def test_link_header_parsing(header: str | None, expected: dict[str, str]) -> None:
    assert parse_link_header(header, base_url="https://x/a") == expected


def test_mixed_case_next_links_are_followed_exactly(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    page2 = f"{BASE}?page=bookmark:WyJBc3NpZ25tZW50IiwgN10&per_page=10"
    mocked.get(BASE, json=[1], headers={"Link": f'<{page2}>; rel="next", <{BASE}?page=first>; rel="first"'})
    mocked.get(page2, json=[2])
    pages = list(HttpConnector(sleep=clock.sleep).iter_pages(BASE, accept="application/json"))
    assert [page.data for page in pages] == [[1], [2]]
    assert mocked.calls[1].request.url == page2
    assert pages[1].url == page2 and pages[1].number == 2


def test_a_repeating_next_link_is_a_loop(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    page2 = f"{BASE}?page=2"
    mocked.get(BASE, json=[1], headers={"Link": f'<{page2}>; rel="next"'})
    mocked.get(page2, json=[2], headers={"Link": f'<{BASE}>; rel="next"'})
    seen = []
    with pytest.raises(errors.ConnectorBadResponse, match="loop") as caught:
        for page in HttpConnector(sleep=clock.sleep).iter_pages(BASE, accept="application/json"):
            seen.append(page.data)
    assert seen == [[1], [2]]
    assert caught.value.url == BASE
    assert len(mocked.calls) == 2


def test_page_count_is_capped(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    for number in range(1, 6):
        mocked.get(
            f"{BASE}?page={number}",
            json=[number],
            headers={"Link": f'<{BASE}?page={number + 1}>; rel="next"'},
        )
    http = HttpConnector(sleep=clock.sleep, max_pages=3)
    with pytest.raises(errors.ConnectorBadResponse, match="more than 3 pages") as caught:
        list(http.iter_pages(f"{BASE}?page=1", accept="application/json"))
    assert caught.value.url == f"{BASE}?page=4"


def test_a_huge_page_fails_and_names_the_page_to_resume_from(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    page2 = f"{BASE}?page=2"
    mocked.get(BASE, json=[1], headers={"Link": f'<{page2}>; rel="next"'})
    mocked.get(page2, json=list(range(10_000)))
    mocked.get(page2, json=[2])
    http = HttpConnector(sleep=clock.sleep, max_page_bytes=1000)
    done = []
    with pytest.raises(errors.ConnectorBadResponse, match="larger than") as caught:
        for page in http.iter_pages(BASE, accept="application/json"):
            done.append(page.url)
    assert done == [BASE]
    resumed = [page.data for page in http.iter_pages(caught.value.url, accept="application/json")]
    assert resumed == [[2]]


def test_first_request_params_are_not_repeated_on_next_pages(mocked: responses.RequestsMock, clock: FakeClock) -> None:
    page2 = f"{BASE}?limit=1&Cursor=B"
    mocked.get(f"{BASE}?limit=1", json=[1], headers={"Link": f'<{page2}>; rel="next"'})
    mocked.get(page2, json=[2])
    http = HttpConnector(sleep=clock.sleep)
    assert [p.data for p in http.iter_pages(BASE, accept="application/json", params={"limit": "1"})] == [
        [1],
        [2],
    ]
    assert mocked.calls[1].request.url == page2
