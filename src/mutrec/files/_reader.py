"""Lax raw → validated: check fields of TOML tables and CSV rows, collect every problem.

:class:`Source` (re-exported here) reads the file; :class:`Fields` types its values.
"""

from __future__ import annotations

import enum
import math
import re
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from mutrec.errors import UnitError
from mutrec.files._source import Source
from mutrec.model.windows import Counting, Span
from mutrec.units import Unit, parse_unit

__all__ = ["SCHEMA_VERSION", "Fields", "Source", "check_header", "clip", "finite"]

E = TypeVar("E", bound="enum.Enum")
SCHEMA_VERSION = 1
# CSV cells are text: numbers are read with ASCII digits only (int() and float() would also
# take other scripts' digits, such as Arabic-Indic, and silently accept them).
_CSV_INT = re.compile(r"[+-]?[0-9]+")
_CSV_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_CSV_BOOL = {"true": True, "false": False}
_CSV_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # fromisoformat also takes 20240101
_MAX_SPAN_DAYS = 3660
_DAYS_PER = {Counting.CALENDAR_MONTHS: 30.5, Counting.HOURS: 1 / 24}
_TYPE_NAMES = {
    str: "a string",
    int: "an integer",
    float: "a number",
    date: "a date (YYYY-MM-DD)",
    datetime: "a datetime with an offset",
    bool: "true or false",
    list: "an array",
    dict: "a table",
}


def clip(text: str, size: int = 60) -> str:
    """*text* cut to *size* characters, for messages.

    A 5,000-digit number or a 100 kB cell would drown the message it is quoted in.

    >>> clip("1" * 100, 8)
    '11111...'
    """
    return text if len(text) <= size else text[: size - 3] + "..."


def finite(value: object) -> float | None:
    """*value* as a finite float if it is an int or float (never a bool); ``None`` otherwise.

    >>> finite(3), finite(1e999), finite(10**400), finite(True), finite("1")
    (3.0, None, None, None, None)
    """
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        number = float(value)  # a 400-digit integer overflows a float
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _describe(value: object) -> str:
    return f"{type(value).__name__} {clip(repr(value))}"


def _from_csv(text: str, kind: type[Any]) -> object:
    """Read a CSV cell as *kind* (int, float or bool); unreadable text is returned as is."""
    if kind is int and _CSV_INT.fullmatch(text) and len(text) < 100:  # int() refuses 4,300+ digits
        return int(text)
    if kind is float and _CSV_FLOAT.fullmatch(text):
        return float(text)
    if kind is bool and text.casefold() in _CSV_BOOL:
        return _CSV_BOOL[text.casefold()]
    return text


