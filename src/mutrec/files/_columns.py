"""Column maps and the rows they map (see :mod:`mutrec.files.columns`, which loads them)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from types import MappingProxyType
from typing import Final

import attrs

from mutrec._checks import each, in_, instance_of, items_of, optional, require
from mutrec.errors import ArgumentError, CatalogueError, Problem, ResultError
from mutrec.files.region import Region
from mutrec.model.crosswalk import Crosswalk, crosswalk_from_codes
from mutrec.model.items import fold

__all__ = ["CHECK_COLUMNS", "ColumnMap", "RowMapper", "read_instant"]

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


_str = instance_of(str)
_opt_str = optional(_str)
_strs = each(str, expected="text (str) entries")


def _targets(field: str, value: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and k in CHECK_COLUMNS and isinstance(v, str) for k, v in value.items()
    ):
        msg = "a mapping of mutrec check's columns to text (see mutrec check --help)"
        raise ArgumentError(field, value, msg)
    return MappingProxyType(dict(value))


# attrs does not tell a converter its field: one per field, so that an error names it.
def _columns(value: object) -> Mapping[str, str]:
    return _targets("columns", value)


def _constants(value: object) -> Mapping[str, str]:
    return _targets("constants", value)


@attrs.frozen(eq=False)
class ColumnMap:
    """How one export's columns become ``mutrec check``'s.

    Loaded by :func:`~mutrec.files.columns.load_column_map`.

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
        dictionary_specimen: Its specimen column, if a row's specimen is to be read from it
            (when no column of the export gives the specimen).
        source: Where the map comes from.

    >>> from mutrec.examples import path
    >>> from mutrec.files.columns import load_column_map
    >>> load_column_map(path("mappings/lis-flat.toml")).columns["item"]
    '检验项目代码'
    """

    name: str = attrs.field(validator=_str)
    columns: Mapping[str, str] = attrs.field(converter=_columns)
    constants: Mapping[str, str] = attrs.field(factory=dict, converter=_constants)
    ignore: frozenset[str] = attrs.field(default=frozenset(), validator=_strs)
    instant_formats: tuple[str, ...] = attrs.field(default=(), validator=_strs)
    zone: tzinfo | None = attrs.field(default=None, validator=optional(instance_of(tzinfo)))
    missing: frozenset[str] = attrs.field(default=frozenset(), validator=_strs)
    system: str = attrs.field(default="catalogue", validator=in_(_SYSTEMS))
    institution: str | None = attrs.field(default=None, validator=_opt_str)
    code_list: tuple[Mapping[str, str], ...] = attrs.field(
        default=(), validator=each(Mapping, expected="rows (mappings of column to text)")
    )
    dictionary: str | None = attrs.field(default=None, validator=_opt_str)
    dictionary_code: str | None = attrs.field(default=None, validator=_opt_str)
    dictionary_name: str | None = attrs.field(default=None, validator=_opt_str)
    dictionary_specimen: str | None = attrs.field(default=None, validator=_opt_str)
    source: str | None = attrs.field(default=None, validator=_opt_str)

    def header_problems(self, header: Iterable[str]) -> list[str]:
        """What is wrong with an export's *header* for this map (empty: nothing).

        Every column must be mapped or ignored, and every mapped column present: an unmapped
        column might hold what decides a result (a status, a unit), so it is never skipped
        silently.

        >>> from mutrec.examples import path
        >>> from mutrec.files.columns import load_column_map
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
        >>> from mutrec.files.columns import load_column_map
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
        specimens: dict[str, str] = {}
        if dictionary is not None and self.dictionary_code and self.dictionary_name:
            for row in items_of("dictionary", dictionary, Mapping, "rows (mappings to text)"):
                code, label = row.get(self.dictionary_code), row.get(self.dictionary_name)
                if isinstance(code, str) and isinstance(label, str):
                    names[fold(code)] = label
                    specimen = row.get(self.dictionary_specimen or "")
                    if isinstance(specimen, str) and specimen.strip():
                        specimens[fold(code)] = specimen.strip()
        crosswalk = Crosswalk(())
        unmapped: dict[str, str] = {}
        if self.system == "local":
            crosswalk, problems = crosswalk_from_codes(
                self.institution or "", self.code_list, region.codes, source=self.name
            )
            for problem in problems:
                row = self.code_list[int(problem.where.removeprefix("rows[").removesuffix("]"))]
                local = (row.get("local") or "").strip()
                name = (row.get("name") or "").strip()
                label = (local or "(blank)") + (f" ({name})" if name else "")
                unmapped[fold(local)] = problem.message.removeprefix(f"{label}: ")
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
        return RowMapper(self, region, crosswalk, unmapped, names, specimens)


