"""Package import: the hostile-zip corpus is refused with a specific reason and leaves nothing behind."""

from __future__ import annotations

import io
import os
import struct
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from scorm_builders import GOLF_12, MANIFEST_12, ZipBuilder, zip_bytes

from scorm.errors import ManifestError, PackageError, PackageProblem, ScormError
from scorm.package import PackageLimits, import_package, read_manifest_from_zip

OK = {"imsmanifest.xml": MANIFEST_12, "index.html": "<html></html>"}


def _refused(source: Path | io.BytesIO, parent: Path, limits: PackageLimits | None = None) -> ScormError:
    with pytest.raises(ScormError) as caught:
        import_package(source, parent / "pkg", limits)
    assert list(parent.iterdir()) == [], "a refused package must leave nothing behind"
    return caught.value


def test_imports_a_valid_package(make_zip: ZipBuilder, dest_parent: Path) -> None:
    imported = import_package(make_zip(OK), dest_parent / "pkg")
    assert imported.root == dest_parent / "pkg"
    assert imported.files == 2
    assert (imported.root / "index.html").read_text() == "<html></html>"
    assert imported.manifest.scos[0].launch_url == "index.html"
    assert sorted(p.name for p in dest_parent.iterdir()) == ["pkg"]


def test_accepts_a_file_object(dest_parent: Path) -> None:
    imported = import_package(zip_bytes(OK), dest_parent / "pkg")
    assert imported.bytes == len(MANIFEST_12.encode()) + len("<html></html>")


def test_golf_package_extracts_every_file(dest_parent: Path) -> None:
    imported = import_package(GOLF_12, dest_parent / "golf")
    with zipfile.ZipFile(GOLF_12) as archive:
        expected = [i for i in archive.infolist() if not i.is_dir()]
    assert imported.files == len(expected)
    assert imported.bytes == sum(i.file_size for i in expected)
    assert (imported.root / "shared" / "launchpage.html").is_file()


@pytest.mark.parametrize(
    "name",
    [
        "../evil.html",
        "a/../../evil.html",
        "..\\evil.html",
        "a\\..\\..\\evil.html",
        "/etc/passwd",
        "\\\\server\\share\\x",
        "C:/Windows/evil.dll",
        "c:evil.html",
        "%2e%2e/evil.html",
        "%252e%252e/evil.html",
        "a/%2e%2e%2f%2e%2e/evil.html",
        "\uff0e\uff0e/evil.html",
        "bad\x07name.html",
        "a/" * 200 + "deep.html",
        "x" * 2000,
    ],
)
def test_zip_slip_variants_are_refused(make_zip: ZipBuilder, dest_parent: Path, name: str) -> None:
    error = _refused(make_zip({**OK, name: "x"}), dest_parent)
    assert isinstance(error, PackageError)
    assert error.reason == PackageProblem.UNSAFE_PATH


def test_nul_byte_in_raw_name_is_refused(make_zip: ZipBuilder, dest_parent: Path) -> None:
    data = make_zip({**OK, "evil.htmlQ.jpg": "x"}).read_bytes().replace(b"evil.htmlQ.jpg", b"evil.html\0.jpg")
    error = _refused(io.BytesIO(data), dest_parent)
    assert isinstance(error, PackageError) and error.reason == PackageProblem.UNSAFE_PATH


def test_symlinks_are_refused(make_zip: ZipBuilder, dest_parent: Path) -> None:
    error = _refused(make_zip({**OK, "link": "/etc/passwd"}, symlinks=("link",)), dest_parent)
    assert isinstance(error, PackageError) and error.reason == PackageProblem.SYMLINK


def test_junk_is_skipped(make_zip: ZipBuilder, dest_parent: Path) -> None:
    junk = {"__MACOSX/._index.html": "x", ".DS_Store": "x", "sub/.DS_Store": "x"}
    imported = import_package(make_zip({**OK, **junk}), dest_parent / "pkg")
    assert sorted(p.name for p in imported.root.rglob("*")) == ["imsmanifest.xml", "index.html"]


def test_manifest_in_shallowest_folder_becomes_the_root(make_zip: ZipBuilder, dest_parent: Path) -> None:
    members = {"course/imsmanifest.xml": MANIFEST_12, "course/index.html": "hi",
               "course/deep/imsmanifest.xml": "<other/>", "readme.txt": "outside"}
    imported = import_package(make_zip(members), dest_parent / "pkg")
    assert (imported.root / "index.html").read_text() == "hi"
    assert not (imported.root / "readme.txt").exists()


@pytest.mark.parametrize(
    ("members", "reason"),
    [
        ({"index.html": "x"}, PackageProblem.MISSING_MANIFEST),
        ({"a/imsmanifest.xml": MANIFEST_12, "b/imsmanifest.xml": MANIFEST_12},
         PackageProblem.AMBIGUOUS_MANIFEST),
        ({**OK, "INDEX.html": "x"}, PackageProblem.DUPLICATE_MEMBER),
        ({**OK, "index.html/x": "x"}, PackageProblem.WRITE_FAILED),
    ],
)
def test_structural_problems(
    make_zip: ZipBuilder, dest_parent: Path, members: dict[str, str], reason: PackageProblem
) -> None:
    error = _refused(make_zip(members), dest_parent)
    assert isinstance(error, PackageError) and error.reason == reason


