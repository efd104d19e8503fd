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
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mutrec._checks import path_like
from mutrec.errors import CatalogueError, Problem
from mutrec.files._columns import _SYSTEMS, CHECK_COLUMNS, ColumnMap, RowMapper
from mutrec.files._reader import Fields, Source, check_header

__all__ = ["CHECK_COLUMNS", "ColumnMap", "RowMapper", "load_column_map", "read_dictionary"]


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
    for key in (
        "list",
        "institution",
        "dictionary",
        "dictionary_code",
        "dictionary_name",
        "dictionary_specimen",
    ):
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
        codes.get("dictionary_specimen"),
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
