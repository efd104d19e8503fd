"""One FHIR document (a resource or a Bundle): its resources, references and inheritance.

A contained or bundled Observation inherits what it lacks (times, subject, performer, specimen)
from the DiagnosticReport or panel that lists it; :func:`inherited` walks those parents and
refuses when two of them disagree, rather than choosing one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

from mutrec.interop._fhir_json import (
    Refused,
    concept_text,
    obj,
    objs,
    refuse,
    text,
    unicode_text,
)
from mutrec.model.specimens import canonical_specimen

__all__ = [
    "Document",
    "Node",
    "Resolver",
    "at",
    "inherited",
    "issuer_of",
    "patient_of",
    "performers",
    "refuse_r5",
    "specimen_of",
]

T = TypeVar("T")

Resolver = Callable[[Mapping[str, Any]], str | None]
"""Maps a performer (the resource it references, or the Reference itself) to an institution id."""

# How far up the parents of a result are looked at (report → panel → member is 2).
_MAX_DEPTH: Final = 6
# References remembered per document (resolved or not): bounded against hostile input.
_MAX_KEYS: Final = 100_000


def at(base: str, element: str) -> str:
    """The path of *element* inside the resource at *base* (``""`` for the top level)."""
    return f"{base}.{element}" if base else element


class Node:
    """A resource of the document, where it is, and what contains it."""

    __slots__ = ("container", "resource", "type", "where")

    def __init__(
        self, resource: Mapping[str, Any], where: str, container: Node | None = None
    ) -> None:
        """Place *resource* at *where*, inside *container* when it is contained."""
        self.resource = resource
        self.where = where
        self.container = container
        kind = resource.get("resourceType")
        self.type = kind[:60] if isinstance(kind, str) else ""  # long text names no type

    @property
    def id(self) -> str | None:
        """The resource's id, when it is text."""
        value = self.resource.get("id")
        good = isinstance(value, str) and value and (value.isascii() or unicode_text(value))
        return value if good else None

    @property
    def label(self) -> str:
        """How a message names the resource: ``Observation 'f001'``."""
        name = self.id
        return f"{self.type or 'resource'} {name[:60]!r}" if name else (self.type or "resource")

    def el(self, element: str) -> str:
        """The path of one of its elements."""
        return at(self.where, element)


class Document:
    """The resources of one document, indexed by fullUrl, ``Type/id`` and contained id."""

    def __init__(self) -> None:
        """Start empty."""
        self._by_url: dict[str, Node | None] = {}  # None: two resources claim the key
        self._parents: dict[int, list[Node]] = {}
        self.refs: dict[int, str] = {}
        # (id of a parent resource, element) -> its value (own or inherited), or its refusal
        self.memo: dict[tuple[int, str], Any] = {}

    def add(self, node: Node, full_url: str | None) -> None:
        """Index a (not contained) resource under its fullUrl and its ``Type/id``."""
        keys = [full_url] if full_url else []
        if node.type and node.id:
            keys.append(f"{node.type}/{node.id}")
        for key in keys:
            self._by_url[key] = None if key in self._by_url else node
        self.refs[id(node.resource)] = (
            full_url
            if full_url and not full_url.startswith("urn:")
            else keys[-1]
            if node.type and node.id
            else full_url or ""
        )

    def resolve(self, reference: Mapping[str, Any], scope: Node, where: str) -> Node | None:
        """The resource a Reference points to in this document, or ``None``."""
        ref = text(reference.get("reference"), f"{where}.reference")
        if ref is None:
            return None
        if ref.startswith("#"):
            home = scope.container or scope
            for path, item in objs(home.resource.get("contained"), home.el("contained")):
                if item.get("id") == ref[1:]:
                    return Node(item, path, home)
            return None
        if ref in self._by_url:
            return self._by_url[ref]
        found = None
        if "/" in ref:
            parts = ref.split("/_history/")[0].rstrip("/").split("/")
            if len(parts) >= 2:
                found = self._by_url.get(f"{parts[-2]}/{parts[-1]}")
        if len(self._by_url) < _MAX_KEYS:
            self._by_url[ref] = found  # the same reference is looked up for every result
        return found

    def add_parent(self, child: Mapping[str, Any], parent: Node) -> None:
        """Record that *parent* (a report or a panel) lists *child*."""
        parents = self._parents.setdefault(id(child), [])
        if all(p.resource is not parent.resource for p in parents):
            parents.append(parent)

    def parents(self, node: Node) -> list[Node]:
        """The reports and panels listing *node*."""
        return self._parents.get(id(node.resource), [])

    def reference(self, node: Node) -> str:
        """The reference a decision names the result by (its container's, when contained)."""
        top = node.container or node
        known = self.refs.get(id(top.resource))
        if known:
            return known
        return f"{top.type}/{top.id}" if top.id else top.where or top.type


