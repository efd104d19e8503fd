"""Lax raw → validated: read TOML/CSV, check fields, collect every problem with its line."""

from __future__ import annotations

import csv
import io
import re
import tomllib
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from mutrec.errors import CatalogueError, Problem, UnitError
from mutrec.model.windows import Span
from mutrec.units import Unit, parse_unit

if TYPE_CHECKING:
    import enum
    from collections.abc import Iterator
    from pathlib import Path

E = TypeVar("E", bound="enum.Enum")
SCHEMA_VERSION = 1
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_TOML_LINE = re.compile(r"at line (\d+)")
# CSV cells are text: numbers are read with ASCII digits only (int() and float() would also
# take other scripts' digits, such as Arabic-Indic, and silently accept them).
_CSV_INT = re.compile(r"[+-]?[0-9]+")
_CSV_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_CSV_BOOL = {"true": True, "false": False}
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


def _describe(value: object) -> str:
    kind = type(value).__name__
    return f"{kind} {value!r}"


def _from_csv(text: str, kind: type[Any]) -> object:
    """Read a CSV cell as *kind* (int, float or bool); unreadable text is returned as is."""
    if kind is int and _CSV_INT.fullmatch(text):
        return int(text)
    if kind is float and _CSV_FLOAT.fullmatch(text):
        return float(text)
    if kind is bool and text.casefold() in _CSV_BOOL:
        return _CSV_BOOL[text.casefold()]
    return text


