"""Column maps: read any LIS export's CSV as ``mutrec check`` rows, without guessing.

A column map (``kind = "columns"``, see ``SCHEMAS.md``) says which column of the export holds
each of ``mutrec check``'s columns, which values are constant for the whole file (the issuer),
how instants are written (strptime patterns, and the zone of those without an offset), which
cell texts mean "no value" (``___``, ``NA``), and what the item column holds: catalogue codes,
LOINC or WS/T 886—2026 codes (looked up across the whole region) or local codes (through a
crosswalk built from a code list). A row the map cannot read is a
:class:`~mutrec.errors.ResultError` naming the export's column; nothing is guessed.

>>> from mutrec.examples import path
>>> from mutrec.files import load_example_region
>>> cmap = load_column_map(path("mappings/lis-flat.toml"))
>>> mapper = cmap.bind(load_example_region())
>>> row = {"检验项目代码": "LIS-0101", "结果": "4.1", "单位": "mmol/L",
...        "采样时间": "2024-09-23 10:38:53", "报告时间": "", "病人ID": "p1", "报告单号": "R1",
...        "标本类型": "血清"}
>>> mapped = mapper.map(row)
>>> mapped["item"], mapped["collected"], mapped["issuer"]
('K', '2024-09-23T10:38:53+08:00', 'BJ001')
>>> mapper.map({**row, "采样时间": "2024/09/23"})
Traceback (most recent call last):
...
mutrec.errors.ResultError: result field '采样时间' = '2024/09/23': not an instant written as ...
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from mutrec._checks import path_like, require
from mutrec.errors import CatalogueError, Problem, ResultError
from mutrec.files._reader import Fields, Source, check_header
from mutrec.files.region import Region
from mutrec.model.crosswalk import Crosswalk, crosswalk_from_codes
from mutrec.model.items import fold

__all__ = ["CHECK_COLUMNS", "ColumnMap", "RowMapper", "load_column_map", "read_dictionary"]

CHECK_COLUMNS: Final = frozenset(
    {
        "result_id", "kind", "item", "value", "unit", "collected", "performed", "reported",
        "issuer", "patient", "current_patient", "receiver", "at", "setting", "purpose",
        "condition_changed", "rapid_change", "resuscitation", "other_need", "local_grounds",
        "loinc", "specimen", "modality", "detector_rows", "field_strength_t", "device_model",
        "study_uid", "image_link", "body_part",
    }
)  # fmt: skip
"""The columns ``mutrec check`` reads (documented in ``mutrec check --help``)."""

_INSTANTS: Final = frozenset({"collected", "performed", "reported", "at"})
_SYSTEMS: Final = ("catalogue", "national", "crosswalk", "local")
_SHOWN: Final = 60


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


@attrs.frozen
class ColumnMap:
    """How one export's columns become ``mutrec check``'s (see :func:`load_column_map`).

    Attributes:
        name: The map's name.
        columns: ``mutrec check`` column → the export's column.
        constants: ``mutrec check`` column → its value in every row.
        ignore: The export's columns deliberately not read.
        instant_formats: strptime patterns of instants; empty: ISO-8601 only.
        zone: The zone of instants written without an offset (``None``: such an instant is an
            error).
        missing: Cell texts that mean "no value".
        system: What the item column holds: ``catalogue`` (codes, names or aliases, as given),
            ``national`` (LOINC or WS/T 886 codes, looked up region-wide), ``crosswalk``
            (the issuer's local codes, through the region's crosswalk) or ``local`` (local
            codes, through a crosswalk built from ``code_list``).
        institution: Whose local codes (``local``): by default the constant issuer.
        code_list: The local codes (``local``, ``loinc``, ``wst886``, ``name``) rows.
        dictionary: The export's own item list, relative to the export (a file name), if any.
        dictionary_code: Its code column.
        dictionary_name: Its name column.
        source: Where the map comes from.

    >>> from mutrec.examples import path
    >>> load_column_map(path("mappings/lis-flat.toml")).columns["item"]
    '检验项目代码'
    """

    name: str
    columns: Mapping[str, str]
    constants: Mapping[str, str] = attrs.field(factory=dict)
    ignore: frozenset[str] = frozenset()
    instant_formats: tuple[str, ...] = ()
    zone: tzinfo | None = None
    missing: frozenset[str] = frozenset()
    system: str = "catalogue"
    institution: str | None = None
    code_list: tuple[Mapping[str, str], ...] = ()
    dictionary: str | None = None
    dictionary_code: str | None = None
    dictionary_name: str | None = None
    source: str | None = None

    def header_problems(self, header: Iterable[str]) -> list[str]:
        """What is wrong with an export's *header* for this map (empty: nothing).

        Every column must be mapped or ignored, and every mapped column present: an unmapped
        column might hold what decides a result (a status, a unit), so it is never skipped
        silently.

        >>> from mutrec.examples import path
        >>> load_column_map(path("mappings/lis-flat.toml")).header_problems(["结果", "备注"])[0]
        "column '备注' is not mapped: map it under [columns] or list it in ignore"
        """
        names = [h.strip() for h in header]
        present = set(names)
        problems = [
            f"column {name!r} is not mapped: map it under [columns] or list it in ignore"
            for name in names
            if name and name not in set(self.columns.values()) and name not in self.ignore
        ]
        return problems + [
            f"column {column!r} (for {target}) is missing"
            for target, column in self.columns.items()
            if column not in present
        ]

    def source_of(self, column: str) -> str:
        """The export's column behind ``mutrec check``'s *column* (for row errors).

        >>> from mutrec.examples import path
        >>> cmap = load_column_map(path("mappings/lis-flat.toml"))
        >>> cmap.source_of("value"), cmap.source_of("issuer"), cmap.source_of("at")
        ('结果', 'issuer (constant)', 'at')
        """
        if column in self.columns:
            return self.columns[column]
        return f"{column} (constant)" if column in self.constants else column

    def bind(
        self, region: Region, *, dictionary: Iterable[Mapping[str, str]] | None = None
    ) -> RowMapper:
        """A mapper for *region*: codes looked up region-wide, local codes crosswalked.

        Args:
            region: The region whose catalogues name the items.
            dictionary: The export's item list rows (``dictionary_code``, ``dictionary_name``),
                when the map names one: local codes are named from it in errors, and a code
                list name that disagrees with it (a shifted code) is refused.

        Raises:
            CatalogueError: A code list row's name disagrees with the dictionary.
        """
        require("region", region, Region)
        names: dict[str, str] = {}
        if dictionary is not None and self.dictionary_code and self.dictionary_name:
            for row in dictionary:
                names[fold(row.get(self.dictionary_code) or "")] = row.get(self.dictionary_name, "")
        crosswalk = Crosswalk(())
        unmapped: dict[str, str] = {}
        if self.system == "local":
            crosswalk, problems = crosswalk_from_codes(
                self.institution or "", self.code_list, region.codes, source=self.name
            )
            for problem in problems:
                index = int(problem.where.removeprefix("rows[").removesuffix("]"))
                local = self.code_list[index].get("local") or ""
                unmapped[fold(local)] = problem.message.split(": ", 1)[-1]
            wrong = [
                Problem(
                    self.name,
                    f"rows[{n}]",
                    f"local code {row.get('local')!r} is named {row.get('name')!r} here "
                    f"but {names[fold(row.get('local') or '')]!r} in {self.dictionary}",
                    hint="a shifted or mistyped code? fix the code list",
                )
                for n, row in enumerate(self.code_list)
                if names
                and row.get("name")
                and fold(row.get("local") or "") in names
                and fold(row.get("name") or "") != fold(names[fold(row.get("local") or "")])
            ]
            if wrong:
                raise CatalogueError(wrong)
        return RowMapper(self, region, crosswalk, unmapped, names)


@attrs.frozen
class RowMapper:
    """A :class:`ColumnMap` bound to a region: turns an export's rows into check rows.

    Attributes:
        map_: The column map.
        region: The region.
        crosswalk: The local codes mapped from the code list.
        unmapped: Why each local code of the list that is not mapped is not (by folded code).
        names: The dictionary's names by folded local code.
    """

    map_: ColumnMap
    region: Region
    crosswalk: Crosswalk
    unmapped: Mapping[str, str]
    names: Mapping[str, str]

    def map(self, row: Mapping[str, str]) -> dict[str, str]:
        """The ``mutrec check`` row for the export's *row* (missing cells left out).

        Raises:
            ResultError: A cell cannot be read: its ``field`` is the export's column.
        """
        cmap = self.map_
        out: dict[str, str] = dict(cmap.constants)
        for target, column in cmap.columns.items():
            cell = row.get(column)
            if cell is None:
                continue
            if not isinstance(cell, str):
                raise ResultError(column, _short(str(cell)), "expected text")
            text = cell.strip()
            if not text or text in cmap.missing:
                continue
            if target in _INSTANTS:
                text = self._instant(column, text)
            elif target == "item":
                text = self._item(column, text, out.get("issuer"))
            out[target] = text
        return out

    def _instant(self, column: str, text: str) -> str:
        cmap = self.map_
        value = None
        for pattern in cmap.instant_formats or ("iso",):
            try:
                value = (
                    datetime.fromisoformat(text)
                    if pattern == "iso"
                    else datetime.strptime(text, pattern)  # noqa: DTZ007 (zone applied below)
                )
                break
            except ValueError:
                continue
        if value is None:
            shown = " or ".join(cmap.instant_formats) or "ISO-8601"
            raise ResultError(column, _short(text), f"not an instant written as {shown}")
        if value.tzinfo is None:
            if cmap.zone is None:
                reason = "no offset, and the map names no zone: set zone = … in the map"
                raise ResultError(column, _short(text), reason)
            value = _localise(column, text, value, cmap.zone)
        return value.isoformat()

    def _item(self, column: str, text: str, issuer: str | None) -> str:
        system = self.map_.system
        if system == "catalogue":
            return text
        if system == "national":
            code = self.region.codes.item_code(text)
            if code is None:
                raise ResultError(column, _short(text), self.region.codes.why_not(text) or "")
            return code
        key = fold(text)
        institution = self.map_.institution or issuer or ""
        crosswalk = self.region.crosswalk if system == "crosswalk" else self.crosswalk
        code = crosswalk.item_code(institution, text)
        if code is not None:
            return code
        named = f" ({self.names[key]})" if key in self.names else ""
        if system == "crosswalk":
            reason = f"not a local code of {institution!r} in the region's crosswalk"
        elif key in self.unmapped:
            reason = f"local code{named} is not mapped: {self.unmapped[key]}"
        elif self.names and key not in self.names:
            reason = f"unknown local code: not in {self.map_.dictionary}"
        else:
            reason = f"local code{named} is not in the code list"
        raise ResultError(column, _short(text), reason)


def _localise(column: str, text: str, value: datetime, zone: tzinfo) -> datetime:
    # A wall time the clocks skip (spring) or show twice (autumn) names no single instant:
    # taking one of them would be a guess.
    early, late = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
    if early.utcoffset() != late.utcoffset():
        reason = f"a wall time that {zone} skips or repeats (daylight saving): add the offset"
        raise ResultError(column, _short(text), reason)
    try:
        early.astimezone(UTC)
    except OverflowError:
        raise ResultError(column, _short(text), "outside the years a result can have") from None
    return early


def _code_list(src: Source, file: str) -> tuple[Mapping[str, str], ...]:
    codes = Source(src.path.parent / file)
    rows = tuple(row for _, row in codes.rows("code_list"))
    for extra in sorted({k for row in rows for k in row} - {"local", "loinc", "wst886", "name"}):
        codes.problem("code_list", f"unknown column {extra!r}", 1, "use local,loinc,wst886,name")
    src.problems.extend(codes.problems)
    return rows


def _targets(src: Source, raw: object, key: str) -> tuple[Fields, dict[str, str]]:
    f = Fields(src, raw, key, table=key)
    found: dict[str, str] = {}
    for target in list(f.raw):
        value = f.get(target, str)
        if target not in CHECK_COLUMNS:
            f.bad(target, "not a column of mutrec check", "see mutrec check --help")
        elif value is not None:
            found[target] = value.strip()
    return f, found


def _codes(src: Source, raw: object, constants: Mapping[str, str]) -> dict[str, str]:
    f = Fields(src, raw, "codes", table="codes")
    found = {"system": f.get("system", str, required=False) or "catalogue"}
    for key in ("list", "institution", "dictionary", "dictionary_code", "dictionary_name"):
        if (value := f.get(key, str, required=False)) is not None:
            found[key] = value.strip()
    system = found["system"]
    if system not in _SYSTEMS:
        f.bad("system", f"{system!r:.40} is not one of {', '.join(_SYSTEMS)}")
    if system == "local":
        if "list" not in found:
            f.bad("list", "is missing", "name the code list (local,loinc,wst886,name)")
        if "institution" not in found and "issuer" not in constants:
            f.bad("institution", "is missing", "name whose codes, or a constant issuer")
    elif "list" in found:
        f.bad("list", f"a code list is for system = 'local', not {system!r:.40}")
    if "dictionary" in found and not {"dictionary_code", "dictionary_name"} <= set(found):
        f.bad("dictionary", "needs dictionary_code and dictionary_name")
    f.finish()
    return found


def load_column_map(path: str | Path) -> ColumnMap:
    """Load a column map (``kind = "columns"``) and the code list it names.

    Raises:
        CatalogueError: With every problem of the file(s).
        ArgumentError: *path* is not a ``str`` or ``os.PathLike``.

    >>> from mutrec.examples import path
    >>> cmap = load_column_map(path("mappings/mimic-iv-labevents.toml"))
    >>> cmap.system, cmap.columns["item"], str(cmap.zone), len(cmap.code_list) > 20
    ('local', 'itemid', 'America/New_York', True)
    """
    path_like("path", path)
    src = Source(Path(path))
    raw = src.load_toml()
    if raw is None:
        raise CatalogueError(src.problems)
    top = check_header(src, raw, "columns")
    name = top.get("name", str) or ""
    top.get("source", str, required=False)
    top.get("illustrative", bool, required=False)
    c_fields, columns = _targets(src, top.get("columns", dict), "columns")
    k_fields, constants = _targets(
        src, top.get("constants", dict, required=False) or {}, "constants"
    )
    for both in sorted(set(columns) & set(constants)):
        k_fields.bad(both, "is also mapped under [columns]", "keep one of the two")
    if "item" not in columns and "columns" in raw:
        c_fields.bad("item", "is missing", 'name the column holding the item: item = "…"')
    sources = list(columns.values())
    for twice in sorted({c for c in sources if sources.count(c) > 1}):
        c_fields.bad("", f"column {twice!r} is mapped twice", "map each column once")
    ignore = top.str_list("ignore")
    formats = top.str_list("instant_formats")
    for pattern in formats:
        if "%" not in pattern:
            top.bad("instant_formats", f"{pattern!r:.40} has no % directive", "such as %Y-%m-%d")
    missing = top.str_list("missing")
    zone = None
    if (zone_name := top.get("zone", str, required=False)) is not None:
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            top.bad("zone", f"unknown time zone {zone_name!r:.80}", 'such as "Asia/Shanghai"')
    codes = _codes(src, top.get("codes", dict, required=False) or {}, constants)
    code_list = (
        _code_list(src, codes["list"]) if codes["system"] == "local" and "list" in codes else ()
    )
    top.finish()
    src.raise_if_any()
    return ColumnMap(
        name,
        columns,
        constants,
        frozenset(ignore),
        formats,
        zone,
        frozenset(missing),
        codes["system"],
        codes.get("institution") or constants.get("issuer"),
        code_list,
        codes.get("dictionary"),
        codes.get("dictionary_code"),
        codes.get("dictionary_name"),
        raw.get("source"),
    )


def read_dictionary(path: Path) -> list[dict[str, str]]:
    """The rows of an export's item list (CSV, gzip-compressed when it ends in ``.gz``).

    Raises:
        CatalogueError: The file cannot be read as UTF-8 CSV.
    """
    import gzip  # only a dictionary needs it: not loaded with mutrec check

    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    except (OSError, EOFError, UnicodeDecodeError, csv.Error, gzip.BadGzipFile) as error:
        raise CatalogueError([Problem(path.name, "", f"cannot read it: {error}")]) from None
