"""FHIR R4 ImagingStudy, with its report and Device, to an ImagingResult.

An R4 ImagingStudy says what was examined (modality, body site, study UID) but not what the
scanner could do: that comes from the Device a series' performer references (its model and
properties), or from the DICOM headers (``mutrec.interop.dicom``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any, Final, TypeVar

from mutrec.errors import MutrecError
from mutrec.interop._fhir_doc import (
    Document,
    Node,
    Resolver,
    inherited,
    issuer_of,
    patient_of,
    performers,
    refuse_r5,
)
from mutrec.interop._fhir_json import (
    Refused,
    codings,
    instant,
    number,
    obj,
    objs,
    refuse,
    text,
    unit_of,
)
from mutrec.interop._fhir_lab import check_status, effective, issued, item_of, report_statuses
from mutrec.model.devices import DeviceCapability, Modality
from mutrec.model.items import fold
from mutrec.model.results import ImagingResult

__all__ = ["read_imaging"]

T = TypeVar("T")

# DICOM modality codes (PS3.3 C.7.3.1.1.1, the DCM code system) to mutrec's; DX is digital
# radiography (mutrec's DR), PT is PET.
_MODALITIES: Final = {
    "CT": Modality.CT,
    "MR": Modality.MR,
    "DX": Modality.DR,
    "DR": Modality.DR,
    "CR": Modality.CR,
    "US": Modality.US,
    "NM": Modality.NM,
    "PT": Modality.PET,
    "MG": Modality.MG,
    "XA": Modality.XA,
    "ECG": Modality.ECG,
}
# Series that hold no images of their own (reports, key objects, presentation states …).
_NOT_IMAGES: Final = frozenset({"SR", "KO", "PR", "DOC", "REG", "SEG", "RWV", "FID", "AU"})
_ROWS: Final = frozenset(
    fold(n)
    for n in ("detector rows", "detector_rows", "number of detector rows", "排数", "探测器排数")
)
_TESLA: Final = frozenset(
    fold(n)
    for n in (
        "magnetic field strength",
        "MagneticFieldStrength",
        "field strength",
        "场强",
        "00180087",
    )
)


def _modality(node: Node) -> Modality:
    r = node.resource
    codes: list[tuple[str, str]] = []
    for path, coding in objs(r.get("modality"), node.el("modality")):
        if "coding" in coding:
            refuse(path, "is a CodeableConcept: an R5 shape (R4 has a Coding)")
        codes.append((path, text(coding.get("code"), f"{path}.code") or ""))
    for path, series in objs(r.get("series"), node.el("series")):
        if series.get("modality") is not None:
            coding = obj(series["modality"], f"{path}.modality")
            if "coding" in coding:
                refuse(f"{path}.modality", "is a CodeableConcept: an R5 shape")
            codes.append((f"{path}.modality", text(coding.get("code"), f"{path}.modality") or ""))
    found: set[Modality] = set()
    for path, code in codes:
        if code in _NOT_IMAGES:
            continue
        modality = _MODALITIES.get(code)
        if modality is None:
            refuse(path, f"modality {code!r} is not one mutrec reads")
        found.add(modality)
    if len(found) != 1:
        what = (
            "no imaging modality"
            if not found
            else f"several modalities {sorted(m.value for m in found)}"
        )
        refuse(node.el("modality"), f"{node.label} has {what}")
    return found.pop()


def _actors(node: Node) -> list[tuple[str, Mapping[str, Any]]]:
    """The references of the series' performers (ImagingStudy) or the performers (a report)."""
    if node.type != "ImagingStudy":
        return performers(node)
    actors = []
    for path, series in objs(node.resource.get("series"), node.el("series")):
        for where, performer in objs(series.get("performer"), f"{path}.performer"):
            if performer.get("actor") is not None:
                actors.append((f"{where}.actor", obj(performer["actor"], f"{where}.actor")))
    return actors


def _one_of(values: Sequence[T | None]) -> T | None:
    distinct = {repr(v): v for v in values if v is not None}
    return next(iter(distinct.values())) if len(distinct) == 1 else None


def _device(node: Node, doc: Document) -> DeviceCapability | None:
    """The capability of the one Device the series' performers reference (``None``: unknown)."""
    found = []
    for path, actor in _actors(node):
        device = doc.resolve(actor, node, path)
        if device is not None and device.type == "Device":
            found.append(_capability(device))
    return _one_of(found)


