"""The JSON-LD contexts the bridge signs with: the bundled ones plus our micro-credential extension context.

Our context's stable URL is ``https://w3id.org/credential-bridge/mc/v1`` (``MC_CONTEXT_URL``); the tool also
serves it at ``/contexts/mc/v1``.  Signing and verifying never fetch it: it is loaded from the package.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from credentials.achievement import MC_CONTEXT_URL
from credentials.jsonld import Canonicalizer, OfflineLoader

__all__ = ["MC_CONTEXT_URL", "canonicalizer", "mc_context", "mc_context_text"]


@cache
def mc_context_text() -> str:
    """The extension context exactly as bundled (what ``/contexts/mc/v1`` serves)."""
    return (resources.files("credentials") / "data" / "contexts" / "bridge_mc_v1.jsonld").read_text(encoding="utf-8")


def mc_context() -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(mc_context_text())
    return parsed


@cache
def canonicalizer() -> Canonicalizer:
    """One process-wide canonicalizer (its caches are what make eddsa-rdfc-2022 fast)."""
    return Canonicalizer(OfflineLoader(extra={MC_CONTEXT_URL: mc_context()}))
