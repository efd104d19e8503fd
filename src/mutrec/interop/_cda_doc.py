"""A WS/T 500 document's header and primitives: roots, ids, HL7 times, coded values."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Final
from xml.etree.ElementTree import Element

import attrs

from mutrec._checks import instance_of, items_of
from mutrec.errors import Problem
from mutrec.model.devices import Modality

__all__ = [
    "ABNORMAL",
    "DE",
    "EXAM_TYPE",
    "FINDINGS",
    "IMPRESSION",
    "ITEM",
    "LOINC_OID",
    "MODALITIES",
    "QUANTITY",
    "RESULT_CODE",
    "SPECIMEN",
    "TEXT",
    "UNIT",
    "WORDS",
    "CdaRoots",
    "Doc",
    "Refused",
    "code_of",
    "observations",
    "text_of",
    "value_of",
]

ITEM, SPECIMEN, RESULT_CODE, QUANTITY, UNIT, TEXT = (
    "DE04.30.019.00", "DE04.50.134.00", "DE04.30.017.00", "DE04.30.015.00", "DE04.30.016.00",
    "DE04.30.009.00",
)  # fmt: skip
EXAM_TYPE, FINDINGS, IMPRESSION = "DE04.30.018.00", "DE04.50.131.00", "DE04.50.132.00"
LOINC_OID: Final = "2.16.840.1.113883.6.1"
DE: Final = re.compile(r"DE[0-9]{2}\.[0-9]{2}\.[0-9]{3}\.[0-9]{2}")
_TS: Final = re.compile(
    r"([0-9]{4})([0-9]{2})([0-9]{2})(?:([0-9]{2})([0-9]{2})(?:([0-9]{2})(?:\.[0-9]{1,6})?)?)?"
    r"([+-][0-9]{4})?"
)
_CHINA: Final = timedelta(hours=8)
_MISSING: Final = frozenset({"", "NA", "N/A", "/", "-", "无", "null"})
ABNORMAL: Final = {"1": "normal", "2": "abnormal", "3": "uncertain"}
WORDS: Final = {"小于": "<", "大于": ">", "小于等于": "<=", "大于等于": ">="}
MODALITIES: Final = {
    "CT": Modality.CT, "MR": Modality.MR, "MRI": Modality.MR, "磁共振": Modality.MR,
    "DR": Modality.DR, "DX": Modality.DR, "CR": Modality.CR, "US": Modality.US,
    "超声": Modality.US, "彩超": Modality.US, "B超": Modality.US, "心电图": Modality.ECG,
}  # fmt: skip


def _patient_roots(values: Iterable[str]) -> tuple[str, ...]:
    return items_of("patient", values, str)


def _lab_documents(values: Iterable[str]) -> tuple[str, ...]:
    return items_of("lab_document", values, str)


def _exam_documents(values: Iterable[str]) -> tuple[str, ...]:
    return items_of("exam_document", values, str)


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
        converter=_patient_roots,
    )
    lab_report: str = attrs.field(default="2.16.156.10011.1.33", validator=instance_of(str))
    exam_report: str = attrs.field(default="2.16.156.10011.1.32", validator=instance_of(str))
    lab_document: tuple[str, ...] = attrs.field(
        default=("C0007", "2.16.156.10011.2.1.1.27"), converter=_lab_documents
    )
    exam_document: tuple[str, ...] = attrs.field(
        default=("C0006", "2.16.156.10011.2.1.1.26"), converter=_exam_documents
    )


class Refused(Exception):  # noqa: N818 - internal: one element not read
    """One element (or the document) not read: where, and why."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where, self.message = where, message


def text_of(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return None if value in _MISSING else value


def code_of(observation: Element) -> str | None:
    code = observation.find("code")
    return None if code is None else text_of(code.get("code"))


def observations(element: Element) -> Iterator[Element]:
    return (e for e in element.iter("observation"))


def value_of(observation: Element) -> tuple[str | None, str | None, str | None]:
    """(value text, unit text, its xsi:type) of an observation's ``value``."""
    value = observation.find("value")
    if value is None:
        return None, None, None
    kind = value.get("xsi:type")
    text = text_of(value.get("value")) or text_of(value.get("code")) or text_of(value.text)
    if text is None and kind == "CD":
        text = text_of(value.get("displayName"))
    return text, text_of(value.get("unit")), kind


class Doc:
    def __init__(self, root: Element, roots: CdaRoots, zone: tzinfo | None, source: str) -> None:
        self.root, self.roots, self.zone, self.source = root, roots, zone, source
        self.flags: list[Problem] = []

    def flag(self, where: str, message: str) -> None:
        self.flags.append(Problem(self.source, where, message))

    def instant(self, raw: str | None, where: str, *, date_ok: bool = False) -> datetime | None:
        """An HL7 TS: the offset as written (flagged unless +08:00), else the caller's zone."""
        text = text_of(raw)
        if text is None:
            return None
        m = _TS.fullmatch(text)
        if m is None:
            raise Refused(where, f"{text[:40]!r} is not an HL7 time (YYYYMMDDHHMMSS+ZZZZ)")
        year, month, day, hour, minute, second, offset = m.groups()
        if hour is None:
            if date_ok:
                self.flag(where, f"{text!r} is a date without a time: not read as an instant")
                return None
            raise Refused(where, f"{text!r} is a date without a time: when exactly?")
        if offset is not None:
            sign = -1 if offset[0] == "-" else 1
            delta = sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[3:]))
            if delta != _CHINA:
                self.flag(where, f"offset {offset} is not China's +0800 (copied from a sample?)")
            tz: tzinfo = timezone(delta)
        elif self.zone is not None:
            tz = self.zone
        else:
            raise Refused(where, f"{text!r} has no offset and no default_zone was given")
        try:
            return datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                tzinfo=tz,
            )  # fmt: skip
        except ValueError:
            raise Refused(where, f"{text!r} is not a date and time on the calendar") from None

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
            raise Refused(msg, "not a WS/T 500 lab (C0007) or exam (C0006)")
        issuer = None
        for org in self.root.iter("representedCustodianOrganization"):
            for ident in org.findall("id"):
                if ident.get("root") == self.roots.organisation:
                    issuer = text_of(ident.get("extension"))
        patient = None
        role = self.root.find("recordTarget/patientRole")
        if role is not None:
            found = {i.get("root"): text_of(i.get("extension")) for i in role.iter("id")}
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
                return text_of(ident.get("extension"))
        return None