class Fields:
    """Typed getters over one raw table; wrong or missing values become problems."""

    def __init__(  # noqa: PLR0913 - keyword-only options
        self,
        src: Source,
        raw: object,
        where: str,
        *,
        table: str | None = None,
        index: int = 0,
        line: int | None = None,
        csv: bool = False,
    ) -> None:
        self.src = src
        self.csv = csv
        self.where = where
        self._table = table
        self._index = index
        self._fixed_line = line
        self.ok = isinstance(raw, dict)
        self.raw: dict[str, Any] = raw if isinstance(raw, dict) else {}
        self.used: set[str] = set()
        if not self.ok:
            src.problem(where, f"expected a table, got {_describe(raw)}", self.line())

    def line(self, key: str | None = None) -> int | None:
        """The line of *key* (or of the table)."""
        if self._fixed_line is not None:
            return self._fixed_line
        return self.src.line(self._table, self._index, key)

    def bad(self, key: str, message: str, hint: str | None = None) -> None:
        """Record a problem with *key*."""
        where = f"{self.where}.{clip(key)}" if self.where else clip(key)
        self.src.problem(where, message, self.line(key), hint)

    def get(self, key: str, kind: type[Any], *, required: bool = True) -> Any:
        """The value of *key* if it has type *kind*; ``None`` (and a problem) otherwise.

        A float must be finite: TOML reads ``1e999`` as infinity and ``nan`` as NaN. A blank
        string is missing.
        """
        self.used.add(key)
        value = self.raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.bad(key, "is missing", f"add {key} = …")
            return None
        if self.csv and isinstance(value, str) and kind in {int, float, bool}:
            value = _from_csv(value, kind)
        ok = isinstance(value, kind) and not (kind in {int, float} and isinstance(value, bool))
        if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
            return self._finite(key, value)
        if kind is date and isinstance(value, datetime):
            ok = False
        if not ok:
            self.bad(
                key, f"expected {_TYPE_NAMES.get(kind, kind.__name__)}, got {_describe(value)}"
            )
            return None
        return value

    def _finite(self, key: str, value: float) -> float | None:
        if (number := finite(value)) is None:
            self.bad(key, f"expected a finite number, got {_describe(value)}", "write a number")
        return number

    def str_list(self, key: str) -> tuple[str, ...]:
        """A list of non-blank strings (a CSV cell splits on ``;``); ``()`` when absent.

        A string is never split into characters: in TOML it is a problem (so is ``""``). A
        blank entry is a problem too: as a code, name or alias it would match nothing or, as a
        prefix, everything.
        """
        self.used.add(key)
        value = self.raw.get(key)
        if value is None or (self.csv and value == ""):
            return ()
        if isinstance(value, str) and self.csv:
            value = value.split(";")
            if not any(v.strip() for v in value):
                self.bad(key, "only separators and blanks", "write codes separated by ;")
                return ()
            return tuple(v.strip() for v in value if v.strip())
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.bad(key, f"expected an array of strings, got {_describe(value)}")
            return ()
        if any(not v.strip() for v in value):
            self.bad(key, f"blank entry in {_describe(value)}", "remove it")
            return ()
        return tuple(value)

    def subset(self, key: str) -> tuple[str, ...] | None:
        """A list narrowing a scope: ``None`` when absent (everything), never empty.

        An empty list would turn "every item" into "no item" (or back, in code that reads
        ``items or None``): it is refused, as is every shape :meth:`str_list` refuses.

        >>> from pathlib import Path
        >>> src = Source(Path("program.toml"))
        >>> Fields(src, {"items": ["K", "Na"]}, "members[0]").subset("items")
        ('K', 'Na')
        >>> Fields(src, {}, "members[0]").subset("items") is None
        True
        >>> Fields(src, {"items": []}, "members[0]").subset("items") is None
        True
        >>> src.problems[0].message
        'an empty list would mean nothing'
        """
        value = self.raw.get(key)
        if value is None or (self.csv and value == ""):
            self.used.add(key)
            return None
        found = self.str_list(key)
        if not found and value == []:
            self.bad(
                key,
                "an empty list would mean nothing",
                f"list at least one entry, or omit {key} for every one",
            )
        return found or None

    def enum(self, key: str, kind: type[E], *, required: bool = True) -> E | None:
        """An enum member by value."""
        value = self.get(key, object, required=required)
        if value is None:
            return None
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in kind)
            self.bad(key, f"unknown {key} {value!r:.80}", f"use one of {allowed}")
            return None

    def date(self, key: str, *, required: bool = True) -> date | None:
        """A calendar date (TOML ``2024-01-01`` or CSV ``2024-01-01``)."""
        if self.csv and isinstance(self.raw.get(key), str):
            self.used.add(key)
            text = self.raw[key]
            if not text:
                if required:
                    self.bad(key, "is missing", "write a date as YYYY-MM-DD")
                return None
            try:
                if _CSV_DATE.fullmatch(text):
                    return date.fromisoformat(text)
            except ValueError:  # 2024-02-30, 0000-01-01
                pass
            self.bad(key, f"not a date: {_describe(text)}", "write a date as YYYY-MM-DD")
            return None
        value = self.raw.get(key)
        if isinstance(value, datetime):
            self.used.add(key)
            self.bad(
                key,
                f"expected a date, got the datetime {value.isoformat()}",
                f"write {key} = {value.date().isoformat()}",
            )
            return None
        result: date | None = self.get(key, date, required=required)
        return result

    def instant(self, key: str, *, required: bool = False) -> datetime | None:
        """An aware datetime; a naive one needs the configured default zone."""
        value: datetime | None = self.get(key, datetime, required=required)
        if value is None:
            return None
        if value.tzinfo is None:
            if self.src.default_zone is None:
                self.bad(
                    key,
                    f"naive datetime {value.isoformat()} has no time zone",
                    'add an offset such as +08:00, or set zone = "Asia/Shanghai" in region.toml',
                )
                return None
            value = value.replace(tzinfo=self.src.default_zone)
        try:
            # Every comparison converts to UTC: 0001-01-01T00:00+08:00 would overflow there.
            value.astimezone(UTC)
        except (OverflowError, ValueError):
            self.bad(key, f"{value.isoformat()} is out of range in UTC", "check the year")
            return None
        return value

    def unit(self, key: str) -> Unit | None:
        """A unit, checked by :func:`mutrec.units.parse_unit`."""
        text = self.get(key, str, required=False)
        if text is None:
            return None
        try:
            return parse_unit(text)
        except UnitError as error:
            hint = (
                f"did you mean {error.suggestion!r}?"
                if error.suggestion
                else ("write a UCUM unit such as mmol/L or 10*9/L")
            )
            self.bad(key, f"unknown unit {text!r:.80}: {error.reason}", hint)
            return None

    def span(self, key: str, value: object) -> Span | None:
        """A span such as ``7d``, ``1mo`` or ``24h``."""
        if not isinstance(value, str):
            self.bad(key, f'expected a span such as "7d", got {_describe(value)}')
            return None
        try:
            span = Span.parse(value)
        except ValueError:
            # A span's shape with any number of ASCII digits (Span.parse refuses the long
            # ones): an error path, so the pattern is compiled on first use, not at import.
            if re.fullmatch(r"[0-9]+(?:dates|mo|d|h)", value.strip().lower()):
                self.bad(key, f"span {value!r:.40} is longer than ten years", "check the number")
                return None
            self.bad(
                key,
                f"not a span: {value!r:.80}",
                "write 7d (calendar days), 7dates (through the 7th local date), 1mo (months) "
                "or 24h (continuous hours)",
            )
            return None
        # Windows are days to months; "999999999d" would overflow every date it is added to.
        if span.amount * _DAYS_PER.get(span.counting, 1) > _MAX_SPAN_DAYS:
            self.bad(key, f"span {value!r:.40} is longer than ten years", "check the number")
            return None
        return span

    def finish(self) -> None:
        """Record every key that the schema does not know."""
        for key in self.raw:
            if key not in self.used:
                self.bad(key, "unknown key", "remove it or check its spelling (see SCHEMAS.md)")


def check_header(src: Source, raw: dict[str, Any], kind: str) -> Fields:
    """Check ``kind`` and ``schema_version``; return the top-level fields."""
    top = Fields(src, raw, "")
    found = top.get("kind", str)
    if found is not None and found != kind:
        top.bad(
            "kind",
            f"expected kind = {kind!r}, got {found!r:.80}",
            "load it with the matching loader",
        )
    version = top.get("schema_version", int)
    if version is not None and version != SCHEMA_VERSION:
        top.bad(
            "schema_version",
            f"unsupported schema_version {version!r:.80}",
            f"this mutrec reads schema_version = {SCHEMA_VERSION}",
        )
    top.get("illustrative", bool, required=False)
    top.get("source", str, required=False)
    return top
