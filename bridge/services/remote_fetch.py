"""Fetching what verification needs from other hosts: did:web documents, status lists, trust lists, credentials.

HTTPS only, through the shared session (timeouts, User-Agent: connectors.http), bounded in size, redirects
followed by hand (at most 3) so that every hop is checked, and never to loopback, private or link-local
addresses: the URLs come from credentials strangers hand us (server-side request forgery).  Answers are
cached in the key-value store for a caller-given time.
"""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from bridge.services.cache import KeyValueStore

MAX_BYTES = 2_000_000
_REDIRECTS = 3
HostCheck = Callable[[str], bool]


class FetchError(Exception):
    """A remote document could not be fetched; the message is safe to show."""


def is_public_host(host: str) -> bool:
    """False for hosts that are (or resolve to) loopback, private, link-local or reserved addresses."""
    try:
        infos = socket.getaddrinfo(host, 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return True  # unresolvable: the request fails on its own
    return all(ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]).is_global for info in infos)


class RemoteFetcher:
    """GETs HTTPS documents with caching; ``host_check`` guards every hop."""

    def __init__(self, http: requests.Session, cache: KeyValueStore | None = None, *,
                 host_check: HostCheck = is_public_host, max_bytes: int = MAX_BYTES) -> None:
        self.http, self.cache, self.host_check, self.max_bytes = http, cache, host_check, max_bytes

    def text(self, url: str, *, accept: str, ttl: int = 0) -> str:
        key = f"fetch:{accept}:{url}"
        if self.cache is not None and ttl > 0:
            cached = self.cache.get(key)
            if isinstance(cached, str):
                return cached
        body = self._get(url, accept)
        if self.cache is not None and ttl > 0:
            self.cache.set(key, body, ttl)
        return body

    def json(self, url: str, *, accept: str = "application/json", ttl: int = 0) -> Any:
        try:
            return json.loads(self.text(url, accept=accept, ttl=ttl))
        except ValueError as err:
            raise FetchError(f"{url} did not return JSON") from err

    def _get(self, url: str, accept: str) -> str:
        for _ in range(_REDIRECTS + 1):
            parts = urlsplit(url)
            if parts.scheme != "https" or not parts.hostname:
                raise FetchError(f"only https:// addresses are fetched, not {url!r}")
            if not self.host_check(parts.hostname):
                raise FetchError(f"{parts.hostname} is not a public address")
            try:
                response = self.http.get(url, headers={"Accept": accept}, allow_redirects=False, stream=True)
            except requests.RequestException as err:
                raise FetchError(f"{parts.hostname} could not be reached") from err
            with response:
                if response.is_redirect and response.headers.get("Location"):
                    url = urljoin(url, response.headers["Location"])
                    continue
                if response.status_code != 200:
                    raise FetchError(f"{url} answered HTTP {response.status_code}")
                return self._read(response, url)
        raise FetchError(f"{url} redirects too often")

    def _read(self, response: requests.Response, url: str) -> str:
        chunks, size = [], 0
        for chunk in response.iter_content(65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise FetchError(f"{url} is larger than {self.max_bytes} bytes")
            chunks.append(chunk)
        return b"".join(chunks).decode(response.encoding or "utf-8", errors="replace")