def inherited(
    node: Node, doc: Document, read: Callable[[Node], T | None], element: str
) -> T | None:
    """*read* of *node*, else the one value its parents agree on; ``None`` when none has it.

    A parent's value (its own, else its parents') is worked out once per document: the 50
    members of a panel ask their report for its times once, not 50 times.
    """
    own = read(node)
    if own is not None:
        return own
    return _from_parents(node, doc, read, element, 0)


def _from_parents(
    node: Node, doc: Document, read: Callable[[Node], T | None], element: str, depth: int
) -> T | None:
    found: list[tuple[T, Node]] = []
    for parent in doc.parents(node):
        key = (id(parent.resource), element)
        if key in doc.memo:
            value = doc.memo[key]
        else:
            doc.memo[key] = None  # a cycle of parents ends here
            try:
                value = read(parent)
                if value is None and depth < _MAX_DEPTH:
                    value = _from_parents(parent, doc, read, element, depth + 1)
            except Refused as refusal:
                value = refusal
            doc.memo[key] = value
        if isinstance(value, Refused):
            msg = f"has none, and its {parent.label} lists it: {value.message}"
            refuse(node.el(element), msg, value.hint)
        if value is not None and all(value != other for other, _ in found):
            found.append((value, parent))
    if len(found) > 1:
        names = ", ".join(parent.label for _value, parent in found)
        refuse(node.el(element), f"has none, and the resources listing it disagree ({names})")
    return found[0][0] if found else None


def _party(reference: Mapping[str, Any], where: str) -> str | None:
    ref = text(reference.get("reference"), f"{where}.reference")
    if ref is not None:
        return ref
    ident = reference.get("identifier")
    if ident is None:
        return None
    ident = obj(ident, f"{where}.identifier")
    value = text(ident.get("value"), f"{where}.identifier.value")
    system = text(ident.get("system"), f"{where}.identifier.system")
    if value is None:
        return None
    return f"{system}|{value}" if system else value


_NOT_PATIENTS: Final = ("Group/", "Device/", "Location/", "Medication/", "Substance/")


def _no_id(reference: str) -> bool:
    """Whether *reference* names a type but no id (``Patient/``, ``#``, ``Patient/_history/1``)."""
    base = reference.split("/_history/", maxsplit=1)[0]
    if base in {"", "#"} or base.endswith("/"):
        return True
    return "/_history/" in reference and "/" not in base


def patient_of(node: Node, doc: Document) -> str | None:
    """The subject's reference (or ``system|value``), own or inherited."""

    def read(n: Node) -> str | None:
        raw = n.resource.get("subject")
        if raw is None:
            return None
        subject = obj(raw, n.el("subject"))
        found = doc.resolve(subject, n, n.el("subject"))
        if found is not None and found.type and found.type != "Patient":
            refuse(n.el("subject"), f"is a {found.type}, not a Patient")
        party = _party(subject, n.el("subject"))
        if party is not None and _no_id(party):
            refuse(n.el("subject"), f"{party[:60]!r} names no patient: the id is blank")
        if party is not None and party.startswith(_NOT_PATIENTS):
            refuse(n.el("subject"), f"{party!r} is not a Patient")
        return party

    own = read(node)
    theirs = _from_parents(node, doc, read, "subject", 0)
    if own is None:
        return theirs
    if theirs not in {None, own} and _key(own, node, doc) != _key(theirs, node, doc):
        refuse(
            node.el("subject"),
            f"{own[:60]!r} is another patient than {theirs[:60]!r} of the report (or panel) "
            "listing it: whose result?",
            "send a result in the report of its own patient",
        )
    return own


def _key(party: str, node: Node, doc: Document) -> object:
    """What a subject names, to compare: the resource in the document, else ``Type/id``."""
    found = doc.resolve({"reference": party}, node, node.el("subject"))
    if found is not None:
        return id(found.resource)
    parts = party.split("/_history/", maxsplit=1)[0].rstrip("/").split("/")
    return "/".join(parts[-2:]) if "://" in party and len(parts) >= 2 else party


