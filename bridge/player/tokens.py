"""Capabilities as HMACs under the secret key, so framed pages and beacons need no cookies.

An attempt token lets a browser read and write exactly one attempt's run-time data; a content signature
lets it fetch one package's files (package ids cannot be enumerated across courses or tenants).
"""

from __future__ import annotations

import hashlib
import hmac

from flask import abort, current_app


def _mac(purpose: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, purpose.encode(), hashlib.sha256).hexdigest()[:40]


def attempt_token(attempt_id: int, user_pk: int) -> str:
    return _mac(f"scorm-attempt:{attempt_id}:{user_pk}")


def content_signature(package_id: int) -> str:
    return _mac(f"scorm-content:{package_id}")


def check(sent: str, expected: str) -> None:
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(403, description="This link is not valid for this activity. Launch the activity again from the course.")
