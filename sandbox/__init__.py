"""A small LTI 1.3 platform (an LMS stand-in) for the demo and the end-to-end tests.

It is a second, independent implementation of the platform side of LTI 1.3, Dynamic
Registration, AGS 2.0, NRPS 2.0, Deep Linking 2.0 and Platform Storage: it imports nothing
of ours. Build it with `create_app(config)`; its state is `app.extensions["sandbox"]`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

__all__ = ["create_app"]

DEFAULTS: dict[str, Any] = {
    "SANDBOX_BASE_URL": "http://127.0.0.1:5001",
    "SANDBOX_PLATFORM_STORAGE": True,
    "SANDBOX_SEED_MEMBERS": 0,
    "SANDBOX_PAGE_SIZE": 100,
    "SANDBOX_FAULTS": None,
}


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the sandbox platform app; `config` overrides the SANDBOX_* defaults."""
    from . import ags, deep_linking, nrps, oauth, seed, views_home, views_launch, views_oidc
    from .errors import ProtocolError
    from .forms import error_answer
    from .oauth import BearerError
    from .platform import Platform

    app = Flask(__name__)
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    platform = Platform(
        app.config["SANDBOX_BASE_URL"],
        page_size=int(app.config["SANDBOX_PAGE_SIZE"]),
        platform_storage=bool(app.config["SANDBOX_PLATFORM_STORAGE"]),
    )
    seed.seed(platform, extra_learners=int(app.config["SANDBOX_SEED_MEMBERS"]))
    if app.config["SANDBOX_FAULTS"]:
        platform.set_faults(**app.config["SANDBOX_FAULTS"])
    app.extensions["sandbox"] = platform
    for module in (views_home, views_oidc, views_launch, oauth, ags, nrps, deep_linking):
        app.register_blueprint(module.bp)
    app.register_error_handler(ProtocolError, error_answer)
    app.register_error_handler(BearerError, lambda err: err.answer())
    return app
