"""`bridge connector set|list|remove`: the token comes from the environment or a hidden prompt, is stored
encrypted and never printed; unusable settings exit with a message and store nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from bridge.cli import main

TOKEN = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"BRIDGE_SECRET_KEY": "cli-test-secret-0123456789abcdef", "BRIDGE_INSTANCE_DIR": str(tmp_path),
                       "BRIDGE_BASE_URL": "https://bridge.example.edu", "BRIDGE_LOG_LEVEL": "WARNING",
                       "MOODLE_TOKEN": TOKEN}.items():
        monkeypatch.setenv(key, value)
    added = run("platform", "add", "--issuer", "https://moodle.example.edu", "--client-id", "abc",
                "--auth-login-url", "https://moodle.example.edu/mod/lti/auth.php",
                "--auth-token-url", "https://moodle.example.edu/mod/lti/token.php",
                "--key-set-url", "https://moodle.example.edu/mod/lti/certs.php", "--deployment-id", "3")
    assert added.exit_code == 0, added.output


def run(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)


def test_set_list_remove(env: None, tmp_path: Path) -> None:
    saved = run("connector", "set", "--platform", "1", "--kind", "moodle", "--base-url",
                "https://moodle.example.edu/", "--token-env", "MOODLE_TOKEN")
    assert saved.exit_code == 0 and TOKEN not in saved.output
    prompted = run("connector", "set", "--platform", "1", "--kind", "canvas", "--base-url",
                   "https://school.instructure.com", stdin=TOKEN + "\n")
    assert prompted.exit_code == 0 and TOKEN not in prompted.output
    listed = run("connector", "list", "--json")
    assert TOKEN not in listed.output
    assert json.loads(listed.output) == [
        {"platform": 1, "kind": "canvas", "base_url": "https://school.instructure.com", "enabled": True},
        {"platform": 1, "kind": "moodle", "base_url": "https://moodle.example.edu", "enabled": True}]
    assert TOKEN.encode() not in (tmp_path / "bridge.sqlite").read_bytes()
    assert run("connector", "remove", "--platform", "1", "--kind", "moodle").exit_code == 0
    assert run("connector", "remove", "--platform", "1", "--kind", "moodle").exit_code == 1
    assert [c["kind"] for c in json.loads(run("connector", "list", "--json").output)] == ["canvas"]


@pytest.mark.parametrize(("args", "message"), [
    (["--platform", "9", "--kind", "moodle", "--base-url", "https://m.example", "--token-env", "MOODLE_TOKEN"],
     "no platform registration 9"),
    (["--platform", "1", "--kind", "moodle", "--base-url", "http://m.example", "--token-env", "MOODLE_TOKEN"],
     "https"),
    (["--platform", "1", "--kind", "moodle", "--base-url", "https://m.example", "--token-env", "UNSET_VAR"],
     "UNSET_VAR"),
])
def test_unusable_settings_exit_with_a_message(env: None, args: list[str], message: str) -> None:
    result = run("connector", "set", *args)
    assert result.exit_code == 1 and message in result.output
    assert run("connector", "list").output.strip() == "no connectors configured"
