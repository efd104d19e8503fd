"""Walk a FHIR document (a resource or a Bundle) and read every result in it, in order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import tzinfo
from typing import Any, Final

import attrs

from mutrec._checks import items_of
from mutrec.errors import Problem
from mutrec.interop._fhir_doc import Document, Node, Resolver, refuse_r5
from mutrec.interop._fhir_imaging import read_imaging
from mutrec.interop._fhir_json import Refused, load_json, obj, objs, refuse, text
from mutrec.interop._fhir_lab import check_status, read_observation
from mutrec.interop._reading import Reading
from mutrec.model.results import ImagingResult, LabResult

__all__ = ["FhirReading", "read_document"]

_BUNDLES: Final = ("collection", "searchset", "transaction", "batch")
_READ: Final = ("Observation", "DiagnosticReport", "ImagingStudy", "Bundle")
_REPORT_READ: Final = ("final", "amended", "corrected", "appended", "partial")
_MAX_BUNDLE_DEPTH: Final = 3
# Requests that carry no resource in a transaction or batch Bundle.
_NO_RESOURCE: Final = ("DELETE", "GET", "HEAD")


def _references(values: Iterable[str]) -> tuple[str, ...]:
    return items_of("references", values, str)


def _wheres(values: Iterable[str]) -> tuple[str, ...]:
    return items_of("wheres", values, str)


@attrs.frozen
class FhirReading(Reading):
    """A :class:`~mutrec.interop.Reading` of FHIR, with where each result came from.

    Attributes:
        references: For each result, the resource it was read from, as a decision's FHIR form
            references it: the entry's ``fullUrl`` when it is a URL, else ``Type/id`` (the
            container's, for a contained Observation).
        wheres: For each result, its path in the input (``entry[3].resource``).

    >>> FhirReading().references
    ()
    """

    references: tuple[str, ...] = attrs.field(converter=_references, default=())
    wheres: tuple[str, ...] = attrs.field(converter=_wheres, default=())

    def __add__(self, other: Reading) -> FhirReading:
        """Both readings, in order (the references of another kind of reading are ``""``).

        >>> len((FhirReading() + FhirReading()).references)
        0
        """
        if not isinstance(other, Reading):
            return NotImplemented
        refs = other.references if isinstance(other, FhirReading) else ("",) * len(other)
        wheres = other.wheres if isinstance(other, FhirReading) else ("",) * len(other)
        return FhirReading(
            self.results + other.results,
            self.problems + other.problems,
            self.references + refs,
            self.wheres + wheres,
        )


Reader = Callable[..., list[Any]]
Validator = Callable[[Mapping[str, Any], str, str], tuple[Problem, ...]]


class _Walk:
    """One reading: the document's nodes in order, then each read."""

    def __init__(
        self,
        source: str,
        resolver: Resolver | None,
        zone: tzinfo | None,
        validator: Validator | None,
    ) -> None:
        self.source, self.resolver, self.zone = source, resolver, zone
        self.validator = validator
        self.doc = Document()
        self.nodes: list[Node] = []
        self.results: list[LabResult | ImagingResult] = []
        self.refs: list[str] = []
        self.wheres: list[str] = []
        self.problems: list[Problem] = []

    def problem(self, refusal: Refused) -> None:
        self.problems.append(
            Problem(self.source, refusal.where, refusal.message, hint=refusal.hint)
        )

    def collect(self, resource: Mapping[str, Any], where: str, depth: int) -> None:
        """Index *resource* (every entry of a Bundle, recursively) and queue what to read."""
        node = Node(resource, where)
        if node.type != "Bundle":
            self.nodes.append(node)
            if node.type not in _READ:
                return  # a Patient, an Organization …: consulted, not read
            for path, item in objs(resource.get("contained"), node.el("contained")):
                if item.get("resourceType") in {"Observation", "ImagingStudy"}:
                    self.nodes.append(Node(item, path, node))
            return
        refuse_r5(node)
        kind = resource.get("type")
        if kind not in _BUNDLES:
            shown = repr(kind[:40]) if isinstance(kind, str) else "missing"
            refuse(
                node.el("type"),
                f"Bundle type {shown[:40]} is not read",
                f"send a {', '.join(_BUNDLES)} Bundle",
            )
        if depth >= _MAX_BUNDLE_DEPTH:
            refuse(where or "$", "Bundles are nested too deeply")
        for path, entry in objs(resource.get("entry"), node.el("entry")):
            try:
                self._entry(path, entry, depth)
            except Refused as refusal:
                self.problem(refusal)

    def _entry(self, path: str, entry: Mapping[str, Any], depth: int) -> None:
        full_url = text(entry.get("fullUrl"), f"{path}.fullUrl")
        if entry.get("resource") is None:
            request = entry.get("request")
            method = request.get("method") if isinstance(request, Mapping) else None
            if method in _NO_RESOURCE:
                return
            refuse(path, "has no resource")
        resource = obj(entry["resource"], f"{path}.resource")
        node = Node(resource, f"{path}.resource")
        if node.type != "Bundle":
            self.doc.add(node, full_url)
        self.collect(resource, node.where, depth + 1)

    def link(self) -> None:
        """Record which report or panel lists which result; report what is listed but absent."""
        for node in self.nodes:
            if node.container is not None:
                self.doc.add_parent(node.resource, node.container)
            lists: tuple[str, ...] = ()
            if node.type == "DiagnosticReport":
                lists = ("result", "imagingStudy")
            if node.type == "Observation":
                lists = ("hasMember",)
            for element in lists:
                try:
                    self._listed(node, element)
                except Refused as refusal:
                    self.problem(refusal)

    def _listed(self, node: Node, element: str) -> None:
        for path, reference in objs(node.resource.get(element), node.el(element)):
            found = self.doc.resolve(reference, node, path)
            if found is None:
                shown = text(reference.get("reference"), f"{path}.reference")
                what = repr(shown) if shown else "a reference-less entry"
                self.problem(
                    Refused(
                        path,
                        f"{node.label} lists {what}, which is not in this document",
                        "send the listed resources in the same Bundle (or contained)",
                    )
                )
            elif found.container is None or found.container.resource is not node.resource:
                self.doc.add_parent(found.resource, node)

    def read(self, node: Node, *, top: bool) -> None:
        if self.validator is not None and node.type in _READ:
            problems = self.validator(node.resource, self.source, node.where)
            if problems:
                self.problems.extend(problems)
                return
        readers: dict[str, Reader] = {
            "Observation": read_observation,
            "ImagingStudy": read_imaging,
        }
        reader = readers.get(node.type)
        if reader is not None:
            for outcome in reader(node, self.doc, self.resolver, self.zone):
                if isinstance(outcome, Refused):
                    self.problem(outcome)
                else:
                    result, where = outcome
                    self.results.append(result)
                    self.refs.append(self.doc.reference(node))
                    self.wheres.append(where)
        elif node.type == "DiagnosticReport":
            self._report(node)
        elif top:
            shown = repr(node.type[:60]) if node.type else "not a FHIR resource (no resourceType)"
            self.problem(
                Refused(
                    node.where or "$",
                    f"{shown[:60]}: mutrec reads {', '.join(_READ)}",
                    "send the results as Observations (or an ImagingStudy), or a Bundle of them",
                )
            )

    def _report(self, node: Node) -> None:
        r = node.resource
        try:
            refuse_r5(node)
            check_status(node, _REPORT_READ)
            if not r.get("result") and not r.get("imagingStudy"):
                refuse(
                    node.where or "$",
                    f"{node.label} lists no result and no ImagingStudy",
                    "mutrec reads a report's Observations, or the ImagingStudy it lists "
                    "(modality, body site, study UID)",
                )
        except Refused as refusal:
            self.problem(refusal)


def read_document(
    data: object,
    source: str,
    resolver: Resolver | None,
    zone: tzinfo | None,
    *,
    validator: Validator | None = None,
) -> FhirReading:
    """Read every result of a FHIR document; see :func:`mutrec.interop.fhir.read_fhir`."""
    walk = _Walk(source, resolver, zone, validator)
    try:
        resource = obj(load_json(data) if isinstance(data, (str, bytes)) else data, "$")
        walk.collect(resource, "", 0)
        if resource.get("resourceType") != "Bundle":
            walk.doc.add(walk.nodes[0], None)
    except Refused as refusal:
        walk.problem(refusal)
    walk.link()
    for node in walk.nodes:
        walk.read(node, top=not node.where)
    return FhirReading(walk.results, walk.problems, walk.refs, walk.wheres)
