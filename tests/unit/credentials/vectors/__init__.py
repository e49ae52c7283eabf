"""Published W3C test vectors (see SOURCES.md) and small helpers to read them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from credentials.jsonld import Canonicalizer, OfflineLoader

HERE = Path(__file__).parent
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"


def load(name: str) -> Any:
    """A JSON vector file, parsed."""
    return json.loads((HERE / name).read_text(encoding="utf-8"))


def text(name: str) -> str:
    """A text vector file, exactly as published (no trailing newline added or removed)."""
    return (HERE / name).read_text(encoding="utf-8")


def examples_loader() -> OfflineLoader:
    """The bundled contexts plus the W3C examples context the vectors use."""
    return OfflineLoader({EXAMPLES_V2: load("credentials_examples_v2.jsonld")})


def examples_canonicalizer() -> Canonicalizer:
    return Canonicalizer(examples_loader())


def unsigned(suite: str) -> dict[str, Any]:
    """The signed vector of ``suite`` without its proof."""
    document: dict[str, Any] = load(f"{suite}/signed.json")
    document.pop("proof")
    return document
