"""WS/T 500—2016 lab (C0007) and exam (C0006) CDA documents, walked by data-element code."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Final
from xml.etree.ElementTree import Element

import attrs

from mutrec._checks import instance_of
from mutrec.errors import MutrecError, Problem, ResultError
from mutrec.interop._cda_xml import parse_xml
from mutrec.interop._platform_read import value_from_text
from mutrec.interop._platform_reading import Evidence, PlatformReading
from mutrec.model.devices import Modality
from mutrec.model.reference import ReferenceRange
from mutrec.model.results import ImagingResult, LabResult
from mutrec.units import parse_unit

__all__ = ["CdaRoots", "read_document"]

ITEM, SPECIMEN, RESULT_CODE, QUANTITY, UNIT, TEXT = (
    "DE04.30.019.00", "DE04.50.134.00", "DE04.30.017.00", "DE04.30.015.00", "DE04.30.016.00",
    "DE04.30.009.00",
)  # fmt: skip
EXAM_TYPE, FINDINGS, IMPRESSION = "DE04.30.018.00", "DE04.50.131.00", "DE04.50.132.00"
LOINC_OID: Final = "2.16.840.1.113883.6.1"
_DE: Final = re.compile(r"DE[0-9]{2}\.[0-9]{2}\.[0-9]{3}\.[0-9]{2}")
_TS: Final = re.compile(
    r"([0-9]{4})([0-9]{2})([0-9]{2})(?:([0-9]{2})([0-9]{2})(?:([0-9]{2})(?:\.[0-9]{1,6})?)?)?"
    r"([+-][0-9]{4})?"
)
_CHINA: Final = timedelta(hours=8)
_MISSING: Final = frozenset({"", "NA", "N/A", "/", "-", "无", "null"})
_ABNORMAL: Final = {"1": "normal", "2": "abnormal", "3": "uncertain"}
_WORDS: Final = {"小于": "<", "大于": ">", "小于等于": "<=", "大于等于": ">="}
_MODALITIES: Final = {
    "CT": Modality.CT, "MR": Modality.MR, "MRI": Modality.MR, "磁共振": Modality.MR,
    "DR": Modality.DR, "DX": Modality.DR, "CR": Modality.CR, "US": Modality.US,
    "超声": Modality.US, "彩超": Modality.US, "B超": Modality.US, "心电图": Modality.ECG,
}  # fmt: skip


@attrs.frozen
class CdaRoots:
    """The OIDs a WS/T 500 document is read by; a vendor's own replace the national ones.

    Attributes:
        organisation: The custodian organisation's id root (the issuer).
        patient: Patient id roots, in order of preference (ID card, outpatient, inpatient).
        lab_report: The lab report number's root.
        exam_report: The exam report number's root.
        lab_document: Document codes or template ids meaning a lab report (C0007).
        exam_document: Those meaning an exam report (C0006).

    >>> CdaRoots(organisation="1.2.156.112636.1.5").patient[0]
    '2.16.156.10011.1.3'
    """

    organisation: str = attrs.field(default="2.16.156.10011.1.5", validator=instance_of(str))
    patient: tuple[str, ...] = attrs.field(
        default=("2.16.156.10011.1.3", "2.16.156.10011.1.11", "2.16.156.10011.1.12"),
        converter=tuple,
    )
    lab_report: str = attrs.field(default="2.16.156.10011.1.33", validator=instance_of(str))
    exam_report: str = attrs.field(default="2.16.156.10011.1.32", validator=instance_of(str))
    lab_document: tuple[str, ...] = attrs.field(
        default=("C0007", "2.16.156.10011.2.1.1.27"), converter=tuple
    )
    exam_document: tuple[str, ...] = attrs.field(
        default=("C0006", "2.16.156.10011.2.1.1.26"), converter=tuple
    )


class _Refused(Exception):  # noqa: N818 - internal: one element not read
    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where, self.message = where, message


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if value in _MISSING else value


def _code(observation: Element) -> str | None:
    code = observation.find("code")
    return None if code is None else _text(code.get("code"))


def _observations(element: Element) -> Iterator[Element]:
    return (e for e in element.iter("observation"))


def _value(observation: Element) -> tuple[str | None, str | None, str | None]:
    """(value text, unit text, its xsi:type) of an observation's ``value``."""
    value = observation.find("value")
    if value is None:
        return None, None, None
    kind = value.get("xsi:type")
    text = _text(value.get("value")) or _text(value.get("code")) or _text(value.text)
    if text is None and kind == "CD":
        text = _text(value.get("displayName"))
    return text, _text(value.get("unit")), kind


