"""Media-type checks and RFC 8288 `Link` paging shared by the AGS and NRPS endpoints."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import Response, request

from .errors import ProtocolError

T = TypeVar("T")
MAX_LIMIT = 1000


def require_accept(media_type: str) -> None:
    """406 unless the Accept header (if any) admits `media_type` (wildcards count)."""
    if "Accept" in request.headers and request.accept_mimetypes[media_type] <= 0:
        raise ProtocolError("not_acceptable", f"this endpoint answers {media_type}", 406)


def require_content_type(media_type: str) -> dict[str, Any]:
    """The JSON body, or 415 when the Content-Type is not `media_type`, 400 when it is not an object."""
    if request.mimetype != media_type:
        raise ProtocolError("unsupported_media_type", f"send Content-Type: {media_type}", 415)
    try:
        body = json.loads(request.get_data(as_text=True))
    except ValueError as err:
        raise ProtocolError("invalid_request", f"the body is not JSON: {err}") from err
    if not isinstance(body, dict):
        raise ProtocolError("invalid_request", "the body must be a JSON object")
    return body


def json_response(body: Any, media_type: str, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype=media_type)


def limit_arg(default: int) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return default
    if not raw.isdigit() or not 0 < int(raw) <= MAX_LIMIT:
        raise ProtocolError("invalid_request", f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


def page_arg() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise ProtocolError("invalid_request", "page must be a whole number from 1")
    return int(raw)


def url_with(base: str, params: dict[str, Any]) -> str:
    clean = {k: v for k, v in params.items() if v is not None}
    return f"{base}?{urlencode(clean)}" if clean else base


def numbered_page(
    items: Sequence[T], base: str, params: dict[str, Any], limit: int, page: int
) -> tuple[Sequence[T], str]:
    """One page of `items` and its Link header (first, last, prev, next) with `page`/`limit` links."""
    last = max(1, -(-len(items) // limit))
    links = {"first": 1, "last": last}
    if page > 1:
        links["prev"] = min(page - 1, last)
    if page < last:
        links["next"] = page + 1
    header = ", ".join(
        f'<{url_with(base, {**params, "limit": limit, "page": n})}>; rel="{rel}"' for rel, n in links.items()
    )
    return items[(page - 1) * limit : page * limit], header
