"""Programs (a region's scheme) and their memberships.

Dates here are calendar dates in the program's zone; ``until`` dates are the last day
(inclusive), as notices print them (有效期至 …). Instants are placed in that calendar with
:meth:`Program.local_date`. Quality records are defined in :mod:`mutrec.model.quality`, fee
schedules in :mod:`mutrec.model.fees`; this module re-exports both.

>>> from datetime import date, datetime
>>> from zoneinfo import ZoneInfo
>>> prog = Program("demo", "京津冀鲁", "京津冀HR", (), [Membership("H1", date(2023, 1, 1))],
...                zone=ZoneInfo("Asia/Shanghai"))
>>> prog.is_member("H1", datetime(2024, 5, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
True
"""

from __future__ import annotations

import enum
import itertools
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, tzinfo

import attrs

from mutrec._checks import instance_of, items_of, optional
from mutrec.errors import ArgumentError, CatalogueError, Problem
from mutrec.model._lookups import check_lookup
from mutrec.model.acceptance import Acceptance
from mutrec.model.catalogue import Catalogue
from mutrec.model.fees import Fee, FeeBucket, FeeSchedule
from mutrec.model.instants import local_date, require_aware
from mutrec.model.quality import QualityBook, QualityRecord, Scheme

__all__ = [
    "Fee",
    "FeeBucket",
    "FeeSchedule",
    "Membership",
    "Program",
    "ProgramKind",
    "QualityBook",
    "QualityRecord",
    "Scheme",
]


def _catalogue_tuple(values: Iterable[Catalogue]) -> tuple[Catalogue, ...]:
    return items_of("catalogues", values, Catalogue)


def _membership_tuple(values: Iterable[Membership]) -> tuple[Membership, ...]:
    return items_of("members", values, Membership)


_str = instance_of(str)
_opt_str = optional(_str)
_date = instance_of(date)
_opt_date = optional(_date)


def _is_zone(_instance: object, attribute: attrs.Attribute[tzinfo], value: object) -> None:
    # None would not fail: astimezone(None) quietly means the host's zone.
    if not isinstance(value, tzinfo):
        raise ArgumentError(attribute.name, value, "a tzinfo such as ZoneInfo('Asia/Shanghai')")


def _covers(since: date, until: date | None, on: date) -> bool:
    return since <= on and (until is None or on <= until)


def _codes(value: Iterable[str] | None) -> frozenset[str] | None:
    if isinstance(value, str):
        # frozenset("Glu") is {"G", "l", "u"}: a lone code must come in a collection.
        arg = "items"
        raise ArgumentError(arg, value, "a collection of item codes, not a string")
    return None if value is None else frozenset(items_of("items", value, str))


class ProgramKind(enum.Enum):
    """A region's recognition program, or a medical alliance (医联体 / 医共体).

    An alliance is decided exactly as a program is (the same rules: membership, scope, quality,
    windows …), with its members as its scope: the 2024 guidance (国卫医政发〔2024〕37号) asks
    every close-knit alliance to recognise all items among its members, so a result both of
    whose ends are members is recognised under the alliance even where the regional catalogue
    does not list the item. An alliance carries no regional mark.

    >>> ProgramKind("alliance").name
    'ALLIANCE'
    """

    PROGRAM = "program"
    ALLIANCE = "alliance"


