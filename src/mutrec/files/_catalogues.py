"""Load catalogue files (TOML, with an optional CSV of items)."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import Any

from mutrec._checks import path_like, require
from mutrec.errors import CatalogueError, Problem
from mutrec.files._field import read_contexts, read_reference
from mutrec.files._reader import Fields, Source, check_header
from mutrec.model.catalogue import (
    Catalogue,
    Category,
    DeviceRequirement,
    Item,
    ItemKind,
    ValueKind,
)
from mutrec.model.devices import Modality
from mutrec.model.items import wst886_problem
from mutrec.model.patient import CareSetting
from mutrec.model.windows import Anchor, Span, Window

_ITEM_COLUMNS = (
    "code",
    "name_zh",
    "name_en",
    "category",
    "kind",
    "specimen",
    "unit",
    "loinc",
    "wst886",
    "aliases",
    "modality",
    "value_kind",
    "body_parts",
    "reference",
    "reference_analyte",
)
_WINDOW_COLUMNS = {
    "window",
    "window_anchor",
    "window_specimen_age",
    "window_contexts",
    *(f"window_{s.value}" for s in CareSetting),
}
_KNOWN_COLUMNS = {*_ITEM_COLUMNS, *_WINDOW_COLUMNS, "min_detector_rows", "min_field_strength_t"}


def _window(parent: Fields) -> Window | None:
    value = parent.raw.get("window")
    parent.used.add("window")
    if value is None or value == "":
        return None
    if isinstance(value, str):
        span = parent.span("window", value)
        return None if span is None else Window(span)
    f = Fields(
        parent.src, value, f"{parent.where}.window", line=parent.line("window"), csv=parent.csv
    )
    if not f.ok:
        return None
    span = f.span("span", f.raw.get("span")) if "span" in f.raw else None
    if "span" not in f.raw:
        f.bad("span", "is missing", 'add span = "7d" (or "1mo", "24h")')
    f.used.add("span")
    anchor = f.enum("anchor", Anchor, required=False) or Anchor.REPORT
    age = None
    if "specimen_age" in f.raw:
        f.used.add("specimen_age")
        age = f.span("specimen_age", f.raw["specimen_age"])
    settings: dict[CareSetting, Span] = {}
    for setting in CareSetting:
        if setting.value in f.raw:
            f.used.add(setting.value)
            if (s := f.span(setting.value, f.raw[setting.value])) is not None:
                settings[setting] = s
    contexts = read_contexts(f)
    f.finish()
    if span is None:
        return None
    return Window(span, anchor, settings, specimen_age=age, contexts=contexts)


def _device(parent: Fields) -> DeviceRequirement | None:
    value = parent.raw.get("device")
    parent.used.add("device")
    if value is None or value == "":
        return None
    f = Fields(
        parent.src, value, f"{parent.where}.device", line=parent.line("device"), csv=parent.csv
    )
    rows = f.get("min_detector_rows", int, required=False)
    tesla = f.get("min_field_strength_t", float, required=False)
    f.finish()
    if rows is None and tesla is None:
        return None
    try:
        return DeviceRequirement(min_detector_rows=rows, min_field_strength_t=tesla)
    except ValueError as error:
        f.bad("device", str(error))
        return None


def _wst886(
    f: Fields, category: Category | None, value_kind: ValueKind | None, unit: object
) -> str | None:
    given: str | None = f.get("wst886", str, required=False)
    if given is None:
        return None
    code = given.strip()
    if category is not None and category.kind is not ItemKind.LAB:
        f.bad("wst886", "WS/T 886—2026 codes lab items only", "remove it from the imaging item")
        return None
    if value_kind is None and category is not None:
        value_kind = ValueKind.NUMERIC if unit is not None else ValueKind.QUALITATIVE
    why = wst886_problem(code, value_kind)
    if why is not None:
        f.bad(
            "wst886",
            why,
            "8 characters: category (2 digits), item (3), specimen (2), scale A 定量 / "
            "B 定性 / C 定名 / D 定序, as in the standard's table",
        )
        return None
    return code


def parse_item(f: Fields) -> Item | None:
    """Validate one raw item (from a TOML table or a CSV row)."""
    before = len(f.src.problems)
    code = f.get("code", str)
    name_zh = f.get("name_zh", str)
    name_en = f.get("name_en", str)
    category = f.enum("category", Category)
    kind = f.enum("kind", ItemKind, required=False)
    if category is not None and kind is not None and category.kind is not kind:
        f.bad(
            "kind",
            f"category {category.value!r} is a {category.kind.value} category, not {kind.value}",
        )
    item_kw: dict[str, Any] = {
        "aliases": f.str_list("aliases"),
        "loinc": f.get("loinc", str, required=False),
        "specimen": f.get("specimen", str, required=False),
        "unit": f.unit("unit"),
        "window": _window(f),
        "modality": f.enum("modality", Modality, required=False),
        "device": _device(f),
        "body_parts": f.str_list("body_parts"),
    }
    value_kind = f.enum("value_kind", ValueKind, required=False)
    if value_kind is not None:
        item_kw["value_kind"] = value_kind
    item_kw["wst886"] = _wst886(f, category, value_kind, item_kw["unit"])
    item_kw["reference"] = read_reference(
        f,
        code=code,
        wst886=item_kw["wst886"],
        specimen=item_kw["specimen"],
        unit=item_kw["unit"],
    )
    f.finish()
    if len(f.src.problems) > before or code is None or category is None:
        return None
    try:
        return Item(code, name_zh, name_en, category.kind, category, **item_kw)
    except (TypeError, ValueError) as error:
        f.bad("code", str(error))
        return None


def _csv_item(src: Source, line: int, row: dict[str, str]) -> Fields:
    raw: dict[str, Any] = {k: v for k, v in row.items() if k in _ITEM_COLUMNS}
    window = {
        ("span" if k == "window" else k.removeprefix("window_")): v
        for k, v in row.items()
        if k in _WINDOW_COLUMNS and v
    }
    if window:
        raw["window"] = window
    # Cells stay text: the device's csv Fields reads them as numbers (ASCII digits only).
    device = {k: row[k] for k in ("min_detector_rows", "min_field_strength_t") if row.get(k)}
    if device:
        raw["device"] = device
    code = row.get("code") or f"row {line}"
    f = Fields(src, raw, f"items[{code}]", line=line, csv=True)
    for extra in sorted(set(row) - _KNOWN_COLUMNS - src.seen):
        src.seen.add(extra)
        src.problem("items", f"unknown column {extra!r}", 1, "remove it or see SCHEMAS.md")
    return f


def load_catalogue(path: str | Path, *, default_zone: tzinfo | None = None) -> Catalogue:
    """Load a catalogue file (and the CSV of items it names).

    Raises:
        CatalogueError: With every problem in the file(s).
        ArgumentError: *path* is not a ``str`` or ``os.PathLike`` (the caller's bug, not the
            file's), or another argument is not of its type.

    >>> from mutrec.examples import path
    >>> cat = load_catalogue(path("region/catalogue-jjjl-lab.toml"))
    >>> cat.resolve("钾").code
    'K'
    """
    path_like("path", path)
    if default_zone is not None:
        require("default_zone", default_zone, tzinfo, "a tzinfo or None")
    src = Source(Path(path), default_zone)
    catalogue = _load(src)
    src.raise_if_any()
    assert catalogue is not None  # noqa: S101 - no problems means it was built
    return catalogue


def load_catalogue_into(src: Source) -> Catalogue | None:
    """Load a catalogue, leaving problems in *src*."""
    return _load(src)


def _load(src: Source) -> Catalogue | None:  # noqa: C901 - one flat list of checks
    raw = src.load_toml()
    if raw is None:
        return None
    top = check_header(src, raw, "catalogue")
    name = top.get("name", str)
    version = top.get("version", str)
    start = top.date("effective_from")
    until = top.date("effective_until", required=False)
    top.instant("published")
    items: list[Item] = []
    lines: dict[str, tuple[str, int | None]] = {}
    raw_items = top.get("items", list, required=False) or []
    for i, raw_item in enumerate(raw_items):
        f = Fields(src, raw_item, f"items[{i}]", table="items", index=i)
        if (item := parse_item(f)) is not None:
            _add(src, items, lines, item, (src.name, f.line("code")))
    csv_name = top.get("items_csv", str, required=False)
    if csv_name is not None:
        csv_src = Source(src.path.parent / csv_name, src.default_zone)
        for line, row in csv_src.rows("items"):
            f = _csv_item(csv_src, line, row)
            if (item := parse_item(f)) is not None:
                _add(csv_src, items, lines, item, (csv_src.name, line))
        src.problems.extend(csv_src.problems)
    if not raw_items and csv_name is None:
        top.bad("items", "the catalogue has no items", "add [[items]] tables or items_csv = …")
    top.finish()
    if src.problems or name is None or version is None or start is None:
        return None
    try:
        return Catalogue(
            name, version, start, items, effective_until=until, source=raw.get("source")
        )
    except CatalogueError as error:
        for p in error.problems:
            code = p.where.split(".")[1] if p.where.startswith("items.") else None
            file, at = lines.get(code or "", (src.name, None))
            src.problems.append(Problem(file, p.where, p.message, at, p.hint))
        return None


def _add(
    src: Source,
    items: list[Item],
    lines: dict[str, tuple[str, int | None]],
    item: Item,
    at: tuple[str, int | None],
) -> None:
    if item.code in lines:
        first_file, first_line = lines[item.code]
        src.problem(
            f"items.{item.code}",
            "duplicate item code",
            at[1],
            f"first defined at {first_file}:{first_line}; codes must be unique",
        )
        return
    lines[item.code] = at
    items.append(item)
