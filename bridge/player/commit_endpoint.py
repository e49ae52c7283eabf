"""The run-time commit URL served in front of Flask: ``POST /player/attempts/<id>/commit``.

Every open SCO posts its batches here every few seconds, so a commit that does not end the SCO session is
answered by this thin WSGI layer around the application, without what Flask does for every request and this
endpoint never uses: matching the URL against every route, the cookie session, the request context and its
hooks. What those hooks give every answer is kept: the request id (``X-Request-Id`` kept or made, on the log
records of the request, echoed), the request counter of ``/metrics`` and the JSON request log line
(``bridge.ops``), the security headers (``bridge.web``). The work is the Flask view's: the same parsing and
the same service call (``scorm_commits.commit``: validated replay, version-guarded write, journal, one
transaction committed before the answer).

Everything else goes on to Flask with the body already read: other URLs and methods, a body without a length
or over the limit, one that is not a JSON object, batches that end the session (Terminate / LMSFinish: the
attempt is rolled up through the ORM) and an unexpected failure (the transaction was rolled back and batches
are idempotent, so the Flask view runs it again and fails or answers as it always did).
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask

from bridge import ops
from bridge.player.tokens import attempt_token
from bridge.services import packages, scorm_attempts, scorm_commits
from bridge.web import SECURITY_HEADERS

MAX_COMMIT_BYTES = 4 * 1024 * 1024
ENDPOINT = "player.commit"
log = logging.getLogger("bridge.player")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def parse(attempt_id: int, token: str, body: dict[str, Any]) -> scorm_commits.CommitRequest:
    """The commit a JSON body asks for; ``AttemptError`` (400) for malformed batches."""
    return scorm_commits.CommitRequest(attempt_id, token, str(body.get("sco", "")), str(body.get("session", "")),
                                       scorm_attempts.parse_batches(body.get("batches")))


def answer(outcome: scorm_attempts.CommitOutcome, status: str) -> dict[str, Any]:
    return {"acked": outcome.acked, "applied": outcome.applied, "rejected": list(outcome.rejected),
            "terminated": outcome.terminated, "status": status}


def install(app: Flask) -> None:
    """Put the endpoint in front of ``app`` for the URL of its Flask route (registered before this runs)."""
    rule = next(r.rule for r in app.url_map.iter_rules() if r.endpoint == ENDPOINT)
    head, marker, tail = rule.partition("<int:attempt_id>")
    if not marker:
        raise ValueError(f"the commit route {rule!r} has no <int:attempt_id>")
    path = re.compile(re.escape(head) + "([0-9]+)" + re.escape(tail))
    app.wsgi_app = CommitEndpoint(app, app.wsgi_app, path)  # type: ignore[method-assign]


class CommitEndpoint:
    """WSGI middleware: answers the commits it can, hands every other request to ``flask_app`` unchanged."""

    def __init__(self, app: Flask, flask_app: WsgiApp, path: re.Pattern[str]) -> None:
        self.app, self.flask_app, self.path = app, flask_app, path

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        post = environ.get("REQUEST_METHOD") == "POST"
        match = self.path.fullmatch(environ.get("PATH_INFO", "")) if post else None
        length = _content_length(environ) if match else None
        if match is None or length is None or length > MAX_COMMIT_BYTES:
            return self.flask_app(environ, start_response)
        started = time.perf_counter()
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # for Flask, if the request goes on
        rid = ops.request_id_for(environ.get("HTTP_X_REQUEST_ID", ""))
        reset = ops.request_id.set(rid)  # on every log record of the request
        try:
            answered = self._commit(int(match.group(1)), _token(environ), body)
            if answered is not None:
                status, payload = answered
                ops.observe_request(self.app.config, "POST", environ["PATH_INFO"], ENDPOINT, status,
                                    time.perf_counter() - started)
        finally:
            ops.request_id.reset(reset)
        if answered is None:
            environ["HTTP_X_REQUEST_ID"] = rid  # the same id on Flask's answer and log records
            return self.flask_app(environ, start_response)
        data = json.dumps(payload, separators=(",", ":")).encode() + b"\n"
        start_response(f"{status} {HTTPStatus(status).phrase}", [
            ("Content-Type", "application/json"), ("Content-Length", str(len(data))), ("X-Request-Id", rid),
            *SECURITY_HEADERS])
        return [data]

    def _commit(self, attempt_id: int, token: str, raw: bytes) -> tuple[int, dict[str, Any]] | None:
        """(status, JSON answer), or None for Flask to answer."""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return None
        if not isinstance(body, dict):
            return None
        config = self.app.config
        secret = str(config["SECRET_KEY"])
        try:
            parsed = parse(attempt_id, token, body)
            if scorm_attempts.ends_session(parsed.batches):
                return None
            outcome, status = scorm_commits.commit(
                self.app.extensions["bridge"].db.engine, packages.storage_from_config(config), parsed,
                token_for=lambda attempt, user: attempt_token(attempt, user, secret_key=secret))
        except scorm_attempts.AttemptError as err:
            return err.status, {"error": str(err)}
        except Exception as err:  # noqa: BLE001 - rolled back; Flask runs it again and handles a failure as usual
            log.warning("commit of attempt %s failed before Flask (%s); passed on", attempt_id, type(err).__name__)
            return None
        return 200, answer(outcome, status)


def _content_length(environ: dict[str, Any]) -> int | None:
    text = environ.get("CONTENT_LENGTH", "")
    return int(text) if text.isascii() and text.isdigit() else None


def _token(environ: dict[str, Any]) -> str:
    query = environ.get("QUERY_STRING", "")
    # WSGI hands the query over as latin-1 text; Flask's request.args decodes it as UTF-8, and so do we.
    for name, value in parse_qsl(query.encode("latin-1").decode("utf-8", "replace"), keep_blank_values=True):
        if name == "t":
            return value
    return ""
