"""Helpers for the credential functional tests: run the ``bridge credential`` CLI against the test app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from flask import Flask

from bridge.cli import main

FORMATS = ("ob3-rdfc", "ob3-jcs", "ob3-jwt", "vc-jose")


def cli(app: Flask, *args: str) -> Result:
    return CliRunner().invoke(main, ["credential", *args], obj=app)


def issue_sample(app: Flask, tmp_path: Path, fmt: str, recipient: str = "learner@example.org", *extra: str) -> Path:
    out = tmp_path / f"{fmt}-{len(list(tmp_path.iterdir()))}.cred"
    result = cli(app, "issue-sample", "--format", fmt, "--recipient", recipient, "--out", str(out), *extra)
    assert result.exit_code == 0, result.output
    return out


def verify_json(app: Flask, path: Path) -> tuple[int, dict[str, Any]]:
    result = cli(app, "verify", str(path), "--json")
    return result.exit_code, json.loads(result.stdout)


def failed(answer: dict[str, Any]) -> dict[str, str]:
    return {c["check"]: c["detail"] for c in answer["checks"] if not c["ok"]}
