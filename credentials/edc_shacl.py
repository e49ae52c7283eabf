"""Validate a European Digital Credential against the EDC SHACL shapes (pyshacl, fully offline).

The shapes are the European Learning Model's own (european-commission-empl/European-Learning-Model,
EUPL-1.2), bundled in ``credentials/data/edc``: ``EDC-generic-no-cv.ttl`` (classes, properties,
cardinalities: the real constraints) and ``EDC-generic-full.ttl`` (the controlled vocabularies),
with ``ELM.ttl`` as the ontology graph so ``sh:class`` sees the ELM class hierarchy.  RDFS
inference is off, as in the EDC validator: with it, an Organisation (``foaf:Agent``) would be
checked against the Person shapes.  The credential becomes RDF through pyld with the offline
loader (the ``edc-ap`` context is bundled), so nothing is ever fetched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import rdflib
from pyld import jsonld as _pyld
from pyshacl import validate as _shacl_validate
from rdflib.namespace import SH

from credentials.errors import CredentialError
from credentials.jsonld import OfflineLoader

SHAPE_FILES = ("EDC-generic-no-cv.ttl", "EDC-generic-full.ttl")
ONTOLOGY_FILE = "ELM.ttl"
_PREFIXES = {
    "http://data.europa.eu/snb/model/elm/": "elm:",
    "https://www.w3.org/2018/credentials#": "cred:",
    "http://purl.org/dc/terms/": "dc:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/ns/adms#": "adms:",
    "http://xmlns.com/foaf/0.1/": "foaf:",
    "http://www.w3.org/ns/locn#": "locn:",
    "http://www.w3.org/ns/regorg#": "rov:",
    "http://www.w3.org/ns/person#": "person:",
    "http://data.europa.eu/snb/model/ap/edc-generic-no-cv/": "edc:",
    "http://data.europa.eu/snb/model/ap/edc-generic-full/": "edc-cv:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
}


class EdcShapeError(CredentialError):
    """The credential does not satisfy the EDC SHACL shapes; the message lists each violation."""

    def __init__(self, violations: list[ShapeViolation]) -> None:
        lines = "\n".join(f"  - {v}" for v in violations[:20])
        more = f"\n  … and {len(violations) - 20} more" if len(violations) > 20 else ""
        super().__init__(f"The European Digital Credential does not meet the EDC shapes:\n{lines}{more}")
        self.violations = violations


@dataclass(frozen=True, slots=True)
class ShapeViolation:
    """One failed constraint: where (focus node, property path), what (the shape's words), and the raw message."""

    focus: str
    path: str
    message: str
    description: str = ""

    def __str__(self) -> str:
        what = self.description or self.message
        where = f"{self.focus} → {self.path}" if self.path else self.focus
        return f"{where}: {what}" + (f" ({self.message})" if self.description and self.message else "")


@dataclass(frozen=True, slots=True)
class ShaclReport:
    """The answer: ``conforms`` and every violation (warnings and infos do not make it fail)."""

    conforms: bool
    violations: tuple[ShapeViolation, ...]

    def summary(self) -> str:
        if self.conforms:
            return "The credential meets the European Digital Credential shapes."
        first = self.violations[0] if self.violations else "unknown violation"
        return f"The credential does not meet the European Digital Credential shapes ({first})."


def _data_file(name: str) -> Any:
    return resources.files("credentials") / "data" / "edc" / name


@cache
def _shapes() -> tuple[rdflib.Graph, rdflib.Graph]:
    shapes = rdflib.Graph()
    for name in SHAPE_FILES:
        shapes.parse(data=_data_file(name).read_text(encoding="utf-8"), format="turtle")
    ontology = rdflib.Graph()
    ontology.parse(data=_data_file(ONTOLOGY_FILE).read_text(encoding="utf-8"), format="turtle")
    return shapes, ontology


def to_graph(credential: Mapping[str, Any], loader: OfflineLoader | None = None) -> rdflib.Graph:
    """The credential's default graph (JSON-LD toRdf over the bundled contexts) as an rdflib graph."""
    try:
        dataset = _pyld.to_rdf(dict(credential), {"documentLoader": loader or OfflineLoader()})
    except _pyld.JsonLdError as err:
        cause = getattr(err, "cause", None)
        if isinstance(cause, CredentialError):
            raise cause from err
        raise CredentialError(f"The credential is not valid JSON-LD: {err}") from err
    graph = rdflib.Graph()
    for triple in dataset.get("@default", []):
        graph.add((_term(triple["subject"]), _term(triple["predicate"]), _term(triple["object"])))
    return graph


def _term(node: Mapping[str, Any]) -> Any:
    kind, value = node["type"], node["value"]
    if kind == "IRI":
        return rdflib.URIRef(value)
    if kind == "blank node":
        return rdflib.BNode(value[2:] if value.startswith("_:") else value)
    if node.get("language"):
        return rdflib.Literal(value, lang=node["language"])
    datatype = node.get("datatype")
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return rdflib.Literal(value, datatype=rdflib.URIRef(datatype))
    return rdflib.Literal(value)


def _short(node: Any) -> str:
    text = str(node)
    for iri, prefix in _PREFIXES.items():
        if text.startswith(iri):
            return prefix + text[len(iri):]
    return text


def _leaf_results(report: rdflib.Graph) -> list[rdflib.term.Node]:
    """Violations, with a node-shape failure replaced by the nested failures that explain it."""
    tops = [r for r in report.subjects(rdflib.RDF.type, SH.ValidationResult)
            if (None, SH.detail, r) not in report and report.value(r, SH.resultSeverity) == SH.Violation]
    leaves: list[rdflib.term.Node] = []
    todo = list(tops)
    while todo:
        result = todo.pop(0)
        details = list(report.objects(result, SH.detail))
        if details:
            todo.extend(d for d in details if report.value(d, SH.resultSeverity) in (SH.Violation, None))
        else:
            leaves.append(result)
    return leaves


def _violation(report: rdflib.Graph, shapes: rdflib.Graph, result: rdflib.term.Node) -> ShapeViolation:
    shape = report.value(result, SH.sourceShape)
    description = ""
    if shape is not None:
        text = shapes.value(shape, SH.description) or shapes.value(shape, SH.name)
        description = str(text) if text is not None else ""
    path = report.value(result, SH.resultPath)
    message = report.value(result, SH.resultMessage)
    return ShapeViolation(focus=_short(report.value(result, SH.focusNode)),
                          path=_short(path) if path is not None else "",
                          message=str(message) if message is not None else "", description=description)


def validate_edc(credential: Mapping[str, Any], loader: OfflineLoader | None = None) -> ShaclReport:
    """Check an unsigned EDC (or a sealed one's payload) against the bundled EDC shapes."""
    shapes, ontology = _shapes()
    data = to_graph(credential, loader)
    conforms, report, _text = _shacl_validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                             allow_warnings=True, advanced=False)
    if conforms:
        return ShaclReport(True, ())
    violations = [_violation(report, shapes, r) for r in _leaf_results(report)]
    violations.sort(key=lambda v: (v.focus, v.path, v.message))
    return ShaclReport(not violations, tuple(violations))


def ensure_valid_edc(credential: Mapping[str, Any], loader: OfflineLoader | None = None) -> None:
    """Raise :class:`EdcShapeError` (every violation, in words) unless the credential meets the shapes."""
    report = validate_edc(credential, loader)
    if not report.conforms:
        raise EdcShapeError(list(report.violations))
