"""FHIR JSON primitives read from plain dicts: text, codes, instants, quantities.

Every reader here either returns what it read or raises :class:`Refused` naming the element
(relative to the resource) and why; the readers turn a refusal into one
:class:`~mutrec.errors.Problem`. Nothing here trusts a type: FHIR JSON arrives from other
systems, and a list where an object belongs is a refusal, never an ``AttributeError``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any, Final, NoReturn

from mutrec.errors import MutrecError
from mutrec.interop._args import DST_REASON, in_zone
from mutrec.model.values import Censored, Measured, Value
from mutrec.units import Unit, parse_unit

__all__ = [
    "LOINC",
    "MAX_TEXT",
    "UCUM",
    "Refused",
    "codings",
    "concept_text",
    "instant",
    "load_json",
    "obj",
    "objs",
    "quantity",
    "refuse",
    "text",
    "unicode_text",
    "unit_of",
]

LOINC: Final = "http://loinc.org"
UCUM: Final = "http://unitsofmeasure.org"
# A code, a name or a printed value is short; longer text is not read (and not worth reading).
MAX_TEXT: Final = 1000


class Refused(Exception):  # noqa: N818 - an internal signal, never raised out of the package
    """An element that cannot be read: where (relative to the resource), why, how to fix."""

    def __init__(self, where: str, message: str, hint: str | None = None) -> None:
        """Record where, what and how to fix."""
        super().__init__(message)
        self.where = where
        self.message = message
        self.hint = hint


def refuse(where: str, message: str, hint: str | None = None) -> NoReturn:
    """Raise :class:`Refused`: *where* (an element's path) cannot be read, *message* says why."""
    raise Refused(where, message, hint)


def _shown(value: object) -> str:
    """A short, safe rendering of hostile input (no repr of a nested or huge value)."""
    if isinstance(value, str):
        return repr(value[:50]) + ("…" if len(value) > 50 else "")
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if -(10**40) < value < 10**40 else "a very large integer"
    if isinstance(value, Mapping):
        return "a JSON object"
    if isinstance(value, list):
        return "a JSON array"
    return f"a {type(value).__name__}"


def obj(value: object, where: str) -> Mapping[str, Any]:
    """*value* if it is a JSON object, else a refusal."""
    if type(value) is dict:  # the common case, one C call
        return value
    if not isinstance(value, Mapping):
        refuse(where, f"must be a JSON object, not {_shown(value)}")
    return value


def objs(value: object, where: str) -> list[tuple[str, Mapping[str, Any]]]:
    """The objects of a JSON array (absent: none), each with its path."""
    if value is None:
        return []
    if type(value) is list and all(type(item) is dict for item in value):
        return [(f"{where}[{i}]", item) for i, item in enumerate(value)]
    if not isinstance(value, list):
        refuse(where, f"must be a JSON array, not {_shown(value)}")
    return [(f"{where}[{i}]", obj(item, f"{where}[{i}]")) for i, item in enumerate(value)]


def text(value: object, where: str, *, required: bool = False) -> str | None:
    """Non-blank text of at most ``MAX_TEXT`` characters, stripped; ``None`` when absent."""
    if type(value) is str and len(value) <= MAX_TEXT:  # the common case first
        stripped = value.strip()
        if stripped and (stripped.isascii() or unicode_text(stripped)):
            return stripped
    if value is None:
        if required:
            refuse(where, "is missing")
        return None
    if not isinstance(value, str):
        refuse(where, f"must be text, not {_shown(value)}")
    if len(value) > MAX_TEXT:
        refuse(where, f"is longer than {MAX_TEXT} characters")
    stripped = value.strip()
    if not stripped:
        if required:
            refuse(where, "is blank")
        return None
    if not unicode_text(stripped):
        refuse(where, "is not Unicode text: it holds a lone surrogate (half a UTF-16 pair)")
    return stripped


def unicode_text(value: str) -> bool:
    r"""Whether *value* is encodable text (JSON's ``\ud800`` escape makes a lone surrogate)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def codings(concept: Mapping[str, Any], where: str) -> list[tuple[str | None, str | None, str]]:
    """A CodeableConcept's codings as ``(system, code, display)`` (display may be ``""``)."""
    found = []
    for path, coding in objs(concept.get("coding"), f"{where}.coding"):
        system = text(coding.get("system"), f"{path}.system")
        code = text(coding.get("code"), f"{path}.code")
        display = text(coding.get("display"), f"{path}.display") or ""
        if code is not None or display:
            found.append((system, code, display))
    return found


def concept_text(concept: Mapping[str, Any], where: str) -> str | None:
    """The words of a CodeableConcept: its text, else a coding's display, else its code."""
    words = text(concept.get("text"), f"{where}.text")
    if words:
        return words
    found = codings(concept, where)
    for _system, _code, display in found:
        if display:
            return display
    for _system, code, _display in found:
        if code:
            return code
    return None


# FHIR's dateTime (and instant): a full date, or a date and a time with an optional offset
# (FHIR requires the offset; hospitals omit it, read only in a zone the caller names).
_DATETIME: Final = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})"
    r"(?:T(?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.(?P<fraction>[0-9]{1,12}))?"
    r"(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})?)?"
)
_PARTIAL: Final = re.compile(r"[0-9]{4}(?:-[0-9]{2})?")
_ZONE_HINT: Final = (
    "send the offset (2024-03-01T08:30:00+08:00), or pass default_zone= to read such "
    "instants in a zone you know they are in"
)


