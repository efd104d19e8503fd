"""Crosswalks: hospitals' local item codes mapped to program item codes; national-code look-ups.

Local codes are compared like item aliases (:func:`~mutrec.model.items.fold`: case, width and
µ/μ do not count). A :class:`CodeIndex` finds items across a whole region by LOINC or
WS/T 886—2026 code, refusing a code two items carry; :func:`crosswalk_from_codes` builds a
crosswalk from a hospital's local code list through it. :mod:`mutrec.model.catalogue`
re-exports the three.

>>> Crosswalk([("H001", "ＬＡＢ0012", "K")]).item_code("H001", "lab0012")
'K'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import cast

import attrs

from mutrec._checks import items_of, require
from mutrec.errors import ArgumentError, CatalogueError, Problem
from mutrec.model.items import WST886_PATTERN, Item, fold

__all__ = ["CodeIndex", "Crosswalk", "crosswalk_from_codes"]


_ENTRY = "an (institution id, local code, item code) tuple of three str"


def _entry_tuple(values: Iterable[tuple[str, str, str]]) -> tuple[tuple[str, str, str], ...]:
    entries = []
    for index, entry in enumerate(items_of("entries", values, (tuple, list), _ENTRY)):
        parts: tuple[object, ...] = tuple(entry)
        if len(parts) != 3 or not all(isinstance(part, str) for part in parts):
            arg = f"entries[{index}]"
            raise ArgumentError(arg, entry, _ENTRY)
        entries.append(cast("tuple[str, str, str]", parts))
    return tuple(entries)


@attrs.frozen
class Crosswalk:
    """Hospitals' local item codes mapped to program item codes.

    Attributes:
        entries: ``(institution id, local code, item code)`` triples.

    Raises:
        CatalogueError: Two entries of one institution have the same local code once folded
            (``LAB0012`` and ``ｌａｂ0012``): which item it means would be a guess.

    >>> cw = Crosswalk([("H001", "LAB0012", "K")])
    >>> cw.item_code("H001", "lab0012"), cw.item_code("H002", "LAB0012")
    ('K', None)
    """

    entries: tuple[tuple[str, str, str], ...] = attrs.field(converter=_entry_tuple)
    _index: dict[tuple[str, str], str] = attrs.field(init=False, eq=False, repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        """Index the entries (local codes are folded like aliases), refusing duplicates."""
        index: dict[tuple[str, str], str] = {}
        first: dict[tuple[str, str], str] = {}
        problems: list[Problem] = []
        for n, (inst, local, code) in enumerate(self.entries):
            key = (inst, fold(local))
            if key in index:
                problems.append(
                    Problem(
                        "crosswalk",
                        f"entries[{n}]",
                        f"local code {local!r} of {inst!r} (item {code!r}) is already mapped: "
                        f"{first[key]!r} to item {index[key]!r}",
                        hint="give each local code one entry (case and width do not count)",
                    )
                )
                continue
            index[key] = code
            first[key] = local
        if problems:
            raise CatalogueError(problems)
        object.__setattr__(self, "_index", index)

    def item_code(self, institution: str, local_code: str) -> str | None:
        """The program item code for *institution*'s *local_code*, or ``None``."""
        try:
            return self._index.get((institution, fold(local_code)))
        except (TypeError, ArgumentError):
            require("institution", institution, str)
            require("local_code", local_code, str)
            raise


def _item_tuple(values: Iterable[Item]) -> tuple[Item, ...]:
    return items_of("items", values, Item)


