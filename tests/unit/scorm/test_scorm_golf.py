"""The two real Rustici golf packages: versions, SCO lists and launch URLs (checked against the zips)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from scorm_builders import GOLF_12, GOLF_2004

from scorm.inspect import inspect_package


@pytest.mark.parametrize(("path", "version"), [(GOLF_12, "1.2"), (GOLF_2004, "2004 3rd")])
def test_golf_inspect(path: Path, version: str) -> None:
    summary = inspect_package(path)
    assert summary == {
        "version": version,
        "title": "Golf Explained - Run-time Basic Calls",
        "default_organization": "golf_sample_default_org",
        "organizations": [{"identifier": "golf_sample_default_org",
                           "title": "Golf Explained - Run-time Basic Calls"}],
        "scos": [{"identifier": "item_1", "title": "Golf Explained", "launch_url": "shared/launchpage.html"}],
    }
    with zipfile.ZipFile(path) as archive:
        assert summary["scos"][0]["launch_url"] in archive.namelist()


def test_inspect_accepts_a_file_object() -> None:
    with GOLF_2004.open("rb") as handle:
        assert inspect_package(handle)["version"] == "2004 3rd"
