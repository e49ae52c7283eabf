"""``prefetched``: pages fetched ahead in a thread arrive in order, errors after the pages before them."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from bridge.services.prefetch import prefetched, prefetched_many


class Boom(Exception):
    pass


def _pages(count: int, fail_at: int | None = None, fetched: list[int] | None = None) -> Iterator[int]:
    for n in range(count):
        if n == fail_at:
            raise Boom(f"page {n}")
        if fetched is not None:
            fetched.append(n)
        yield n


def _slow(count: int, gate: threading.Event) -> Iterator[int]:
    for n in range(count):
        if n == 2:
            gate.wait(timeout=30)  # page 2 arrives once the consumer announced its wait
        yield n


def test_pages_arrive_in_order_and_long_waits_are_announced() -> None:
    gate = threading.Event()
    waits: list[int] = []
    seen: list[int] = []

    def announce() -> None:
        waits.append(len(seen))
        gate.set()

    for page in prefetched(_slow(50, gate), depth=3, patience=0.01, before_wait=announce):
        seen.append(page)
    assert seen == list(range(50)) and 2 in waits  # (under load an earlier page may be waited for too)


def test_an_error_surfaces_after_every_page_before_it() -> None:
    seen: list[int] = []
    with pytest.raises(Boom, match="page 7"):
        for page in prefetched(_pages(20, fail_at=7), depth=4):
            seen.append(page)
    assert seen == list(range(7))


def test_closing_early_stops_the_worker() -> None:
    fetched: list[int] = []
    pages = prefetched(_pages(10_000, fetched=fetched), depth=2)
    assert next(pages) == 0
    pages.close()  # joins the worker
    assert len(fetched) <= 4 and not any(t.name.startswith("sync-prefetch") for t in threading.enumerate())


def _source(key: str, count: int, fail_at: int | None = None, opened: list[str] | None = None,
            gate: threading.Event | None = None):  # type: ignore[no-untyped-def]
    def pages() -> Iterator[str]:
        if opened is not None:
            opened.append(key)
        for n in range(count):
            if gate is not None and n == 1:
                gate.wait(timeout=30)
            if n == fail_at:
                raise Boom(f"{key} page {n}")
            yield f"{key}{n}"
    return key, pages


def test_many_sources_each_in_order_each_ended_once() -> None:
    seen: dict[str, list[str | None]] = {}
    for key, page in prefetched_many([_source(k, 30) for k in "abcde"], workers=3, depth=4):
        seen.setdefault(key, []).append(page)
    assert seen == {k: [f"{k}{n}" for n in range(30)] + [None] for k in "abcde"}


def test_sources_are_fetched_side_by_side_by_the_pool_only() -> None:
    gate, opened = threading.Event(), []  # every source stalls at its second page until the gate opens
    events = prefetched_many([_source(k, 3, opened=opened, gate=gate) for k in "abcde"], workers=3, depth=8)
    firsts = [next(events) for _ in range(3)]
    assert sorted(key for key, _ in firsts) == ["a", "b", "c"] and sorted(opened) == ["a", "b", "c"]
    gate.set()
    rest = list(events)
    assert sum(page is None for _, page in rest) == 5 and sorted(opened) == list("abcde")


def test_an_error_of_one_source_surfaces_after_its_pages_and_starts_no_other() -> None:
    seen: list[tuple[str, str | None]] = []
    opened: list[str] = []
    with pytest.raises(Boom, match="b page 3"):
        for event in prefetched_many([_source("a", 5, opened=opened), _source("b", 9, fail_at=3, opened=opened),
                                      *(_source(f"c{n}", 2, opened=opened) for n in range(50))], workers=2, depth=2):
            seen.append(event)
    assert [page for key, page in seen if key == "b"] == ["b0", "b1", "b2"]
    assert len(opened) < 52 and not any(t.name.startswith("sync-prefetch") for t in threading.enumerate())


def test_closing_many_early_stops_every_worker() -> None:
    events = prefetched_many([_source(k, 10_000) for k in "abc"], workers=3, depth=2)
    next(events)
    events.close()
    assert not any(t.name.startswith("sync-prefetch") for t in threading.enumerate())


def test_a_failing_list_of_sources_is_raised_not_waited_for() -> None:
    def sources():  # type: ignore[no-untyped-def]
        yield _source("a", 3)
        raise Boom("no more line items")

    seen = []
    with pytest.raises(Boom, match="no more line items"):
        for event in prefetched_many(sources(), workers=2, depth=2):
            seen.append(event)
    assert set(seen) <= {("a", "a0"), ("a", "a1"), ("a", "a2"), ("a", None)}
