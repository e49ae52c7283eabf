"""The one error root of the ``credentials`` package and its written-out tree.

Every failure the library raises on purpose is a :class:`CredentialError`, so a caller
(the web layer, the CLI) can translate all of them at one boundary (STYLE.md rule 7).
Verification never raises for a *bad credential*: a forged or changed credential is an
answer (``VerificationResult.valid is False``), not an exception.  These errors are for
input the library cannot work on at all.
"""

from __future__ import annotations


class CredentialError(Exception):
    """Root of every error raised on purpose by the ``credentials`` package."""


class ContextNotAvailable(CredentialError):
    """A JSON-LD ``@context`` URL is not bundled; the loader never fetches from the network."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"The JSON-LD context {url!r} is not bundled with the credential library "
            "(contexts are never fetched from the network)."
        )
        self.url = url


class UndefinedTerm(CredentialError):
    """A document uses a term its ``@context`` does not define, so a signature would not cover it."""

    def __init__(self, term: str) -> None:
        super().__init__(
            f"The term {term!r} is not defined by the document's @context; "
            "it would be silently dropped from the signed data."
        )
        self.term = term


class CanonicalizationError(CredentialError):
    """JSON-LD processing or JCS canonicalization failed on the document."""


class KeyFormatError(CredentialError):
    """A key, multibase value, multicodec header or JWK could not be decoded."""


class DidResolutionError(CredentialError):
    """A DID or DID URL could not be resolved to a verification method."""

    def __init__(self, did: str, reason: str) -> None:
        super().__init__(f"Could not resolve {did!r}: {reason}")
        self.did = did
        self.reason = reason


class ProofError(CredentialError):
    """A proof could not be created (bad options, unsupported key or suite)."""


class StatusListError(CredentialError):
    """A status list is malformed, too short, full, or an index is out of range."""


class SchemaError(CredentialError):
    """A JSON schema could not be loaded."""


class UnsupportedFormat(CredentialError):
    """The requested signing format or the given credential format is not supported."""
