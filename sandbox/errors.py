"""The sandbox's one error root, translated to HTTP answers at the view boundary."""

from __future__ import annotations


class SandboxError(Exception):
    """Base of every error the sandbox raises on purpose."""


class ProtocolError(SandboxError):
    """A request broke the protocol: answered as an OAuth/OIDC style JSON error.

    `error` is the RFC 6749 / OIDC error code, `description` a sentence a person can act on.
    """

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def as_json(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


class ToolKeyError(SandboxError):
    """The tool's JWKS could not be fetched or holds no matching key."""