def instant(value: object, where: str, zone: tzinfo | None) -> datetime:
    """A FHIR dateTime or instant as an aware datetime.

    A date alone is the start of that day, and a time without an offset is read, only in the
    *zone* the caller named; without one both are refused, as are a year or a month alone.
    """
    if not isinstance(value, str):
        refuse(where, f"must be a dateTime text, not {_shown(value)}")
    m = _DATETIME.fullmatch(value)
    if m is None:
        if _PARTIAL.fullmatch(value):
            refuse(where, f"{value!r} gives only a year or a month: not an instant")
        refuse(where, f"{_shown(value)} is not a FHIR dateTime")
    day, time, fraction, offset = m.group("date", "time", "fraction", "zone")
    iso = day if time is None else f"{day}T{time}"
    if fraction:
        iso += "." + fraction[:6].ljust(6, "0")
    if offset is not None:
        iso += "+00:00" if offset == "Z" else offset
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        refuse(where, f"{value!r} is not a date and time on the calendar")
    if offset is None:
        if zone is None:
            kind = "a date without a time" if time is None else "a time without an offset"
            refuse(where, f"{value!r} is {kind}", _ZONE_HINT)
        placed = in_zone(parsed, zone)
        if placed is None:
            refuse(where, f"{value!r} is {DST_REASON} of {zone}")
        parsed = placed
    return parsed


def unit_of(q: Mapping[str, Any], where: str) -> Unit | None:
    """A Quantity's unit: its UCUM code when ``system`` is UCUM, else its unit text, strictly.

    ``None`` only when the quantity names no unit at all.
    """
    key = (q.get("system"), q.get("code"), q.get("unit"))
    try:
        known = _UNITS.get(key)
    except TypeError:  # an unhashable element: read below, and refused
        known = None
    if known is not None:
        return known
    unit = _unit_of(q, where)
    if unit is not None and len(_UNITS) < _MAX_UNITS:
        _UNITS[key] = unit
    return unit


# The units already read, by (system, code, unit text): a Bundle repeats a few units many times.
_UNITS: dict[tuple[object, object, object], Unit] = {}
_MAX_UNITS: Final = 4096


def _unit_of(q: Mapping[str, Any], where: str) -> Unit | None:
    system = text(q.get("system"), f"{where}.system")
    code = text(q.get("code"), f"{where}.code")
    shown = text(q.get("unit"), f"{where}.unit")
    if system == UCUM and code is not None:
        spelled, place = code, f"{where}.code"
    elif shown is not None:
        spelled, place = shown, f"{where}.unit"
    elif code is not None:
        refuse(
            f"{where}.code",
            f"unit code {code!r} of system {system!r} is not UCUM and there is no unit text",
            "send the UCUM code with system http://unitsofmeasure.org",
        )
    else:
        return None
    try:
        unit = parse_unit(spelled)
    except MutrecError as error:
        refuse(place, str(error))
    if shown is not None and spelled is code:  # a UCUM code and a unit text: both must agree
        try:
            printed = parse_unit(shown)
        except MutrecError:
            return unit  # display text that is no unit ("millimole per litre") says nothing
        if printed != unit:
            refuse(
                f"{where}.unit",
                f"unit text {shown!r} and UCUM code {code!r} disagree: which unit is meant?",
                "send the unit text that matches the code",
            )
    return unit


def number(value: object, where: str) -> float:
    """A finite JSON number (not a bool, not text)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        refuse(where, f"must be a number, not {_shown(value)}")
    try:
        result = float(value)
    except OverflowError:
        result = math.inf
    if not math.isfinite(result):
        refuse(where, f"{_shown(value)} is not a finite number")
    return result


_COMPARATORS: Final = ("<", "<=", ">", ">=")


def quantity(q: Mapping[str, Any], where: str) -> Value:
    """A valueQuantity as a measured value, or a censored one when it has a comparator."""
    value = number(q.get("value"), f"{where}.value")
    unit = unit_of(q, where)
    comparator = q.get("comparator")
    if comparator is None:
        return Measured(value, unit)
    if comparator not in _COMPARATORS:  # a tuple: the comparator may be unhashable
        refuse(f"{where}.comparator", f"{_shown(comparator)} is not <, <=, > or >=")
    return Censored(comparator, value, unit)


def _no_constant(name: str) -> float:
    msg = f"{name} is not a JSON number"
    raise ValueError(msg)  # json.loads turns it into its own ValueError


class _DuplicateKeyError(ValueError):
    """A JSON object names a key twice: which value is meant is not known."""


def _once(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKeyError(key)
            seen.add(key)
    return found


def load_json(data: str | bytes) -> object:
    """Parse FHIR JSON text; a refusal at ``$`` when it is not JSON (NaN and Infinity are not).

    A key sent twice in one object is refused: a JSON parser keeps the last value, the sender
    may have meant the first (RFC 8259 leaves it open), and either would be a guess.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            refuse("$", f"is not UTF-8 text ({error.reason} at byte {error.start})")
    try:
        return json.loads(data, parse_constant=_no_constant, object_pairs_hook=_once)
    except RecursionError:
        refuse("$", "is nested too deeply to be a FHIR resource")
    except _DuplicateKeyError as error:
        key = _shown(str(error))
        refuse("$", f"an object names {key} twice: which value is meant?", "send each key once")
    except ValueError as error:
        refuse("$", f"is not JSON: {str(error)[:120]}")
