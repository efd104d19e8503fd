"""The vectorised path of the columnar engine: the common rows decided on columns.

Vectorised twins, guarded by ``tests/columnar/test_differential.py`` (which compares every row
with ``Policy.evaluate``):

- the clean-number shortcut of ``ItemPlan.clean_number`` (a measured number times the unit's
  factor plus its offset, inside the tighter of the plausible and critical limits);
- the calendar-day arithmetic of ``window_findings`` (expiry = anchor + N days while the
  program's zone keeps one offset, as ``OffsetMemo`` says, over every instant involved) and
  its ``window.expired`` comparison.

Every other finding comes from the rule's own function (``membership_findings``,
``scope_findings``, ``quality_findings``, ``specimen_findings``), called once per distinct key
(see :class:`~mutrec.columnar._memo.Memo`) and spread over the rows: a dictionary-encoded join.
Each step works on all rows of the batch at once (no compaction); a row that left the path
earlier carries "no plan" into the later keys, and only ``vec`` says which rows are decided
here. Look-ups are keyed by what they read (the item and the day's place among the program's
period bounds, not the day), so a batch of a year asks each one a few hundred times at most.
Rows the path does not cover exactly (imaging, text values, grounds, a patient mismatch, a
zone changing offset, aliases, an item of several programs …) are left to
``Policy.evaluate``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Final

import numpy as np
import pyarrow as pa

from mutrec.columnar._columns import Cells, Columns, years_of
from mutrec.columnar._facts import Facts, facts_of
from mutrec.columnar._memo import US_DAY, Memo, Shown
from mutrec.policy import Policy
from mutrec.policy._fast import FastView
from mutrec.policy._indexes import OffsetMemo
from mutrec.policy._policy import fast_view_for

__all__ = ["Vectorised", "vectorise"]

_US: Final = timedelta(microseconds=1)
# Day tables (a bucket per day) for spans of days up to this many per row; else searchsorted.
_DAYS_PER_ROW: Final = 4
# Rows whose years are sampled to find a program's commonest year.
_SAMPLE: Final = 64


class Vectorised:
    """The rows decided on columns: ``vec``, each one's combination and its numbers."""

    __slots__ = ("combo", "combos", "expires", "facts", "value", "vec")

    def __init__(self, facts: Facts) -> None:
        """No row decided yet."""
        self.facts = facts
        self.vec = facts.vec
        self.combo: Any = np.zeros(facts.n, dtype=np.int64)  # or one for every row
        # (plan id in the memo, what the decision shows), one per combination
        self.combos: list[tuple[int, Shown]] = []
        self.value: np.ndarray = np.zeros(facts.n)
        self.expires: np.ndarray = np.zeros(facts.n, dtype=np.int64)


def _local(seen: dict[Any, int], value: Any) -> int:
    """*value*'s number among the values seen (in order of first sight)."""
    return seen.setdefault(value, len(seen))


_NEVER: Final = np.iinfo(np.int64)


def _span(values: np.ndarray, where: np.ndarray) -> tuple[int, int]:
    """The least and greatest of *values* where *where* holds (some row does)."""
    low = values.min(where=where, initial=_NEVER.max)
    return int(low), int(values.max(where=where, initial=_NEVER.min))


