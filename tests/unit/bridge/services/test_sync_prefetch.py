"""``prefetched``: pages fetched ahead in a thread arrive in order, errors after the pages before them."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from bridge.services.prefetch import prefetched


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
    assert len(fetched) <= 4 and not any(t.name == "sync-prefetch" for t in threading.enumerate())
