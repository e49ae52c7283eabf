"""gunicorn settings for running the factory directly (the Dockerfile: ``gunicorn -c python:bridge.gunicorn_conf``).

The access log names paths only — no query strings or referrers, which carry bearer values (see
``bridge.server.ACCESS_LOG_FORMAT``).
"""

from bridge.server import ACCESS_LOG_FORMAT

accesslog = "-"
access_log_format = ACCESS_LOG_FORMAT
