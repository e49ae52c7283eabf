"""Safe member names for zip archives (SCORM CAM 2004 3.2 "Package Interchange File", hardened).

A package member name becomes a file path on our disk and a URL path in the content origin, so a
name is refused when either reading could leave the package: `..` segments, absolute paths, drive
letters, UNC names, NUL and control characters, and the same tricks hidden behind percent-encoding
or Unicode compatibility forms (fullwidth dots and slashes). Backslashes are treated as separators.
"""

from __future__ import annotations

import re
import stat
import unicodedata
import zipfile
from urllib.parse import unquote

from scorm.errors import PackageError, PackageProblem

_DRIVE = re.compile(r"^[A-Za-z]:")
MAX_NAME_LENGTH = 1024
MAX_DEPTH = 64
_JUNK_DIRS = frozenset({"__MACOSX"})
_JUNK_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def _refuse(name: str, why: str) -> PackageError:
    return PackageError(
        PackageProblem.UNSAFE_PATH,
        f"The package contains a file named {name!r}, which {why}. Re-create the zip from the course "
        "folder itself (no absolute paths, no '..').",
        member=name,
    )


def _check_form(original: str, candidate: str) -> None:
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in candidate):
        raise _refuse(original, "contains control characters")
    if candidate.startswith("/") or candidate.startswith("//"):
        raise _refuse(original, "is an absolute path")
    if _DRIVE.match(candidate):
        raise _refuse(original, "starts with a drive letter")
    if any(part == ".." for part in candidate.split("/")):
        raise _refuse(original, "points outside the package")


def _decoded_forms(raw: str, name: str) -> set[str]:
    forms = {name, unicodedata.normalize("NFKC", name)}
    current = name
    for _ in range(3):  # double and triple percent-encoding ("%252e%252e") are classic tricks
        if "%" not in current:
            break
        try:
            current = unquote(current, errors="strict")
        except UnicodeDecodeError as err:
            raise _refuse(raw, "has an invalid percent-encoding") from err
        forms.update({current, unicodedata.normalize("NFKC", current)})
    return forms


def safe_member_name(raw: str) -> str:
    """Return the normalised relative path for a zip member name, or raise PackageError.

    Directory names keep their trailing "/". Empty and "." segments are dropped.
    """
    if "\x00" in raw:
        raise _refuse(raw, "contains a NUL byte")
    if len(raw) > MAX_NAME_LENGTH or raw.count("/") + raw.count("\\") > MAX_DEPTH:
        raise _refuse(raw[:80] + "…", f"is nested too deeply or longer than {MAX_NAME_LENGTH} characters")
    name = raw.replace("\\", "/")
    _check_form(raw, name)
    # The same name is later served as a URL and may be shown on Windows, so check decoded forms too.
    for form in _decoded_forms(raw, name):
        _check_form(raw, form.replace("\\", "/"))
    is_dir = name.endswith("/")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if not parts:
        raise _refuse(raw, "has an empty name")
    joined = "/".join(parts)
    return joined + "/" if is_dir else joined


def is_junk(name: str) -> bool:
    """True for operating-system clutter that is skipped, never extracted (`__MACOSX/`, `.DS_Store`)."""
    parts = name.rstrip("/").split("/")
    return any(part in _JUNK_DIRS for part in parts) or parts[-1] in _JUNK_FILES


def is_symlink(info: zipfile.ZipInfo) -> bool:
    """True when the member's Unix mode (high 16 bits of external_attr) says it is a symbolic link."""
    return stat.S_ISLNK(info.external_attr >> 16)


def check_member(info: zipfile.ZipInfo) -> str:
    """Validate one zip member (name, symlink, encryption) and return its normalised name."""
    # zipfile silently cuts a name at NUL; orig_filename keeps the bytes as written.
    if "\x00" in info.orig_filename:
        safe_member_name(info.orig_filename)
    name = safe_member_name(info.filename)
    if is_symlink(info):
        raise PackageError(
            PackageProblem.SYMLINK,
            f"The package contains a symbolic link ({info.filename!r}); links are not allowed. "
            "Replace the link with a copy of the file it points to.",
            member=info.filename,
        )
    if info.flag_bits & 0x1:
        raise PackageError(
            PackageProblem.ENCRYPTED,
            f"The package member {info.filename!r} is password-protected; upload an unencrypted zip.",
            member=info.filename,
        )
    return name
