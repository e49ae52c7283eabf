"""Safe import of a SCORM package zip (SCORM CAM 2004 section 3.2, "Package Interchange File").

Every member name is checked before anything is written (see `scorm.zip_paths`); sizes are counted
while streaming, because the sizes in zip headers are written by the uploader and may lie; extraction
goes to a temporary sibling directory that is renamed into place only when everything succeeded, so a
refused package leaves nothing behind. Memory use is bounded by `PackageLimits.chunk_size`.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from scorm.errors import PackageError, PackageProblem
from scorm.manifest import parse_manifest
from scorm.manifest_model import Manifest
from scorm.package_plan import ExtractionPlan, PackageLimits, plan_extraction

__all__ = ["ImportedPackage", "PackageLimits", "import_package", "read_manifest_from_zip"]

ZipSource = str | os.PathLike[str] | BinaryIO


@dataclass(frozen=True, slots=True)
class ImportedPackage:
    """A package extracted to `root` (the content root: the folder holding imsmanifest.xml)."""

    root: Path
    manifest: Manifest
    files: int
    bytes: int


@contextmanager
def _open_zip(source: ZipSource) -> Iterator[zipfile.ZipFile]:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as err:
        raise PackageError(
            PackageProblem.NOT_A_ZIP, "The uploaded file is not a readable zip archive; export the course "
            "again as a SCORM package (.zip).",
        ) from err
    with archive:
        yield archive


class _Budget:
    """Counts the bytes actually decompressed, across the whole package."""

    def __init__(self, limits: PackageLimits) -> None:
        self.limits = limits
        self.total = 0

    def spend(self, info: zipfile.ZipInfo, member_bytes: int, chunk: int) -> None:
        self.total += chunk
        limits = self.limits
        if member_bytes > limits.max_file_bytes:
            raise PackageError(
                PackageProblem.FILE_TOO_LARGE,
                f"The file {info.filename!r} unpacks to more than {limits.max_file_bytes} bytes, the "
                "per-file limit for this site.",
                member=info.filename,
            )
        if self.total > limits.max_total_bytes:
            raise PackageError(
                PackageProblem.TOO_LARGE,
                f"The package unpacks to more than {limits.max_total_bytes} bytes, the limit for this site.",
                member=info.filename,
            )
        if member_bytes > limits.ratio_floor_bytes and member_bytes > info.compress_size * limits.max_ratio:
            raise PackageError(
                PackageProblem.COMPRESSION_RATIO,
                f"The file {info.filename!r} expands more than {limits.max_ratio:g} times; this looks like "
                "a zip bomb and was refused.",
                member=info.filename,
            )


def _copy_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, out: BinaryIO, budget: _Budget) -> int:
    written = 0
    try:
        with archive.open(info) as src:
            while chunk := src.read(budget.limits.chunk_size):
                written += len(chunk)
                budget.spend(info, written, len(chunk))
                out.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as err:
        raise PackageError(
            PackageProblem.CORRUPT,
            f"The file {info.filename!r} in the package is damaged or uses an unsupported compression "
            f"method ({err}); create the zip again with standard (deflate) compression.",
            member=info.filename,
        ) from err
    return written


def _target(root: Path, name: str) -> Path:
    target = root.joinpath(*name.split("/"))
    # Belt and braces: zip_paths already refused every escaping name.
    if os.path.commonpath([root, target]) != str(root):
        raise PackageError(PackageProblem.UNSAFE_PATH, f"Refused path {name!r}.", member=name)
    return target


def _extract(archive: zipfile.ZipFile, plan: ExtractionPlan, root: Path, limits: PackageLimits) -> int:
    budget = _Budget(limits)
    for member in plan.members:
        target = _target(root, member.name)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as out:
                _copy_member(archive, member.info, out, budget)
        except OSError as err:
            raise PackageError(
                PackageProblem.WRITE_FAILED,
                f"The file {member.info.filename!r} could not be written ({err.strerror}); the package "
                "probably has a file and a folder with the same name.",
                member=member.info.filename,
            ) from err
    return budget.total


def _read_manifest_bytes(archive: zipfile.ZipFile, plan: ExtractionPlan, limits: PackageLimits) -> bytes:
    manifest_limits = limits.for_manifest()
    buffer = io.BytesIO()
    _copy_member(archive, plan.manifest_info, buffer, _Budget(manifest_limits))
    return buffer.getvalue()


def read_manifest_from_zip(source: ZipSource, limits: PackageLimits | None = None) -> Manifest:
    """Check the zip like `import_package` does and parse its manifest, without extracting anything."""
    limits = limits or PackageLimits()
    with _open_zip(source) as archive:
        plan = plan_extraction(archive, limits)
        data = _read_manifest_bytes(archive, plan, limits)
    return parse_manifest(data)


def import_package(
    source: ZipSource, dest_dir: str | os.PathLike[str], limits: PackageLimits | None = None
) -> ImportedPackage:
    """Check and extract a SCORM zip into `dest_dir` (which must not exist yet).

    The content root (the folder holding imsmanifest.xml) becomes `dest_dir`. On any error a
    `PackageError` or `ManifestError` is raised and nothing is left on disk.
    """
    limits = limits or PackageLimits()
    dest = Path(dest_dir).absolute()
    if dest.exists():
        raise PackageError(PackageProblem.DESTINATION_EXISTS, f"The destination {dest} already exists.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".importing", dir=dest.parent))
    try:
        with _open_zip(source) as archive:
            plan = plan_extraction(archive, limits)
            manifest = parse_manifest(_read_manifest_bytes(archive, plan, limits))
            total = _extract(archive, plan, staging, limits)
        staging.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ImportedPackage(root=dest, manifest=manifest, files=len(plan.members), bytes=total)
