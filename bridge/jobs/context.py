"""The collaborators every job needs, built once per process from the application (no Flask globals)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import Flask

from bridge.db import Database
from bridge.services.secrets_box import SecretBox
from bridge.services.service_tokens import token_cache
from connectors.retry import RetryPolicy
from connectors.token_cache import TokenCache


@dataclass(frozen=True)
class JobContext:
    db: Database
    box: SecretBox
    http: requests.Session
    cache: TokenCache
    config: Mapping[str, Any]
    # Connector options for tests and benchmarks (a faster RetryPolicy); None: the connectors' defaults.
    retry: RetryPolicy | None = None
    connector_options: dict[str, Any] = field(default_factory=dict)

    @property
    def lock_ttl(self) -> float:
        return float(self.config.get("JOB_LOCK_TTL_SECONDS", 120))

    @classmethod
    def from_app(cls, app: Flask, **extra: Any) -> JobContext:
        services = app.extensions["bridge"]
        cache = token_cache(services.db.sessionmaker, app.config.get("REDIS_URL") or None)
        return cls(db=services.db, box=services.box, http=services.http, cache=cache, config=app.config, **extra)