def test_not_a_zip(tmp_path: Path, dest_parent: Path) -> None:
    bogus = tmp_path / "x.zip"
    bogus.write_bytes(b"this is not a zip")
    error = _refused(bogus, dest_parent)
    assert isinstance(error, PackageError) and error.reason == PackageProblem.NOT_A_ZIP
    assert "not a readable zip" in str(error)


def test_member_count_limit(make_zip: ZipBuilder, dest_parent: Path) -> None:
    members = {**OK, **{f"f{i}.txt": "x" for i in range(10)}}
    error = _refused(make_zip(members), dest_parent, PackageLimits(max_members=5))
    assert isinstance(error, PackageError) and error.reason == PackageProblem.TOO_MANY_MEMBERS


def test_declared_sizes_are_checked_first(make_zip: ZipBuilder, dest_parent: Path) -> None:
    members = {**OK, "big.bin": b"a" * 5000}
    error = _refused(make_zip(members), dest_parent, PackageLimits(max_file_bytes=4000))
    assert isinstance(error, PackageError) and error.reason == PackageProblem.FILE_TOO_LARGE
    error = _refused(make_zip(members), dest_parent, PackageLimits(max_total_bytes=4000))
    assert isinstance(error, PackageError) and error.reason == PackageProblem.TOO_LARGE


def test_zip_bomb_is_stopped_by_ratio_while_streaming(make_zip: ZipBuilder, dest_parent: Path) -> None:
    bomb = make_zip({**OK, "zeros.bin": b"\0" * (8 * 1024 * 1024)})
    error = _refused(bomb, dest_parent)
    assert isinstance(error, PackageError) and error.reason == PackageProblem.COMPRESSION_RATIO


def _lie_about_sizes(data: bytes, name: bytes, claimed: int) -> bytes:
    """Rewrite the uncompressed size of `name` in both the local header and the central directory."""
    out = bytearray(data)
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (pos := out.find(signature, start)) >= 0:
            if out[pos + name_at: pos + name_at + len(name)] == name:
                struct.pack_into("<I", out, pos + size_at, claimed)
            start = pos + 4
    return bytes(out)


def test_lying_headers_do_not_defeat_the_limits(make_zip: ZipBuilder, dest_parent: Path) -> None:
    honest = make_zip({**OK, "payload.bin": b"\0" * (3 * 1024 * 1024)}).read_bytes()
    liar = io.BytesIO(_lie_about_sizes(honest, b"payload.bin", 100))
    with zipfile.ZipFile(io.BytesIO(liar.getvalue())) as archive:
        assert archive.getinfo("payload.bin").file_size == 100  # the header now claims 100 bytes
    error = _refused(liar, dest_parent, PackageLimits(max_file_bytes=1024 * 1024, max_ratio=10_000))
    assert isinstance(error, PackageError)
    assert error.reason in (PackageProblem.CORRUPT, PackageProblem.FILE_TOO_LARGE)


def test_stream_counting_catches_total_size(make_zip: ZipBuilder, dest_parent: Path) -> None:
    honest = make_zip({**OK, "a.bin": b"\1" * 300_000, "b.bin": b"\2" * 300_000}).read_bytes()
    liar = io.BytesIO(_lie_about_sizes(_lie_about_sizes(honest, b"a.bin", 10), b"b.bin", 10))
    error = _refused(liar, dest_parent, PackageLimits(max_total_bytes=400_000, max_ratio=10_000))
    assert isinstance(error, PackageError)
    assert error.reason in (PackageProblem.CORRUPT, PackageProblem.TOO_LARGE)


def test_bad_manifest_leaves_nothing(make_zip: ZipBuilder, dest_parent: Path) -> None:
    error = _refused(make_zip({"imsmanifest.xml": "not xml <", "index.html": "x"}), dest_parent)
    assert isinstance(error, ManifestError)


def test_destination_must_not_exist(make_zip: ZipBuilder, dest_parent: Path) -> None:
    (dest_parent / "pkg").mkdir()
    with pytest.raises(PackageError) as caught:
        import_package(make_zip(OK), dest_parent / "pkg")
    assert caught.value.reason == PackageProblem.DESTINATION_EXISTS


def test_read_manifest_from_zip_extracts_nothing(make_zip: ZipBuilder, tmp_path: Path) -> None:
    before = set(tmp_path.rglob("*"))
    path = make_zip(OK)
    manifest = read_manifest_from_zip(path)
    assert manifest.version == "1.2"
    assert set(tmp_path.rglob("*")) - before == {path}


def test_read_manifest_from_zip_limits_manifest_size(make_zip: ZipBuilder) -> None:
    huge = MANIFEST_12.replace("<title>Course</title>", "<title>" + "x" * 20_000 + "</title>")
    with pytest.raises(PackageError) as caught:
        read_manifest_from_zip(make_zip({"imsmanifest.xml": huge}), PackageLimits(max_manifest_bytes=10_000))
    assert caught.value.reason == PackageProblem.FILE_TOO_LARGE


def test_peak_memory_does_not_grow_with_package_size(make_zip: ZipBuilder, dest_parent: Path) -> None:
    path = make_zip({**OK, "video.bin": os.urandom(24 * 1024 * 1024)})
    tracemalloc.start()
    try:
        imported = import_package(path, dest_parent / "pkg")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert imported.bytes > 24 * 1024 * 1024
    assert peak < 2 * 1024 * 1024, f"peak {peak} bytes: extraction must stream in chunks"
