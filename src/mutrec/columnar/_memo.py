"""What one run of the columnar engine works out once and keeps across its batches.

Every look-up of the vectorised path is a rule's own function called for one distinct key
(an issuer's membership on a day, a unit's factor for a plan …). Keys are texts and days, not a
batch's dictionary indices, so the next batch (a Parquet row group has its own dictionaries)
finds them again. What a decision shows of its findings (code and severity, in order) is
interned: equal findings share one id, and a combination of ids is worded once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Final, TypeAlias

import numpy as np

from mutrec.columnar._columns import EPOCH
from mutrec.errors import MutrecError
from mutrec.model import CareSetting, LabResult, parse_value
from mutrec.model.windows import Counting, Span
from mutrec.policy import Severity
from mutrec.policy._fast import FastView
from mutrec.policy._findings import Finding
from mutrec.policy._plan import ItemPlan
from mutrec.policy._rules_facts import specimen_findings
from mutrec.policy._rules_grade import GradeRule, grade_findings
from mutrec.policy._rules_source import membership_findings, quality_findings, scope_findings
from mutrec.units import Converter, parse_unit

__all__ = ["US_DAY", "Memo", "Shown"]

US_DAY: Final = 86_400_000_000
_US_HOUR: Final = 3_600_000_000
_EPOCH_DAY: Final = date(1970, 1, 1).toordinal()
_FIRST_DAY: Final = date.min.toordinal() - _EPOCH_DAY
_LAST_DAY: Final = date.max.toordinal() - _EPOCH_DAY
_ONE: Final = parse_value("1")
_SETTINGS: Final = {s.value: s._name_ for s in CareSetting}
# A unit no row can pass: the range check (low <= value <= high) fails for every number.
_UNUSABLE: Final = (0.0, 0.0, np.inf, -np.inf)

Shown: TypeAlias = tuple[tuple[str, Severity], ...]


def day_of(day: int) -> date:
    """The date of *day* counted from 1970-01-01."""
    return date.fromordinal(day + _EPOCH_DAY)


def _cap_us(cap: Span | None) -> int | None:
    """A specimen-age cap in microseconds (-1: none); ``None``: not elapsed hours."""
    if cap is None:
        return -1
    if cap.counting is not Counting.HOURS:
        return None
    return cap.amount * _US_HOUR


class Memo:
    """The plans, unit factors, spans and findings one run has looked up, by text keys."""

    __slots__ = (
        "_bounds",
        "_grades",
        "_plan_ids",
        "_plans",
        "_scopes",
        "_sources",
        "_spans",
        "_specimens",
        "_units",
        "_windows",
        "parts",
        "plans",
        "shown",
        "worded",
    )  # fmt: skip

    def __init__(self) -> None:
        """Start empty."""
        self.plans: list[tuple[FastView, ItemPlan]] = []
        self.parts: list[Shown] = []
        self.shown: dict[Shown, int] = {}
        self._bounds: dict[int, tuple[FastView, np.ndarray]] = {}
        self._plans: dict[tuple[int, str, int], int] = {}
        self._plan_ids: dict[int, int] = {}
        self._units: dict[tuple[int, str], tuple[float, float, float, float]] = {}
        self._spans: dict[tuple[int, str], int] = {}
        self._sources: dict[tuple[int, str, int], tuple[int, int]] = {}
        self._scopes: dict[tuple[int, str, int], int] = {}
        self._specimens: dict[tuple[int, str | None], int] = {}
        self._windows: dict[tuple[int, int], int] = {}
        self._grades: dict[tuple[int, str, str], int] = {}
        # A decision's columns by (plan, what it shows): filled by the engine.
        self.worded: dict[tuple[int, Shown], tuple[object, ...]] = {}

    def intern(self, found: Sequence[Finding]) -> int:
        """The id of what *found* shows (codes and severities, in order)."""
        key = tuple((f.code, f.severity) for f in found)
        known = self.shown.get(key)
        if known is None:
            known = self.shown[key] = len(self.parts)
            self.parts.append(key)
        return known

    def bounds(self, fast: FastView) -> np.ndarray:
        """The days where the program's catalogues, members or quality periods start or end.

        Sorted, counted from 1970-01-01; a period's end is the day after its last. Between two
        such days the same catalogue, memberships and quality records hold: every look-up
        keyed by a day reads it only through these.
        """
        known = self._bounds.get(id(fast))
        if known is not None:
            return known[1]
        view = fast.view
        days: set[int] = set()

        def add(since: date, until: date | None) -> None:
            days.add(since.toordinal() - _EPOCH_DAY)
            if until is not None:
                days.add(until.toordinal() + 1 - _EPOCH_DAY)

        for catalogue in view.program.catalogues:
            add(catalogue.effective_from, catalogue.effective_until)
        for periods in view.members.values():
            for since, until, _ in periods:
                add(since, until)
        for by_item, by_category, wide in view.chains.values():
            for chain in (*by_item.values(), *by_category.values(), wide):
                for since, until, _, _ in chain:
                    add(since, until)
        found = np.array(sorted(days), dtype=np.int64)
        self._bounds[id(fast)] = (fast, found)  # the view is kept alive: its id stays its own
        return found

    def bucket_day(self, fast: FastView, bucket: int) -> int:
        """A day in *bucket* of *fast*'s bounds (clamped to the days a date can hold)."""
        bounds = self.bounds(fast)
        bucket = min(bucket, bounds.size)  # beyond: a cell no row of this program is in
        day = 0 if not bounds.size else int(bounds[bucket - 1] if bucket else bounds[0] - 1)
        return min(max(day, _FIRST_DAY), _LAST_DAY)

    def plan(self, fast: FastView, code: str, bucket: int) -> int:
        """The id of *code*'s plan in force in the days of *bucket*, or -1: not vectorised.

        Vectorised: numeric lab items whose window counts calendar days or hours and whose
        specimen-age cap (if any) counts hours, and no later rule applies but the grade rule
        (see :meth:`grade`).
        """
        key = (id(fast), code, bucket)
        known = self._plans.get(key)
        if known is None:
            on = day_of(self.bucket_day(fast, bucket))
            plan = fast.plain_plan(code, on, keyed=(GradeRule,))
            window = None if plan is None else plan.window
            known = -1
            if (
                plan is not None
                and plan.lab
                and plan.numeric
                and window is not None
                and _cap_us(window.window.specimen_age) is not None
            ):
                known = self._plan_ids.get(id(plan))  # one id per plan, whichever bucket
                if known is None:
                    known = self._plan_ids[id(plan)] = len(self.plans)
                    self.plans.append((fast, plan))  # keeps the plan: its id stays its own
            self._plans[key] = known
        return known

    def unit(self, plan: int, text: str) -> tuple[float, float, float, float]:
        """(factor, offset, low, high) of the clean-number shortcut for *text* under *plan*.

        The number is clean when ``low <= value * factor + offset <= high`` (the tighter of
        the plausible and critical limits); ``_UNUSABLE`` when the unit does not parse or does
        not convert by a factor and an offset.
        """
        key = (plan, text)
        known = self._units.get(key)
        if known is None:
            known = _UNUSABLE
            item_plan = self.plans[plan][1]
            try:
                convert = item_plan.convert(parse_unit(text))
            except MutrecError:
                convert = None
            if type(convert) is Converter:
                known = (convert.factor, convert.offset, item_plan.low, item_plan.high)
            self._units[key] = known
        return known

    def span(self, plan: int, setting: str) -> int:
        """The window's length in microseconds for *setting*.

        -1: the window does not count calendar days or hours, or *setting* is not a care
        setting.
        """
        key = (plan, setting)
        known = self._spans.get(key)
        if known is None and setting not in _SETTINGS:
            known = self._spans[key] = -1
        if known is None:
            window = self.plans[plan][1].window
            assert window is not None  # noqa: S101 (plan() keeps only windowed items)
            by = window.by_setting
            span, days, _ = window.spans if by is None else by.get(_SETTINGS[setting], window.spans)
            known = -1
            if days is not None:
                known = days // timedelta(microseconds=1)
            elif span.counting is Counting.HOURS:  # elapsed time in any zone
                known = span.amount * _US_HOUR
            self._spans[key] = known
        return known

    def report_anchored(self, plan: int) -> bool:
        """Whether *plan*'s window counts from the report instant."""
        window = self.plans[plan][1].window
        return window is not None and window.report

    def cap(self, plan: int) -> int:
        """*plan*'s specimen-age cap in microseconds (-1: none)."""
        window = self.plans[plan][1].window
        assert window is not None  # noqa: S101
        found = _cap_us(window.window.specimen_age)
        assert found is not None  # noqa: S101 (plan() keeps only caps in hours)
        return found

    def window_ids(self, plan: int, state: int) -> int:
        """The id of the window's findings in *state* (2 × too old + expired).

        In the program's words: its severity table says how each weighs.
        """
        key = (plan, state)
        known = self._windows.get(key)
        if known is None:
            view = self.plans[plan][0].view
            old = (view.finding_from("window.specimen_too_old", {}),) if state & 2 else ()
            late = (view.finding_from("window.expired", {}),) if state & 1 else ()
            known = self._windows[key] = self.intern(old + late)
        return known

    def sources(self, plan: int, issuer: str, bucket: int) -> tuple[int, int]:
        """The ids of the membership and quality findings of *issuer* in the days of *bucket*."""
        key = (plan, issuer, bucket)
        known = self._sources.get(key)
        if known is None:
            fast, item = self.plans[plan]
            on = day_of(self.bucket_day(fast, bucket))
            member = membership_findings(fast.view, issuer, item.code, on)
            quality = quality_findings(fast.view, issuer, item.code, item.category, on)
            known = self._sources[key] = (self.intern(member), self.intern(quality))
        return known

    def scope(self, plan: int, receiver: str, bucket: int, offset_us: int) -> int:
        """The id of the scope findings of *receiver* on a local day in *bucket*.

        ``scope_findings`` reads the decision's instant only through its local date in the
        program's zone (the receiver's membership then), which the bucket stands for: noon
        of a day of the bucket, at the zone's offset *offset_us*, stands for any instant.
        """
        fast = self.plans[plan][0]
        key = (id(fast.view), receiver, bucket)
        known = self._scopes.get(key)
        if known is None:
            day = self.bucket_day(fast, bucket)
            noon = day * US_DAY + US_DAY // 2 - offset_us
            when: datetime = EPOCH + timedelta(microseconds=noon)
            known = self._scopes[key] = self.intern(scope_findings(fast.view, receiver, when))
        return known

    def grade(self, plan: int, issuer: str, receiver: str) -> int:
        """The id of the grade rule's findings on *issuer*'s results at *receiver*.

        Nothing (the empty findings' id) where the plan's program has no acceptance matrix:
        the rule does not apply to its items.
        """
        fast, item = self.plans[plan]
        if not item.extra:
            return self.intern(())
        key = (id(fast.view), issuer, receiver)
        known = self._grades.get(key)
        if known is None:
            known = self._grades[key] = self.intern(grade_findings(fast.view, issuer, receiver))
        return known

    def specimen(self, plan: int, text: str | None) -> int:
        """The id of the specimen findings of a result of *text* under *plan*."""
        key = (plan, text)
        known = self._specimens.get(key)
        if known is None:
            fast, item = self.plans[plan]
            found: Sequence[Finding] = ()
            if item.specimens is not None:
                # specimen_findings reads the result's specimen alone
                result = LabResult(item.code, _ONE, EPOCH, "-", "-", specimen=text)
                found = specimen_findings(fast.view, item.item, result, item.specimens)
            known = self._specimens[key] = self.intern(found)
        return known
