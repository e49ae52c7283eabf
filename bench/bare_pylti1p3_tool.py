"""The baseline for ``bench/launch.py``: a bare pylti1p3 Flask tool, written as pylti1p3's Flask example.

``FlaskOIDCLogin`` / ``FlaskMessageLaunch``, a ``ToolConfDict`` in memory, ``FlaskCacheDataStorage`` over an
in-memory cache (the example uses Flask-Caching's SimpleCache; ``MemoryCache`` below has the same get/set
contract) and ``set_public_key_caching`` so the platform JWKS is fetched once. No database, no tenancy,
nothing recorded: only what the library does for a launch, and a small landing page.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, render_template_string
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.tool_config import ToolConfDict

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1><p>Welcome, {{ name }}.</p><p>Roles: {{ roles|join(", ") }}</p>
<p>Launch id: {{ launch_id }}</p></body></html>"""


class MemoryCache:
    """A process-local cache with expiry and the get/set contract of cachelib's SimpleCache."""

    def __init__(self, default_timeout: int = 300) -> None:
        self._data: dict[str, tuple[float, Any]] = {}
        self.default_timeout = default_timeout

    def get(self, key: str) -> Any:
        item = self._data.get(key)
        if item is None:
            return None
        expires, value = item
        if expires and expires < time.time():
            self._data.pop(key, None)
            return None
        return value

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        timeout = self.default_timeout if timeout is None else timeout
        self._data[key] = (time.time() + timeout if timeout else 0.0, value)
        return True


def create_app(*, issuer: str, client_id: str, deployment_id: str, auth_login_url: str, auth_token_url: str,
               key_set_url: str, private_key_pem: str, public_key_pem: str, launch_url: str) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="bare-tool-secret-key-0123456789", TESTING=True)
    tool_conf = ToolConfDict({issuer: [{
        "default": True, "client_id": client_id, "auth_login_url": auth_login_url, "auth_token_url": auth_token_url,
        "key_set_url": key_set_url, "key_set": None, "deployment_ids": [deployment_id],
    }]})
    tool_conf.set_private_key(issuer, private_key_pem, client_id=client_id)
    tool_conf.set_public_key(issuer, public_key_pem, client_id=client_id)
    cache = MemoryCache()

    def storage() -> FlaskCacheDataStorage:
        return FlaskCacheDataStorage(cache)

    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        oidc_login = FlaskOIDCLogin(FlaskRequest(), tool_conf, launch_data_storage=storage())
        return oidc_login.redirect(launch_url)

    @app.post("/launch")
    def launch() -> Any:
        launch_data_storage = storage()
        message_launch = FlaskMessageLaunch(FlaskRequest(), tool_conf, launch_data_storage=launch_data_storage)
        message_launch.set_public_key_caching(launch_data_storage, cache_lifetime=7200)
        data = message_launch.get_launch_data()
        context = data.get("https://purl.imsglobal.org/spec/lti/claim/context") or {}
        return render_template_string(PAGE, title=context.get("title") or "Tool", name=data.get("name") or "",
                                      roles=data.get("https://purl.imsglobal.org/spec/lti/claim/roles") or [],
                                      launch_id=message_launch.get_launch_id())

    return app


if __name__ == "__main__":
    print("bench/bare_pylti1p3_tool.py is the baseline tool used by bench/launch.py; run that instead.")
