"""Hardened XML parsing for package manifests (OWASP XML External Entity prevention).

SCORM CAM manifests never need a DTD, entities or network access, so the parser refuses all three:
`resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False`, and a document whose
DOCTYPE declares entities or points at an external DTD is rejected outright (XXE, billion laughs).
Package-supplied schemas (xsi:schemaLocation) are never fetched.
"""

from __future__ import annotations

from lxml import etree

from scorm.errors import ManifestError, UnsafeXmlError

_ENTITY_MARKERS = (b"<!ENTITY", "<!ENTITY".encode("utf-16-le"), "<!ENTITY".encode("utf-16-be"))


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def _refuse_entities() -> UnsafeXmlError:
    return UnsafeXmlError(
        "imsmanifest.xml declares XML entities in a DOCTYPE; manifests must not contain a DTD "
        "(this is how XXE and 'billion laughs' attacks work). Remove the <!DOCTYPE …> block."
    )


def _check_doctype(tree: etree._ElementTree) -> None:
    docinfo = tree.docinfo
    # lxml-stubs lag behind lxml here, hence getattr.
    if getattr(docinfo, "system_url", None) or docinfo.public_id:
        raise UnsafeXmlError(
            "imsmanifest.xml refers to an external DTD, which is never loaded; remove the <!DOCTYPE …> line."
        )
    dtd = docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):  # type: ignore[attr-defined]
        raise _refuse_entities()


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML bytes into an element tree or raise ManifestError/UnsafeXmlError."""
    if any(marker in data for marker in _ENTITY_MARKERS):
        raise _refuse_entities()
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as err:
        raise ManifestError(
            f"imsmanifest.xml is not well-formed XML ({err.msg}, line {err.lineno}); open it in an XML "
            "editor, fix it, and zip the package again."
        ) from err
    except ValueError as err:  # e.g. an encoding declaration lxml cannot honour
        raise ManifestError(f"imsmanifest.xml cannot be read as XML ({err}).") from err
    _check_doctype(root.getroottree())
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise _refuse_entities()
    return root
