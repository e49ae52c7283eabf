"""stub."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("deep_linking", __name__)
