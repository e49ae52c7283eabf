"""Configuration: ``config/defaults.toml`` → ``BRIDGE_*`` environment → the mapping given to ``create_app``.

This is the only module that reads the environment. Values from the environment are coerced to the
type of the default (int, float, bool, list as JSON or comma-separated). Secrets never have defaults:
``SECRET_KEY`` must come from the environment (or the test mapping), otherwise start-up fails with a
message saying what to set.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "config" / "defaults.toml"
ENV_PREFIX = "BRIDGE_"
# Keys that exist only in the environment (no default in defaults.toml on purpose).
SECRET_KEYS = ("SECRET_KEY", "KEY_FILE", "ADMIN_PASSWORD", "EDC_SEAL_PASSWORD", "SMTP_PASSWORD")


class ConfigError(RuntimeError):
    """The configuration is incomplete or malformed; the message says what to set."""


def _coerce(name: str, raw: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, list):
            raw = raw.strip()
            return json.loads(raw) if raw.startswith("[") else [p.strip() for p in raw.split(",") if p.strip()]
    except ValueError as err:
        raise ConfigError(f"{ENV_PREFIX}{name}={raw!r} is not a valid {type(default).__name__}") from err
    return raw


def load_defaults(path: Path | None = None) -> dict[str, Any]:
    path = path or Path(os.environ.get(f"{ENV_PREFIX}CONFIG_FILE", DEFAULTS_FILE))
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def load_config(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None, *, check: bool = True
) -> dict[str, Any]:
    """Merge defaults, environment and overrides; fill derived values; check secrets (unless ``check=False``)."""
    environ = os.environ if environ is None else environ
    config = load_defaults()
    for key, default in list(config.items()):
        if f"{ENV_PREFIX}{key}" in environ:
            config[key] = _coerce(key, environ[f"{ENV_PREFIX}{key}"], default)
    for key in SECRET_KEYS:
        value = environ.get(f"{ENV_PREFIX}{key}", "")
        config[key] = value or None
    config.update(overrides or {})
    _derive(config)
    if check:
        _check(config)
    return config


def _derive(config: dict[str, Any]) -> None:
    config["BASE_URL"] = str(config["BASE_URL"]).rstrip("/")
    instance = Path(config.get("INSTANCE_DIR") or Path.cwd() / "instance").resolve()
    config["INSTANCE_DIR"] = str(instance)
    if not config.get("DATABASE_URL"):
        config["DATABASE_URL"] = f"sqlite:///{instance / 'bridge.sqlite'}"
    config.setdefault("TESTING", False)


def _check(config: dict[str, Any]) -> None:
    if not config.get("SECRET_KEY"):
        raise ConfigError(
            "BRIDGE_SECRET_KEY is not set. Generate one with "
            "`python -c \"import secrets; print(secrets.token_urlsafe(48))\"` and export it "
            "(see config/example.env)."
        )
    if len(str(config["SECRET_KEY"])) < 16 and not config.get("TESTING"):
        raise ConfigError("BRIDGE_SECRET_KEY is too short: use at least 32 random characters.")
    if config["DEFAULT_DEPLOYMENT_POLICY"] not in {"accept", "reject"}:
        raise ConfigError("BRIDGE_DEFAULT_DEPLOYMENT_POLICY must be 'accept' or 'reject'.")
    if int(config["KEY_SIZE"]) < 2048:
        raise ConfigError("BRIDGE_KEY_SIZE must be at least 2048 bits.")