@attrs.frozen
class CodeIndex:
    """Items found by national code across a whole region: LOINC and WS/T 886—2026.

    One item code may appear in several catalogues (one per cycle): it is one item. A code that
    two *different* items carry is ambiguous, and :meth:`item_code` refuses it: which item a
    result means would be a guess. :meth:`matches` says which items carry it, for the reason.

    Attributes:
        items: The items of every catalogue of the region.

    >>> from mutrec.model.items import Category, ItemKind
    >>> from mutrec.units import parse_unit
    >>> k = Item("K", "钾", "Potassium", ItemKind.LAB, Category.CHEMISTRY, loinc="2823-3",
    ...          wst886="1400605A", unit=parse_unit("mmol/L"))
    >>> k2 = Item("K-WB", "全血钾", "Potassium, whole blood", ItemKind.LAB, Category.CHEMISTRY,
    ...           loinc="2823-3")
    >>> index = CodeIndex([k, k2])
    >>> index.item_code("1400605A"), index.item_code("2823-3"), index.matches("2823-3")
    ('K', None, ('K', 'K-WB'))
    """

    items: tuple[Item, ...] = attrs.field(converter=_item_tuple)
    _codes: dict[str, tuple[str, ...]] = attrs.field(init=False, eq=False, repr=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        """Index each LOINC and WS/T 886 code to the item codes that carry it."""
        found: dict[str, set[str]] = {}
        for item in self.items:
            for code in (item.loinc, item.wst886):
                if code:
                    found.setdefault(code.strip(), set()).add(item.code)
        object.__setattr__(self, "_codes", {k: tuple(sorted(v)) for k, v in found.items()})

    def matches(self, code: str) -> tuple[str, ...]:
        """The codes of the items carrying LOINC or WS/T 886 *code* (sorted; empty if none)."""
        require("code", code, str)
        return self._codes.get(code.strip(), ())

    def item_code(self, code: str) -> str | None:
        """The code of the one item carrying *code*; ``None`` when none or several do."""
        found = self.matches(code)
        return found[0] if len(found) == 1 else None

    def why_not(self, code: str) -> str | None:
        """Why *code* designates no single item, or ``None`` when it does.

        >>> CodeIndex([]).why_not("0100101A")
        "no item of the region has WS/T 886 code '0100101A'"
        """
        found = self.matches(code)
        system = "WS/T 886 code" if WST886_PATTERN.fullmatch(code.strip()) else "LOINC"
        if not found:
            return f"no item of the region has {system} {code.strip()!r:.40}"
        if len(found) > 1:
            return f"{system} {code.strip()!r} is carried by items {', '.join(found)}: ambiguous"
        return None


_CODE_COLUMNS = ("local", "loinc", "wst886", "name")


def _cell(row: Mapping[str, object], column: str) -> str | None:
    value = row.get(column)
    if value is None:
        return None
    if not isinstance(value, str):
        arg = f"rows[].{column}"
        raise ArgumentError(arg, value, "text (a str) or None")
    return value.strip() or None


def crosswalk_from_codes(
    institution: str,
    rows: Iterable[Mapping[str, str | None]],
    index: CodeIndex,
    *,
    source: str = "code list",
) -> tuple[Crosswalk, tuple[Problem, ...]]:
    """Build *institution*'s crosswalk from its local code list; say which rows are not mapped.

    Each row maps a ``local`` code to a ``loinc`` and/or ``wst886`` code (``name`` is quoted
    in problems only: a name is never matched, that would be a guess). A row is mapped when
    its codes designate exactly one item of *index*, the same item for both; otherwise it is
    left out with a :class:`~mutrec.errors.Problem` (``where`` is ``rows[n]``, from 0). A local
    code listed twice is left out both times.

    Args:
        institution: The institution whose codes these are.
        rows: Mappings with the keys ``local``, ``loinc``, ``wst886``, ``name`` (each optional
            but ``local``; blank cells are absent), such as ``csv.DictReader`` rows.
        index: The region's items (:attr:`mutrec.files.Region.codes`).
        source: The code list's name, for problems.

    Raises:
        ArgumentError: An argument, or a cell, is not of its type.

    >>> from mutrec.files import load_example_region
    >>> rows = [{"local": "L1", "loinc": "2823-3", "name": "钾"},
    ...         {"local": "L2", "wst886": "1700104A", "name": "葡萄糖"},
    ...         {"local": "L3", "loinc": "3094-0", "name": "尿素氮"}]
    >>> crosswalk, problems = crosswalk_from_codes("H9", rows, load_example_region().codes)
    >>> crosswalk.item_code("H9", "L2"), crosswalk.item_code("H9", "L3")
    ('Glu', None)
    >>> print(problems[0])
    code list: rows[2]: L3 (尿素氮): no item of the region has LOINC '3094-0'
    """
    require("institution", institution, str)
    require("index", index, CodeIndex)
    require("source", source, str)
    entries: dict[str, tuple[int, str, str]] = {}
    twice: set[str] = set()
    problems: list[Problem] = []
    for n, row in enumerate(items_of("rows", rows, Mapping, "mappings of column to text")):
        cells = {column: _cell(row, column) for column in _CODE_COLUMNS}
        local = cells["local"]
        label = local or "(blank)"
        label = f"{label} ({cells['name']})" if cells["name"] else label
        why = None
        codes = [c for c in (cells["loinc"], cells["wst886"]) if c]
        found = {index.item_code(c) for c in codes}
        if local is None:
            why = "no local code"
        elif not codes:
            why = "no LOINC or WS/T 886 code: not mapped"
        elif cells["wst886"] and not WST886_PATTERN.fullmatch(cells["wst886"]):
            why = f"{cells['wst886']!r:.40} is not a WS/T 886 code (7 digits and A-D)"
        elif None in found:
            why = next(r for c in codes if (r := index.why_not(c)))
        elif len(found) > 1:
            items = ", ".join(sorted(map(str, found)))
            why = f"its LOINC and WS/T 886 codes designate different items ({items})"
        if why is not None:
            problems.append(Problem(source, f"rows[{n}]", f"{label}: {why}"))
            continue
        key = fold(cast("str", local))
        if key in entries:
            twice.add(key)
            first = entries[key][0]
            problems.append(
                Problem(source, f"rows[{n}]", f"{label}: local code listed twice (rows[{first}])")
            )
            continue
        entries[key] = (n, cast("str", local), cast("str", found.pop()))
    kept = [(institution, local, item) for key, (_, local, item) in entries.items()]
    mapped = [entry for entry, key in zip(kept, entries, strict=True) if key not in twice]
    return Crosswalk(mapped), tuple(problems)
