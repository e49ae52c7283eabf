"""A small bundled, searchable subset of ESCO skills (skills pillar).

ELM 3 links learning outcomes to ESCO with ``relatedESCOSkill`` (scheme
http://data.europa.eu/esco/concept-scheme/skills); OB 3.0 expresses the same link as an ``Alignment``.
The subset in ``data/esco_subset.json`` holds real ESCO v1.2.0 concept URIs only; its ``source`` key says
where each came from.  Nothing here calls the ESCO API at run time.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

SKILL_SCHEME = "http://data.europa.eu/esco/concept-scheme/skills"
_SKILL_URI = re.compile(
    r"^http://data\.europa\.eu/esco/skill/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)


@dataclass(frozen=True, slots=True)
class Skill:
    """An ESCO skill/competence concept with its preferred labels per language and alternative labels."""

    uri: str
    labels: Mapping[str, str]
    alt_labels: tuple[str, ...] = ()
    group: str = ""

    def label(self, lang: str = "en") -> str:
        return self.labels.get(lang) or self.labels["en"]


def is_esco_uri(uri: str) -> bool:
    """True when ``uri`` has the shape of an ESCO skill concept URI (http://data.europa.eu/esco/skill/<uuid>)."""
    return bool(_SKILL_URI.match(uri))


@cache
def skills() -> Mapping[str, Skill]:
    """The bundled subset, keyed by URI."""
    raw = json.loads(resources.files("credentials").joinpath("data/esco_subset.json").read_text("utf-8"))
    out = {
        s["uri"]: Skill(s["uri"], MappingProxyType(dict(s["labels"])), tuple(s.get("altLabels", ())),
                        s.get("group", ""))
        for s in raw["skills"]
    }
    return MappingProxyType(out)


def get(uri: str) -> Skill | None:
    """The bundled skill with this URI, or None when it is not in the subset."""
    return skills().get(uri)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _score(skill: Skill, words: list[str], lang: str) -> int:
    preferred = _fold(skill.label(lang))
    if not all(w in preferred or any(w in _fold(a) for a in skill.alt_labels) for w in words):
        return 0
    score = 1 + sum(2 for w in words if w in preferred)
    return score + (5 if preferred.startswith(words[0]) else 0)


def search(query: str, lang: str = "en", limit: int = 10) -> list[Skill]:
    """Skills whose preferred label (in ``lang``, falling back to English) or alternative labels contain every
    word of ``query``; best matches first (preferred-label hits before alternative-label hits)."""
    words = _fold(query).split()
    if not words or limit <= 0:
        return []
    scored = [(s, _score(s, words, lang)) for s in skills().values()]
    ranked = sorted((p for p in scored if p[1]), key=lambda p: (-p[1], p[0].label(lang)))
    return [s for s, _ in ranked[:limit]]
