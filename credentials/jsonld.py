"""Offline JSON-LD: bundled contexts, RDFC-1.0 canonicalization, refusal of undefined terms.

Implements the "transformation" step of the RDF cryptosuites (VC Data Integrity EdDSA
Cryptosuites v1.0, §3.3.3 Transformation (eddsa-rdfc-2022)): JSON-LD 1.1 expansion and
toRdf, then RDF Dataset Canonicalization (RDFC-1.0, output-identical to pyld's URDNA2015)
serialized as canonical N-Quads.

* Contexts are never fetched: :class:`OfflineLoader` serves the copies in
  ``credentials/data/contexts`` and raises :class:`ContextNotAvailable` for anything else.
* :class:`Canonicalizer` is the fast path.  pyld rebuilds every type-scoped context on every
  node (a non-propagating context is cloned and gets a fresh id, so pyld's own cache never
  hits); we memoize ``_process_context``, which is a pure function of (active context,
  local context, base, flags).  The output is byte-identical to plain pyld
  (:func:`canonicalize_plain`), which the tests check on the spec vectors and on generated
  documents.
* ``strict=True`` refuses terms the contexts do not define (pyld silently drops them, and a
  term caught only by the VC 2.0 ``issuer-dependent`` ``@vocab`` is undefined too), the way
  Digital Bazaar's "safe mode" does (VC Data Model 2.0 §5.2 Extensibility; Data Integrity 1.0
  §4.3 "Context Injection" / §6 Security Considerations).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from pyld import jsonld as _pyld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver
from pyld.identifier_issuer import IdentifierIssuer
from pyld.nquads import serialize_nquad

from credentials.errors import CanonicalizationError, ContextNotAvailable, UndefinedTerm

ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/issuer-dependent#"
NQUADS = {"algorithm": "URDNA2015", "format": "application/n-quads"}
JsonObject = dict[str, Any]
_IRI_MEMO_SIZE = 50_000


@cache
def bundled_contexts() -> Mapping[str, Any]:
    """URL → parsed context for every context shipped in ``credentials/data/contexts``."""
    folder = resources.files("credentials") / "data" / "contexts"
    index: dict[str, str] = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    return {url: json.loads((folder / name).read_text(encoding="utf-8")) for url, name in index.items()}


class OfflineLoader:
    """A pyld document loader over bundled contexts (plus ``extra`` ones); never touches the network."""

    def __init__(self, extra: Mapping[str, Any] | None = None) -> None:
        self._documents: dict[str, Any] = {**bundled_contexts(), **(extra or {})}

    def __contains__(self, url: object) -> bool:
        return url in self._documents

    def __call__(self, url: str, options: object = None) -> JsonObject:
        document = self._documents.get(url)
        if document is None:
            raise ContextNotAvailable(url)
        # A fresh deep copy: pyld rewrites relative context URLs in place.
        return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(document)}


def canonicalize_plain(document: Mapping[str, Any], loader: OfflineLoader | None = None) -> str:
    """Canonical N-Quads exactly as plain pyld produces them (the reference for the fast path)."""
    options = {**NQUADS, "documentLoader": loader or OfflineLoader()}
    try:
        return str(_pyld.normalize(dict(document), options))
    except _pyld.JsonLdError as err:
        raise _translate(err) from err


class _MemoProcessor(_pyld.JsonLdProcessor):
    """pyld's processor with context processing memoized (see the module docstring)."""

    def __init__(
        self,
        memo: Any,
        iris: dict[Any, Any],
        owned: dict[int, Any],
        on_property_dropped: Callable[[str | None], Any],
    ) -> None:
        super().__init__(on_property_dropped=on_property_dropped)
        self._memo = memo
        self._iris = iris
        self._owned = owned

    def _expand_iri(  # noqa: PLR0913 - mirrors pyld's signature
        self,
        active_ctx: Any,
        value: Any,
        base: Any = None,
        vocab: bool = False,
        local_ctx: Any = None,
        defined: Any = None,
    ) -> Any:
        # Only a frozen (finished) context is safe to key on: one being built still changes.
        if local_ctx is not None or defined is not None or not isinstance(active_ctx, _pyld.frozendict):
            return super()._expand_iri(active_ctx, value, base, vocab, local_ctx, defined)
        key = (active_ctx["_uuid"], value, base, vocab)
        try:
            return self._iris[key]
        except KeyError:
            pass
        except TypeError:  # an unhashable value: pyld returns it unchanged or fails the same way
            return super()._expand_iri(active_ctx, value, base, vocab)
        if len(self._iris) > _IRI_MEMO_SIZE:
            self._iris.clear()
        self._iris[key] = found = super()._expand_iri(active_ctx, value, base, vocab)
        return found

    def _process_context(  # noqa: PLR0913 - mirrors pyld's signature
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: Mapping[str, Any],
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        uuid = active_ctx.get("_uuid") if hasattr(active_ctx, "get") else None
        if uuid is None or cycles:
            return super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
            )
        # A context object from a document our loader made (a scoped context inside a bundled
        # context) is never changed once resolved: key it by identity instead of serializing it.
        # The memo entry keeps it alive, so its id cannot be reused while the entry exists.
        owned = self._owned.get(id(local_ctx)) is local_ctx
        key = (
            uuid,
            ("@owned", id(local_ctx)) if owned else _context_key(local_ctx),
            options.get("base", ""),
            override_protected,
            propagate,
            validate_scoped,
            options.get("processingMode"),
        )
        found = self._memo.get(key)
        if found is None:
            found = super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
            )
            # Keep the active context alive with the result so its _uuid is never reused.
            self._memo[key] = found = (found, active_ctx, local_ctx)
        return found[0]


