"""Platform profiles (``kind = "platform"``): how one platform's rows become results.

A profile is data, loaded from TOML like every mutrec data file (``SCHEMAS.md``): which field
of a report header, result or exam row holds what, how times are written and in which zone,
which texts mean "missing", what the value words and abnormal, mark and image codes mean,
and what the item codes are (the ``[codes]`` table of a column map, read by the same code).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from mutrec._checks import instance_of, items_of, optional, path_like
from mutrec.errors import ArgumentError
from mutrec.files._reader import Fields, Source, check_header
from mutrec.files.columns import _code_list, _codes  # the [codes] table of column maps
from mutrec.model.devices import Modality

__all__ = ["TARGETS", "PlatformProfile", "Table", "load_profile"]

TARGETS: Final = frozenset(
    {
        "issuer", "patient", "patient_id_type", "item", "item_name", "loinc", "value", "unit",
        "reference_range", "abnormal", "mark", "mark_scope", "collected", "received",
        "reported", "performed", "specimen", "method", "instrument", "modality", "body_part",
        "findings", "conclusion", "device_model", "images", "image_link", "study_uid",
    }
)  # fmt: skip
"""What a profile's tables may map a platform field to."""
_TABLES: Final = ("report", "result", "exam")
_ABNORMAL: Final = frozenset({"normal", "high", "low", "abnormal", "critical", "uncertain"})
_COMPARATORS: Final = frozenset({"<", "<=", ">", ">="})
_DATA: Final = Path(__file__).parent / "data"
_SHIPPED: Final = {"national-de": "platform-national-de.toml", "guangxi": "platform-guangxi.toml"}


