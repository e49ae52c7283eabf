"""Parse `imsmanifest.xml` into frozen values (SCORM CAM 1.2 section 2.3; SCORM CAM 2004 section 3.4).

Version detection follows `<schemaversion>` ("1.2", "CAM 1.3", "2004 3rd Edition", "2004 4th Edition")
and falls back to the ADL namespaces (adlcp_rootv1p2 → 1.2; adlcp_v1p3 → 2004, 4th Edition when
4th-Edition-only features appear). The default organization is `organizations@default`, or the first
organization when the default names none. XML never leaves this module.
"""

from __future__ import annotations

from lxml import etree

from scorm.errors import ManifestError
from scorm.launch_urls import resolve_href
from scorm.manifest_items import build_scos, parse_item
from scorm.manifest_model import Manifest, Organization, Resource, ScormVersion, Sequencing
from scorm.manifest_sequencing import parse_metadata, parse_sequencing
from scorm.xml_helpers import XML_BASE, attr, child, child_text, children, flag, local_name
from scorm.xml_safety import parse_xml

NS_ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
NS_ADLCP_2004 = "http://www.adlnet.org/xsd/adlcp_v1p3"
NS_IMSCP_12 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
NS_IMSCP_2004 = "http://www.imsglobal.org/xsd/imscp_v1p1"
_SCHEMA_VERSIONS: dict[str, ScormVersion] = {
    "1.2": "1.2",
    "cam 1.3": "2004 2nd",
    "2004 3rd edition": "2004 3rd",
    "2004 4th edition": "2004 4th",
}


def _namespaces(root: etree._Element) -> set[str]:
    found: set[str] = set()
    for node in root.iter():
        found.update(str(uri) for uri in node.nsmap.values())
    return found


def _looks_4th_edition(root: etree._Element) -> bool:
    for node in root.iter():
        name = local_name(node).lower()
        if name == "completionthreshold" and node.attrib and not (node.text or "").strip():
            return True
        if name == "data" or name == "map":  # adlcp:data / adlcp:map (shared data, 4th Ed. only)
            return True
    return False


def detect_version(root: etree._Element, schema_version: str | None) -> ScormVersion:
    known = _SCHEMA_VERSIONS.get((schema_version or "").strip().lower())
    if known:
        return known
    namespaces = _namespaces(root)
    if NS_ADLCP_2004 in namespaces or NS_IMSCP_2004 in namespaces:
        return "2004 4th" if _looks_4th_edition(root) else "2004 3rd"
    if NS_ADLCP_12 in namespaces or NS_IMSCP_12 in namespaces:
        return "1.2"
    raise ManifestError(
        f"Cannot tell the SCORM version of this package: schemaversion is {schema_version!r} and the "
        "manifest uses no SCORM namespace. Export it again as SCORM 1.2 or SCORM 2004."
    )


def _resources(node: etree._Element | None, manifest_base: str | None) -> tuple[Resource, ...]:
    if node is None:
        return ()
    resources_base = node.get(XML_BASE)
    out: list[Resource] = []
    for res in children(node, "resource"):
        identifier = attr(res, "identifier") or ""
        bases = [manifest_base, resources_base, res.get(XML_BASE)]
        href = attr(res, "href")
        files = tuple(resolve_href(bases, f.get("href") or "") for f in children(res, "file")
                      if f.get("href"))
        scorm_type = (attr(res, "scormType") or "asset").lower()
        out.append(Resource(
            identifier=identifier,
            type=attr(res, "type") or "webcontent",
            scorm_type="sco" if scorm_type == "sco" else "asset",
            href=resolve_href(bases, href) if href else None,
            files=files,
            dependencies=tuple(attr(d, "identifierref") or "" for d in children(res, "dependency")),
        ))
    return tuple(out)


def _organizations(node: etree._Element | None, version: ScormVersion,
                   collection: dict[str, etree._Element]) -> tuple[tuple[Organization, ...], str | None]:
    if node is None:
        return (), None
    orgs = tuple(
        Organization(
            identifier=attr(org, "identifier") or "",
            title=child_text(org, "title") or "",
            items=tuple(parse_item(i, version, collection) for i in children(org, "item")),
            sequencing=_sequencing(org, collection),
            objectives_global_to_system=flag(org, "objectivesGlobalToSystem", True),
        )
        for org in children(node, "organization")
    )
    wanted = attr(node, "default")
    chosen = next((o.identifier for o in orgs if o.identifier == wanted), None)
    if chosen is None and orgs:
        chosen = orgs[0].identifier  # a default that matches nothing is common in real packages
    return orgs, chosen


def _sequencing(node: etree._Element, collection: dict[str, etree._Element]) -> Sequencing | None:
    seq = child(node, "sequencing")
    return parse_sequencing(seq, collection) if seq is not None else None


def parse_manifest(data: bytes) -> Manifest:
    """Parse manifest bytes (untrusted) into a `Manifest`, or raise `ManifestError`."""
    root = parse_xml(data)
    if local_name(root) != "manifest":
        raise ManifestError(f"imsmanifest.xml has root element <{local_name(root)}>, expected <manifest>.")
    metadata_node = child(root, "metadata")
    schema_version = child_text(metadata_node, "schemaversion") if metadata_node is not None else None
    version = detect_version(root, schema_version)
    collection_node = child(root, "sequencingCollection")
    collection = {attr(s, "ID") or "": s for s in children(collection_node, "sequencing")} \
        if collection_node is not None else {}
    resources = _resources(child(root, "resources"), root.get(XML_BASE))
    orgs, default = _organizations(child(root, "organizations"), version, collection)
    organization = next((o for o in orgs if o.identifier == default), None)
    return Manifest(
        identifier=attr(root, "identifier") or "",
        version=version,
        schema_version=schema_version,
        metadata=parse_metadata(metadata_node),
        default_organization=default,
        organizations=orgs,
        resources=resources,
        scos=build_scos(organization, resources, version),
    )
