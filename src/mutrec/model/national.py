"""National reference intervals for Chinese adults (WS/T 404.1–404.8, WS/T 405-2012).

The intervals ship as a data file, ``model/data/national-intervals.toml``, read once on the
first look-up. Every row cites its standard (number, part, year) and a confidence, kept exactly
as the project's domain brief gives it: ``C`` read in the standard's own text, ``S`` agreeing
secondary sources, ``I`` recalled and unconfirmed. **Check a value against the official text of
its standard before clinical use.**

They hold for adults aged 20–79 years, by sex and age band; outside those ages no range is given
(an adult interval is never stretched). Where no WS/T interval exists (uric acid, glucose,
lipids, RDW, MPV) the look-up answers "no national interval" with a note instead of failing.

>>> from datetime import date, datetime
>>> from zoneinfo import ZoneInfo
>>> from mutrec.model.patient import PatientContext, Sex
>>> cre, sh = national_interval("肌酐"), ZoneInfo("Asia/Shanghai")
>>> cre.code, cre.unit.code, cre.method
('1700404A', 'umol/L', 'enzymatic')
>>> at = datetime(2026, 11, 30, 9, tzinfo=sh)
>>> row = cre.select(PatientContext(Sex.MALE, date(1981, 5, 1)), at, sh)
>>> row.reference.text, str(row.citation), row.confidence.value
('57-97', 'WS/T 404.5-2015', 'S')
>>> national_interval("uric acid").exists
False
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import datetime, tzinfo
from typing import Any, NamedTuple

import attrs

from mutrec._checks import instance_of, items_of, optional
from mutrec.errors import ArgumentError
from mutrec.model.instants import local_date, require_aware
from mutrec.model.items import fold
from mutrec.model.patient import PatientContext
from mutrec.model.provenance import Citation, Confidence, weakest
from mutrec.model.ranges import Partition, PartitionedRange
from mutrec.model.reference import Interpretation, ReferenceRange
from mutrec.model.values import Censored, Measured
from mutrec.units import Unit

__all__ = [
    "IntervalRow",
    "NationalInterval",
    "UnknownAnalyteError",
    "national_interval",
    "national_intervals",
    "parse_national_intervals",
]

DATA_FILE = "national-intervals.toml"
_CODE = re.compile(r"[0-9]{7}[A-D]")
_MAX_QUERY = 200  # longer text names no analyte: refused before any fuzzy matching
_TEXT = optional(instance_of(str))
_TAG = optional(instance_of(Confidence))
_UNIT = optional(instance_of(Unit))


@attrs.frozen
class IntervalRow:
    """One row of the national table: a partition (sex, ages, range), its citation and tag.

    Attributes:
        partition: Who the range is for, and the range.
        citation: The standard the range comes from.
        confidence: How sure the range is.

    >>> row = national_interval("ALP").rows[1]
    >>> row.partition.sex.value, row.reference.text, row.confidence.value
    ('female', '35-100', 'I')
    """

    partition: Partition = attrs.field(validator=instance_of(Partition))
    citation: Citation = attrs.field(validator=instance_of(Citation))
    confidence: Confidence = attrs.field(validator=instance_of(Confidence))

    @property
    def reference(self) -> ReferenceRange:
        """The range of this row.

        >>> national_interval("K").rows[0].reference.high
        5.3
        """
        return self.partition.reference


def _rows(values: Iterable[IntervalRow]) -> tuple[IntervalRow, ...]:
    return items_of("rows", values, IntervalRow)


def _names(values: Iterable[str]) -> tuple[str, ...]:
    return items_of("names", values, str)


def _aliases(values: Iterable[str]) -> tuple[str, ...]:
    return items_of("aliases", values, str)


@attrs.frozen
class NationalInterval:
    """The national table's entry for one analyte: its rows, or "no national interval".

    Attributes:
        analyte: The entry's key (mutrec.units' analyte key where it has one).
        names: Display names, English then Chinese.
        confidence: For an interval, the weakest of its rows; for "no national interval", how
            sure that absence is.
        rows: The partitions with their citations; empty when no WS/T interval exists.
        aliases: Report abbreviations it is also found by.
        code: The WS/T 886—2026 item code, when known.
        code_confidence: How sure the code is.
        unit: The unit of the bounds (required when there are rows).
        specimen: The specimen type (``serum``, ``whole blood``).
        method: The method the interval was established with, when it matters.
        note: What a reader must know (why there is no interval, which rows are recalled).

    >>> na = national_interval("1400205A")
    >>> na.analyte, na.range.partitions[0].reference.text, [str(c) for c in na.citations]
    ('sodium', '137-147', ['WS/T 404.3-2012'])
    """

    analyte: str = attrs.field(validator=instance_of(str))
    names: tuple[str, ...] = attrs.field(converter=_names)
    confidence: Confidence = attrs.field(validator=instance_of(Confidence))
    rows: tuple[IntervalRow, ...] = attrs.field(default=(), kw_only=True, converter=_rows)
    aliases: tuple[str, ...] = attrs.field(default=(), kw_only=True, converter=_aliases)
    code: str | None = attrs.field(default=None, kw_only=True, validator=_TEXT)
    code_confidence: Confidence | None = attrs.field(default=None, kw_only=True, validator=_TAG)
    unit: Unit | None = attrs.field(default=None, kw_only=True, validator=_UNIT)
    specimen: str | None = attrs.field(default=None, kw_only=True, validator=_TEXT)
    method: str | None = attrs.field(default=None, kw_only=True, validator=_TEXT)
    note: str | None = attrs.field(default=None, kw_only=True, validator=_TEXT)
    # Worked out once: a look-up and a conversion run on every result interpreted.
    _range: PartitionedRange | None = attrs.field(init=False, repr=False, eq=False)
    _units_key: str | None = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        """Refuse an entry that is neither an interval (rows, unit) nor an explained absence."""
        if self.code is not None and not _CODE.fullmatch(self.code):
            arg = "code"
            raise ArgumentError(arg, self.code, "a WS/T 886—2026 code such as '1700404A'")
        object.__setattr__(self, "_units_key", _units_names().get(self.analyte.casefold()))
        ranges = PartitionedRange(row.partition for row in self.rows) if self.rows else None
        object.__setattr__(self, "_range", ranges)
        if not self.rows:
            if self.note is None:
                arg = "note"
                raise ArgumentError(arg, None, "a note saying why there is no national interval")
            return
        if self.unit is None:
            arg = "unit"
            raise ArgumentError(arg, None, "the Unit of the rows' bounds")
        if self.confidence is not weakest(row.confidence for row in self.rows):
            arg = "confidence"
            raise ArgumentError(arg, self.confidence, "the weakest confidence of the rows")

    @property
    def exists(self) -> bool:
        """Whether a WS/T interval exists for the analyte (``False``: see :attr:`note`).

        >>> national_interval("glucose").exists, national_interval("glucose").range is None
        (False, True)
        """
        return bool(self.rows)

    @property
    def range(self) -> PartitionedRange | None:
        """The rows as a partitioned range, or ``None`` when no WS/T interval exists.

        A catalogue item pointing at the national interval takes this as its range.

        >>> len(national_interval("creatinine").range.partitions)
        4
        """
        return self._range

    @property
    def citations(self) -> tuple[Citation, ...]:
        """Every standard the rows cite, once each, in row order.

        >>> [str(c) for c in national_interval("Hb").citations]
        ['WS/T 405-2012']
        """
        return tuple(dict.fromkeys(row.citation for row in self.rows))

    @property
    def units_analyte(self) -> str | None:
        """The key :mod:`mutrec.units` converts this analyte by, or ``None`` if it has none.

        >>> national_interval("Hb").units_analyte, national_interval("WBC").units_analyte
        ('hemoglobin', None)
        """
        return self._units_key

    def select(
        self, patient: PatientContext, collected: datetime, zone: tzinfo
    ) -> IntervalRow | None:
        """The row that applies to *patient* at *collected* (age counted in *zone*'s calendar).

        Returns ``None`` when no WS/T interval exists, when the patient is outside 20–79
        years, or when a fact the rows need is unknown (sex, birth date): the caller must then
        not guess a range (see :meth:`~mutrec.model.ranges.PartitionedRange.select`).

        Raises:
            TimeZoneError: *collected* is naive.
            ResultError: *collected* is before the birth date.

        >>> from datetime import date, datetime
        >>> from zoneinfo import ZoneInfo
        >>> from mutrec.model.patient import PatientContext, Sex
        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> at = datetime(2026, 11, 30, 9, tzinfo=sh)
        >>> national_interval("K").select(PatientContext(Sex.FEMALE, date(2010, 1, 1)), at, sh)
        """
        ranges = self._range
        chosen = None if ranges is None else ranges.select(patient, collected, zone)
        if chosen is None:
            return None
        fits = [r for r in self.rows if r.reference == chosen]
        if len(fits) > 1:  # rows of equal ranges: the one that applies cites the standard
            on = local_date(require_aware(collected, "collected"), zone)
            fits = [r for r in fits if r.partition.applies_to(patient, on)]
        return max(fits, key=lambda r: r.partition.precedence)

    def interpret(
        self, value: Measured | Censored, patient: PatientContext, collected: datetime, zone: tzinfo
    ) -> Interpretation | None:
        """Interpret *value* against the row for *patient*, converting its unit when needed.

        Returns ``None`` when no row applies (see :meth:`select`) or a censored value could fall
        either way.

        Raises:
            UnitError: The value's unit cannot be converted to the interval's.
            TimeZoneError: *collected* is naive.

        >>> from datetime import date, datetime
        >>> from zoneinfo import ZoneInfo
        >>> from mutrec.model.patient import PatientContext, Sex
        >>> from mutrec.model.results import parse_value
        >>> sh = ZoneInfo("Asia/Shanghai")
        >>> at = datetime(2026, 11, 30, 9, tzinfo=sh)
        >>> man = PatientContext(Sex.MALE, date(1970, 1, 1))
        >>> national_interval("Hb").interpret(parse_value("12.1", "g/dL"), man, at, sh).name
        'LOW'
        """
        row = self.select(patient, collected, zone)
        if row is None:
            return None
        if isinstance(value, Censored):
            return row.reference.interpret_censored(value, analyte=self.units_analyte)
        return row.reference.interpret_measured(value, analyte=self.units_analyte)


class UnknownAnalyteError(ArgumentError, LookupError):
    """The national table has no entry for the analyte or code looked up (a LookupError too).

    Attributes:
        suggestions: Entry keys close to what was asked, best first.

    >>> try:
    ...     national_interval("creatinin")
    ... except UnknownAnalyteError as error:
    ...     error.suggestions[0]
    'creatinine'
    """

    def __init__(self, query: object, reason: str, suggestions: tuple[str, ...] = ()) -> None:
        """Record what was asked, why it is unknown, and the close matches."""
        self.reason = reason
        self.suggestions = suggestions
        close = f"; close matches: {', '.join(suggestions)}" if suggestions else ""
        super().__init__("analyte_or_code", query, f"{reason}{close}")

    def __reduce__(self) -> Any:
        """Pickle by constructor arguments.

        >>> import pickle
        >>> pickle.loads(pickle.dumps(UnknownAnalyteError("x", "unknown", ("y",)))).suggestions
        ('y',)
        """
        return self._rebuild(type(self), self.value, self.reason, self.suggestions)


@functools.cache
def _units_names() -> dict[str, str]:
    """Folded key, name or alias -> analyte key of :mod:`mutrec.units` (matched as there)."""
    from mutrec.units import analytes

    return {n.casefold(): a.key for a in analytes() for n in (a.key, *a.names, *a.aliases)}


class _Table(NamedTuple):
    entries: tuple[NationalInterval, ...]
    by_name: dict[str, NationalInterval]  # folded keys, names and aliases
    by_code: dict[str, NationalInterval]


@functools.cache
def _table() -> _Table:
    from importlib.resources import files

    from mutrec.model._national_file import parse

    text = files("mutrec.model").joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    entries = parse(text, DATA_FILE)
    by_name: dict[str, NationalInterval] = {}
    for entry in entries:
        for name in (entry.analyte, *entry.names, *entry.aliases):
            by_name[fold(name)] = entry
    by_code = {e.code: e for e in entries if e.code is not None}
    return _Table(entries, by_name, by_code)


def national_intervals() -> tuple[NationalInterval, ...]:
    """Every entry of the national table, in file order (intervals and "none" entries).

    >>> entries = national_intervals()
    >>> sum(e.exists for e in entries), sum(not e.exists for e in entries)
    (32, 8)
    """
    return _table().entries


def national_interval(analyte_or_code: str) -> NationalInterval:
    """The national table's entry for an analyte key, name, alias or WS/T 886—2026 code.

    Names are matched as catalogue aliases are (case, width, spaces ignored); the aliases that
    :func:`mutrec.units.analyte` knows work too (``Cr``, ``Scr``). An entry whose
    :attr:`~NationalInterval.exists` is ``False`` says that no WS/T interval exists.

    Raises:
        UnknownAnalyteError: The table has no entry for it (with close matches).
        ArgumentError: *analyte_or_code* is not text.

    >>> national_interval("scr").analyte, national_interval("0100401a").names[1]
    ('creatinine', '血红蛋白')
    >>> national_interval("ferritin")
    Traceback (most recent call last):
    ...
    mutrec.model.national.UnknownAnalyteError: argument 'analyte_or_code' = 'ferritin': ...
    """
    if not isinstance(analyte_or_code, str):
        arg = "analyte_or_code"
        raise ArgumentError(arg, analyte_or_code, "text (a str): an analyte, alias or code")
    table = _table()
    if len(analyte_or_code) > _MAX_QUERY:
        raise UnknownAnalyteError(analyte_or_code, f"text of at most {_MAX_QUERY} characters")
    key = fold(analyte_or_code)
    found = table.by_code.get(key.upper()) or table.by_name.get(key)
    if found is not None:
        return found
    known = _units_names().get(analyte_or_code.strip().casefold())
    if known is not None and (found := table.by_name.get(fold(known))) is not None:
        return found
    if known is not None:
        reason = (
            f"an analyte of the national table; mutrec knows {known!r}, but the table has no "
            "entry for it (neither an interval nor a 'none' entry): it holds only the values "
            "found so far, see national_intervals()"
        )
        raise UnknownAnalyteError(analyte_or_code, reason)
    import difflib  # on a miss only

    close = difflib.get_close_matches(key, table.by_name, n=3)
    keys = tuple(dict.fromkeys(table.by_name[name].analyte for name in close))
    reason = "an analyte key, name, alias or WS/T 886—2026 code of the national table"
    raise UnknownAnalyteError(analyte_or_code, reason, keys)


def parse_national_intervals(text: str, *, source: str = DATA_FILE) -> tuple[NationalInterval, ...]:
    """Read a national-interval file's text (schema ``national-intervals``, version 1).

    Use it to check an edited copy: every problem of the file is reported at once.

    Raises:
        CatalogueError: Every problem found, each with its key path and line when known.
        ArgumentError: *text* or *source* is not text.

    >>> parse_national_intervals('kind = "national-intervals"', source="x.toml")
    Traceback (most recent call last):
    ...
    mutrec.errors.CatalogueError: 5 problems in data files:
      x.toml:1: schema_version: expected 1, got nothing (schema_version = 1)
      ...
    """
    from mutrec.model._national_file import parse

    for name, value in (("text", text), ("source", source)):
        if not isinstance(value, str):
            raise ArgumentError(name, value, "text (a str)")
    return parse(text, source)
