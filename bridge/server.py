"""Running the app under gunicorn from ``bridge serve`` (the Dockerfile runs the same)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

# The access log names the path, never the query string or the referrer: LTI and wallet URLs carry bearer
# values there (registration tokens, login hints, launch session ids, credential offer ids).
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if value is not None:
                self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def run_gunicorn(app: Flask, *, host: str, port: int, workers: int, certfile: str | None = None,
                 keyfile: str | None = None, on_worker_start: Callable[[], object] | None = None) -> None:
    """Serve ``app``; ``on_worker_start`` runs in each worker after fork (the embedded job scheduler)."""

    def post_fork(_server: Any, _worker: Any) -> None:
        app.extensions["bridge"].db.engine.dispose()
        if on_worker_start is not None:
            on_worker_start()

    options = {"bind": f"{host}:{port}", "workers": workers, "certfile": certfile, "keyfile": keyfile,
               "accesslog": "-", "access_log_format": ACCESS_LOG_FORMAT,
               "timeout": 60, "forwarded_allow_ips": "*" if app.config["PROXY_FIX"] else None,
               "post_fork": post_fork}
    _Gunicorn(app, options).run()
