"""Capabilities as HMACs under the secret key, so framed pages and beacons need no cookies.

An attempt token lets a browser read and write exactly one attempt's run-time data; a content signature
lets it fetch one package's files (package ids cannot be enumerated across courses or tenants).
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from flask import abort, current_app


def _mac(purpose: str, secret_key: str | None = None) -> str:
    return _mac_under(str(current_app.config["SECRET_KEY"] if secret_key is None else secret_key), purpose)


@lru_cache(maxsize=4096)
def _mac_under(key: str, purpose: str) -> str:
    # Checked on every run-time commit of every open SCO: the same few attempts over and over.
    return hmac.new(key.encode(), purpose.encode(), hashlib.sha256).hexdigest()[:40]


def attempt_token(attempt_id: int, user_pk: int, *, secret_key: str | None = None) -> str:
    """The attempt's token under the application's secret key (``secret_key`` outside an application context)."""
    return _mac(f"scorm-attempt:{attempt_id}:{user_pk}", secret_key)


def content_signature(package_id: int) -> str:
    return _mac(f"scorm-content:{package_id}")


def check(sent: str, expected: str) -> None:
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(403, description="This link is not valid for this activity. Launch the activity again from the course.")