class _FastURDNA2015(URDNA2015):
    """pyld's URDNA2015 without its per-component ``copy.deepcopy`` in Hash First Degree Quads.

    A component is a flat dict of strings, so a shallow copy with ``_:a`` / ``_:z`` substituted
    serializes to exactly the same N-Quad; the hashes, and so the output, are unchanged.
    """

    def hash_first_degree_quads(self, id_: str) -> str:
        info = self.blank_node_info[id_]
        found: str | None = info.get("hash")
        if found is not None:
            return found
        nquads = []
        for quad in info["quads"]:
            copied = {}
            for key, component in quad.items():
                if key != "predicate" and component["type"] == "blank node":
                    component = {**component, "value": "_:a" if component["value"] == id_ else "_:z"}
                copied[key] = component
            nquads.append(serialize_nquad(copied))
        nquads.sort()
        digest = hashlib.sha256()
        for nquad in nquads:
            digest.update(nquad.encode("utf8"))
        info["hash"] = found = digest.hexdigest()
        return found


def _register_dicts(value: Any, owned: dict[int, Any]) -> None:
    if isinstance(value, dict):
        owned[id(value)] = value
        for item in value.values():
            _register_dicts(item, owned)
    elif isinstance(value, list):
        for item in value:
            _register_dicts(item, owned)


def _context_key(local_ctx: Any) -> Any:
    if isinstance(local_ctx, str):
        return local_ctx
    if isinstance(local_ctx, list) and all(isinstance(item, str) for item in local_ctx):
        return tuple(local_ctx)
    return json.dumps(local_ctx, sort_keys=True, separators=(",", ":"), default=repr)


