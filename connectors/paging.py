"""Web Linking (RFC 8288) for paged LTI services: parse ``Link`` headers without touching the URLs.

AGS 2.0 (§3.2 "Container request filters", paging) and NRPS 2.0 (§2.4 "Limit query parameter" and §2.5
"Membership differences") page with ``Link: <url>; rel="next"`` and announce ``rel="differences"``.
The URL must be followed exactly as given: pylti1p3 2.0 lower-cases the header value, which breaks Canvas's
case-sensitive page tokens. Relation types, on the other hand, are case-insensitive (RFC 8288 §2.1.1).

Two real-world defects are tolerated, both in Moodle's ``gradebookservices`` (lineitems.php, results.php):
the relation is quoted with typographic quotes (``rel=“next”``), and the URL is HTML-escaped (``&amp;``)
because it comes from ``moodle_url::out()``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

# fetch(url, params) -> (decoded page, final URL, Link header)
PageFetcher = Callable[[str, Mapping[str, str] | None], tuple[Any, str, str | None]]

# One link-value: "<" URI-Reference ">" followed by its parameters up to the next "<" (RFC 8288 §3).
_LINK_VALUE = re.compile(r"<([^>]*)>([^<]*)")
_REL_PARAM = re.compile(r"""(?:^|;)\s*rel\s*=\s*("[^"]*"|[^;,]*)""", re.IGNORECASE)
# Typographic quotes, also as they look after HTTP's latin-1 decoding of their UTF-8 bytes.
_ODD_QUOTES = ("\u201c", "\u201d", "\u00e2\u0080\u009c", "\u00e2\u0080\u009d", '"', "'")


def _relation_types(raw: str) -> list[str]:
    value = raw.strip()
    for quote in _ODD_QUOTES:
        value = value.replace(quote, " ")
    return [rel.lower() for rel in value.split()]


def parse_link_header(header: str | None, *, base_url: str) -> dict[str, str]:
    """Map each relation type in a ``Link`` header to its target URL (the first one wins).

    Relative references are resolved against ``base_url`` (RFC 8288 §3.1); the URL's case, path and query are
    otherwise kept exactly as sent, apart from un-escaping ``&amp;`` (see the module docstring).
    """
    links: dict[str, str] = {}
    if not header:
        return links
    for match in _LINK_VALUE.finditer(header):
        target = urljoin(base_url, match.group(1).strip().replace("&amp;", "&"))
        rel = _REL_PARAM.search(match.group(2))
        if rel is None:
            continue
        for relation in _relation_types(rel.group(1)):
            links.setdefault(relation, target)
    return links


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a paged collection: ``url`` is where it came from, so a caller can resume there."""

    url: str
    number: int
    data: Any = field(repr=False)
    links: Mapping[str, str]

    @property
    def next_url(self) -> str | None:
        return self.links.get("next")


def walk_pages(
    fetch: PageFetcher,
    url: str,
    *,
    params: Mapping[str, str] | None,
    max_pages: int,
    fail: Callable[[str, str], Exception],
) -> Iterator[Page]:
    """Yield pages from ``url`` on, following ``next``; ``fail(url, message)`` builds the error to raise.

    A ``next`` URL already fetched is a loop, more than ``max_pages`` pages is a runaway: both raise, so a
    collection is never silently cut short. ``params`` apply to the first request only, since the ``next``
    URL already carries the query.
    """
    seen: set[str] = set()
    next_url: str | None = url
    number = 0
    while next_url is not None:
        number += 1
        if number > max_pages:
            raise fail(next_url, f"more than {max_pages} pages")
        seen.add(next_url)
        data, final_url, link_header = fetch(next_url, params if number == 1 else None)
        links = parse_link_header(link_header, base_url=final_url)
        yield Page(url=next_url, number=number, data=data, links=links)
        next_url = links.get("next")
        if next_url is not None and next_url in seen:
            raise fail(next_url, "paging loop: the next page was already fetched")
