"""`bridge api-token create` prints a token once and stores only its hash; `bridge awards evaluate` runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bridge.cli import _load_command_modules, main
from bridge.db import Database
from bridge.models import ApiToken
from bridge.services import api_tokens
from tests.support.awards_data import make_tenant


def test_api_token_create_and_evaluate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("BRIDGE_DATABASE_URL", url)
    monkeypatch.setenv("BRIDGE_SECRET_KEY", "cli-test-secret-0123456789abcdef")
    monkeypatch.setenv("BRIDGE_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("BRIDGE_KEY_SIZE", "2048")
    db = Database(url)
    db.upgrade()
    with db.session() as s:
        tenant = make_tenant(s, "cli")
        s.commit()
        reg, course = tenant.registration.id, tenant.course.id
    _load_command_modules()
    runner = CliRunner()
    out = runner.invoke(main, ["api-token", "create", "--platform", str(reg), "--scope", "templates:read",
                               "--scope", "awards:read", "--json"])
    assert out.exit_code == 0, out.output
    token = json.loads(out.output)["token"]
    with db.session() as s:
        row = s.scalars(select(ApiToken)).one()
        assert token not in (row.token_hash, row.prefix) and row.scopes == ["awards:read", "templates:read"]
    bad = runner.invoke(main, ["api-token", "create", "--platform", str(reg), "--scope", "root"])
    assert bad.exit_code != 0 and "Choose scopes" in bad.output
    assert runner.invoke(main, ["awards", "evaluate", "--course", str(course)]).output.startswith("0 new award")
    with db.session() as s:
        from datetime import UTC, datetime
        assert api_tokens.authenticate(s, token, now=datetime.now(UTC)) is not None
        assert api_tokens.authenticate(s, token + "x", now=datetime.now(UTC)) is None
    db.dispose()
