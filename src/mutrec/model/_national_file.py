"""Read the national reference-interval file: TOML text to entries, every problem at once.

The shipped file and an edited copy are read alike: each problem (a missing key, a bad unit, a
row without a citation, two rows covering one age, a gap in 20-79 years) becomes a
:class:`~mutrec.errors.Problem` with its key path and, best effort, its line; all of them are
raised together in one :class:`~mutrec.errors.CatalogueError`.

>>> parse('kind = "x"', "bad.toml")
Traceback (most recent call last):
...
mutrec.errors.CatalogueError: 6 problems in data files:
  bad.toml:1: kind: expected 'national-intervals', got 'x'
  ...
"""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from typing import Any

from mutrec.errors import CatalogueError, MutrecError, Problem
from mutrec.model.items import fold
from mutrec.model.national import _CODE, IntervalRow, NationalInterval, _units_names
from mutrec.model.patient import Age, AgeUnit, Sex
from mutrec.model.provenance import Citation, Confidence, weakest
from mutrec.model.ranges import Partition
from mutrec.model.reference import ReferenceRange
from mutrec.model.specimens import canonical_specimen
from mutrec.units import Unit, parse_unit

__all__ = ["ADULT_YEARS", "KIND", "parse"]

KIND = "national-intervals"
ADULT_YEARS = (20, 79)  # WS/T 404 and 405: adults aged 20-79 years, both inclusive
_TOP = {"kind", "schema_version", "edition", "population", "source", "caution", "analytes"}
_ENTRY = {"names", "aliases", "code", "code_confidence", "unit", "specimen", "method", "note"}
_ENTRY |= {"status", "confidence", "rows"}
_ROW = {"sex", "years", "low", "high", "standard", "confidence"}
_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_HEADER = re.compile(r"\s*\[([^\[\]]*)\]")
_PATH = re.compile(r"analytes\.([^.\[]+)(?:\.([a-z_]+)(?:\[([0-9]+)\])?)?")
_SPECIMENS = {"serum", "plasma", "whole blood"}  # canonical names (mutrec.model.specimens)
_SEXES = {"male": Sex.MALE, "female": Sex.FEMALE, "any": None}
_TAGS = "'C' (confirmed), 'S' (secondary sources) or 'I' (recalled)"
_Span = tuple[Sex | None, int, int]


