"""FHIR R4 Observation (and its components) to :class:`~mutrec.model.results.LabResult`."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Any, Final

from mutrec.errors import MutrecError
from mutrec.interop._fhir_doc import (
    Document,
    Node,
    Resolver,
    inherited,
    issuer_of,
    patient_of,
    refuse_r5,
    specimen_of,
)
from mutrec.interop._fhir_json import (
    LOINC,
    Refused,
    codings,
    concept_text,
    instant,
    number,
    obj,
    objs,
    quantity,
    refuse,
    text,
    unit_of,
)
from mutrec.interop._hl7fields import loinc_ok
from mutrec.model.reference import ReferenceRange
from mutrec.model.results import LabResult
from mutrec.model.values import Measured, Qualitative, Value
from mutrec.units import Unit

__all__ = [
    "check_status",
    "effective",
    "issued",
    "item_of",
    "read_observation",
    "reference_range",
    "report_statuses",
    "value_of",
]

_EFFECTIVE: Final = ("effectiveDateTime", "effectiveInstant", "effectivePeriod", "effectiveTiming")
_OBSERVATION_READ: Final = ("final", "amended", "corrected")
_REPORT_READ: Final = ("final", "amended", "corrected", "appended", "partial")
# International terminologies: their codes are looked up by LOINC or by name, never as a
# hospital's local code. A coding of any other system (a LIS, WS/T 886) is the item's own code.
_INTERNATIONAL: Final = frozenset({LOINC, "http://snomed.info/sct", "http://www.radlex.org"})


# A Bundle repeats a few codes and printed ranges many times: each is checked once.
_loinc_ok: Final = functools.lru_cache(maxsize=4096)(loinc_ok)
_printed: Final = functools.lru_cache(maxsize=4096)(ReferenceRange.from_text)


def check_status(node: Node, allowed: tuple[str, ...]) -> None:
    """Refuse a resource whose status is not one of *allowed* (final results only)."""
    status = node.resource.get("status")
    if status not in allowed:  # a tuple: the status may be unhashable
        shown = repr(status) if isinstance(status, str) and len(status) < 40 else "not a code"
        if status is None:
            shown = "missing"
        refuse(
            node.el("status"),
            f"{node.label} has status {shown}: only {', '.join(allowed)} results are read",
            "send the result once it is final; a cancelled or entered-in-error one never",
        )


def report_statuses(node: Node, doc: Document) -> None:
    """Refuse a result listed by a report that is not (at least partly) final."""
    if not doc.parents(node):
        return
    key = (id(node.resource), "status")
    if key in doc.memo:
        if doc.memo[key] is not None:
            refuse(node.el("status"), *doc.memo[key])
        return
    layer, seen = doc.parents(node), {id(node.resource)}
    while layer:
        following = []
        for parent in layer:
            if id(parent.resource) in seen:
                continue
            seen.add(id(parent.resource))
            if parent.type == "DiagnosticReport":
                try:
                    check_status(parent, _REPORT_READ)
                except Refused as refusal:
                    doc.memo[key] = (f"its report: {refusal.message}", refusal.hint)
                    refuse(node.el("status"), *doc.memo[key])
            following.extend(doc.parents(parent))
        layer = following
    doc.memo[key] = None


def item_of(concept: Mapping[str, Any], where: str) -> tuple[str, str | None]:
    """The item text and the LOINC code of a ``code``.

    The item is a local (or national) coding's code, else the code's text, else an
    international coding's display, else its code; the LOINC code goes alongside.
    """
    loinc = local = shown = coded = None
    for system, code, display in codings(concept, where):
        if system == LOINC and code:
            if not _loinc_ok(code):
                refuse(
                    where,
                    f"LOINC code {code[:40]!r} is not a LOINC code (form or check digit)",
                    "check the code at the sender",
                )
            if loinc is not None and loinc != code:
                msg = f"has several LOINC codes ({loinc!r}, {code!r}): which one is meant?"
                refuse(where, msg)
            loinc = code
        if system in _INTERNATIONAL:
            shown = shown or display or None
            coded = coded or code
        else:
            local = local or code
    item = local or text(concept.get("text"), f"{where}.text") or shown or coded
    if item is None:
        refuse(where, "names no item: no coding and no text")
    return item, loinc


def value_of(element: Mapping[str, Any], where: str) -> Value | None:
    """The ``value[x]`` of an Observation or component; ``None`` when it has none."""
    if element.get("dataAbsentReason") is not None:
        reason = obj(element["dataAbsentReason"], f"{where}.dataAbsentReason")
        why = concept_text(reason, f"{where}.dataAbsentReason") or "no reason given"
        refuse(
            f"{where}.dataAbsentReason", f"has no value ({why})", "a missing value is not a result"
        )
    keys = [key for key in element if str(key).startswith("value")]
    if not keys:
        return None
    if len(keys) > 1:
        refuse(where, f"has several values {sorted(keys)}")
    key = keys[0]
    path = f"{where}.{key}" if where else key
    raw = element[key]
    try:
        if key == "valueQuantity":
            return quantity(obj(raw, path), path)
        if key == "valueString":
            return Qualitative.parse(text(raw, path, required=True) or "")
        if key == "valueCodeableConcept":
            words = concept_text(obj(raw, path), path)
            if words is None:
                refuse(path, "names no value: no text, display or code")
            return Qualitative.parse(words)
        if key == "valueInteger":
            return Measured(number(raw, path))
    except MutrecError as error:
        refuse(path, str(error))
    return refuse(
        path,
        f"{key} is not a value mutrec reads",
        "send valueQuantity, valueString, valueCodeableConcept or valueInteger",
    )


def _bound(rr: Mapping[str, Any], key: str, where: str) -> tuple[float | None, Unit | None]:
    if rr.get(key) is None:
        return None, None
    q = obj(rr[key], f"{where}.{key}")
    if q.get("value") is None:
        return None, None
    return number(q["value"], f"{where}.{key}.value"), unit_of(q, f"{where}.{key}")


def reference_range(
    element: Mapping[str, Any], where: str, unit: Unit | None = None
) -> ReferenceRange | None:
    """The one normal range printed, or ``None`` when there is none or it depends on the patient.

    Ranges of another meaning (therapeutic, treatment) are passed over; ranges partitioned by
    ``appliesTo`` or ``age`` cannot be chosen without the patient, so none is kept. A printed
    range alone is read as HL7's OBX-7 is, in the value's *unit*; one printed beside ``low``
    and ``high`` must say what they say.
    """
    normal = []
    for path, rr in objs(element.get("referenceRange"), f"{where}.referenceRange"):
        if rr.get("type") is not None:
            kinds = {code for _, code, _ in codings(obj(rr["type"], f"{path}.type"), path)}
            if kinds and "normal" not in kinds:
                continue
        normal.append((path, rr))
    if len(normal) != 1:
        return None
    path, rr = normal[0]
    if rr.get("appliesTo") is not None or rr.get("age") is not None:
        return None
    printed = text(rr.get("text"), f"{path}.text")
    (low, low_unit), (high, high_unit) = _bound(rr, "low", path), _bound(rr, "high", path)
    if low is None and high is None:
        return ReferenceRange.from_text(printed, unit) if printed else None
    if low_unit is not None and high_unit is not None and low_unit != high_unit:
        refuse(path, f"low is in {low_unit.code} but high in {high_unit.code}")
    _agrees(printed, low, high, low_unit or high_unit, path)
    try:
        return ReferenceRange(low, high, unit=low_unit or high_unit, text=printed)
    except MutrecError as error:
        refuse(path, str(error))


def _agrees(
    printed: str | None, low: float | None, high: float | None, unit: Unit | None, where: str
) -> None:
    """Refuse a printed range whose numbers are not the bounds sent beside it."""
    said = _printed(printed, unit) if printed is not None else None
    if said is not None and (said.low, said.high) != (low, high):
        shown = (printed or "")[:40]
        refuse(f"{where}.text", f"{shown!r} contradicts low {low} and high {high}")


def effective(zone: tzinfo | None) -> Callable[[Node], datetime | None]:
    """A reader of ``effective[x]`` (collection) as an instant, for :func:`inherited`."""

    def read(n: Node) -> datetime | None:
        r = n.resource
        sent = [key for key in _EFFECTIVE if r.get(key) is not None]
        if len(sent) > 1:
            refuse(n.el("effective[x]"), f"has several effective[x] ({', '.join(sent)})")
        for key in ("effectiveDateTime", "effectiveInstant"):
            if r.get(key) is not None:
                return instant(r[key], n.el(key), zone)
        if r.get("effectivePeriod") is not None:
            period = obj(r["effectivePeriod"], n.el("effectivePeriod"))
            if period.get("start") is None:
                refuse(n.el("effectivePeriod"), "has no start: the instant is unknown")
            return instant(period["start"], n.el("effectivePeriod.start"), zone)
        if r.get("effectiveTiming") is not None:
            refuse(n.el("effectiveTiming"), "a Timing is not an instant")
        return None

    return read


def issued(zone: tzinfo | None) -> Callable[[Node], datetime | None]:
    """A reader of ``issued`` (release) as an instant, for :func:`inherited`."""

    def read(n: Node) -> datetime | None:
        raw = n.resource.get("issued")
        return None if raw is None else instant(raw, n.el("issued"), zone)

    return read


def read_observation(
    node: Node, doc: Document, resolver: Resolver | None, zone: tzinfo | None
) -> list[tuple[LabResult, str] | Refused]:
    """The results of one Observation (its value, else one per component), or refusals."""
    r = node.resource
    try:
        refuse_r5(node)
        check_status(node, _OBSERVATION_READ)
        own = value_of(r, node.where)
        parts = objs(r.get("component"), node.el("component"))
        if own is None and not parts:
            if r.get("hasMember") is not None:
                return []  # a panel: its members are the results
            refuse(node.where or "$", f"{node.label} has no value[x] and no component")
        report_statuses(node, doc)
        # The issuer's flags (H, L, N) are checked for shape only: the policy reads the value.
        objs(r.get("interpretation"), node.el("interpretation"))
        patient = patient_of(node, doc)
        if patient is None:
            refuse(node.el("subject"), "is missing (own and report's): whose result?")
        issuer = issuer_of(node, doc, resolver)
        collected = inherited(node, doc, effective(zone), "effective[x]")
        if collected is None:
            refuse(node.el("effective[x]"), "is missing (own and report's)")
        reported = inherited(node, doc, issued(zone), "issued")
        specimen = specimen_of(node, doc)
        method = None
        if r.get("method") is not None:
            method = concept_text(obj(r["method"], node.el("method")), node.el("method"))
    except Refused as refusal:
        return [refusal]
    common = {
        "collected": collected,
        "issuer": issuer,
        "patient": patient,
        "reported": reported,
        "specimen": specimen,
        "method": method,
    }
    if own is not None:
        return [_one(r, node.where, own, common)]
    return [_one(part, path, None, common) for path, part in parts]


def _one(
    element: Mapping[str, Any], where: str, value: Value | None, common: dict[str, Any]
) -> tuple[LabResult, str] | Refused:
    try:
        if value is None:
            value = value_of(element, where)
            if value is None:
                refuse(where, "has no value[x]")
        code = element.get("code")
        item, loinc = item_of(obj(code, f"{where}.code" if where else "code"), _at(where, "code"))
        rng = reference_range(element, where, getattr(value, "unit", None))
        result = LabResult(
            item,
            value,
            common["collected"],
            common["issuer"],
            common["patient"],
            reported=common["reported"],
            specimen=common["specimen"],
            method=common["method"],
            loinc=loinc,
            reference_range=rng,
        )
    except Refused as refusal:
        return refusal
    except MutrecError as error:
        return Refused(where or "$", str(error))
    return result, where


def _at(where: str, element: str) -> str:
    return f"{where}.{element}" if where else element
