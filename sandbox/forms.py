"""Answers shared by the views: auto-submitting forms (HTML or JSON for headless clients), errors."""

from __future__ import annotations

from flask import jsonify, render_template, request
from flask.typing import ResponseReturnValue

from .errors import ProtocolError


def wants_json() -> bool:
    """True when the client asked for JSON (`Accept: application/json`) rather than a page."""
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes["application/json"] > 0


def autosubmit(action: str, fields: dict[str, str], title: str = "Continuing…") -> ResponseReturnValue:
    """A page that POSTs `fields` to `action` at once; JSON {action, method, fields} for headless tests."""
    if wants_json():
        return jsonify({"action": action, "method": "POST", "fields": fields})
    return render_template("autosubmit.html", action=action, fields=fields, title=title)


def error_answer(err: ProtocolError) -> ResponseReturnValue:
    """A ProtocolError as JSON (APIs, headless clients) or as a short HTML page (browsers)."""
    if request.path.startswith(("/api/", "/lti/token", "/lti/register")) or wants_json():
        return jsonify(err.as_json()), err.status
    return render_template("message.html", title="Request refused", error=err), err.status
