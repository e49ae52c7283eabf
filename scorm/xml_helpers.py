"""Namespace-tolerant helpers for reading manifest elements (SCORM CAM 1.2 and 2004 bindings).

Real manifests mix namespace prefixes and the case of ADL names (`scormtype` in 1.2, `scormType` in
2004; `datafromlms` / `dataFromLMS`), so lookups go by local name and, for ADL names, ignore case.
"""

from __future__ import annotations

from lxml import etree

from scorm.errors import ManifestError

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
TRUE_WORDS = frozenset({"true", "1"})


def local_name(node: etree._Element) -> str:
    tag = node.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def children(node: etree._Element, name: str) -> list[etree._Element]:
    """Child elements whose local name equals `name` (case-insensitive)."""
    wanted = name.lower()
    return [child for child in node if local_name(child).lower() == wanted]


def child(node: etree._Element, name: str) -> etree._Element | None:
    found = children(node, name)
    return found[0] if found else None


def child_text(node: etree._Element, name: str) -> str | None:
    found = child(node, name)
    if found is None or found.text is None:
        return None
    text = found.text.strip()
    return text or None


def attr(node: etree._Element, name: str) -> str | None:
    """Attribute by local name in any namespace (case-insensitive)."""
    wanted = name.lower()
    for key, value in node.attrib.items():
        if str(key).rsplit("}", 1)[-1].lower() == wanted:
            return str(value).strip()
    return None


def flag(node: etree._Element | None, name: str, default: bool) -> bool:
    if node is None:
        return default
    value = attr(node, name)
    return default if value is None else value.lower() in TRUE_WORDS


def number(text: str | None, what: str) -> float | None:
    if text is None or text == "":
        return None
    try:
        return float(text)
    except ValueError as err:
        raise ManifestError(f"The manifest gives {what} as {text!r}, which is not a number.") from err


def lang_text(node: etree._Element | None) -> str | None:
    """Text of a LOM langstring container (1.2 `<langstring>`, 2004 `<string>`) or of the node itself."""
    if node is None:
        return None
    for sub in node.iter():
        if local_name(sub) in ("langstring", "string") and sub.text and sub.text.strip():
            return sub.text.strip()
    text = (node.text or "").strip()
    return text or None