class Canonicalizer:
    """RDFC-1.0 canonicalization with processed contexts cached across documents."""

    def __init__(self, loader: OfflineLoader | None = None, *, cache_size: int = 4096) -> None:
        self.loader = loader or OfflineLoader()
        self._memo: Any = _pyld.LRUCache(maxsize=cache_size)
        self._resolved: Any = _pyld.LRUCache(maxsize=256)
        self._iris: dict[Any, Any] = {}
        self._owned: dict[int, Any] = {}

    def _static_loader(self, url: str, options: object = None) -> JsonObject:
        # The "static" tag lets pyld keep resolved remote contexts across operations.
        loaded = {**self.loader(url, options), "tag": "static"}
        if len(self._owned) > _IRI_MEMO_SIZE:
            self._owned.clear()
        _register_dicts(loaded["document"], self._owned)
        return loaded

    def expand(self, document: Mapping[str, Any], *, strict: bool = False) -> list[Any]:
        """JSON-LD expansion; with ``strict`` an undefined term raises :class:`UndefinedTerm`."""
        processor = _MemoProcessor(self._memo, self._iris, self._owned, _refuse_dropped if strict else _pyld.noop)
        options = {
            "documentLoader": self._static_loader,
            "contextResolver": ContextResolver(self._resolved, self._static_loader),
            "base": "",
            "extractAllScripts": True,
            "processingMode": "json-ld-1.1",
            "isFrame": False,
            "keepFreeFloatingNodes": False,
        }
        try:
            # pyld's JsonLdProcessor.expand for an in-memory document, with its copy.deepcopy
            # of the input replaced by a plain JSON copy (same values, several times faster).
            found = processor._expand(
                processor._get_initial_context(options), None, _json_copy(dict(document)), options, inside_list=False
            )
        except _pyld.JsonLdError as err:
            raise _translate(err) from err
        if isinstance(found, dict) and "@graph" in found and len(found) == 1:
            found = found["@graph"]
        expanded: list[Any] = _pyld.JsonLdProcessor.arrayify([] if found is None else found)
        if strict:
            _refuse_issuer_dependent(expanded)
        return expanded

    def canonicalize(self, document: Mapping[str, Any], *, strict: bool = False) -> str:
        """Canonical N-Quads (RDFC-1.0) of ``document``, byte-identical to :func:`canonicalize_plain`."""
        expanded = self.expand(document, strict=strict)
        # The rest of pyld's to_rdf + normalize, on the already expanded input.
        processor = _pyld.JsonLdProcessor()
        issuer = IdentifierIssuer("_:b")
        node_map: dict[str, Any] = {"@default": {}}
        options = {**NQUADS, "produceGeneralizedRdf": False, "base": "", "processingMode": "json-ld-1.1"}
        try:
            processor._create_node_map(expanded, node_map, "@default", issuer)
            dataset = {
                name: processor._graph_to_rdf(graph, issuer, options)
                for name, graph in sorted(node_map.items())
                if name == "@default" or _pyld._is_absolute_iri(name)
            }
            return str(_FastURDNA2015().main(dataset, options))
        except _pyld.JsonLdError as err:
            raise _translate(err) from err

    def check_terms(self, document: Mapping[str, Any]) -> None:
        """Raise :class:`UndefinedTerm` when ``document`` uses a term its contexts do not define."""
        self.expand(document, strict=True)


def _json_copy(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars); anything else goes through ``copy.deepcopy``."""
    kind = type(value)
    if kind is dict:
        return {key: _json_copy(item) for key, item in value.items()}
    if kind is list:
        return [_json_copy(item) for item in value]
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    return copy.deepcopy(value)


def _refuse_dropped(term: str | None) -> None:
    raise UndefinedTerm(term or "(unnamed)")


def _refuse_issuer_dependent(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _refuse_issuer_dependent(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key.startswith(ISSUER_DEPENDENT):
                raise UndefinedTerm(key.removeprefix(ISSUER_DEPENDENT))
            if key == "@type":
                for type_ in value if isinstance(value, list) else [value]:
                    _refuse_undefined_type(type_)
            elif key != "@value":
                _refuse_issuer_dependent(value)


def _refuse_undefined_type(type_: Any) -> None:
    if not isinstance(type_, str) or type_.startswith("@"):
        return
    # pyld resolves an undefined type against its default base instead of dropping it.
    for prefix in (ISSUER_DEPENDENT, _pyld.DEFAULT_BASE_IRI):
        if type_.startswith(prefix):
            raise UndefinedTerm(type_.removeprefix(prefix))
    if not _pyld._is_absolute_iri(type_):
        raise UndefinedTerm(type_)


def _translate(err: Exception) -> Exception:
    """Find our own error inside pyld's wrapping, or describe pyld's."""
    cause: BaseException | None = err
    while cause is not None:
        if isinstance(cause, (ContextNotAvailable, UndefinedTerm)):
            return cause
        cause = cause.__cause__ or (getattr(cause, "details", None) or {}).get("cause")
    return CanonicalizationError(f"The document is not valid JSON-LD: {err}")


_DEFAULT: Canonicalizer | None = None


def default_canonicalizer() -> Canonicalizer:
    """The process-wide canonicalizer over the bundled contexts (its caches are shared)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Canonicalizer()
    return _DEFAULT


def canonicalize(document: Mapping[str, Any], *, strict: bool = False) -> str:
    """Canonical N-Quads of ``document`` with the default (fast, offline) canonicalizer."""
    return default_canonicalizer().canonicalize(document, strict=strict)