class Source:
    """One file being read: its text, the lines of its TOML headers, and its problems."""

    def __init__(self, path: Path, default_zone: tzinfo | None = None) -> None:
        self.path = path
        self.name = path.name
        self.default_zone = default_zone
        self.problems: list[Problem] = []
        self.seen: set[str] = set()
        self.text = ""
        self._headers: dict[tuple[str, int], int] = {}
        self._lines: list[str] = []

    def problem(
        self, where: str, message: str, line: int | None = None, hint: str | None = None
    ) -> None:
        """Record one problem."""
        self.problems.append(Problem(self.name, where, message, line, hint))

    def raise_if_any(self) -> None:
        """Raise every recorded problem at once."""
        if self.problems:
            raise CatalogueError(self.problems)

    def read_text(self) -> str | None:
        """Read the file as UTF-8, recording a problem if that fails.

        A leading byte-order mark (Excel writes one in "CSV UTF-8") is dropped, so it does not
        become part of the first column's name.
        """
        try:
            self.text = self.path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            self.problem("(file)", "file not found", hint="check the path in region.toml")
            return None
        except UnicodeDecodeError as error:
            self.problem("(file)", f"not UTF-8: {error.reason}", hint="save the file as UTF-8")
            return None
        self._lines = self.text.splitlines()
        counts: dict[str, int] = {}
        for number, line in enumerate(self._lines, start=1):
            if m := _HEADER.match(line):
                name = m.group(2)
                index = counts.get(name, 0) if m.group(1) == "[[" else 0
                counts[name] = index + 1
                self._headers[name, index] = number
        return self.text

    def load_toml(self, *, exact: bool = False) -> dict[str, Any] | None:
        """Parse the TOML document, recording a syntax error with its line.

        With *exact*, TOML floats are read as :class:`~decimal.Decimal` from their text (for
        money: ``5.1`` stays ``Decimal('5.1')``, never a binary approximation).
        """
        text = self.read_text()
        if text is None:
            return None
        try:
            return tomllib.loads(text, parse_float=Decimal) if exact else tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            m = _TOML_LINE.search(str(error))
            self.problem(
                "(syntax)",
                f"invalid TOML: {error}",
                int(m.group(1)) if m else None,
                "fix the syntax; https://toml.io explains it",
            )
            return None

    def line(self, table: str | None, index: int = 0, key: str | None = None) -> int | None:
        """Best-effort line of *key* in the *index*-th ``[[table]]`` (top level: ``None``)."""
        start = 0 if table is None else self._headers.get((table, index))
        if start is None:
            return None
        if key is None:
            return start or None
        pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
        for number in range(start + 1, len(self._lines) + 1):
            text = self._lines[number - 1]
            if _HEADER.match(text):
                break
            if pattern.match(text):
                return number
        return start or None

    def rows(self, where: str) -> Iterator[tuple[int, dict[str, str]]]:
        """Yield ``(line, row)`` for each CSV data row, stripping cells."""
        text = self.read_text()
        if text is None:
            return
        reader = csv.DictReader(io.StringIO(text))
        if reader.fieldnames is None:
            self.problem(where, "the CSV file is empty", 1, "add a header row")
            return
        for row in reader:
            if None in row:
                self.problem(where, "the row has more cells than the header", reader.line_num)
                continue
            yield reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k}


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
        self.src.problem(
            f"{self.where}.{key}" if self.where else key, message, self.line(key), hint
        )

    def get(self, key: str, kind: type[Any], *, required: bool = True) -> Any:
        """The value of *key* if it has type *kind*; ``None`` (and a problem) otherwise."""
        self.used.add(key)
        value = self.raw.get(key)
        if value is None or value == "":
            if required:
                self.bad(key, "is missing", f"add {key} = …")
            return None
        if self.csv and isinstance(value, str) and kind in {int, float, bool}:
            value = _from_csv(value, kind)
        ok = isinstance(value, kind) and not (kind in {int, float} and isinstance(value, bool))
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if kind is date and isinstance(value, datetime):
            ok = False
        if not ok:
            self.bad(
                key, f"expected {_TYPE_NAMES.get(kind, kind.__name__)}, got {_describe(value)}"
            )
            return None
        return value

    def str_list(self, key: str) -> tuple[str, ...]:
        """A list of strings (a CSV cell splits on ``;``)."""
        self.used.add(key)
        value = self.raw.get(key)
        if value is None or value == "":
            return ()
        if isinstance(value, str) and self.csv:
            return tuple(v.strip() for v in value.split(";") if v.strip())
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.bad(key, f"expected an array of strings, got {_describe(value)}")
            return ()
        return tuple(value)

    def enum(self, key: str, kind: type[E], *, required: bool = True) -> E | None:
        """An enum member by value."""
        value = self.get(key, object, required=required)
        if value is None:
            return None
        try:
            return kind(value)
        except ValueError:
            allowed = ", ".join(repr(m.value) for m in kind)
            self.bad(key, f"unknown {key} {value!r}", f"use one of {allowed}")
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
                return date.fromisoformat(text)
            except ValueError:
                self.bad(key, f"not a date: {text!r}", "write a date as YYYY-MM-DD")
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
        if value is None or value.tzinfo is not None:
            return value
        if self.src.default_zone is None:
            self.bad(
                key,
                f"naive datetime {value.isoformat()} has no time zone",
                'add an offset such as +08:00, or set zone = "Asia/Shanghai" in region.toml',
            )
            return None
        return value.replace(tzinfo=self.src.default_zone)

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
            self.bad(key, f"unknown unit {text!r}: {error.reason}", hint)
            return None

    def span(self, key: str, value: object) -> Span | None:
        """A span such as ``7d``, ``1mo`` or ``24h``."""
        if not isinstance(value, str):
            self.bad(key, f'expected a span such as "7d", got {_describe(value)}')
            return None
        try:
            return Span.parse(value)
        except ValueError:
            self.bad(
                key,
                f"not a span: {value!r}",
                "write 7d (calendar days), 7dates (through the 7th local date), 1mo (months) "
                "or 24h (continuous hours)",
            )
            return None

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
            "kind", f"expected kind = {kind!r}, got {found!r}", "load it with the matching loader"
        )
    version = top.get("schema_version", int)
    if version is not None and version != SCHEMA_VERSION:
        top.bad(
            "schema_version",
            f"unsupported schema_version {version}",
            f"this mutrec reads schema_version = {SCHEMA_VERSION}",
        )
    top.get("illustrative", bool, required=False)
    top.get("source", str, required=False)
    return top
