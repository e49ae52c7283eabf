"""Retry policy for connectors: exponential backoff with full jitter, ``Retry-After``, a budget.

- Backoff: "full jitter" (AWS Architecture Blog, *Exponential Backoff and Jitter*): sleep a uniform random
  time in ``[0, min(cap, base * 2**attempt)]`` so that many workers retrying at once spread out.
- ``Retry-After`` (RFC 9110 §10.2.3) is either delay-seconds or an HTTP-date; when present it replaces the
  jittered delay, because the server told us exactly when it will talk to us again.
- A budget bounds both the number of attempts and the total time spent sleeping; a server asking for a longer
  wait than the remaining budget ends the retries at once instead of blocking a sync job.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# 429 and 503 mean "not processed, come back later": safe to repeat even for a POST.
RETRY_ALWAYS = frozenset({429, 503})
# 502 and 504 come from a proxy that may have forwarded the request: repeat only idempotent requests.
RETRY_IF_IDEMPOTENT = frozenset({502, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard a connector tries before giving up.

    ``max_attempts`` counts the first try; ``max_total_sleep`` (seconds) is the sum of all waits, including
    those a server asked for with ``Retry-After``; ``base``/``cap`` shape the exponential backoff.
    """

    max_attempts: int = 4
    max_total_sleep: float = 30.0
    base: float = 0.5
    cap: float = 8.0

    def should_retry_status(self, status: int, *, idempotent: bool) -> bool:
        """True when an answer with ``status`` may be retried."""
        return status in RETRY_ALWAYS or (idempotent and status in RETRY_IF_IDEMPOTENT)

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full-jitter delay before retry number ``attempt`` (1 for the first retry)."""
        ceiling = min(self.cap, self.base * (2 ** (attempt - 1)))
        return rng.uniform(0.0, ceiling)


def parse_retry_after(value: str | None, *, now: Callable[[], datetime]) -> float | None:
    """Seconds to wait according to a ``Retry-After`` header, or None if absent or unreadable.

    Accepts delay-seconds (``"120"``) and an HTTP-date (``"Wed, 21 Oct 2015 07:28:00 GMT"``); a date in the
    past means "now" (0 seconds).
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now()).total_seconds())


def utc_now() -> datetime:
    """The current time, timezone-aware (the default clock for ``Retry-After`` dates)."""
    return datetime.now(UTC)