@attrs.frozen(eq=False)
class RowMapper:
    """A :class:`ColumnMap` bound to a region: turns an export's rows into check rows.

    Attributes:
        map_: The column map.
        region: The region.
        crosswalk: The local codes mapped from the code list.
        unmapped: Why each local code of the list that is not mapped is not (by folded code).
        names: The dictionary's names by folded local code.
        specimens: The dictionary's specimens by folded local code.
    """

    map_: ColumnMap = attrs.field(validator=instance_of(ColumnMap))
    region: Region = attrs.field(validator=instance_of(Region))
    crosswalk: Crosswalk = attrs.field(validator=instance_of(Crosswalk))
    unmapped: Mapping[str, str] = attrs.field(validator=instance_of(Mapping))
    names: Mapping[str, str] = attrs.field(validator=instance_of(Mapping))
    specimens: Mapping[str, str] = attrs.field(factory=dict, validator=instance_of(Mapping))

    def map(self, row: Mapping[str, str]) -> dict[str, str]:
        """The ``mutrec check`` row for the export's *row* (missing cells left out).

        Raises:
            ResultError: A cell cannot be read: its ``field`` is the export's column.
        """
        require("row", row, Mapping, "a mapping of the export's columns to text")
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
            out[target] = self._instant(column, text) if target in _INSTANTS else text
        if "item" in out:  # last: a local code is the issuer's, whichever column gives it
            text = out["item"]
            if (specimen := self.specimens.get(fold(text))) and "specimen" not in cmap.columns:
                out["specimen"] = specimen
            out["item"] = self._item(cmap.columns["item"], text, out.get("issuer"))
        return out

    def _instant(self, column: str, text: str) -> str:
        cmap = self.map_
        return read_instant(column, text, cmap.instant_formats, cmap.zone).isoformat()

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


_ADJACENT: Final = re.compile(r"%[YmdHMSjyIf]%[YmdHMSjyIf]")


def _same(value: datetime, pattern: str, text: str) -> bool:
    try:
        return value.strftime(pattern) == text
    except ValueError:  # pragma: no cover - strftime of a year before 1000 on some platforms
        return False


def read_instant(column: str, text: str, formats: tuple[str, ...], zone: tzinfo | None) -> datetime:
    """*text* as an aware instant: written as one of *formats* (strptime; empty: ISO-8601).

    An instant without an offset is read in *zone*; with none, or at a wall time *zone* skips
    or repeats, it is refused. Platform readers (:mod:`mutrec.interop.platform`) share it.

    Raises:
        ResultError: Naming *column*: not such an instant, no zone, or a wall time that
            names no single instant.

    >>> from zoneinfo import ZoneInfo
    >>> read_instant("t", "2024-09-23 10:38:53", ("%Y-%m-%d %H:%M:%S",), ZoneInfo("Asia/Shanghai"))
    datetime.datetime(2024, 9, 23, 10, 38, 53, tzinfo=zoneinfo.ZoneInfo(key='Asia/Shanghai'))
    """
    value = None
    for pattern in formats or ("iso",):
        try:
            value = (
                datetime.fromisoformat(text)
                if pattern == "iso"
                else datetime.strptime(text, pattern)  # noqa: DTZ007 (zone applied below)
            )
        except ValueError:
            continue
        # Two numbers with nothing between them ("%Y%m%d") split only when written in
        # full: strptime reads "2024111" as 2024-11-01, though 2024-01-11 fits as well.
        if pattern == "iso" or not _ADJACENT.search(pattern) or _same(value, pattern, text):
            break
        value = None
    if value is None:
        shown = " or ".join(formats) or "ISO-8601"
        raise ResultError(column, _short(text), f"not an instant written as {shown}")
    if value.tzinfo is None:
        if zone is None:
            reason = "no offset, and the map names no zone: set zone = … in the map"
            raise ResultError(column, _short(text), reason)
        value = _localise(column, text, value, zone)
    return value


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