class _Doc:
    def __init__(self, root: Element, roots: CdaRoots, zone: tzinfo | None, source: str) -> None:
        self.root, self.roots, self.zone, self.source = root, roots, zone, source
        self.flags: list[Problem] = []

    def flag(self, where: str, message: str) -> None:
        self.flags.append(Problem(self.source, where, message))

    def instant(self, raw: str | None, where: str, *, date_ok: bool = False) -> datetime | None:
        """An HL7 TS: the offset as written (flagged unless +08:00), else the caller's zone."""
        text = _text(raw)
        if text is None:
            return None
        m = _TS.fullmatch(text)
        if m is None:
            raise _Refused(where, f"{text[:40]!r} is not an HL7 time (YYYYMMDDHHMMSS+ZZZZ)")
        year, month, day, hour, minute, second, offset = m.groups()
        if hour is None:
            if date_ok:
                self.flag(where, f"{text!r} is a date without a time: not read as an instant")
                return None
            raise _Refused(where, f"{text!r} is a date without a time: when exactly?")
        if offset is not None:
            sign = -1 if offset[0] == "-" else 1
            delta = sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:]))
            if delta != _CHINA:
                self.flag(where, f"offset {offset} is not China's +0800 (copied from a sample?)")
            tz: tzinfo = timezone(delta)
        elif self.zone is not None:
            tz = self.zone
        else:
            raise _Refused(where, f"{text!r} has no offset and no default_zone was given")
        try:
            return datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                tzinfo=tz,
            )  # fmt: skip
        except ValueError:
            raise _Refused(where, f"{text!r} is not a date and time on the calendar") from None

    def header(self) -> tuple[str, str | None, str | None, datetime | None]:
        """(kind, issuer, patient, report time)."""
        code = self.root.find("code")
        ids = {code.get("code") if code is not None else None}
        ids |= {t.get("root") for t in self.root.findall("templateId")}
        if ids & set(self.roots.lab_document):
            kind = "lab"
        elif ids & set(self.roots.exam_document):
            kind = "exam"
        else:
            msg = "ClinicalDocument/code"
            raise _Refused(msg, "not a WS/T 500 lab (C0007) or exam (C0006)")
        issuer = None
        for org in self.root.iter("representedCustodianOrganization"):
            for ident in org.findall("id"):
                if ident.get("root") == self.roots.organisation:
                    issuer = _text(ident.get("extension"))
        patient = None
        role = self.root.find("recordTarget/patientRole")
        if role is not None:
            found = {i.get("root"): _text(i.get("extension")) for i in role.iter("id")}
            for root in self.roots.patient:
                ext = found.get(root)
                if ext and set(ext) != {"0"}:
                    patient = f"{root}|{ext}"
                    break
        time = self.root.find("author/time")
        reported = self.instant(
            None if time is None else time.get("value"), "author/time", date_ok=True
        )
        return kind, issuer, patient, reported

    def report_number(self, kind: str) -> str | None:
        root = self.roots.lab_report if kind == "lab" else self.roots.exam_report
        for ident in self.root.iter("id"):
            if ident.get("root") == root:
                return _text(ident.get("extension"))
        return None


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
    return [o for o in members if _code(o) == code]


def _who(doc: _Doc, issuers: Mapping[str, str] | None) -> tuple[str, str, str, datetime | None]:
    """(kind, issuer, patient, report time), or a refusal of the whole document."""
    kind, issuer, patient, reported = doc.header()
    if issuer is None:
        msg = "custodian"
        raise _Refused(msg, f"no organisation id with root {doc.roots.organisation}")
    if issuers is not None:
        if issuer not in issuers:
            msg = "custodian"
            raise _Refused(msg, f"organisation {issuer[:40]!r} not in issuers")
        issuer = issuers[issuer]
    if patient is None:
        msg = "recordTarget"
        raise _Refused(msg, "no patient id under the configured roots: whose?")
    return kind, issuer, patient, reported


def _first(body: Element, code: str) -> str | None:
    return next((_value(o)[0] for o in _observations(body) if _code(o) == code), None)