@attrs.frozen
class Membership:
    """An institution's membership of a program over a period, optionally for some items.

    Attributes:
        institution: The institution's id.
        since: First day of membership.
        until: Last day (inclusive), or ``None`` while current.
        items: The item codes it is a member for; ``None`` for every item.

    >>> m = Membership("H1", date(2023, 1, 1), date(2023, 12, 31), items={"K", "Na"})
    >>> m.covers(date(2023, 6, 1), "K"), m.covers(date(2023, 6, 1), "ALT")
    (True, False)
    >>> m.covers(date(2024, 1, 1))   # the day after 'until'
    False
    >>> Membership("H1", date(2023, 1, 1), items="Glu")
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument 'items' = 'Glu': expected a collection of item codes, ...
    """

    institution: str = attrs.field(validator=_str)
    since: date = attrs.field(validator=_date)
    until: date | None = attrs.field(default=None, validator=_opt_date)
    items: frozenset[str] | None = attrs.field(default=None, kw_only=True, converter=_codes)

    def __attrs_post_init__(self) -> None:
        """Refuse a period that ends before it starts."""
        if self.until is not None and self.until < self.since:
            msg = f"a date on or after 'since' {self.since}: membership of {self.institution!r}"
            arg = "until"
            raise ArgumentError(arg, self.until, msg)

    def covers(self, on: date, item: str | None = None) -> bool:
        """Whether the membership covers the date *on* (and the item code, if given)."""
        in_scope = item is None or self.items is None or item in self.items
        return in_scope and _covers(self.since, self.until, on)


