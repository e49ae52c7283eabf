"""The player blueprint (routes are added by ``views``, ``content`` and ``manage``)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("player", __name__, url_prefix="/player")
