"""Fixtures for the scorm unit tests."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from scorm_builders import ZipBuilder, build_zip


@pytest.fixture
def make_zip(tmp_path: Path) -> ZipBuilder:
    counter = itertools.count()

    def _make(members: dict[str, bytes | str], **kwargs: object) -> Path:
        return build_zip(tmp_path / f"pkg{next(counter)}.zip", members, **kwargs)  # type: ignore[arg-type]

    return _make


@pytest.fixture
def dest_parent(tmp_path: Path) -> Path:
    parent = tmp_path / "content"
    parent.mkdir()
    return parent
