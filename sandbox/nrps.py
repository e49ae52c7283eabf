"""stub."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("nrps", __name__)
