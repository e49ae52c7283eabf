"""Limits and the extraction plan for a package zip (SCORM CAM 2004 3.2; manifest location per 3.3).

The plan is computed from the central directory before any byte is decompressed: every name is
checked, junk is dropped, declared sizes are checked (cheap early refusal; the real sizes are counted
again while streaming), and the manifest is located: `imsmanifest.xml` at the root, or else in the
shallowest folder holding one, which then becomes the content root.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, replace

from scorm.errors import PackageError, PackageProblem
from scorm.zip_paths import check_member, is_junk

MANIFEST_NAME = "imsmanifest.xml"


@dataclass(frozen=True, slots=True)
class PackageLimits:
    """Upper bounds for one package; all sizes in bytes of *decompressed* data."""

    max_total_bytes: int = 1024 * 1024 * 1024
    max_members: int = 20_000
    max_file_bytes: int = 512 * 1024 * 1024
    max_ratio: float = 200.0
    ratio_floor_bytes: int = 1024 * 1024  # small files may compress very well; judge the ratio past this
    max_manifest_bytes: int = 8 * 1024 * 1024
    chunk_size: int = 64 * 1024

    def for_manifest(self) -> PackageLimits:
        """Limits used when reading only the manifest into memory."""
        cap = min(self.max_manifest_bytes, self.max_total_bytes)
        return replace(self, max_file_bytes=cap, max_total_bytes=cap)


@dataclass(frozen=True, slots=True)
class PlannedMember:
    info: zipfile.ZipInfo
    name: str  # relative to the content root


@dataclass(frozen=True, slots=True)
class ExtractionPlan:
    members: tuple[PlannedMember, ...]
    manifest_info: zipfile.ZipInfo
    root_prefix: str


def _checked_files(archive: zipfile.ZipFile, limits: PackageLimits) -> list[tuple[zipfile.ZipInfo, str]]:
    infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise PackageError(
            PackageProblem.TOO_MANY_MEMBERS,
            f"The package has {len(infos)} entries; the limit for this site is {limits.max_members}.",
        )
    files: list[tuple[zipfile.ZipInfo, str]] = []
    seen: set[str] = set()
    declared = 0
    for info in infos:
        name = check_member(info)
        if is_junk(name) or name.endswith("/"):
            continue
        key = name.casefold()  # case-insensitive file systems would silently overwrite
        if key in seen:
            raise PackageError(
                PackageProblem.DUPLICATE_MEMBER,
                f"The package contains {info.filename!r} twice (names differing only in case count as the "
                "same); remove the duplicate.",
                member=info.filename,
            )
        seen.add(key)
        declared += info.file_size
        _check_declared(info, declared, limits)
        files.append((info, name))
    return files


def _check_declared(info: zipfile.ZipInfo, declared_total: int, limits: PackageLimits) -> None:
    if info.file_size > limits.max_file_bytes:
        raise PackageError(
            PackageProblem.FILE_TOO_LARGE,
            f"The file {info.filename!r} is {info.file_size} bytes; the per-file limit is "
            f"{limits.max_file_bytes}.",
            member=info.filename,
        )
    if declared_total > limits.max_total_bytes:
        raise PackageError(
            PackageProblem.TOO_LARGE,
            f"The package unpacks to more than {limits.max_total_bytes} bytes, the limit for this site.",
        )


def _locate_manifest(files: list[tuple[zipfile.ZipInfo, str]]) -> tuple[zipfile.ZipInfo, str]:
    candidates = [(name.count("/"), name, info) for info, name in files
                  if name.rsplit("/", 1)[-1].lower() == MANIFEST_NAME]
    if not candidates:
        raise PackageError(
            PackageProblem.MISSING_MANIFEST,
            "The zip has no imsmanifest.xml, so it is not a SCORM package. Export the course as SCORM "
            "1.2 or SCORM 2004 from your authoring tool.",
        )
    depth = min(c[0] for c in candidates)
    shallowest = sorted((c for c in candidates if c[0] == depth), key=lambda c: c[1])
    if len(shallowest) > 1:
        names = ", ".join(c[1] for c in shallowest)
        raise PackageError(
            PackageProblem.AMBIGUOUS_MANIFEST,
            f"The zip holds several packages ({names}); upload one package per zip.",
        )
    _, name, info = shallowest[0]
    prefix = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
    return info, prefix


def plan_extraction(archive: zipfile.ZipFile, limits: PackageLimits) -> ExtractionPlan:
    """Check every member of `archive` and decide what to extract where."""
    files = _checked_files(archive, limits)
    manifest_info, prefix = _locate_manifest(files)
    members = tuple(
        PlannedMember(info, name[len(prefix):]) for info, name in files if name.startswith(prefix)
    )
    return ExtractionPlan(members=members, manifest_info=manifest_info, root_prefix=prefix)
