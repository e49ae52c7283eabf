"""Configuration: defaults → BRIDGE_* environment → overrides; clear errors."""

from __future__ import annotations

import pytest

from bridge.config import ConfigError, load_config

SECRET = {"BRIDGE_SECRET_KEY": "x" * 40}


def test_environment_overrides_defaults_with_types() -> None:
    config = load_config(environ={**SECRET, "BRIDGE_KEY_SIZE": "3072", "BRIDGE_HTTP_TIMEOUT": "2.5",
                                  "BRIDGE_LTI_SCOPES": "a, b", "BRIDGE_BASE_URL": "https://x.example/"})
    assert config["KEY_SIZE"] == 3072 and config["HTTP_TIMEOUT"] == 2.5
    assert config["LTI_SCOPES"] == ["a", "b"]
    assert config["BASE_URL"] == "https://x.example"


def test_overrides_win_over_environment() -> None:
    config = load_config({"KEY_SIZE": 4096}, environ={**SECRET, "BRIDGE_KEY_SIZE": "3072"})
    assert config["KEY_SIZE"] == 4096


def test_sqlite_in_instance_folder_by_default(tmp_path: object) -> None:
    config = load_config(environ={**SECRET, "BRIDGE_INSTANCE_DIR": str(tmp_path)})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path}/bridge.sqlite"


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({}, "BRIDGE_SECRET_KEY is not set"),
        ({"BRIDGE_SECRET_KEY": "short"}, "too short"),
        ({**SECRET, "BRIDGE_KEY_SIZE": "1024"}, "at least 2048"),
        ({**SECRET, "BRIDGE_KEY_SIZE": "big"}, "not a valid int"),
        ({**SECRET, "BRIDGE_DEFAULT_DEPLOYMENT_POLICY": "maybe"}, "'accept' or 'reject'"),
    ],
)
def test_bad_configuration_fails_fast(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(environ=environ)
