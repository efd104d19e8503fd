"""Reading one segment's fields: components, coded elements, values, units, ranges, statuses.

Every function here either returns what the field says or raises
:class:`~mutrec.interop._hl7split.UnreadError` with the reason; none guesses.
"""

from __future__ import annotations

import re
from typing import Final

from mutrec.errors import MutrecError
from mutrec.interop._hl7split import Separators, UnreadError, unescape
from mutrec.model.values import Censored, Measured, Qualitative, Value, parse_value
from mutrec.units import Unit, parse_unit

__all__ = ["Fields", "loinc_ok", "status_refusal", "value"]


class Fields:
    """One segment's fields, with HL7's access by field, component and subcomponent."""

    __slots__ = ("_components", "codec", "fields", "seps")

    def __init__(self, fields: list[str], seps: Separators, codec: str) -> None:
        """Keep the fields (indexed by field number), the separators and the codec."""
        self.fields = fields
        self.seps = seps
        self.codec = codec
        # A field's first repetition split into components, once: OBX-3 is read six times.
        self._components: dict[int, list[str]] = {}

    def raw(self, number: int) -> str:
        """Field *number* as sent (all repetitions), '' when absent."""
        return self.fields[number] if number < len(self.fields) else ""

    def repetitions(self, number: int) -> list[str]:
        """Field *number*'s repetitions, raw ([] when empty)."""
        raw = self.raw(number)
        return raw.split(self.seps.repetition) if raw else []

    def get(self, number: int, component: int = 1, sub: int = 1, *, rep: str | None = None) -> str:
        """The text of a field's component and subcomponent (first repetition), unescaped.

        HL7's explicit null ``""`` reads as empty.
        """
        seps = self.seps
        if rep is not None:
            parts = rep.split(seps.component)
        elif (parts := self._components.get(number)) is None:  # type: ignore[assignment]
            first = self.raw(number).split(seps.repetition, 1)[0]
            parts = self._components[number] = first.split(seps.component)
        text = parts[component - 1] if component <= len(parts) else ""
        if sub > 1 or seps.subcomponent in text:
            subs = text.split(seps.subcomponent)
            text = subs[sub - 1] if sub <= len(subs) else ""
        if text == '""':
            return ""
        if seps.escape in text:
            text = unescape(text, seps, self.codec)
        return text.strip()

    def coded(self, number: int, component: int = 1) -> list[tuple[str, str, str]]:
        """A CE/CWE field's (identifier, text, coding system) triplets: primary, alternate.

        With *component* > 1 the coded element sits in that component's subcomponents (an
        SPS's specimen type in OBR-15).
        """
        if component > 1:
            got = [self.get(number, component, s) for s in range(1, 7)]
        else:
            self.get(number)  # splits the field into its components once
            count = len(self._components[number])
            got = [self.get(number, c) if c <= count else "" for c in range(1, 7)]
        return [tuple(got[i : i + 3]) for i in (0, 3) if any(got[i : i + 3])]  # type: ignore[misc]


_REFUSED_STATUS: Final = {
    "P": "preliminary: wait for the final result",
    "R": "results entered, not verified: wait for the final result",
    "S": "partial: wait for the final result",
    "I": "specimen in lab, results pending",
    "X": "results cannot be obtained for this observation",
    "D": "deletes the result sent before with this code",
    "W": "the result was posted in error (wrong patient or order): discard the earlier one",
    "U": "a status change only: the values are in the message that was sent as preliminary",
    "N": "not asked: no result was made",
    "O": "order detail only: no result",
}
_READ_STATUS: Final = frozenset({"F", "C"})

_REFUSED_ORDER: Final = {
    "P": "the report is preliminary",
    "R": "the report is not verified",
    "S": "the report is partial",
    "I": "the report is pending (specimen in lab)",
    "O": "only the order was received, no results",
    "X": "the order was cancelled, no results",
    "Y": "there is no order on record",
    "Z": "there is no record of this patient",
}


def status_refusal(obx_status: str, order_status: str) -> str | None:
    """Why OBX-11 (with the group's OBR-25) keeps a result from being read, or ``None``.

    OBX-11 F (final) and C (corrected) are read, in an order whose OBR-25 is empty, F, C or
    A (some results available); every other status is refused with its meaning (HL7 tables
    0085 and 0123).
    """
    if order_status and order_status not in ("F", "C", "A"):
        reason = _REFUSED_ORDER.get(order_status, "a status mutrec does not read")
        return f"OBR-25 result status {order_status!r}: {reason}"
    if obx_status in _READ_STATUS:
        return None
    if not obx_status:
        return "OBX-11 result status is empty: only final (F) or corrected (C) results are read"
    reason = _REFUSED_STATUS.get(obx_status, "a status mutrec does not read")
    return f"OBX-11 result status {obx_status!r}: {reason}"