class _Reader:
    """The file's lines (to place problems) and the problems found."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source if len(source) <= 80 else f"{source[:60]}...{source[-17:]}"
        self.lines = text.split("\n")  # TOML counts lines by "\n" only
        self.headers: dict[str, int] = {}
        for number, line in enumerate(self.lines, start=1):
            if m := _HEADER.match(line):
                self.headers.setdefault(re.sub(r"""["'\s]""", "", m.group(1)), number)
        self.problems: list[Problem] = []

    def problem(self, where: str, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(self.source, where, message, self._line(where), hint))

    def _line(self, where: str) -> int | None:
        """Best effort: the line of the key path *where* (``analytes.k.rows[2].low``)."""
        m = _PATH.match(where)
        table, key, row = (None, where, None) if m is None else m.groups()
        start = 0 if table is None else self.headers.get(f"analytes.{table}")
        if start is None:
            return None
        later = [n for n in self.headers.values() if n > start]
        end = min(later) - 1 if later else len(self.lines)
        pattern = re.compile(rf"\s*{re.escape(key or '')}\s*=")
        at = next((i for i in range(start, end) if key and pattern.match(self.lines[i])), None)
        if at is None:
            return start or (1 if table is None else None)
        rows = [i for i in range(at, end) if self.lines[i].lstrip().startswith("{")]
        return rows[int(row)] + 1 if row is not None and int(row) < len(rows) else at + 1

    def text(self, raw: dict[str, Any], key: str, where: str) -> str | None:
        value = raw.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            self.problem(where, f"expected non-blank text, got {_shown(value)}")
            return None
        return value

    def strings(self, raw: dict[str, Any], key: str, where: str) -> list[str]:
        value = raw.get(key, [])
        if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
            return value
        self.problem(where, f"expected an array of non-blank strings, got {_shown(value)}")
        return []

    def tag(self, value: object, where: str) -> Confidence | None:
        if isinstance(value, str) and value in {"C", "S", "I"}:
            return Confidence(value)
        self.problem(where, f"expected {_TAGS}, got {_shown(value)}")
        return None


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _number(value: object) -> tuple[float, str] | None:
    """A finite TOML number (int or Decimal, never a bool) as a float and its printed text."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return (number, str(value)) if abs(number) < float("inf") else None


def parse(text: str, source: str) -> tuple[NationalInterval, ...]:
    """Read the file's *text*; *source* names it in problems.

    Raises:
        CatalogueError: Every problem found.
    """
    reader = _Reader(text, source)
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        reader.problem("(syntax)", f"invalid TOML: {error}", "https://toml.io")
        m = re.search(r"at line (\d+)", str(error))
        reader.problems[-1] = Problem(reader.source, "(syntax)", f"invalid TOML: {error}",
                                      int(m.group(1)) if m else None)  # fmt: skip
        raise CatalogueError(reader.problems) from None
    except (RecursionError, ValueError):  # nested too deep; an int of thousands of digits
        reader.problem("(syntax)", "arrays nested too deeply or a number of too many digits")
        raise CatalogueError(reader.problems) from None
    _header(raw, reader)
    analytes = raw.get("analytes")
    entries: list[NationalInterval] = []
    if not isinstance(analytes, dict) or not analytes:
        reader.problem("analytes", "missing or empty", "add [analytes.<key>] tables")
    else:
        for key, entry in analytes.items():
            if (built := _entry(key, entry, reader)) is not None:
                entries.append(built)
    _unique(entries, reader)
    if reader.problems:
        raise CatalogueError(reader.problems)
    return tuple(entries)


def _header(raw: dict[str, Any], reader: _Reader) -> None:
    for key in sorted(set(raw) - _TOP):
        reader.problem(key, "unknown key", f"known: {', '.join(sorted(_TOP))}")
    if raw.get("kind") != KIND:
        reader.problem("kind", f"expected {KIND!r}, got {_shown(raw.get('kind'))}")
    if raw.get("schema_version") != 1 or isinstance(raw.get("schema_version"), bool):
        got = _shown(raw["schema_version"]) if "schema_version" in raw else "nothing"
        reader.problem("schema_version", f"expected 1, got {got}", "schema_version = 1")
    for key in ("edition", "population", "caution"):
        if reader.text(raw, key, key) is None and key not in raw:
            reader.problem(key, "missing", f"add {key} = '...'")


def _entry(key: str, raw: object, reader: _Reader) -> NationalInterval | None:
    table = f"analytes.{key}"
    count = len(reader.problems)
    if not _KEY.fullmatch(key):
        reader.problem(table, "a key is lower-case ASCII letters, digits and _")
    if not isinstance(raw, dict):
        reader.problem(table, f"expected a table, got {_shown(raw)}")
        return None
    for name in sorted(set(raw) - _ENTRY):
        reader.problem(f"{table}.{name}", "unknown key", f"known: {', '.join(sorted(_ENTRY))}")
    names = reader.strings(raw, "names", f"{table}.names")
    if not raw.get("names"):
        reader.problem(f"{table}.names", "missing or empty", "names = ['English', '中文']")
    aliases = reader.strings(raw, "aliases", f"{table}.aliases")
    texts = {k: reader.text(raw, k, f"{table}.{k}") for k in ("method", "note")}
    code, code_tag = raw.get("code"), _code(raw, table, reader)
    unit = specimen = tag = None
    rows: list[IntervalRow] = []
    if raw.get("status") == "none":
        tag = _absent(raw, table, reader, has_note=texts["note"] is not None)
    else:
        if "status" in raw:
            reader.problem(f"{table}.status", f"expected 'none', got {_shown(raw['status'])}")
        if "confidence" in raw:
            reader.problem(f"{table}.confidence", "each row has its own", "move it to the rows")
        unit, specimen = _unit(raw, table, reader), raw.get("specimen")
        if not isinstance(specimen, str) or canonical_specimen(specimen) not in _SPECIMENS:
            what = f"expected 'serum', 'plasma' or 'whole blood', got {_shown(specimen)}"
            reader.problem(f"{table}.specimen", what)
        rows = _rows(raw.get("rows"), table, reader, unit)
        tag = weakest(r.confidence for r in rows) if rows else None
    if len(reader.problems) > count or tag is None:
        return None
    return NationalInterval(key, names, tag, rows=rows, aliases=aliases, code=code,
                            code_confidence=code_tag, unit=unit, specimen=specimen,
                            method=texts["method"], note=texts["note"])  # fmt: skip


def _code(raw: dict[str, Any], table: str, reader: _Reader) -> Confidence | None:
    """Check the WS/T 886 code; its confidence, or ``None``."""
    code = raw.get("code")
    if code is None:
        if "code_confidence" in raw:
            reader.problem(f"{table}.code_confidence", "given without a code")
        return None
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        hint = "8 characters: 7 digits then A-D, such as '1700404A'"
        reader.problem(f"{table}.code", f"not a WS/T 886—2026 code: {_shown(code)}", hint)
    return reader.tag(raw.get("code_confidence"), f"{table}.code_confidence")


def _absent(
    raw: dict[str, Any], table: str, reader: _Reader, *, has_note: bool
) -> Confidence | None:
    """Check a "no national interval" entry; its confidence, or ``None``."""
    for k in sorted({"rows", "unit", "specimen", "method"} & set(raw)):
        reader.problem(f"{table}.{k}", f"an entry with status = 'none' has no {k}")
    if not has_note:
        reader.problem(f"{table}.note", "missing", "say why there is no national interval")
    return reader.tag(raw.get("confidence"), f"{table}.confidence")


def _unit(raw: dict[str, Any], table: str, reader: _Reader) -> Unit | None:
    text = raw.get("unit")
    if not isinstance(text, str):
        reader.problem(f"{table}.unit", f"expected a unit such as 'mmol/L', got {_shown(text)}")
        return None
    try:
        return parse_unit(text)
    except MutrecError as error:
        reader.problem(f"{table}.unit", str(error))
        return None


def _rows(raw: object, table: str, reader: _Reader, unit: Unit | None) -> list[IntervalRow]:
    if not isinstance(raw, list) or not raw:
        reader.problem(f"{table}.rows", "missing or empty", "add rows, or status = 'none'")
        return []
    rows: list[IntervalRow] = []
    spans: list[tuple[int, _Span]] = []
    for index, row in enumerate(raw):
        where = f"{table}.rows[{index}]"
        if not isinstance(row, dict):
            reader.problem(where, f"expected an inline table, got {_shown(row)}")
        elif (built := _row(row, where, reader, unit)) is not None:
            rows.append(built[0])
            spans.append((index, built[1]))
    if len(rows) == len(raw):
        _coverage(spans, f"{table}.rows", reader)
    return rows


def _row(
    raw: dict[str, Any], where: str, reader: _Reader, unit: Unit | None
) -> tuple[IntervalRow, _Span] | None:
    count = len(reader.problems)
    for name in sorted(set(raw) - _ROW):
        reader.problem(f"{where}.{name}", "unknown key", f"known: {', '.join(sorted(_ROW))}")
    sex, years = raw.get("sex"), raw.get("years")
    if not isinstance(sex, str) or sex not in _SEXES:
        reader.problem(f"{where}.sex", f"expected 'male', 'female' or 'any', got {_shown(sex)}")
    first, last = _years(years)
    if not ADULT_YEARS[0] <= first <= last <= ADULT_YEARS[1]:
        what = f"expected [from, to] within [20, 79], got {_shown(years)}"
        reader.problem(f"{where}.years", what, "completed years, both inclusive")
    bounds = {side: _number(raw[side]) for side in ("low", "high") if side in raw}
    for side in (side for side, number in bounds.items() if number is None):
        reader.problem(f"{where}.{side}", f"expected a finite number, got {_shown(raw[side])}")
    if not bounds:
        reader.problem(where, "no bound: give low, high or both")
    elif None not in bounds.values() and len(bounds) == 2 and raw["low"] > raw["high"]:
        reader.problem(where, f"low {raw['low']} is above high {raw['high']}", "swap them")
    try:
        citation = Citation.parse(raw["standard"])
    except (KeyError, MutrecError):
        got = _shown(raw["standard"]) if "standard" in raw else "nothing"
        what = f"every row cites its standard, such as 'WS/T 404.5-2015'; got {got}"
        reader.problem(f"{where}.standard", what)
    tag = reader.tag(raw.get("confidence"), f"{where}.confidence")
    if len(reader.problems) > count or tag is None:
        return None
    low, high = bounds.get("low"), bounds.get("high")
    try:
        reference = ReferenceRange(None if low is None else low[0], None if high is None
                                   else high[0], unit=unit, text=_printed(low, high))  # fmt: skip
    except MutrecError as error:
        reader.problem(where, str(error))
        return None
    partition = Partition(reference, sex=_SEXES[str(sex)], age_from=Age(first, AgeUnit.YEARS),
                          age_to=Age(last + 1, AgeUnit.YEARS))  # fmt: skip
    return IntervalRow(partition, citation, tag), (_SEXES[str(sex)], first, last)


def _years(value: object) -> tuple[int, int]:
    """``[from, to]`` as two ints; ``(0, 0)`` (out of range) for anything else."""
    if not isinstance(value, list) or len(value) != 2:
        return 0, 0
    if not all(isinstance(y, int) and not isinstance(y, bool) for y in value):
        return 0, 0
    return value[0], value[1]


def _printed(low: tuple[float, str] | None, high: tuple[float, str] | None) -> str:
    """The range as the standards print it: ``57-97``, ``≤26.0``."""
    if low is None:
        return "" if high is None else f"≤{high[1]}"
    return f"≥{low[1]}" if high is None else f"{low[1]}-{high[1]}"


def _coverage(spans: list[tuple[int, _Span]], where: str, reader: _Reader) -> None:
    """Each sex must be covered by exactly one row at every age of 20-79 years."""
    first, last = ADULT_YEARS

    def covering(sex: Sex, age: int) -> list[int]:
        return [i for i, (s, a, b) in spans if s in {None, sex} and a <= age <= b]

    for sex in (Sex.MALE, Sex.FEMALE):
        age = first
        while age <= last:
            rows, end = covering(sex, age), age
            while end < last and covering(sex, end + 1) == rows:
                end += 1  # report a run of ages covered alike once
            if len(rows) != 1:
                what = "no row" if not rows else f"rows {rows} overlap"
                hint = "cover each sex once at every age of 20-79 y"
                reader.problem(where, f"{what} for {sex.value} aged {age}-{end} y", hint)
            age = end + 1


def _unique(entries: list[NationalInterval], reader: _Reader) -> None:
    """No name, alias or code may find two entries, nor name another analyte of mutrec.units."""
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    for entry in entries:
        table = f"analytes.{entry.analyte}"
        if entry.code and (other := codes.setdefault(entry.code, entry.analyte)) != entry.analyte:
            reader.problem(f"{table}.code", f"{entry.code!r} is also {other}'s code")
        for name in dict.fromkeys((entry.analyte, *entry.names, *entry.aliases)):
            if (other := names.setdefault(fold(name), entry.analyte)) != entry.analyte:
                reader.problem(table, f"the name {name!r} also names {other}")
            known = _units_names().get(name.strip().casefold())
            if known is not None and entry.analyte not in {known, name}:
                hint = f"name the table [analytes.{known}]"
                reader.problem(table, f"{name!r} is mutrec.units' analyte {known!r}", hint)
