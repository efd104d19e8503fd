"""Crosswalks: hospitals' local item codes mapped to program item codes.

Local codes are compared like item aliases (:func:`~mutrec.model.items.fold`: case, width and
µ/μ do not count). :mod:`mutrec.model.catalogue` re-exports :class:`Crosswalk`.

>>> Crosswalk([("H001", "ＬＡＢ0012", "K")]).item_code("H001", "lab0012")
'K'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import cast

import attrs

from mutrec._checks import items_of, require
from mutrec.errors import ArgumentError, CatalogueError, Problem
from mutrec.model.items import fold

__all__ = ["Crosswalk"]


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