def read_document(  # noqa: C901 - one loop per form, each a closure
    data: str | bytes,
    roots: CdaRoots,
    zone: tzinfo | None,
    issuers: Mapping[str, str] | None,
    source: str,
) -> PlatformReading:
    """Read one document; see :func:`mutrec.interop.cda.read_cda`."""
    root = parse_xml(data, source)
    if root.tag != "ClinicalDocument":
        raise ResultError(source, root.tag[:40], "not a CDA ClinicalDocument")
    doc = _Doc(root, roots, zone, source)
    body = root.find("component/structuredBody")
    try:
        kind, issuer, patient, reported = _who(doc, issuers)
    except _Refused as refusal:
        return PlatformReading((), [Problem(source, refusal.where, refusal.message)], (), doc.flags)
    if body is None:
        return PlatformReading((), [Problem(source, "component", "no structuredBody")])
    number = doc.report_number(kind)
    parents = _parents(body)
    items = [o for o in _observations(body) if _code(o) == ITEM]
    battery = [
        o
        for org in body.iter("organizer")
        if org.get("classCode") == "BATTERY"
        for o in org.iter("observation")
        if not _DE.fullmatch(_code(o) or "DE00.00.000.00")
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
        except _Refused as refusal:
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
                raise _Refused(common[-1], msg)
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
    doc: _Doc,
    item: Element,
    members: list[Element],
    issuer: str,
    patient: str,
    reported: datetime | None,
    number: str | None,
    where: str,
) -> tuple[LabResult, Evidence]:
    code = _value(item)[0]
    if code is None:
        raise _Refused(where, "the item code is missing")
    specimen_obs = _by_code(list(item.iter("observation")), SPECIMEN)
    specimen = collected = received = None
    if specimen_obs:
        specimen = _value(specimen_obs[0])[0]
        low, high = (
            specimen_obs[0].find("effectiveTime/low"),
            specimen_obs[0].find("effectiveTime/high"),
        )
        collected = doc.instant(None if low is None else low.get("value"), f"{where}.specimen.low")
        received = doc.instant(
            None if high is None else high.get("value"), f"{where}.specimen.high"
        )
    if collected is None:
        raise _Refused(where, "no specimen collection time (DE04.50.134.00 low): when?")
    quantities = _by_code(members, QUANTITY) or _by_code(members, TEXT)
    if len(quantities) != 1:
        raise _Refused(where, f"{len(quantities)} result values for one item")
    text, unit, _ = _value(quantities[0])
    if unit is None:
        units = _by_code(list(quantities[0].iter("observation")), UNIT)
        unit = _value(units[0])[0] if units else None
    if text is None:
        raise _Refused(where, "the result value is missing")
    value = value_from_text(text, unit, _WORDS)
    flags = _by_code(members, RESULT_CODE)
    flag = _value(flags[0])[0] if flags else None
    result = LabResult(
        code, value, collected, issuer, patient,
        reported=reported, received=received, specimen=specimen,
    )  # fmt: skip
    unknown = ("reference_range", "item_name")
    ev = Evidence(
        where, report=number, abnormal=_ABNORMAL.get(flag or ""), abnormal_code=flag,
        unknown=unknown,
    )  # fmt: skip
    return result, ev


def _exam(  # noqa: PLR0913, PLR0917 - the document's facts, passed flat
    doc: _Doc,
    item: Element,
    exam_type: str | None,
    texts: Mapping[str, str | None],
    issuer: str,
    patient: str,
    reported: datetime | None,
    number: str | None,
    where: str,
) -> tuple[ImagingResult, Evidence]:
    code = _value(item)[0]
    if code is None:
        raise _Refused(where, "the item code is missing")
    modality = _MODALITIES.get((exam_type or "").upper()) or _MODALITIES.get(exam_type or "")
    if modality is None:
        raise _Refused(where, f"exam type {exam_type!r:.40} ({EXAM_TYPE}) names no modality")
    when = item.find("effectiveTime")
    performed = doc.instant(None if when is None else when.get("value"), f"{where}.effectiveTime")
    if performed is None:
        raise _Refused(where, "no examination time (the item's effectiveTime): when?")
    result = ImagingResult(
        code, modality, performed, issuer, patient, reported=reported,
        report_text=texts.get(IMPRESSION) or texts.get(FINDINGS),
    )  # fmt: skip
    unknown = ("modality_code", "body_part", "study_uid", "device")
    return result, Evidence(where, report=number, item_name=None, unknown=unknown)


def _xdlab(  # noqa: PLR0913, PLR0917 - the document's facts, passed flat
    doc: _Doc,
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
    code = _code(obs) or ""
    loinc = code if code_el is not None and code_el.get("codeSystem") == LOINC_OID else None
    text, unit, _ = _value(obs)
    if text is None:
        raise _Refused(where, f"{code[:40]!r} has no value")
    value = value_from_text(text, unit, _WORDS)
    when = obs.find("effectiveTime")
    node: Element | None = obs
    while when is None and node is not None:
        node = parents.get(id(node))
        when = None if node is None else node.find("effectiveTime")
    collected = doc.instant(None if when is None else when.get("value"), f"{where}.effectiveTime")
    if collected is None:
        raise _Refused(where, "no effectiveTime (collection) on the observation or its battery")
    rng = None
    low = obs.find("referenceRange/observationRange/value/low")
    high = obs.find("referenceRange/observationRange/value/high")
    if low is not None or high is not None:
        bounds = [None if b is None else _text(b.get("value")) for b in (low, high)]
        unit_text = next((b.get("unit") for b in (low, high) if b is not None), None)
        try:
            rng = ReferenceRange(
                None if bounds[0] is None else float(bounds[0]),
                None if bounds[1] is None else float(bounds[1]),
                unit=parse_unit(unit_text) if unit_text else None,
            )
        except (ValueError, MutrecError):
            doc.flag(where, "reference range not read")
    interpretation = obs.find("interpretationCode")
    flag = None if interpretation is None else _text(interpretation.get("code"))
    name = None if code_el is None else _text(code_el.get("displayName"))
    result = LabResult(
        code, value, collected, issuer, patient, reported=reported, loinc=loinc,
        reference_range=rng,
    )  # fmt: skip
    words = {"H": "high", "L": "low", "N": "normal", "A": "abnormal"}
    ev = Evidence(
        where, report=number, item_name=name, abnormal=words.get(flag or ""), abnormal_code=flag
    )
    return result, ev
