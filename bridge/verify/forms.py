"""Reading a credential out of a request: JSON body, ``{"credential": …}``, JWT text, form field or upload."""

from __future__ import annotations

import json
from typing import Any

from flask import request

MAX_BYTES = 1_000_000


def _parse(text: str) -> Any | None:
    text = text.strip()
    if not text:
        return None
    if text.startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            return text  # verification explains that it cannot be read
    return text


def credential_from_request(*, api: bool) -> Any | None:
    """The credential as a JSON object or a JWT string, or None when the request carries none."""
    if api:
        raw = request.get_data(cache=True)[:MAX_BYTES + 1]
        if len(raw) > MAX_BYTES:
            return None
        body = _parse(raw.decode("utf-8", errors="replace"))
        if isinstance(body, dict) and "credential" in body and "proof" not in body:
            inner = body["credential"]
            return inner if isinstance(inner, dict) else _parse(str(inner))
        return body
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        data = upload.stream.read(MAX_BYTES + 1)
        return _parse(data.decode("utf-8", errors="replace")) if len(data) <= MAX_BYTES else None
    return _parse(request.form.get("credential", ""))