@attrs.frozen
class Program:
    """A recognition program: its mark, catalogues (versions over time) and members.

    Attributes:
        name: The program's name.
        scope: The area it covers, such as ``京津冀鲁``.
        mark: The mark's display form: ``京津冀HR``, ``鄂HR``, ``★`` …
        catalogues: Its catalogues; at most one in force on any day per kind.
        members: Memberships; one institution's periods must not overlap.
        zone: The zone whose calendar dates the program's dates are in.
        source: Where the program's data come from.
        kind: A regional program, or a medical alliance (:class:`ProgramKind`).
        acceptance: Its acceptance matrix by hospital level and grade, if it has one
            (:class:`~mutrec.model.acceptance.Acceptance`).

    Raises:
        CatalogueError: Overlapping membership periods, a member scoped to unknown items, or
            two catalogues of one kind (lab / imaging) in force on the same day.
        ArgumentError: *zone* is not a ``tzinfo`` (``None`` would silently mean the host's zone).

    >>> from mutrec.files import load_example_region
    >>> prog = load_example_region().programs["北京市影像互认(示例)"]
    >>> prog.mark, prog.catalogue_at(date(2024, 5, 1)).version
    ('北京HR', '2024')
    >>> at = datetime(2024, 5, 1, 9, tzinfo=prog.zone)
    >>> prog.is_member("BJ002", at, "MR-HEAD"), prog.is_member("BJ002", at, "CT-HEAD")
    (True, False)
    """

    name: str = attrs.field(validator=_str)
    scope: str = attrs.field(validator=_str)
    mark: str = attrs.field(validator=_str)
    catalogues: tuple[Catalogue, ...] = attrs.field(converter=_catalogue_tuple)
    members: tuple[Membership, ...] = attrs.field(converter=_membership_tuple)
    zone: tzinfo = attrs.field(kw_only=True, validator=_is_zone)
    source: str | None = attrs.field(default=None, kw_only=True, validator=_opt_str)
    kind: ProgramKind = attrs.field(
        default=ProgramKind.PROGRAM, kw_only=True, validator=instance_of(ProgramKind)
    )
    acceptance: Acceptance | None = attrs.field(
        default=None, kw_only=True, validator=optional(instance_of(Acceptance))
    )
    _members: dict[str, tuple[Membership, ...]] = attrs.field(
        init=False, eq=False, repr=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        """Index memberships by institution, refusing overlaps and dangling item codes."""
        problems = self._catalogue_overlaps()
        known = {item.code for cat in self.catalogues for item in cat.items}
        grouped: defaultdict[str, list[Membership]] = defaultdict(list)
        for m in self.members:
            grouped[m.institution].append(m)
            if self.catalogues and m.items is not None and (unknown := m.items - known):
                problems.append(
                    Problem(
                        self.name,
                        f"members.{m.institution}.items",
                        f"unknown item codes {sorted(unknown)}",
                        hint="use codes from the program's catalogues",
                    )
                )
        for inst, periods in grouped.items():
            periods.sort(key=lambda m: m.since)
            for a, b in itertools.pairwise(periods):
                if a.until is None or b.since <= a.until:
                    problems.append(
                        Problem(
                            self.name,
                            f"members.{inst}",
                            f"membership periods overlap: {a.since}..{a.until or ''} and "
                            f"{b.since}..{b.until or ''}",
                            hint="end the earlier period before the next one starts",
                        )
                    )
        if problems:
            raise CatalogueError(problems)
        object.__setattr__(self, "_members", {k: tuple(v) for k, v in grouped.items()})

    def _catalogue_overlaps(self) -> list[Problem]:
        """Two catalogues of one kind in force on one day: which one applies would be a guess."""
        problems: list[Problem] = []
        by_kind: defaultdict[str, list[Catalogue]] = defaultdict(list)
        for cat in self.catalogues:
            for kind in sorted({item.kind.value for item in cat.items}):
                by_kind[kind].append(cat)
        for kind, cats in sorted(by_kind.items()):
            cats.sort(key=lambda c: c.effective_from)
            for i, a in enumerate(cats):
                for b in cats[i + 1 :]:
                    if a.effective_until is not None and a.effective_until < b.effective_from:
                        continue
                    problems.append(
                        Problem(
                            self.name,
                            f"catalogues.{kind}",
                            f"{kind} catalogues overlap: {a.name}@{a.version} "
                            f"({a.effective_from}..{a.effective_until or ''}) and "
                            f"{b.name}@{b.version} ({b.effective_from}..{b.effective_until or ''}) "
                            f"are both in force from {b.effective_from}",
                            hint=f"set effective_until of {a.name}@{a.version} to the day "
                            f"before {b.effective_from}",
                        )
                    )
        return problems

    def _repr_html_(self) -> str:
        """Render as an HTML table in notebooks (see :func:`mutrec.model._html.program_html`).

        >>> from mutrec.files import load_example_region
        >>> "北京HR" in load_example_region().programs["北京市影像互认(示例)"]._repr_html_()
        True
        """
        from mutrec.model._html import program_html

        return program_html(self)

    def local_date(self, instant: datetime) -> date:
        """The program-calendar date of an aware *instant*.

        Raises:
            TimeZoneError: *instant* is naive.
        """
        zone = self.zone
        if type(instant) is datetime and instant.tzinfo is zone:
            # Already on the program's clock (and so aware): the hot path skips both calls.
            return instant.date()
        return local_date(require_aware(instant, "instant"), zone)

    def catalogue_at(self, instant: datetime | date, item: str | None = None) -> Catalogue | None:
        """The catalogue in force at *instant* (containing *item*, if given), or ``None``."""
        on = instant if not isinstance(instant, datetime) else self.local_date(instant)
        try:
            for cat in self.catalogues:
                if cat.in_force(on) and (item is None or item in cat):
                    return cat
        except (TypeError, ArgumentError):
            check_lookup(instant=instant, item=item)
            raise
        return None

    def membership(
        self, institution: str, instant: datetime | date, item: str | None = None
    ) -> Membership | None:
        """The membership covering *institution* (and *item*) at *instant*, or ``None``."""
        on = instant if not isinstance(instant, datetime) else self.local_date(instant)
        # Membership.covers inlined: this runs once or twice per evaluated result.
        try:
            for m in self._members.get(institution, ()):
                if (
                    m.since <= on
                    and (m.until is None or on <= m.until)
                    and (item is None or m.items is None or item in m.items)
                ):
                    return m
        except TypeError:  # checked only on failure: the fast path calls this
            check_lookup(institution=institution, instant=instant, item=item)
            raise
        return None

    def is_member(
        self, institution: str, instant: datetime | date, item: str | None = None
    ) -> bool:
        """Whether *institution* is a member (for *item*) at *instant*."""
        return self.membership(institution, instant, item) is not None
