"""Pages fetched ahead in a worker thread, so a sync's database work overlaps the HTTP waits for the next pages.

The pages of an LTI service collection (AGS 2.0 §3.2, NRPS 2.0 §2.4) can only be fetched one after another (each
``next`` URL arrives with the page before), so at most one request is in flight; what overlaps is the storing of
the pages already fetched.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterator
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
    queue: Queue[tuple[str, Any]] = Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.05)
                return True
            except Full:
                continue
        return False

    def work() -> None:
        try:
            for page in pages:
                if not offer(("page", page)):
                    return
            offer(("done", None))
        except BaseException as err:  # handed to the consumer, raised there in order
            offer(("error", err))

    worker = threading.Thread(target=work, name="sync-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            try:
                kind, value = queue.get(timeout=patience)
            except Empty:
                before_wait()
                kind, value = queue.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        worker.join()
