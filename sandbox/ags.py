"""stub."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("ags", __name__)
