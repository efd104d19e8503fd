"""Look-ups a program view prepares once: membership periods, quality chains, zone offsets.

The default rules read these (``_rules_source``, ``_rules_result``), whichever route the policy
takes: the plain rule loop and the fast pass share one index and so one meaning.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import TypeAlias

from mutrec.model.programs import Program, QualityBook, QualityRecord

__all__ = [
    "Chain",
    "OffsetMemo",
    "Periods",
    "QualityIndex",
    "member_periods",
    "quality_index",
    "shared_quality_index",
    "sharing",
]

Periods: TypeAlias = tuple[tuple[date, date, frozenset[str] | None], ...]
"""An institution's membership periods: (since, until (inclusive), items or ``None``)."""

Chain: TypeAlias = tuple[tuple[date, date, QualityRecord, str], ...]
"""Quality records in the order ``QualityBook.covering`` tries them, with their period text."""

QualityIndex: TypeAlias = dict[str, tuple[dict[str, Chain], dict[str, Chain], Chain]]
"""By institution: item-specific chains by item code, category + wide chains by category
name, and the wide chain alone."""


def member_periods(program: Program) -> dict[str, Periods]:
    """*program*'s memberships by institution, as ``Program.membership`` reads them.

    >>> from datetime import date
    >>> from zoneinfo import ZoneInfo
    >>> from mutrec.model.programs import Membership
    >>> p = Program("p", "s", "sHR", (), [Membership("H1", date(2024, 1, 1))],
    ...             zone=ZoneInfo("UTC"))
    >>> member_periods(p)["H1"][0][1]
    datetime.date(9999, 12, 31)
    """
    members: dict[str, list[tuple[date, date, frozenset[str] | None]]] = {}
    for m in program.members:
        until = date.max if m.until is None else m.until
        members.setdefault(m.institution, []).append((m.since, until, m.items))
    return {inst: tuple(periods) for inst, periods in members.items()}


def _chain(records: Iterable[QualityRecord]) -> Chain:
    # QualityBook's order: among records of one kind, the latest valid_from first (stable).
    ordered = sorted(records, key=lambda r: r.valid_from, reverse=True)
    return tuple(
        (r.valid_from, r.valid_until, r, f"{r.valid_from.isoformat()}/{r.valid_until.isoformat()}")
        for r in ordered
    )


# While a policy is built (``sharing``), each book's index by the book's id: the programs of a
# policy read one book (~100,000 records in a province), indexed once. Emptied when the build
# ends, so no index outlives its policy.
_SHARED: dict[int, tuple[QualityBook, QualityIndex]] = {}
_BUILDS = [0]


@contextmanager
def sharing() -> Iterator[None]:
    """Share each quality book's index between the views built inside (one policy's build).

    >>> with sharing():
    ...     shared_quality_index(QualityBook(())) == {}
    True
    """
    _BUILDS[0] += 1
    try:
        yield
    finally:
        _BUILDS[0] -= 1
        if not _BUILDS[0]:
            _SHARED.clear()


def shared_quality_index(book: QualityBook) -> QualityIndex:
    """:func:`quality_index` of *book*, computed once per book inside :func:`sharing`.

    >>> book = QualityBook(())
    >>> with sharing():
    ...     shared_quality_index(book) is shared_quality_index(book)
    True
    """
    known = _SHARED.get(id(book))
    if known is not None and known[0] is book:
        return known[1]
    index = quality_index(book)
    if _BUILDS[0]:
        _SHARED[id(book)] = (book, index)
    return index


def quality_index(book: QualityBook) -> QualityIndex:
    """Index *book*'s records as ``QualityBook.covering`` reads them, as flat chains.

    >>> from datetime import date
    >>> from mutrec.model.programs import QualityBook, QualityRecord, Scheme
    >>> index = quality_index(QualityBook([QualityRecord("H1", True, date(2024, 1, 1),
    ...                                      date(2024, 12, 31), scheme=Scheme.NATIONAL)]))
    >>> index["H1"][2][0][3]
    '2024-01-01/2024-12-31'
    """
    by_item: dict[str, dict[str, list[QualityRecord]]] = {}
    by_category: dict[str, dict[str, list[QualityRecord]]] = {}
    wide: dict[str, list[QualityRecord]] = {}
    for r in book.records:
        if r.item is not None:
            by_item.setdefault(r.institution, {}).setdefault(r.item, []).append(r)
        elif r.category is not None:
            by_category.setdefault(r.institution, {}).setdefault(r.category.name, []).append(r)
        else:
            wide.setdefault(r.institution, []).append(r)
    index: QualityIndex = {}
    for inst in {r.institution for r in book.records}:
        everywhere = _chain(wide.get(inst, ()))
        index[inst] = (
            {code: _chain(rs) for code, rs in by_item.get(inst, {}).items()},
            {name: _chain(rs) + everywhere for name, rs in by_category.get(inst, {}).items()},
            everywhere,
        )
    return index


class OffsetMemo:
    """A zone's UTC offset all through a year, remembered per year (``None``: it changes).

    Sampled at noon of every day (and the next New Year): an offset that holds for a day or
    more is seen; a zone's changes (DST, a new offset) last longer than that. Asia/Shanghai has
    one offset since 1991, so every recent year is one look-up.

    >>> from zoneinfo import ZoneInfo
    >>> OffsetMemo(ZoneInfo("Asia/Shanghai")).offset_in(2024)
    datetime.timedelta(seconds=28800)
    >>> OffsetMemo(ZoneInfo("Europe/London")).offset_in(2024) is None
    True
    """

    __slots__ = ("offsets", "zone")

    def __init__(self, zone: tzinfo) -> None:
        """Remember offsets of *zone*."""
        self.zone = zone
        self.offsets: dict[int, timedelta | None] = {}

    def offset_in(self, year: int) -> timedelta | None:
        """The zone's one offset in *year*, or ``None``."""
        try:
            return self.offsets[year]
        except KeyError:
            pass
        zone = self.zone
        found: timedelta | None = None
        if type(zone) is timezone:
            found = zone.utcoffset(None)
        elif 1 < year < 9999:
            noon = datetime(year, 1, 1, 12)  # noqa: DTZ001 (a wall time, read in *zone*)
            offsets = {zone.utcoffset(noon + timedelta(days=d)) for d in range(367)}
            found = offsets.pop() if len(offsets) == 1 else None
        self.offsets[year] = found  # pure: concurrent fillers store equal values
        return found
