"""The `bridge` command: the contracts other tools rely on (README, ARCHITECTURE.md)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bridge.cli import main

GOLF_12 = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "scorm" / "golf_rte_basic_scorm12.zip"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"BRIDGE_SECRET_KEY": "cli-test-secret-0123456789abcdef", "BRIDGE_INSTANCE_DIR": str(tmp_path),
              "BRIDGE_BASE_URL": "https://bridge.example.edu", "BRIDGE_LOG_LEVEL": "WARNING"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_info_json_lists_public_urls(env: dict[str, str]) -> None:
    result = run("info", "--json")
    assert result.exit_code == 0
    urls = json.loads(result.output)
    assert urls["login"] == "https://bridge.example.edu/lti/login"
    assert urls["launch"] == "https://bridge.example.edu/lti/launch"
    assert urls["jwks"] == "https://bridge.example.edu/.well-known/jwks.json"
    assert urls["registration"] == "https://bridge.example.edu/lti/register"
    assert urls["canvas_config"] == "https://bridge.example.edu/lti/canvas.json"
    assert urls["deep_linking"] == "https://bridge.example.edu/lti/launch"


def test_platform_add_list_remove(env: dict[str, str]) -> None:
    args = ["platform", "add", "--issuer", "https://moodle.example.edu", "--client-id", "abc",
            "--auth-login-url", "https://moodle.example.edu/mod/lti/auth.php",
            "--auth-token-url", "https://moodle.example.edu/mod/lti/token.php",
            "--key-set-url", "https://moodle.example.edu/mod/lti/certs.php", "--deployment-id", "3"]
    assert run(*args).exit_code == 0
    assert run(*args[:-1], "4").exit_code == 0  # same registration, another deployment
    listed = json.loads(run("platform", "list", "--json").output)
    assert len(listed) == 1
    assert [d["deployment_id"] for d in listed[0]["deployments"]] == ["3", "4"]
    assert run("platform", "remove", str(listed[0]["id"])).exit_code == 0
    assert json.loads(run("platform", "list", "--json").output) == []


def test_platform_add_refuses_bad_urls(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["platform", "add", "--issuer", "x", "--client-id", "c", "--auth-login-url",
                                       "ftp://x", "--auth-token-url", "https://x/t", "--key-set-url", "https://x/k"])
    assert result.exit_code == 1
    assert "auth login URL must be an http(s) URL" in result.output
    assert json.loads(run("platform", "list", "--json").output) == []


def test_missing_secret_is_a_clear_error(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIDGE_SECRET_KEY")
    result = CliRunner().invoke(main, ["platform", "list"])
    assert result.exit_code == 1
    assert "BRIDGE_SECRET_KEY is not set" in result.output


def test_keys_rotate(env: dict[str, str]) -> None:
    assert run("keys", "list").exit_code == 0
    result = run("keys", "rotate", "--grace", "60")
    assert result.exit_code == 0 and "active key" in result.output
    assert "retired" in run("keys", "list").output


def test_db_upgrade(env: dict[str, str]) -> None:
    result = run("db", "upgrade")
    assert result.exit_code == 0 and "up to date" in result.output


@pytest.mark.skipif(not GOLF_12.exists(), reason="shared/data is not beside the checkout")
def test_scorm_inspect_json(env: dict[str, str]) -> None:
    result = run("scorm", "inspect", str(GOLF_12), "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["version"] == "1.2"
    assert data["scos"][0]["launch_url"] == "shared/launchpage.html"


def test_scorm_inspect_bad_package_exits_2(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("index.html", "<html></html>")
    result = CliRunner().invoke(main, ["scorm", "inspect", str(bad), "--json"])
    assert result.exit_code == 2
    assert "imsmanifest.xml" in result.output
