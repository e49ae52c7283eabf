"""The one error root of the `scorm` library and its subclasses.

Every failure a caller can act on is a `ScormError`; the message says what is wrong with the package
or manifest and what to do about it (it is shown to instructors uploading packages). Run-time API
errors are *not* exceptions: SCORM RTE 1.2 section 3.3 and SCORM 2004 RTE section 3.1.7 require them to
be reported through GetLastError, so `scorm.runtime` returns codes instead.
"""

from __future__ import annotations

from enum import StrEnum


class ScormError(Exception):
    """Root of every error raised by the `scorm` package."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class PackageProblem(StrEnum):
    """Machine-readable reason why a zip was refused (stable: callers may switch on it)."""

    NOT_A_ZIP = "not_a_zip"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    UNSAFE_PATH = "unsafe_path"
    SYMLINK = "symlink"
    DUPLICATE_MEMBER = "duplicate_member"
    TOO_MANY_MEMBERS = "too_many_members"
    FILE_TOO_LARGE = "file_too_large"
    TOO_LARGE = "too_large"
    COMPRESSION_RATIO = "compression_ratio"
    MISSING_MANIFEST = "missing_manifest"
    AMBIGUOUS_MANIFEST = "ambiguous_manifest"
    DESTINATION_EXISTS = "destination_exists"
    WRITE_FAILED = "write_failed"


class PackageError(ScormError):
    """The zip file cannot be accepted as a SCORM package; `reason` says why."""

    def __init__(self, reason: PackageProblem, message: str, *, member: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.member = member


class ManifestError(ScormError):
    """`imsmanifest.xml` is missing, unsafe, not XML, or does not describe a usable package."""

    def __init__(self, message: str, *, element: str | None = None) -> None:
        super().__init__(message)
        self.element = element


class UnsafeXmlError(ManifestError):
    """The manifest uses XML features we refuse (DTD entities, external references)."""


class DataModelError(ScormError):
    """A data model element name or value is not valid for the SCORM version in use."""

    def __init__(self, message: str, *, element: str, code: int) -> None:
        super().__init__(message)
        self.element = element
        self.code = code


class RuntimeStateError(ScormError):
    """A persisted run-time state cannot be loaded (wrong version, wrong shape)."""
