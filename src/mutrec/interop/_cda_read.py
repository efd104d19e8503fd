"""WS/T 500—2016 lab (C0007) and exam (C0006) CDA documents, walked by data-element code."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from typing import Any, Final
from xml.etree.ElementTree import Element

from mutrec.errors import MutrecError, Problem, ResultError
from mutrec.interop._cda_doc import (
    ABNORMAL,
    DE,
    EXAM_TYPE,
    FINDINGS,
    IMPRESSION,
    ITEM,
    LOINC_OID,
    MODALITIES,
    QUANTITY,
    RESULT_CODE,
    SPECIMEN,
    TEXT,
    UNIT,
    WORDS,
    CdaRoots,
    Doc,
    Refused,
    code_of,
    observations,
    text_of,
    value_of,
)
from mutrec.interop._cda_xml import parse_xml
from mutrec.interop._platform_read import value_from_text
from mutrec.interop._platform_reading import Evidence, PlatformReading
from mutrec.model.reference import ReferenceRange
from mutrec.model.results import ImagingResult, LabResult
from mutrec.units import parse_unit

__all__ = ["read_document"]

# A bound of a reference range: ASCII digits only (float() would take other scripts' digits).
_BOUND: Final = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def _parents(root: Element) -> dict[int, Element]:
    return {id(child): parent for parent in root.iter() for child in parent}


def _group(item: Element, parents: Mapping[int, Element]) -> tuple[str, list[Element]]:
    """The observations an item is paired with: its CLUSTER's, else its flat siblings'."""
    node: Element | None = item
    while node is not None and node.tag not in {"organizer", "section"}:
        node = parents.get(id(node))
    if node is None:
        return "flat", [item]
    kind = "cluster" if node.tag == "organizer" else "flat"
    members = [o for o in node.iter("observation") if parents.get(id(o)) is not None]
    return kind, members


def _by_code(members: list[Element], code: str) -> list[Element]:
    return [o for o in members if code_of(o) == code]


def _who(doc: Doc, resolve: Callable[[str], str | None]) -> tuple[str, str, str, datetime | None]:
    """(kind, issuer, patient, report time), or a refusal of the whole document."""
    kind, issuer, patient, reported = doc.header()
    if issuer is None:
        msg = "custodian"
        raise Refused(msg, f"no organisation id with root {doc.roots.organisation}")
    mapped = resolve(issuer)
    if mapped is None:
        msg = "custodian"
        raise Refused(msg, f"organisation {issuer[:40]!r} is not one the issuer map knows")
    issuer = mapped
    if patient is None:
        msg = "recordTarget"
        raise Refused(msg, "no patient id under the configured roots: whose?")
    return kind, issuer, patient, reported


def _first(body: Element, code: str) -> str | None:
    return next((value_of(o)[0] for o in observations(body) if code_of(o) == code), None)


def read_document(  # noqa: C901 - one loop per form, each a closure
    data: str | bytes,
    roots: CdaRoots,
    zone: tzinfo | None,
    resolve: Callable[[str], str | None],
    source: str,
) -> PlatformReading:
    """Read one document; see :func:`mutrec.interop.cda.read_cda`."""
    root = parse_xml(data, source)
    if root.tag != "ClinicalDocument":
        raise ResultError(source, root.tag[:40], "not a CDA ClinicalDocument")
    doc = Doc(root, roots, zone, source)
    body = root.find("component/structuredBody")
    try:
        kind, issuer, patient, reported = _who(doc, resolve)
    except Refused as refusal:
        return PlatformReading((), [Problem(source, refusal.where, refusal.message)], (), doc.flags)
    if body is None:
        return PlatformReading((), [Problem(source, "component", "no structuredBody")])
    number = doc.report_number(kind)
    parents = _parents(body)
    items = [o for o in observations(body) if code_of(o) == ITEM]
    battery = [
        o
        for org in body.iter("organizer")
        if org.get("classCode") == "BATTERY"
        for o in org.iter("observation")
        if not DE.fullmatch(code_of(o) or "DE00.00.000.00")
    ]
    exam_type = _first(body, EXAM_TYPE)
    texts = {code: _first(body, code) for code in (FINDINGS, IMPRESSION)}
    flat = [i for i in items if _group(i, parents)[0] == "flat"]
    results: list[LabResult | ImagingResult] = []
    evidence: list[Evidence] = []
    problems: list[Problem] = []

    def attempt(where: str, read: Callable[[], tuple[LabResult | ImagingResult, Evidence]]) -> None:
        try:
            result, ev = read()
        except Refused as refusal:
            problems.append(Problem(source, refusal.where, refusal.message))
        except MutrecError as error:
            problems.append(Problem(source, where, str(error)))
        else:
            results.append(result)
            evidence.append(ev)

    for n, item in enumerate(items):
        common = (issuer, patient, reported, number, f"{ITEM}[{n}]")

        def one(item: Element = item, common: tuple[Any, ...] = common) -> Any:
            if item in flat and len(flat) > 1:
                msg = f"{len(flat)} items among flat siblings: values cannot be paired safely"
                raise Refused(common[-1], msg)
            if kind == "lab":
                return _lab(doc, item, _group(item, parents)[1], *common)
            return _exam(doc, item, exam_type, texts, *common)

        attempt(common[-1], one)
    for n, obs in enumerate(battery):

        def xdlab(obs: Element = obs, n: int = n) -> tuple[LabResult, Evidence]:
            return _xdlab(doc, obs, parents, issuer, patient, reported, number, n)

        attempt(f"observation[{n}]", xdlab)
    if not items and not battery:
        problems.append(Problem(source, "structuredBody", f"no {ITEM} item and no XD-LAB battery"))
    return PlatformReading(results, problems, evidence, doc.flags)


def _lab(  # noqa: PLR0913, PLR0917 - the document's facts, passed flat
    doc: Doc,
    item: Element,
    members: list[Element],
    issuer: str,
    patient: str,
    reported: datetime | None,
    number: str | None,
    where: str,
) -> tuple[LabResult, Evidence]:
    code = value_of(item)[0]
    if code is None:
        raise Refused(where, "the item code is missing")
    specimen_obs = _by_code(list(item.iter("observation")), SPECIMEN)
    specimen = collected = received = None
    if specimen_obs:
        specimen = value_of(specimen_obs[0])[0]
        low, high = (
            specimen_obs[0].find("effectiveTime/low"),
            specimen_obs[0].find("effectiveTime/high"),
        )
        collected = doc.instant(None if low is None else low.get("value"), f"{where}.specimen.low")
        received = doc.instant(
            None if high is None else high.get("value"), f"{where}.specimen.high"
        )
    if collected is None:
        raise Refused(where, "no specimen collection time (DE04.50.134.00 low): when?")
    quantities = _by_code(members, QUANTITY) or _by_code(members, TEXT)
    if len(quantities) != 1:
        raise Refused(where, f"{len(quantities)} result values for one item")
    text, unit, _ = value_of(quantities[0])
    if unit is None:
        units = _by_code(list(quantities[0].iter("observation")), UNIT)
        unit = value_of(units[0])[0] if units else None
    if text is None:
        raise Refused(where, "the result value is missing")
    value = value_from_text(text, unit, WORDS)
    flags = _by_code(members, RESULT_CODE)
    flag = value_of(flags[0])[0] if flags else None
    result = LabResult(
        code, value, collected, issuer, patient,
        reported=reported, received=received, specimen=specimen,
    )  # fmt: skip
    unknown = ("reference_range", "item_name")
    ev = Evidence(
        where, report=number, abnormal=ABNORMAL.get(flag or ""), abnormal_code=flag,
        unknown=unknown,
    )  # fmt: skip
    return result, ev


def _exam(  # noqa: PLR0913, PLR0917 - the document's facts, passed flat
    doc: Doc,
    item: Element,
    exam_type: str | None,
    texts: Mapping[str, str | None],
    issuer: str,
    patient: str,
    reported: datetime | None,
    number: str | None,
    where: str,
) -> tuple[ImagingResult, Evidence]:
    code = value_of(item)[0]
    if code is None:
        raise Refused(where, "the item code is missing")
    modality = MODALITIES.get((exam_type or "").upper()) or MODALITIES.get(exam_type or "")
    if modality is None:
        raise Refused(where, f"exam type {exam_type!r:.40} ({EXAM_TYPE}) names no modality")
    when = item.find("effectiveTime")
    performed = doc.instant(None if when is None else when.get("value"), f"{where}.effectiveTime")
    if performed is None:
        raise Refused(where, "no examination time (the item's effectiveTime): when?")
    result = ImagingResult(
        code, modality, performed, issuer, patient, reported=reported,
        report_text=texts.get(IMPRESSION) or texts.get(FINDINGS),
    )  # fmt: skip
    unknown = ("modality_code", "body_part", "study_uid", "device")
    return result, Evidence(where, report=number, item_name=None, unknown=unknown)


def _xdlab(  # noqa: PLR0913, PLR0917 - the document's facts, passed flat
    doc: Doc,
    obs: Element,
    parents: Mapping[int, Element],
    issuer: str,
    patient: str,
    reported: datetime | None,
    number: str | None,
    n: int,
) -> tuple[LabResult, Evidence]:
    where = f"observation[{n}]"
    code_el = obs.find("code")
    code = code_of(obs) or ""
    loinc = code if code_el is not None and code_el.get("codeSystem") == LOINC_OID else None
    text, unit, _ = value_of(obs)
    if text is None:
        raise Refused(where, f"{code[:40]!r} has no value")
    value = value_from_text(text, unit, WORDS)
    when = obs.find("effectiveTime")
    node: Element | None = obs
    while when is None and node is not None:
        node = parents.get(id(node))
        when = None if node is None else node.find("effectiveTime")
    collected = doc.instant(None if when is None else when.get("value"), f"{where}.effectiveTime")
    if collected is None:
        raise Refused(where, "no effectiveTime (collection) on the observation or its battery")
    rng = None
    low = obs.find("referenceRange/observationRange/value/low")
    high = obs.find("referenceRange/observationRange/value/high")
    if low is not None or high is not None:
        bounds = [None if b is None else text_of(b.get("value")) for b in (low, high)]
        unit_text = next((b.get("unit") for b in (low, high) if b is not None), None)
        try:
            if any(b is not None and not _BOUND.fullmatch(b) for b in bounds):
                raise ValueError(bounds)  # noqa: TRY301 - flagged below, like a bad range
            rng = ReferenceRange(
                None if bounds[0] is None else float(bounds[0]),
                None if bounds[1] is None else float(bounds[1]),
                unit=parse_unit(unit_text) if unit_text else None,
            )
        except (ValueError, MutrecError):
            doc.flag(where, "reference range not read")
    interpretation = obs.find("interpretationCode")
    flag = None if interpretation is None else text_of(interpretation.get("code"))
    name = None if code_el is None else text_of(code_el.get("displayName"))
    result = LabResult(
        code, value, collected, issuer, patient, reported=reported, loinc=loinc,
        reference_range=rng,
    )  # fmt: skip
    words = {"H": "high", "L": "low", "N": "normal", "A": "abnormal"}
    ev = Evidence(
        where, report=number, item_name=name, abnormal=words.get(flag or ""), abnormal_code=flag
    )
    return result, ev