def _mapping(field: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise ArgumentError(field, value, "a mapping with text keys")
    return MappingProxyType(dict(value))


def _fields(value: object) -> Mapping[str, str]:
    found = _mapping("fields", value)
    if not all(k in TARGETS and isinstance(v, str) for k, v in found.items()):
        msg = "fields"
        raise ArgumentError(msg, value, f"a mapping of {sorted(TARGETS)} to field names")
    return found


# attrs does not tell a converter its field: one per field, so that an error names it.
def _value_words(value: object) -> Mapping[str, str]:
    return _mapping("value_words", value)


def _abnormal_codes(value: object) -> Mapping[str, str]:
    return _mapping("abnormal_codes", value)


def _mark_codes(value: object) -> Mapping[str, bool]:
    return _mapping("mark_codes", value)


def _image_codes(value: object) -> Mapping[str, bool]:
    return _mapping("image_codes", value)


def _modalities(value: object) -> Mapping[str, Modality]:
    return _mapping("modalities", value)


def _codes_table(value: object) -> Mapping[str, str]:
    return _mapping("codes", value)


def _strs(value: Iterable[str]) -> frozenset[str]:
    return frozenset(items_of("texts", value, str))


def _formats(value: Iterable[str]) -> tuple[str, ...]:
    return items_of("instant_formats", value, str)


def _rows(value: Iterable[Mapping[str, str]]) -> tuple[Mapping[str, str], ...]:
    return items_of("code_list", value, Mapping)


@attrs.frozen
class Table:
    """One kind of row: its join key, the fields it maps, those it deliberately ignores.

    Attributes:
        key: The field holding the report number that joins rows to their header.
        fields: mutrec's target → the platform's field name.
        ignore: Fields deliberately not read.

    >>> Table("testReportNo", {"item": "dataCode"}).fields["item"]
    'dataCode'
    """

    key: str = attrs.field(validator=instance_of(str))
    fields: Mapping[str, str] = attrs.field(converter=_fields)
    ignore: frozenset[str] = attrs.field(default=frozenset(), converter=_strs)

    def known(self) -> frozenset[str]:
        """Every platform field this table reads or ignores.

        >>> sorted(Table("no", {"item": "code"}, frozenset({"x"})).known())
        ['code', 'no', 'x']
        """
        return frozenset({self.key, *self.fields.values(), *self.ignore})


def _table(value: object) -> Table | None:
    if value is not None and not isinstance(value, Table):
        msg = "table"
        raise ArgumentError(msg, value, "a Table or None")
    return value


@attrs.frozen(eq=False)
class PlatformProfile:
    """How one platform's header, result and exam rows become results (load it from TOML).

    Attributes:
        name: The profile's name.
        report: Report header rows (patient, times, specimen, issuer), if the platform sends
            them apart from the result rows.
        result: Lab result rows (one per item).
        exam: Exam rows (one per examination).
        zone: The zone of times written without an offset (``None``: such a time is refused).
        instant_formats: strptime patterns of times; empty: ISO-8601 only.
        missing: Texts meaning "no value" (``NA``, ``/``); an empty text always does.
        zero_ids_missing: Whether an id made of zeros only (``000000000000000000``) is missing.
        value_words: Words written for a comparator (``小于`` → ``<``).
        abnormal_codes: The issuer's abnormal flag codes → ``normal``, ``high``, ``low`` …
        mark_codes: The issuer's recognition mark codes → marked (``True``) or not.
        image_codes: The image flag's codes → images exist or not.
        modalities: Modality texts (``CT``, ``磁共振``) → mutrec's modality.
        codes: The ``[codes]`` table (``system``, ``institution``, ``list``) as column maps
            have it.
        code_list: The code list rows, when ``codes.system`` is ``local``.
        source: Where the profile comes from.

    >>> profile = load_profile("guangxi")
    >>> profile.result.fields["value"], profile.mark_codes["1"], str(profile.zone)
    ('testIndexResult', True, 'Asia/Shanghai')
    """

    name: str = attrs.field(validator=instance_of(str))
    report: Table | None = attrs.field(default=None, converter=_table)
    result: Table | None = attrs.field(default=None, converter=_table)
    exam: Table | None = attrs.field(default=None, converter=_table)
    zone: tzinfo | None = attrs.field(default=None, validator=optional(instance_of(tzinfo)))
    instant_formats: tuple[str, ...] = attrs.field(default=(), converter=_formats)
    missing: frozenset[str] = attrs.field(default=frozenset(), converter=_strs)
    zero_ids_missing: bool = attrs.field(default=True, validator=instance_of(bool))
    value_words: Mapping[str, str] = attrs.field(factory=dict, converter=_value_words)
    abnormal_codes: Mapping[str, str] = attrs.field(factory=dict, converter=_abnormal_codes)
    mark_codes: Mapping[str, bool] = attrs.field(factory=dict, converter=_mark_codes)
    image_codes: Mapping[str, bool] = attrs.field(factory=dict, converter=_image_codes)
    modalities: Mapping[str, Modality] = attrs.field(factory=dict, converter=_modalities)
    codes: Mapping[str, str] = attrs.field(factory=dict, converter=_codes_table)
    code_list: tuple[Mapping[str, str], ...] = attrs.field(default=(), converter=_rows)
    source: str | None = attrs.field(default=None, validator=optional(instance_of(str)))

    def tables(self) -> list[tuple[str, Table]]:
        """The tables the profile has, by name (``report``, ``result``, ``exam``).

        >>> [name for name, _ in load_profile("guangxi").tables()]
        ['report', 'result', 'exam']
        """
        found = {"report": self.report, "result": self.result, "exam": self.exam}
        return [(name, table) for name, table in found.items() if table is not None]


def _load_table(src: Source, top: Fields, name: str) -> Table | None:
    raw = top.get(name, dict, required=False)
    if raw is None:
        return None
    f = Fields(src, raw, name, table=name)
    key = f.get("key", str) or ""
    ignore = f.str_list("ignore")
    fields: dict[str, str] = {}
    for target in list(f.raw):
        if target in {"key", "ignore"}:
            continue
        value = f.get(target, str)
        if target not in TARGETS:
            f.bad(target, "not a field mutrec reads", f"use one of {', '.join(sorted(TARGETS))}")
        elif value is not None:
            fields[target] = value.strip()
    needed = {"result": "item", "exam": "item"}.get(name)
    if needed and needed not in fields:
        f.bad(needed, "is missing", f'name the field holding the {needed}: {needed} = "…"')
    return Table(key, fields, frozenset(ignore))


def _words(src: Source, top: Fields, key: str, kind: type, allowed: frozenset[str] | None) -> Any:
    raw = top.get(key, dict, required=False) or {}
    f = Fields(src, raw, key, table=key)
    found: dict[str, Any] = {}
    for word in list(f.raw):
        value = f.get(word, kind)
        if value is None:
            continue
        if allowed is not None and value not in allowed:
            f.bad(word, f"{value!r:.40} is not one of {', '.join(sorted(allowed))}")
            continue
        if kind is str and key == "modalities":
            try:
                value = Modality(value)
            except ValueError:
                shown = ", ".join(m.value for m in Modality)
                f.bad(word, f"unknown modality {value!r:.40}", f"use one of {shown}")
                continue
        found[word] = value
    return found


def load_profile(path: str | Path) -> PlatformProfile:
    """Load a platform profile (``kind = "platform"``): a file, or a shipped one by name.

    Shipped: ``national-de`` (fields named by the national data-element codes, WS 445 /
    WS 363 ``DE…``) and ``guangxi`` (the Guangxi shared-data tables).

    Raises:
        CatalogueError: With every problem of the file (and of its code list).
        ArgumentError: *path* is not a ``str`` or ``os.PathLike``.

    >>> load_profile("national-de").result.fields["value"]
    'DE04.30.015.00'
    """
    path_like("path", path)
    if isinstance(path, str) and path in _SHIPPED:
        path = _DATA / _SHIPPED[path]
    src = Source(Path(path))
    raw = src.load_toml()
    if raw is None:
        src.raise_if_any()
        raise AssertionError  # pragma: no cover - load_toml records why
    top = check_header(src, raw, "platform")
    name = top.get("name", str) or ""
    tables = {table: _load_table(src, top, table) for table in _TABLES}
    if not any(tables.values()) and "kind" in raw:
        top.bad("result", "no [result] or [exam] table", "map at least one kind of row")
    formats = top.str_list("instant_formats")
    for pattern in formats:
        if "%" not in pattern:
            top.bad("instant_formats", f"{pattern!r:.40} has no % directive", "such as %Y-%m-%d")
    zone = None
    if (zone_name := top.get("zone", str, required=False)) is not None:
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            top.bad("zone", f"unknown time zone {zone_name!r:.80}", 'such as "Asia/Shanghai"')
    zeros = top.get("zero_ids_missing", bool, required=False)
    words = _words(src, top, "value_words", str, _COMPARATORS)
    abnormal = _words(src, top, "abnormal_codes", str, _ABNORMAL)
    marks = _words(src, top, "mark_codes", bool, None)
    images = _words(src, top, "image_codes", bool, None)
    modalities = _words(src, top, "modalities", str, None)
    codes = _codes(src, top.get("codes", dict, required=False) or {}, {})
    code_list = (
        _code_list(src, codes["list"]) if codes["system"] == "local" and "list" in codes else ()
    )
    missing = top.str_list("missing")
    top.finish()
    src.raise_if_any()
    return PlatformProfile(
        name,
        tables["report"],
        tables["result"],
        tables["exam"],
        zone,
        formats,
        frozenset(missing),
        True if zeros is None else zeros,
        words,
        abnormal,
        marks,
        images,
        modalities,
        codes,
        code_list,
        raw.get("source"),
    )