class _Batch:
    """One batch under way: its facts, programs and the keys worked out so far."""

    def __init__(self, policy: Policy, cols: Columns, memo: Memo, done: Vectorised) -> None:
        """Find the programs of the batch's items."""
        self.cols, self.memo, self.done = cols, memo, done
        self.facts, self.vec = done.facts, done.vec
        self.item, self.items = cols.codes("item")
        self.fasts: list[FastView] = []
        seen: dict[int, int] = {}
        of_item = []
        for text in self.items:
            fast = fast_view_for(policy, text) if isinstance(text, str) else None
            if fast is not None and id(fast) not in seen:
                seen[id(fast)] = len(self.fasts)
                self.fasts.append(fast)
            of_item.append(-1 if fast is None else seen[id(fast)])
        self.of_fast = seen
        none = len(self.fasts)
        self.fast_of_item = np.array([none if k < 0 else k for k in of_item] + [none])
        self.prog = self.fast_of_item[self.item]
        self.vec &= self.prog < none
        self.offsets = np.zeros(none + 1, dtype=np.int64)
        self.years = [0] * none  # the year each program's offset was read in
        self.offset: np.ndarray | int = 0
        self.bucket: np.ndarray | int = 0
        self.buckets = 1
        self.plan: Any = np.zeros(0, dtype=np.int64)  # per row, or one for every row
        self.plans: list[int] = []

    def rows_of(self, p: int) -> np.ndarray:
        """The mask of program *p*'s rows among those still vectorised."""
        return self.vec if len(self.fasts) == 1 else self.vec & (self.prog == p)

    def zone_offsets(self) -> None:
        """Each program's offset, read in its rows' commonest year (``steady`` checks them all).

        The year is the commonest of a sample of rows (years whose offset is not one, such as a
        daylight-saving year, are passed over): the rows outside the stretch of years with
        that offset go to the scalar path.
        """
        collected = self.facts.collected
        for p, fast in enumerate(self.fasts):
            live = np.flatnonzero(self.rows_of(p))
            if not live.size:
                continue
            sample = live[:: max(1, live.size // _SAMPLE)]
            years, counts = np.unique(years_of(collected[sample]), return_counts=True)
            found = None
            for year in years[np.argsort(-counts, kind="stable")].tolist():
                found = fast.view.offsets.offset_in(year)
                if found is not None:
                    self.years[p] = year
                    self.offsets[p] = found // _US
                    break
            if found is None:
                self.vec &= self.prog != p
        self.offset = int(self.offsets[0]) if len(self.fasts) == 1 else self.offsets[self.prog]

    def buckets_of(self, instants: np.ndarray) -> tuple[np.ndarray | int, int]:
        """Each row's place among its program's bounds (see ``Memo.bounds``), and how many.

        Places count the local days of *instants* (UTC microseconds).
        """
        bounds = [self.memo.bounds(fast) for fast in self.fasts]
        size = max(len(b) for b in bounds) + 1
        if len(bounds) > 1:
            day = (instants + self.offset) // US_DAY
            found = np.zeros(day.size, dtype=np.int64)
            for p, b in enumerate(bounds):
                these = self.prog == p
                found[these] = np.searchsorted(b, day[these], side="right")
            return found, size
        only, offset = bounds[0], int(self.offset)
        first, last = ((t + offset) // US_DAY for t in _span(instants, self.vec))
        low, high = np.searchsorted(only, [first, last], side="right")
        if low == high:  # no bound inside the batch's days: one bucket
            return int(low), size
        day = (instants + offset) // US_DAY
        if last - first > _DAYS_PER_ROW * day.size:
            return np.searchsorted(only, day, side="right"), size
        table = np.searchsorted(only, np.arange(first, last + 1), side="right")
        day -= first
        np.clip(day, 0, last - first, out=day)  # rows off the path: any bucket
        return table[day], size

    def plans_of(self) -> None:
        """Each row's item plan (the local number ``len(plans)``: none)."""
        self.bucket, self.buckets = self.buckets_of(self.facts.collected)
        items, buckets = len(self.items), self.buckets
        # Only the (item, bucket) pairs rows have: every plan found multiplies later keys.
        cells = Cells(self.item * buckets + self.bucket, (items + 1) * buckets, every=False)
        local: dict[int, int] = {}
        found = []
        for cell in cells.keys:
            k, bucket = divmod(cell, buckets)
            p = int(self.fast_of_item[k])  # the last k: a blank item, of no program
            if p == len(self.fasts) or bucket > len(self.memo.bounds(self.fasts[p])):
                found.append(-1)
                continue
            g = self.memo.plan(self.fasts[p], self.items[k], bucket)
            found.append(-1 if g < 0 else _local(local, g))
        self.plans = list(local)
        none = len(self.plans)
        self.plan = cells.spread([none if i < 0 else i for i in found])
        self.vec &= self.plan < none

    def plan_cells(
        self, codes: np.ndarray, texts: list[Any], *looks: tuple[Callable[[int, Any], Any], Any]
    ) -> tuple[Cells, list[list[Any]]]:
        """The cells of (plan, text of *codes*) and each ``look(plan id, text)`` per cell.

        Each look has its *blank*: the value of cells without a plan (or without a text,
        where *codes* has none).
        """
        none, width = len(self.plans), len(texts) + 1
        cells = Cells(self.plan * width + codes, (none + 1) * width)
        found: list[list[Any]] = [[] for _ in looks]
        for cell in cells.keys:
            p, c = divmod(cell, width)
            blank = p == none or c == len(texts)
            for (look, default), values in zip(looks, found, strict=True):
                values.append(default if blank else look(self.plans[p], texts[c]))
        return cells, found

    def by_plan(
        self, codes: np.ndarray, texts: list[Any], look: Callable[[int, Any], Any], blank: Any
    ) -> Any:
        """``look(plan id, text)`` per (plan, text of *codes*), spread over the rows."""
        cells, (found,) = self.plan_cells(codes, texts, (look, blank))
        return cells.spread(found, np.float64 if isinstance(blank, float) else np.int64)

    def units(self) -> np.ndarray:
        """The converted value of each row; rows whose number is not clean leave the path."""
        unit, texts = self.cols.codes("unit")
        unusable = (1.0, 0.0, np.inf, -np.inf)  # no conversion, and no number passes
        cells, (found,) = self.plan_cells(unit, texts, (self.memo.unit, unusable))
        factor, shift, low, high = (list(column) for column in zip(*found, strict=True))
        value: np.ndarray = self.facts.number
        if any(f != 1 for f in factor) or any(shift):  # not every row in the item's unit
            value = value * cells.spread(factor, np.float64) + cells.spread(shift, np.float64)
        low_row, high_row = cells.spread(low, np.float64), cells.spread(high, np.float64)
        self.vec &= (low_row <= value) & (value <= high_row)
        return value

    def window(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each row's window: its anchor, expiry, and state (2 × too old + expired)."""
        facts, memo = self.facts, self.memo
        span = self.by_plan(facts.setting, facts.settings, memo.span, -1)
        self.vec &= span >= 0
        anchored = self.per_plan([memo.report_anchored(g) for g in self.plans])
        if isinstance(anchored, np.ndarray):
            self.vec &= ~anchored | facts.has_reported
            start = np.where(anchored, facts.reported, facts.collected)
        elif anchored:  # every item's window counts from the report (the region's habit)
            self.vec &= facts.has_reported
            start = facts.reported
        else:
            start = facts.collected
        ends = start + span
        state = (facts.at >= ends).astype(np.int64)
        cap = self.per_plan([memo.cap(g) for g in self.plans])
        if isinstance(cap, np.ndarray) or cap >= 0:  # specimen age: collection to report
            late = facts.has_reported & (facts.reported > facts.collected + cap)
            if isinstance(cap, np.ndarray):
                late &= cap >= 0
            state += 2 * late
        return start, ends, state

    def per_plan(self, values: list[Any]) -> Any:
        """*values* (one per plan) per row; the value itself when every plan has it."""
        if len(set(values)) == 1:
            return values[0]
        return np.array([*values, values[0]])[self.plan]  # a row without a plan: any

    def steady(self, start: np.ndarray, ends: np.ndarray) -> None:
        """Keep the rows whose instants all lie where their program's zone keeps its offset.

        Then calendar days are elapsed days, and a local day is the UTC instant plus the
        offset: the vectorised arithmetic is the scalar path's.
        """
        facts = self.facts
        for p, fast in enumerate(self.fasts):
            mask = self.rows_of(p)
            if not mask.any():
                continue
            low = min(_span(facts.collected, mask)[0], _span(start, mask)[0])
            high = max(_span(facts.at, mask)[1], _span(ends, mask)[1])
            first, last = (int(y) for y in years_of(np.array([low, high], dtype=np.int64)))
            offset, year = int(self.offsets[p]), self.years[p]
            same = {y for y in range(first - 1, last + 2) if _keeps(fast.view.offsets, y, offset)}
            if len(same) == last - first + 3:
                continue  # every year involved keeps the offset
            if year not in same:
                self.vec &= ~mask
                continue
            since = until = year
            while since - 1 in same:
                since -= 1
            while until + 1 in same:
                until += 1
            lo, hi = _new_year(since, offset), _new_year(until + 1, offset)
            inside = (np.minimum(facts.collected, start) >= lo) & (np.maximum(facts.at, ends) < hi)
            self.vec &= inside | (self.prog != p)

    def sources(self) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """Membership and quality, per (issuer, plan, day bucket): a local id of their pair."""
        issuer, texts = self.cols.codes("issuer")
        none, buckets = len(self.plans), self.buckets
        key = (issuer * (none + 1) + self.plan) * buckets + self.bucket
        cells = Cells(key, (len(texts) + 1) * (none + 1) * buckets)
        local: dict[tuple[int, int], int] = {}
        found = []
        for cell in cells.keys:
            rest, bucket = divmod(cell, buckets)
            i, p = divmod(rest, none + 1)
            if p == none or i == len(texts):
                found.append(0)
                continue
            found.append(_local(local, self.memo.sources(self.plans[p], texts[i], bucket)))
        return cells.spread(found), list(local)

    def scopes(self) -> tuple[np.ndarray, list[int]]:
        """Scope, per (program, receiver, bucket of the decision's local day): a local id."""
        facts, memo = self.facts, self.memo
        bucket, buckets = self.buckets_of(facts.at)
        programs = len(self.fasts)
        fast_of = np.array([self.of_fast[id(memo.plans[g][0])] for g in self.plans] + [programs])
        width = len(facts.receivers) + 1
        key = facts.receiver * buckets + bucket
        if programs > 1:  # rows without a plan: the last "program", looked up as none
            key += fast_of[self.plan] * (width * buckets)
        cells = Cells(key, (programs + 1) * width * buckets)
        plan_of = {int(f): self.plans[p] for p, f in enumerate(fast_of[:-1].tolist())}
        local: dict[int, int] = {}
        found = []
        for cell in cells.keys:
            rest, b = divmod(cell, buckets)
            f, r = divmod(rest, width)
            if f == programs or r == len(facts.receivers) or f not in plan_of:
                found.append(0)
                continue
            got = memo.scope(plan_of[f], facts.receivers[r], b, int(self.offsets[f]))
            found.append(_local(local, got))
        return cells.spread(found), list(local)

    def grades(self) -> tuple[Any, list[int]]:
        """The grade rule, per (plan, issuer, receiver): a local id (one where no plan has it)."""
        memo, facts = self.memo, self.facts
        if not any(memo.plans[g][1].extra for g in self.plans):
            return 0, [memo.intern(())]
        issuer, issuers = self.cols.codes("issuer")
        none, width = len(self.plans), len(facts.receivers) + 1
        key = (self.plan * (len(issuers) + 1) + issuer) * width + facts.receiver
        cells = Cells(key, (none + 1) * (len(issuers) + 1) * width)
        local: dict[int, int] = {}
        found = []
        for cell in cells.keys:
            rest, r = divmod(cell, width)
            p, i = divmod(rest, len(issuers) + 1)
            if p == none or i == len(issuers) or r == len(facts.receivers):
                found.append(0)
                continue
            got = memo.grade(self.plans[p], issuers[i], facts.receivers[r])
            found.append(_local(local, got))
        return cells.spread(found), list(local) or [memo.intern(())]

    def specimens(self) -> tuple[np.ndarray, list[tuple[int, int]]]:
        """Specimen, per (plan, specimen text): a local id of (plan, findings' id)."""
        specimen, texts = self.cols.codes("specimen")
        local: dict[tuple[int, int], int] = {}

        def look(plan: int, text: str | None) -> int:
            return _local(local, (plan, self.memo.specimen(plan, text)))

        # a blank specimen cell is a result without a specimen: looked up as None
        found = self.by_plan(specimen, [*texts, None], look, 0)
        return found, list(local)


def _keeps(memo: OffsetMemo, year: int, offset: int) -> bool:
    found = memo.offset_in(year)
    return found is not None and found // _US == offset


def _new_year(year: int, offset: int) -> int:
    """UTC microseconds of local midnight, 1 January *year*, at *offset*."""
    return (datetime(year, 1, 1) - datetime(1970, 1, 1)) // _US - offset  # noqa: DTZ001


def vectorise(
    policy: Policy,
    batch: pa.RecordBatch,
    receiver: str | None,
    at: datetime | None,
    memo: Memo,
) -> Vectorised:
    """Decide the common rows of *batch* on columns; ``vec`` says which."""
    cols = Columns(batch)
    done = Vectorised(facts_of(cols, receiver, at))
    if not done.vec.any():
        return done
    state = _Batch(policy, cols, memo, done)
    state.zone_offsets()
    if not state.vec.any():
        return done
    state.plans_of()
    value = state.units()
    start, ends, window = state.window()
    if not state.vec.any():
        return done
    state.steady(start, ends)
    if not state.vec.any():
        return done
    sources, pairs = state.sources()
    scopes, scope_ids = state.scopes()
    specimens, plan_specimen = state.specimens()
    grades, grade_ids = state.grades()
    # Each distinct (plan and specimen, membership and quality, scope, grade, window) is worded
    # once.
    key = ((specimens * len(pairs) + sources) * len(scope_ids) + scopes) * len(grade_ids)
    key = (key + grades) * 4 + window
    cells = Cells(key, len(plan_specimen) * len(pairs) * len(scope_ids) * len(grade_ids) * 4)
    parts = memo.parts
    for cell in cells.keys:
        rest, late = divmod(cell, 4)
        rest, grade = divmod(rest, len(grade_ids))
        rest, scope = divmod(rest, len(scope_ids))
        specimen, pair = divmod(rest, len(pairs))
        plan, found = plan_specimen[specimen]
        member, quality = pairs[pair]
        windowed = memo.window_ids(plan, late)
        shown = (
            parts[member]
            + parts[scope_ids[scope]]
            + parts[quality]
            + parts[windowed]
            + parts[found]
            + parts[grade_ids[grade]]  # the rules after the defaults: the grade rule alone
        )
        done.combos.append((plan, shown))
    done.combo = cells.spread(range(len(cells.keys)))
    done.value = value
    done.expires = ends
    return done
