"""Pages fetched ahead in worker threads, so a sync's database work overlaps the HTTP waits for the next pages.

The pages of an LTI service collection (AGS 2.0 §3.2, NRPS 2.0 §2.4) can only be fetched one after another (each
``next`` URL arrives with the page before), so one collection has at most one request in flight
(:func:`prefetched`); separate collections (the results of different line items) can be fetched side by side
by a small pool (:func:`prefetched_many`), which keeps the platform busy while each answer travels and is
decoded here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from queue import Empty, Full, Queue
from typing import Any, TypeVar

T = TypeVar("T")
PREFETCH_PAGES = 4  # pages fetched ahead of the database work


def prefetched(pages: Iterator[T], *, depth: int = PREFETCH_PAGES, patience: float = 0.05,
               before_wait: Callable[[], None] = lambda: None) -> Generator[T, None, None]:
    """Yield ``pages`` while a worker thread fetches up to ``depth`` pages ahead.

    The database work of a page then overlaps the HTTP waits for the next ones, and a slow page on either
    side (a commit, a slow answer) is absorbed instead of stalling the other. ``before_wait`` runs when no
    page has arrived within ``patience`` seconds, before waiting on: the sync commits there, so it never
    waits long for the worker while holding a write lock the worker may need (a token refresh writes the
    token cache), yet does not commit after every page when pages follow each other closely. Order and
    failure semantics are those of ``pages``: an error fetching page N+1 surfaces only after pages up to N
    were yielded (and stored). Closing the generator early stops the worker after its current request.
    """
    many = prefetched_many([(None, lambda: pages)], workers=1, depth=depth, patience=patience,
                           before_wait=before_wait)
    try:
        yield from (page for _, page in many if page is not None)
    finally:
        many.close()  # closing early stops the worker after its current request


K = TypeVar("K")
PREFETCH_SOURCES = 3  # collections fetched at once by prefetched_many: a small, polite pool


def prefetched_many(sources: Iterable[tuple[K, Callable[[], Iterator[T]]]], *, workers: int = PREFETCH_SOURCES,
                    depth: int = 2 * PREFETCH_PAGES, patience: float = 0.05,
                    before_wait: Callable[[], None] = lambda: None) -> Generator[tuple[K, T | None], None, None]:
    """Fetch several paged collections at once, ``workers`` at a time, and yield their pages as they arrive.

    ``sources`` are ``(key, open)`` pairs, started in their order; ``open()`` (called in a worker thread)
    returns the collection's page iterator, which also runs there, so it may parse as well as fetch. Yields
    ``(key, page)`` for each page, in order within one collection but interleaved between collections, then
    ``(key, None)`` once that collection is complete. At most ``depth`` pages wait in memory. ``before_wait``
    and ``patience`` are those of :func:`prefetched`. The first error of any collection is raised after
    the pages that arrived before it; no collection is started after it, and closing the generator (or the
    error) stops every worker after its current request.
    """
    queue: Queue[tuple[str, Any, Any]] = Queue(maxsize=depth)
    stop, failed = threading.Event(), threading.Event()
    pending = iter(sources)
    take = threading.Lock()

    def offer(item: tuple[str, Any, Any]) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.05)
                return True
            except Full:
                continue
        return False

    def next_source() -> tuple[K, Callable[[], Iterator[T]]] | None:
        with take:
            return None if stop.is_set() or failed.is_set() else next(pending, None)

    def work() -> None:
        key: Any = None
        try:
            while (source := next_source()) is not None:
                key, open_pages = source
                for page in open_pages():
                    if not offer(("page", key, page)):
                        return
                if not offer(("end", key, None)):
                    return
        except BaseException as err:  # handed to the consumer, raised there in order (also if ``sources`` fails)
            failed.set()
            offer(("error", key, err))
            return
        offer(("idle", None, None))

    threads = [threading.Thread(target=work, name=f"sync-prefetch-{n}", daemon=True) for n in range(max(1, workers))]
    for thread in threads:
        thread.start()
    try:
        idle = 0
        while idle < len(threads):
            try:
                kind, key, value = queue.get(timeout=patience)
            except Empty:
                before_wait()
                kind, key, value = queue.get()
            if kind == "idle":
                idle += 1
            elif kind == "error":
                raise value
            else:
                yield key, value if kind == "page" else None
    finally:
        stop.set()
        for thread in threads:
            thread.join()