_LOINC: Final = re.compile(r"([0-9]{1,7})-([0-9])\Z")


def loinc_ok(code: str) -> bool:
    """Whether *code* is a LOINC code with a correct check digit (LOINC's mod 10).

    Doubled digits in odd places from the right, plus the others, digit by digit.
    """
    match = _LOINC.match(code)
    if match is None:
        return False
    digits = [int(d) for d in reversed(match.group(1))]
    total = 0
    for index, digit in enumerate(digits):
        doubled = digit * 2 if index % 2 == 0 else digit
        total += doubled // 10 + doubled % 10
    return (10 - total % 10) % 10 == int(match.group(2))


_SN_COMPARATORS: Final = {"": "", "=": "", "<": "<", ">": ">", "<=": "<=", ">=": ">="}
_NUMERIC: Final = frozenset({"NM", "SN"})
_TEXT: Final = frozenset({"ST", "TX", "FT"})
_CODED: Final = frozenset({"CE", "CWE", "CNE", "CF"})


def value(obx: Fields, unit: Unit | None) -> Value:
    """OBX-5 read by its OBX-2 value type (NM, SN, ST/TX/FT, CE/CWE/CNE).

    Raises:
        UnreadError: The type is not read, the value is empty, repeated, or not of its type.
        MutrecError: The value text is not a value (see :func:`~mutrec.model.values.parse_value`).
    """
    kind = obx.get(2)
    reps = obx.repetitions(5)
    if not kind:
        msg = "OBX-2 value type is empty"
        raise UnreadError(msg, "send NM, SN, ST, CE or CWE")
    if kind not in _NUMERIC | _TEXT | _CODED:
        msg = f"OBX-2 value type {kind!r} is not read"
        raise UnreadError(msg, "mutrec reads NM, SN, ST, TX, FT, CE, CWE and CNE values")
    if not reps or not any(reps):
        msg = "OBX-5 has no value"
        raise UnreadError(msg)
    if len(reps) > 1 and kind not in _TEXT:
        msg = f"OBX-5 repeats ({len(reps)} values): one result has one value"
        raise UnreadError(msg)
    if kind in _CODED:
        # A coded value is a word, as FHIR's valueCodeableConcept: its identifier may be
        # digits (SNOMED CT 260385009 is "Negative"), never a number of the unit's.
        ident, text = obx.get(5, 1), obx.get(5, 2)
        return Qualitative.parse(text or ident)
    if kind in _TEXT:
        parts = [obx.get(5, rep=rep) for rep in reps]
        return parse_value(" ".join(p for p in parts if p), unit)
    if kind == "SN":
        return _structured(obx, unit)
    got = parse_value(obx.get(5), unit)
    if not isinstance(got, (Measured, Censored)):
        msg = f"OBX-2 is NM but OBX-5 {obx.get(5)[:40]!r} is not a number"
        raise UnreadError(msg, "send text values as ST or CWE")
    return got


def _structured(obx: Fields, unit: Unit | None) -> Value:
    comparator, number, separator, second = (obx.get(5, c) for c in (1, 2, 3, 4))
    if separator or second:
        msg = f"OBX-5 SN {obx.raw(5)[:40]!r} is a ratio or a range, not one value"
        raise UnreadError(msg)
    if comparator not in _SN_COMPARATORS:
        msg = f"OBX-5 SN comparator {comparator!r} is not read"
        raise UnreadError(msg, "send one of =, <, >, <=, >=")
    got = parse_value(_SN_COMPARATORS[comparator] + number, unit)
    if not isinstance(got, (Measured, Censored)):
        msg = f"OBX-5 SN number {number[:40]!r} is not a number"
        raise UnreadError(msg)
    return got


def units(obx: Fields) -> Unit | None:
    """OBX-6 (identifier, else text) through mutrec's strict unit parser; ``None`` when empty.

    Raises:
        UnitError: The unit is not one mutrec reads.
        UnreadError: The identifier and the text both read as units, and differ.
    """
    code, shown = obx.get(6, 1), obx.get(6, 2)
    if not code:
        return parse_unit(shown) if shown else None
    unit = parse_unit(code)
    if shown:
        try:
            printed = parse_unit(shown)
        except MutrecError:
            return unit  # display text that is no unit ("millimole per litre") says nothing
        if printed != unit:
            msg = f"OBX-6 unit {code!r} and its text {shown!r} disagree: which unit is meant?"
            raise UnreadError(msg, "send the text that matches the unit's code")
    return unit
