"""An ORU^R01 message's OBR groups, and what each gives the OBX in it (patient, instants …).

Private to :mod:`mutrec.interop.hl7v2`: every reading here raises
:class:`~mutrec.interop._hl7split.UnreadError` with the reason, which the reader turns into
one problem per OBX.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import cached_property

from mutrec.interop import _hl7fields as f
from mutrec.interop._hl7split import UnreadError, instant
from mutrec.model.reference import ReferenceRange
from mutrec.model.results import LabResult

__all__ = ["Context", "Group"]


class Group:
    """One OBR and what follows it up to the next OBR, PID or MSH."""

    __slots__ = ("obr", "obx", "patient", "spm")

    def __init__(self, obr: f.Fields, patient: str) -> None:
        self.obr = obr
        self.patient = patient
        self.obx: list[tuple[int, f.Fields]] = []
        self.spm: list[f.Fields] = []


class Context:
    """What an OBR group gives every OBX in it: patient, instants, status, specimen."""

    def __init__(
        self,
        group: Group,
        facility: str | UnreadError,
        resolve: Callable[[str], str | None],
        zone: tzinfo | None,
    ) -> None:
        self.group = group
        self.facility = facility
        self.resolve = resolve
        self.zone = zone

    def _instant(self, segment: f.Fields, number: int, label: str) -> datetime | None:
        text = segment.get(number)
        return instant(text, label, self.zone) if text else None

    def _spm_instant(self, number: int, label: str) -> datetime | None:
        for spm in self.group.spm:
            if found := self._instant(spm, number, label):
                return found
        return None

    @cached_property
    def _specimen(self) -> str | None:
        coded = [c for spm in self.group.spm for c in spm.coded(4)[:1]]
        coded = coded or self.group.obr.coded(15, 1)[:1] or self.group.obr.coded(15)[:1]
        if not coded:
            return None
        ident, text, system = coded[0]
        kinds = {c[0] or c[1] for c in coded}
        if len(kinds) > 1:
            msg = f"the order's specimens differ ({', '.join(sorted(kinds))})"
            raise UnreadError(msg, "send one OBR per specimen")
        return ident if system.upper() == "HL70487" and ident else text or ident

    def _issuer(self, obx: f.Fields) -> str:
        key = obx.get(23, 10) or obx.get(23, 3) or obx.get(23, 1)
        if key:
            found = self.resolve(key)
            if not found:
                msg = f"performing organisation {key!r} (OBX-23) is not a known institution"
                raise UnreadError(msg)
            return found
        if isinstance(self.facility, UnreadError):
            raise self.facility
        return self.facility

    # The group's facts are read once for all its OBX (an error is raised again for each).
    @cached_property
    def _observed(self) -> datetime | None:
        obr = self.group.obr
        return self._instant(obr, 7, "OBR-7") or self._spm_instant(17, "SPM-17")

    @cached_property
    def _reported(self) -> datetime | None:
        return self._instant(self.group.obr, 22, "OBR-22")

    @cached_property
    def _received(self) -> datetime | None:
        obr = self.group.obr
        return self._instant(obr, 14, "OBR-14") or self._spm_instant(18, "SPM-18")

    @cached_property
    def _order_status(self) -> str:
        return self.group.obr.get(25)

    def result(self, obx: f.Fields) -> LabResult:
        if refusal := f.status_refusal(obx.get(11), self._order_status):
            raise UnreadError(refusal)
        if not self.group.patient:
            msg = "PID-3 patient id is empty or there is no PID"
            raise UnreadError(msg, "a result with no patient cannot be recognised for anyone")
        collected = self._instant(obx, 14, "OBX-14") or self._observed
        if collected is None:
            msg = "no observation instant (OBX-14, OBR-7 or SPM-17)"
            raise UnreadError(msg, "send OBR-7, the specimen collection instant")
        item, loinc = _item(obx)
        unit = f.units(obx)
        range_text = obx.get(7)
        return LabResult(
            item,
            f.value(obx, unit),
            collected,
            self._issuer(obx),
            self.group.patient,
            reported=self._reported,
            received=self._received,
            specimen=self._specimen,
            method=obx.get(17, 2) or obx.get(17, 1) or None,
            instrument=obx.get(18) or None,
            loinc=loinc,
            reference_range=ReferenceRange.from_text(range_text, unit) if range_text else None,
        )


def _item(obx: f.Fields) -> tuple[str, str | None]:
    """OBX-3's item code (the local one first) and its LOINC code, if any."""
    coded = obx.coded(3)
    loinc = next((c[0] for c in coded if c[2].upper() == "LN" and c[0]), None)
    if loinc is not None and not f.loinc_ok(loinc):
        msg = f"OBX-3 LOINC code {loinc!r} is not a LOINC code (form or check digit)"
        raise UnreadError(msg, "check the code at the sender")
    local = next((c[0] or c[1] for c in coded if c[2].upper() != "LN" and (c[0] or c[1])), None)
    item = local or loinc
    if not item:
        msg = "OBX-3 observation identifier is empty"
        raise UnreadError(msg, "send the item's code in OBX-3")
    return item, loinc