def _capability(device: Node) -> DeviceCapability:
    r = device.resource
    maker = text(r.get("manufacturer"), device.el("manufacturer"))
    model = text(r.get("modelNumber"), device.el("modelNumber"))
    if model is None:
        listed = objs(r.get("deviceName"), device.el("deviceName"))
        model = next((text(n.get("name"), p) for p, n in listed if n.get("name")), None)
    facts: dict[str, Any] = {"model": " ".join(w for w in (maker, model) if w) or None}
    for path, prop in objs(r.get("property"), device.el("property")):
        if prop.get("type") is None:
            continue
        kind = obj(prop["type"], f"{path}.type")
        names = {fold(w) for _, code, display in codings(kind, path) for w in (code, display) if w}
        names.add(fold(text(kind.get("text"), f"{path}.type.text") or ""))
        quantities = objs(prop.get("valueQuantity"), f"{path}.valueQuantity")
        if not quantities or not names & (_ROWS | _TESLA):
            continue
        where, q = quantities[0]
        value, unit = number(q.get("value"), f"{where}.value"), unit_of(q, where)
        if names & _ROWS and (unit is None or unit.code in {"1", "{rows}"}):
            if not value.is_integer():
                refuse(f"{where}.value", f"{value!r} is not a whole number of rows")
            found: float = int(value)
            fact = "detector_rows"
        elif names & _TESLA and (unit is None or unit.code == "T"):
            fact, found = "field_strength_t", value
        else:
            refuse(f"{where}.unit", f"unit {unit} does not fit {sorted(names)}")
        if facts.get(fact, found) != found:  # two properties, two answers: neither is taken
            refuse(where, f"{fact} is stated twice: {facts[fact]!r} and {found!r}")
        facts[fact] = found
    try:
        return DeviceCapability(**facts)
    except MutrecError as error:
        refuse(device.el("property"), str(error))


def _item(node: Node, doc: Document) -> str:
    codes = objs(node.resource.get("procedureCode"), node.el("procedureCode"))
    if len(codes) > 1:
        refuse(node.el("procedureCode"), "names several procedures: which item is unclear")

    def report_code(n: Node) -> str | None:
        if n.type == "ImagingStudy":
            return item_of(codes[0][1], codes[0][0])[0] if codes else None
        if n.type == "DiagnosticReport" and n.resource.get("code") is not None:
            return item_of(obj(n.resource["code"], n.el("code")), n.el("code"))[0]
        return None

    item = inherited(node, doc, report_code, "procedureCode")
    if item is None:
        refuse(node.el("procedureCode"), "is missing (own and report's): which item?")
    return item


def _study_uid(node: Node) -> str | None:
    found: set[str] = set()
    for path, ident in objs(node.resource.get("identifier"), node.el("identifier")):
        if text(ident.get("system"), f"{path}.system") == "urn:dicom:uid":
            value = text(ident.get("value"), f"{path}.value")
            if value:
                found.add(value.removeprefix("urn:oid:"))
    if len(found) > 1:  # which study the images are is the point of the UID
        refuse(node.el("identifier"), f"names several study UIDs {sorted(found)[:2]}")
    return found.pop() if found else None


def _body_part(node: Node) -> str | None:
    found = []
    for path, series in objs(node.resource.get("series"), node.el("series")):
        if series.get("bodySite") is None:
            continue
        site = obj(series["bodySite"], f"{path}.bodySite")
        if "concept" in site or "reference" in site:
            refuse(f"{path}.bodySite", "is a CodeableReference: an R5 shape")
        code = text(site.get("code"), f"{path}.bodySite.code")
        found.append(text(site.get("display"), f"{path}.bodySite.display") or code)
    return _one_of(found)


def read_imaging(
    node: Node, doc: Document, resolver: Resolver | None, zone: tzinfo | None
) -> list[tuple[ImagingResult, str] | Refused]:
    """The result of one ImagingStudy (reported by the report that lists it), or a refusal."""
    try:
        refuse_r5(node)
        check_status(node, ("available",))
        report_statuses(node, doc)
        modality = _modality(node)
        item = _item(node, doc)
        patient = patient_of(node, doc)
        if patient is None:
            refuse(node.el("subject"), "is missing: whose examination?")
        issuer = issuer_of(node, doc, resolver, _actors)

        def started(n: Node) -> datetime | None:
            if n.type == "ImagingStudy":
                raw = n.resource.get("started")
                return None if raw is None else instant(raw, n.el("started"), zone)
            return effective(zone)(n)

        performed = inherited(node, doc, started, "started")
        if performed is None:
            refuse(node.el("started"), "is missing (own and report's): when?")
        reported = inherited(node, doc, issued(zone), "issued")

        def conclusion(n: Node) -> str | None:
            return text(n.resource.get("conclusion"), n.el("conclusion"))

        result = ImagingResult(
            item,
            modality,
            performed,
            issuer,
            patient,
            reported=reported,
            body_part=_body_part(node),
            device=_device(node, doc),
            study_uid=_study_uid(node),
            report_text=inherited(node, doc, conclusion, "conclusion"),
        )
    except Refused as refusal:
        return [refusal]
    except MutrecError as error:
        return [Refused(node.where or "$", str(error))]
    return [(result, node.where)]
