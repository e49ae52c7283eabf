"""Launch URL construction: `xml:base` chain + resource href + item parameters.

Implements SCORM CAM 1.2 section 2.3.4 / CAM 2004 3.4.1 (`xml:base` on manifest, resources and
resource, resolved per RFC 3986 section 5.2) and the CAM 2004 rule for `<item parameters>`: strip a
leading "?" or "&"; a fragment ("#…") is appended only if the URL has none; otherwise append with
"&" when the URL already has a query and "?" when it has none. A relative reference that would climb
above the content root is refused: the player serves only files inside the package.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

from scorm.errors import ManifestError

_ALLOWED_SCHEMES = frozenset({"http", "https"})


def _escape_error(what: str) -> ManifestError:
    return ManifestError(
        f"The manifest refers to {what!r}, which points outside the package. Every href must be a path "
        "inside the zip (no leading '/', no '..' above the package folder)."
    )


def _merge(base: str, ref: str) -> str:
    if not ref:
        return base
    if ref.startswith("/"):
        raise _escape_error(ref)
    if not base or base.endswith("/"):
        return base + ref
    return base.rsplit("/", 1)[0] + "/" + ref if "/" in base else ref


def normalize_path(path: str, original: str) -> str:
    """Resolve "." and ".." segments; refuse a path that climbs above the root."""
    path = path.replace("\\", "/")
    stack: list[str] = []
    segments = path.split("/")
    for segment in segments:
        decoded = unquote(segment)
        if decoded in ("..", "..\\") or decoded.replace("\\", "/").startswith("../"):
            if not stack:
                raise _escape_error(original)
            stack.pop()
        elif segment not in (".", ""):
            stack.append(segment)
    trailing = "/" if segments[-1] in ("", ".", "..") and stack else ""
    return "/".join(stack) + trailing


def _is_absolute(ref: str) -> bool:
    scheme = urlsplit(ref).scheme
    return bool(scheme) and len(scheme) > 1  # "C:" is a drive letter, not a scheme


def resolve_href(bases: Iterable[str | None], href: str) -> str:
    """Resolve `href` against the `xml:base` values from outermost to innermost."""
    path = ""
    for ref in [*(b for b in bases if b), href]:
        ref = ref.strip()
        if _is_absolute(ref):
            if urlsplit(ref).scheme.lower() not in _ALLOWED_SCHEMES:
                raise ManifestError(
                    f"The manifest refers to {ref!r}; only http(s) URLs or paths inside the package work."
                )
            path = ref
            continue
        if _is_absolute(path):
            path = _join_absolute(path, ref)
            continue
        path = _merge(path, ref)
    if _is_absolute(path):
        return path
    parts = urlsplit(path)
    clean = normalize_path(parts.path, href)
    return urlunsplit(("", "", clean, parts.query, parts.fragment))


def _join_absolute(base: str, ref: str) -> str:
    return urljoin(base, ref)


def add_parameters(url: str, parameters: str | None) -> str:
    """Append an item's `parameters` to a launch URL (CAM 2004 3.4.1.5)."""
    if not parameters:
        return url
    params = parameters.strip().lstrip("?&")
    if not params:
        return url
    if params.startswith("#"):
        return url if "#" in url else url + params
    fragment = ""
    if "#" in url:
        url, fragment = url.split("#", 1)
        fragment = "#" + fragment
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}{params}{fragment}"