def performers(node: Node) -> list[tuple[str, Mapping[str, Any]]]:
    """A resource's ``performer`` references, each with its path."""
    return objs(node.resource.get("performer"), node.el("performer"))


def issuer_of(
    node: Node,
    doc: Document,
    resolver: Resolver | None,
    listed: Callable[[Node], list[tuple[str, Mapping[str, Any]]]] = performers,
) -> str:
    """The one institution the performers resolve to, own or else inherited from a report.

    Performers the resolver does not know (a Practitioner, say) are passed over; the
    performers of the report listing the result are tried when none of its own resolve.
    """
    if resolver is None:
        refuse(
            node.el("performer"),
            "the issuer cannot be known: no issuer resolver was given",
            "pass issuer= (for example issuer_table({'Organization/x': 'BJ001'}))",
        )

    def read(n: Node) -> str | None:
        ids: set[str] = set()
        for path, reference in listed(n):
            found = doc.resolve(reference, n, path)
            institution: object = resolver(found.resource if found is not None else reference)
            if institution is None:
                continue
            if not isinstance(institution, str) or not institution.strip():
                msg = f"the issuer resolver returned {institution!r}, not an institution id"
                refuse(path, msg)
            ids.add(institution)
        if len(ids) > 1:
            refuse(n.el("performer"), f"resolves to several institutions: {sorted(ids)}")
        return ids.pop() if ids else None

    issuer = inherited(node, doc, read, "performer")
    if issuer is None:
        refuse(
            node.el("performer"),
            "no performer (of the resource or of the report listing it) resolves to an institution",
            "map the performing Organization (or its identifier) to an institution id in the "
            "issuer resolver",
        )
    return issuer


def specimen_of(node: Node, doc: Document) -> str | None:
    """The specimen type, own or inherited: the spelling mutrec knows, else the first words."""

    def read(n: Node) -> str | None:
        raw = n.resource.get("specimen")
        if raw is None:
            return None
        # Observation.specimen is one Reference; DiagnosticReport.specimen a list of them.
        listed = (
            objs(raw, n.el("specimen"))
            if isinstance(raw, list)
            else [(n.el("specimen"), obj(raw, n.el("specimen")))]
        )
        kinds = {one(found) for path, ref in listed if (found := doc.resolve(ref, n, path))}
        known = sorted(kind for kind in kinds if kind)
        if len(known) > 1:  # which of them the result was measured in is not said
            refuse(
                n.el("specimen"),
                f"the specimens differ ({', '.join(k[:40] for k in known)}): which one is meant?",
                "give each Observation its own specimen",
            )
        return kinds.pop() if len(kinds) == 1 else None  # a type and an untyped one: unclear

    def one(found: Node) -> str | None:
        if found.type != "Specimen" or found.resource.get("type") is None:
            return None
        kind = obj(found.resource["type"], found.el("type"))
        words = concept_text(kind, found.el("type"))
        spellings = [text(kind.get("text"), found.el("type.text"))]
        for path, coding in objs(kind.get("coding"), found.el("type.coding")):
            spellings += [text(coding.get(k), f"{path}.{k}") for k in ("display", "code")]
        for spelling in spellings:
            if spelling and canonical_specimen(spelling) is not None:
                return spelling
        return words

    return inherited(node, doc, read, "specimen")


# Elements that exist only in FHIR R5 (or whose R5 shape differs): such a resource is refused,
# not read as if it were R4 with a few unknown fields.
_R5_ONLY: Final = {
    "Observation": ("instantiatesCanonical", "instantiatesReference", "triggeredBy",
                    "bodyStructure", "valueAttachment", "valueReference"),
    "DiagnosticReport": ("study", "supportingInfo", "composition", "note"),
    "ImagingStudy": ("procedure", "reason"),
    "Bundle": ("issues",),
}  # fmt: skip


def refuse_r5(node: Node) -> None:
    """Refuse a resource that carries an R5-only element or shape."""
    for key in _R5_ONLY.get(node.type, ()):
        if key in node.resource:
            refuse(
                node.el(key),
                "is an element of FHIR R5, not R4: mutrec reads FHIR R4 (and R4B)",
                "send the resource as FHIR R4",
            )
