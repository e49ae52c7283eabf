"""Import SCORM package zips into content storage, and find them again.

Content storage is ``<instance>/scorm/<uuid>/`` (one folder per package, never reused). The import is
atomic: ``scorm.package.import_package`` extracts into a temporary sibling and renames it into place only
when every check passed; if recording the package in the database fails afterwards, the folder is removed
again. A refused package raises ``PackageRefused`` with a message an instructor can act on and leaves
nothing behind, neither files nor rows. The caller owns the transaction.
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from sqlalchemy import delete, exists, func, select
from sqlalchemy.orm import Session

from bridge.models import ScormActivity, ScormPackage
from scorm.errors import ScormError
from scorm.inspect import summarize_manifest
from scorm.manifest import parse_manifest
from scorm.manifest_model import Manifest, Sco
from scorm.package import PackageLimits, import_package

CONTENT_DIR = "scorm"


class PackageRefused(Exception):
    """The zip is not an acceptable SCORM package; ``str(err)`` says why, for the uploader."""

    def __init__(self, message: str, *, reason: str = "invalid") -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Storage:
    """Where packages live: ``instance_dir/scorm/``, and the limits applied on import."""

    instance_dir: Path
    limits: PackageLimits = PackageLimits()

    @property
    def root(self) -> Path:
        return self.instance_dir / CONTENT_DIR

    def package_dir(self, package: ScormPackage) -> Path:
        return self.instance_dir / package.storage_path


def storage_from_config(config: Mapping[str, Any]) -> Storage:
    """Content storage and import limits from the application configuration (``SCORM_*`` keys)."""
    return _storage(str(config["INSTANCE_DIR"]), int(config.get("SCORM_MAX_PACKAGE_MB") or 1024),
                    int(config.get("SCORM_MAX_FILES") or 20_000))


@lru_cache(maxsize=16)
def _storage(instance_dir: str, megabytes: int, max_files: int) -> Storage:
    # Built once per setting: every run-time commit asks for it.
    limits = PackageLimits(max_total_bytes=megabytes * 1024 * 1024,
                           max_file_bytes=min(megabytes, 512) * 1024 * 1024, max_members=max_files)
    return Storage(Path(instance_dir), limits)


def _sha256(source: IO[bytes]) -> str:
    digest = hashlib.sha256()
    source.seek(0)
    for chunk in iter(lambda: source.read(1024 * 1024), b""):
        digest.update(chunk)
    source.seek(0)
    return digest.hexdigest()


def import_zip(session: Session, storage: Storage, source: IO[bytes], *, registration_id: int,
               course_id: int | None, original_name: str = "") -> ScormPackage:
    """Check, extract and record one package zip (a seekable binary file)."""
    digest = _sha256(source)
    relative = f"{CONTENT_DIR}/{uuid.uuid4().hex}"
    try:
        imported = import_package(cast(BinaryIO, source), storage.instance_dir / relative, storage.limits)
    except ScormError as err:
        raise PackageRefused(str(err), reason=str(getattr(err, "reason", "manifest"))) from err
    if not imported.manifest.scos:
        shutil.rmtree(imported.root, ignore_errors=True)
        raise PackageRefused("The package has no launchable SCO in its default organization, so there is nothing "
                             "to play. Export it again as a SCORM package with at least one SCO.", reason="no_sco")
    try:
        package = ScormPackage(registration_id=registration_id, course_id=course_id, title=imported.manifest.title,
                               version=imported.manifest.version, storage_path=relative,
                               summary=summarize_manifest(imported.manifest), files=imported.files,
                               bytes=imported.bytes, sha256=digest, original_name=original_name[:255])
        session.add(package)
        session.flush()
    except BaseException:
        shutil.rmtree(imported.root, ignore_errors=True)
        raise
    return package


class PackageInUse(PackageRefused):
    """The package is played by a course link, so it cannot be deleted."""


def delete_package(session: Session, storage: Storage, package: ScormPackage) -> None:
    """Delete a package that no link plays: its row and its content folder, all or nothing. Commits.

    The rule: a package attached to a link (a SCORM activity) is refused (``PackageInUse``) — its learners'
    attempts belong to that activity and are never deleted with a package; attach another package to the link
    first (the attempts stay with the link). The folder is first renamed aside (atomic on one file system), so
    no learner is ever served half a package; if the database refuses the delete it is renamed back, and it is
    removed only after the commit.
    """
    if _played(session, package.id):
        raise _in_use()
    folder = storage.package_dir(package)
    aside = folder.with_name(f"{folder.name}.deleting")
    moved = folder.is_dir()
    if moved:
        folder.rename(aside)
    try:
        # Conditional, so a link attached meanwhile is not cascaded away with the package.
        deleted = session.execute(delete(ScormPackage).where(
            ScormPackage.id == package.id, ~exists().where(ScormActivity.package_id == package.id)))
        if getattr(deleted, "rowcount", 0) != 1:
            raise _in_use()
        session.commit()
    except BaseException:
        session.rollback()
        if moved:
            aside.rename(folder)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _played(session: Session, package_id: int) -> bool:
    return bool(session.scalar(select(func.count()).select_from(ScormActivity).where(
        ScormActivity.package_id == package_id)))


def _in_use() -> PackageInUse:
    return PackageInUse("A link of the course plays this package. Attach another package to that link first; "
                        "its learners' attempts stay with the link.", reason="in_use")


def remove_files(storage: Storage, package: ScormPackage) -> None:
    """Delete a package's content folder (after its row was deleted and committed)."""
    shutil.rmtree(storage.package_dir(package), ignore_errors=True)


def list_packages(session: Session, registration_id: int, course_id: int | None) -> list[ScormPackage]:
    query = select(ScormPackage).where(ScormPackage.registration_id == registration_id,
                                       ScormPackage.course_id == course_id)
    return list(session.scalars(query.order_by(ScormPackage.id.desc())))


def manifest_of(storage: Storage, package: ScormPackage) -> Manifest:
    """The parsed manifest of an imported package (cached: imported content never changes)."""
    return manifest_at(storage, package.storage_path)


def manifest_at(storage: Storage, storage_path: str) -> Manifest:
    """The parsed manifest of the package stored at ``storage_path`` (``ScormPackage.storage_path``)."""
    return _parse_cached(f"{storage.instance_dir}/{storage_path}/imsmanifest.xml")  # no Path joins per commit


@lru_cache(maxsize=256)
def _parse_cached(path: str) -> Manifest:
    return parse_manifest(Path(path).read_bytes())


def find_sco(manifest: Manifest, identifier: str) -> Sco | None:
    return next((sco for sco in manifest.scos if sco.identifier == identifier), None)
