"""The credential bridge: an LTI 1.3 tool that turns learning in any LMS into signed micro-credentials.

``create_app(test_config)`` is the only way to get an application (house rule 1): config → database →
wiring → blueprints → error handlers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    from bridge import web
    from bridge.config import load_config

    config = load_config(test_config)
    app = Flask(__name__, instance_path=config["INSTANCE_DIR"], instance_relative_config=False)
    app.config.update(config)
    web.init_app(app)
    return app
