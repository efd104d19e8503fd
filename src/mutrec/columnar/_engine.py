"""The columnar engine: a batch of rows in, a batch of decisions out, the common path on columns.

Vectorised twins, guarded by ``tests/columnar/test_differential.py`` (which compares every row
with ``Policy.evaluate``):

- the clean-number shortcut of ``ItemPlan.clean_number`` (a measured number times the unit's
  factor plus its offset, inside the tighter of the plausible and critical limits): computed
  with numpy; anything else goes to the scalar path;
- the calendar-day arithmetic of ``window_findings`` (expiry = anchor + N days when the
  program's zone has one offset all through the years involved, as ``OffsetMemo`` says) and its
  ``window.expired`` comparison.

Every other finding comes from the rule's own function (``membership_findings``,
``scope_findings``, ``quality_findings``, ``specimen_findings``), called once per distinct key
(issuer, item plan, day …) and spread over the rows with ``take``: a dictionary-encoded join.
Rows the vectorised path does not cover exactly (imaging, text values, grounds, a patient
mismatch, report-time windows, a zone changing offset, aliases, an item of several programs …)
are decided by ``Policy.evaluate``, one by one, and counted.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mutrec.columnar._columns import (
    EPOCH,
    Columns,
    encode,
    group_rows,
    intern_into,
    mask_of,
    micros_of,
    plain,
    years_of,
)
from mutrec.columnar._rows import request_of
from mutrec.errors import MutrecError
from mutrec.model import CareSetting
from mutrec.model.windows import Counting, Span
from mutrec.policy import ClinicalContext, Decision, Outcome, Policy, Severity
from mutrec.policy._defaults import outcome_of
from mutrec.policy._fast import FastView
from mutrec.policy._findings import Finding, trusted_finding
from mutrec.policy._plan import ItemPlan
from mutrec.policy._policy import fast_view_for
from mutrec.policy._rules_facts import specimen_findings
from mutrec.policy._rules_source import membership_findings, quality_findings, scope_findings
from mutrec.units import Converter, parse_unit

__all__ = ["OUTPUT_SCHEMA", "evaluate_batch"]

_US_DAY: Final = 86_400_000_000
_EPOCH_DAY: Final = date(1970, 1, 1).toordinal()
# A plain decimal that float() and Arrow's cast read to the same double, as parse_value does.
_DECIMAL: Final = r"^(0|[1-9][0-9]{0,14})(\.[0-9]{1,15})?$"
_SETTINGS: Final = {s.value: s for s in CareSetting}
_GROUND_TEXTS: Final = ("purpose", "other_need", "local_grounds")
_GROUND_FLAGS: Final = ("condition_changed", "rapid_change", "resuscitation")
_IMAGING: Final = (
    "modality", "performed", "detector_rows", "field_strength_t", "device_model",
    "study_uid", "image_link", "body_part",
)  # fmt: skip
_TS: Final = pa.timestamp("us", tz="UTC")

_WORDS: Final = pa.dictionary(pa.int32(), pa.string())
OUTPUT_SCHEMA: Final = pa.schema(
    [
        ("outcome", _WORDS),
        ("reason", _WORDS),
        ("codes", pa.list_(pa.string())),
        ("expires_at", _TS),
        ("program", _WORDS),
        ("catalogue_version", _WORDS),
        ("policy_version", _WORDS),
        ("item_code", _WORDS),
        ("value", pa.float64()),
        ("unit", _WORDS),
        ("error", pa.string()),
    ]
)
"""The columns of a decided batch (see :func:`mutrec.columnar.evaluate_table`)."""

_RANK: Final = {Severity.BLOCK: 3, Severity.CAUTION: 2}


def primary_code(findings: Sequence[Finding]) -> str | None:
    """The first code of the most severe finding (block, then caution, then info)."""
    best: Finding | None = None
    for finding in findings:
        if best is None or _RANK.get(finding.severity, 1) > _RANK.get(best.severity, 1):
            best = finding
    return None if best is None else best.code


def _primary(shown: Sequence[tuple[str, Severity]]) -> str | None:
    best: tuple[str, Severity] | None = None
    for one in shown:
        if best is None or _RANK.get(one[1], 1) > _RANK.get(best[1], 1):
            best = one
    return None if best is None else best[0]


def _outcome(shown: Sequence[tuple[str, Severity]]) -> Outcome:
    """What the decision's outcome is from its findings (as ``outcome_of`` reads them)."""
    return outcome_of([trusted_finding(code, severity, {}) for code, severity in shown])


def _plain_settings() -> list[str]:
    """The care settings that bring no ground of their own (the context says which)."""
    return [name for name, s in _SETTINGS.items() if not ClinicalContext(s, patient="p").grounds]


_BOUNDS: dict[int, tuple[FastView, np.ndarray]] = {}
_BOUNDS_KEPT: Final = 64


def _bounds(fast: FastView) -> np.ndarray:
    """The days where the program's membership or quality periods start or end, sorted.

    Days count from 1970-01-01; a period's end is the day after its last. Between two such
    days, the same periods cover every day.
    """
    known = _BOUNDS.get(id(fast))
    if known is not None and known[0] is fast:
        return known[1]
    view = fast.view
    days: set[int] = set()

    def add(since: date, until: date) -> None:
        days.add(since.toordinal() - _EPOCH_DAY)
        days.add(until.toordinal() + 1 - _EPOCH_DAY)

    for periods in view.members.values():
        for since, until, _ in periods:
            add(since, until)
    for by_item, by_category, wide in view.chains.values():
        for chain in (*by_item.values(), *by_category.values(), wide):
            for since, until, _, _ in chain:
                add(since, until)
    bounds = np.array(sorted(days), dtype=np.int64)
    if len(_BOUNDS) >= _BOUNDS_KEPT:
        _BOUNDS.clear()
    _BOUNDS[id(fast)] = (fast, bounds)
    return bounds


def _cap_us(cap: Span | None) -> int | None:
    """A specimen-age cap in microseconds (-1: none); ``None``: not elapsed hours."""
    if cap is None:
        return -1
    if cap.counting is not Counting.HOURS:
        return None
    return cap.amount * 3_600_000_000


def _window_table(fast: FastView) -> tuple[tuple[Finding, ...], ...]:
    """The window findings by (too old, expired), worded by the program's severity table."""
    view = fast.view
    old = view.finding_from("window.specimen_too_old", {})
    late = view.finding_from("window.expired", {})
    return ((), (late,), (old,), (old, late))


def evaluate_batch(  # noqa: C901, PLR0912, PLR0915 (one pass over the columns)
    policy: Policy, batch: pa.RecordBatch, receiver: str | None, at: datetime | None
) -> tuple[pa.RecordBatch, int]:
    """Decide every row of *batch*; the decisions and how many rows took the scalar path."""
    n = batch.num_rows
    cols = Columns(batch)
    vec = np.ones(n, dtype=bool)
    # Lab rows, with clean texts, no grounds, no imaging columns.
    kind = cols.get("kind")
    if kind is not None:
        vec &= mask_of(pc.or_kleene(pc.is_null(kind), pc.equal(kind.cast(pa.string()), "lab")))
    for name in _IMAGING + _GROUND_TEXTS:
        vec &= cols.absent(name)
    for name in _GROUND_FLAGS:
        column = cols.get(name)
        if column is not None:
            if pa.types.is_boolean(column.type):
                vec &= mask_of(pc.or_kleene(pc.is_null(column), pc.invert(column)))
            else:
                vec &= mask_of(pc.is_null(column))
    for name in ("item", "issuer", "patient"):
        vec &= cols.clean_text(name, required=True)
    for name in ("current_patient", "specimen", "result_id", "loinc"):
        vec &= cols.clean_text(name, required=False)
    vec &= cols.clean_text("unit", required=True)
    receivers = cols.get("receiver")
    if receivers is None:
        vec &= receiver is not None
        receiver_index = np.zeros(n, dtype=np.int64)
        receiver_values: list[Any] = [receiver]
    else:
        vec &= cols.clean_text("receiver", required=True)
        receiver_index, receiver_values = encode(receivers, n)
    # The patient: the current patient is the result's (or not given).
    current = cols.get("current_patient")
    if current is not None:
        same = pc.equal(plain(current), plain(batch.column("patient")))
        vec &= mask_of(pc.or_kleene(pc.is_null(current), same))
    # The setting.
    setting_column = cols.get("setting")
    setting_column = None if setting_column is None else plain(setting_column)
    setting_index = np.zeros(n, dtype=np.int64)
    setting_names: list[Any] = ["outpatient"]
    if setting_column is not None:
        if not pa.types.is_string(setting_column.type):
            vec[:] = False
        else:
            vec &= mask_of(
                pc.or_kleene(
                    pc.is_null(setting_column),
                    pc.is_in(setting_column, pa.array(_plain_settings())),
                )
            )
            codes, names = encode(setting_column, n)
            setting_names = ["outpatient", *names]
            setting_index = codes + 1
    # The value: a plain number.
    values = cols.get("value")
    values = None if values is None else plain(values)
    number = np.zeros(n)
    if values is None:
        vec[:] = False
    elif pa.types.is_floating(values.type) or pa.types.is_integer(values.type):
        as_float = values.cast(pa.float64())
        number = pc.fill_null(as_float, 0.0).to_numpy(zero_copy_only=False)
        vec &= mask_of(pc.is_valid(as_float)) & np.isfinite(number)
    elif pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
        decimal = mask_of(pc.match_substring_regex(values, _DECIMAL))
        vec &= decimal
        safe = pc.if_else(pa.array(decimal), values, pa.scalar("0", values.type))
        number = safe.cast(pa.float64()).to_numpy(zero_copy_only=False)
    else:
        vec[:] = False
    # Instants.
    collected, ok = micros_of(cols.get("collected"), n)
    vec &= ok
    at_column = cols.get("at")
    if at_column is None:
        if at is None:
            vec[:] = False
            at_us = np.zeros(n, dtype=np.int64)
        else:
            at_us = np.full(n, (at - EPOCH) // timedelta(microseconds=1), dtype=np.int64)
    else:
        at_us, ok = micros_of(at_column, n)
        vec &= ok
    reported_column = cols.get("reported")
    has_reported = np.zeros(n, dtype=bool)
    reported = np.zeros(n, dtype=np.int64)
    if reported_column is not None:
        reported, has_reported = micros_of(reported_column, n)
        vec &= mask_of(pc.is_null(reported_column)) | (has_reported & (reported <= at_us))
    vec &= collected <= at_us

    # The item's fast view (one program, default rules), per distinct item text.
    item_index, item_values = encode(
        batch.column("item") if cols.get("item") is not None else None, n
    )
    views: list[FastView | None] = [
        fast_view_for(policy, v) if isinstance(v, str) else None for v in item_values
    ]
    has_view = np.array([v is not None for v in views] + [False], dtype=bool)
    vec &= has_view[item_index]

    # The local day of collection, where the program's zone has one offset around it.
    idx = np.flatnonzero(vec)
    day = np.zeros(n, dtype=np.int64)
    year = years_of(collected)
    offset_us = np.zeros(n, dtype=np.int64)
    if idx.size:
        first, inverse = group_rows(item_index[idx], year[idx])
        offsets = np.zeros(len(first), dtype=np.int64)
        good = np.zeros(len(first), dtype=bool)
        for g, row in enumerate(idx[first]):
            view = views[item_index[row]]
            assert view is not None  # noqa: S101 (masked above)
            memo = view.view.offsets
            y = int(year[row])
            found = {memo.offset_in(y - 1), memo.offset_in(y), memo.offset_in(y + 1)}
            if len(found) == 1 and (only := found.pop()) is not None:
                offsets[g] = only // timedelta(microseconds=1)
                good[g] = True
        offset_us[idx] = offsets[inverse]
        vec[idx] &= good[inverse]
        day[idx] = (collected[idx] + offset_us[idx]) // _US_DAY

    # The item plan in force that day.
    idx = np.flatnonzero(vec)
    plan_index = np.full(n, -1, dtype=np.int64)
    plans: list[tuple[FastView, ItemPlan]] = []
    if idx.size:
        first, inverse = group_rows(item_index[idx], day[idx])
        found_plans = np.full(len(first), -1, dtype=np.int64)
        seen: dict[Hashable, int] = {}
        for g, row in enumerate(idx[first]):
            fast = views[item_index[row]]
            assert fast is not None  # noqa: S101
            on = date.fromordinal(int(day[row]) + _EPOCH_DAY)
            plan = fast.plain_plan(item_values[item_index[row]], on)
            window = None if plan is None else plan.window
            if (
                plan is None
                or not plan.lab
                or not plan.numeric
                or window is None
                or _cap_us(window.window.specimen_age) is None
            ):
                continue
            pair = (fast, plan)
            found_plans[g] = intern_into(seen, plans, id(plan), lambda pair=pair: pair)  # type: ignore[misc]
        plan_index[idx] = found_plans[inverse]
        vec &= plan_index >= 0

    # Unit factors per (plan, unit text): the clean number.
    unit_index, unit_values = encode(cols.get("unit"), n)
    idx = np.flatnonzero(vec)
    converted = np.full(n, np.nan)
    if idx.size:
        first, inverse = group_rows(plan_index[idx], unit_index[idx])
        factor = np.zeros(len(first))
        shift = np.zeros(len(first))
        low = np.zeros(len(first))
        high = np.zeros(len(first))
        usable = np.zeros(len(first), dtype=bool)
        for g, row in enumerate(idx[first]):
            _, plan = plans[plan_index[row]]
            try:
                unit = parse_unit(unit_values[unit_index[row]])
            except MutrecError:
                continue
            convert = plan.convert(unit)
            if type(convert) is Converter:
                factor[g], shift[g] = convert.factor, convert.offset
                low[g], high[g] = plan.low, plan.high
                usable[g] = True
        sub = number[idx] * factor[inverse] + shift[inverse]
        clean = usable[inverse] & (low[inverse] <= sub) & (sub <= high[inverse])
        converted[idx] = sub
        vec[idx] &= clean

    # The window: calendar days from collection, for the row's setting.
    idx = np.flatnonzero(vec)
    expires = np.zeros(n, dtype=np.int64)
    expired = np.zeros(n, dtype=bool)
    too_old = np.zeros(n, dtype=bool)
    if idx.size:
        first, inverse = group_rows(plan_index[idx], setting_index[idx])
        span_us = np.zeros(len(first), dtype=np.int64)
        usable = np.zeros(len(first), dtype=bool)
        for g, row in enumerate(idx[first]):
            window = plans[plan_index[row]][1].window
            assert window is not None  # noqa: S101
            name = _SETTINGS[setting_names[setting_index[row]]]._name_
            by = window.by_setting
            span, days, _ = window.spans if by is None else by.get(name, window.spans)
            if days is not None:
                span_us[g] = days // timedelta(microseconds=1)
                usable[g] = True
            elif span.counting is Counting.HOURS:  # elapsed time in any zone
                span_us[g] = span.amount * 3_600_000_000
                usable[g] = True
        # The anchor: the report instant for report-time windows (which must then have one).
        by_report = np.array([p.window is not None and p.window.report for _, p in plans])
        report = by_report[plan_index[idx]]
        vec[idx] &= ~report | has_reported[idx]
        start = np.where(report, reported[idx], collected[idx])
        ends = start + span_us[inverse]
        expires[idx] = ends
        vec[idx] &= usable[inverse]
        # The zone's offset at the anchor and where the window ends is the one it had at
        # collection: then the calendar days are elapsed days.
        for moment in (start, ends, at_us[idx]):
            years = years_of(moment + offset_us[idx])
            live = years[vec[idx]]
            span = range(int(live.min()), int(live.max()) + 1) if live.size else range(0)
            for y in span:
                rows = idx[(years == y) & vec[idx]]
                for p in np.unique(plan_index[rows]):
                    these = rows[plan_index[rows] == p]
                    off = plans[p][0].view.offsets.offset_in(int(y))
                    if off is None:
                        vec[these] = False
                    else:
                        vec[these] &= offset_us[these] == off // timedelta(microseconds=1)
        expired = at_us >= expires
        # The specimen-age cap (hours after collection), when the report came later.
        caps = np.array([_cap_us(p.window.window.specimen_age) for _, p in plans])  # type: ignore[union-attr]
        cap = caps[plan_index[idx]]
        too_old[idx] = (cap >= 0) & has_reported[idx] & (reported[idx] > collected[idx] + cap)

    # Findings from the rules' own functions, per distinct key; what a decision shows of them
    # (code and severity, in order) is interned, so equal findings share one id.
    idx = np.flatnonzero(vec)
    issuer_index, issuer_values = encode(cols.get("issuer"), n)
    specimen_index, _ = encode(cols.get("specimen"), n)
    shown: dict[Hashable, int] = {}
    parts: list[tuple[tuple[str, Severity], ...]] = []

    def intern(found: Sequence[Finding]) -> int:
        key = tuple((f.code, f.severity) for f in found)
        return intern_into(shown, parts, key, lambda: key)

    if idx.size:
        # membership and quality: (issuer, plan, the day's place among the program's period
        # bounds). Both functions compare the day only with those bounds, so every day between
        # two bounds gets the same codes.
        bucket = np.zeros(n, dtype=np.int64)
        for p, (fast, _) in enumerate(plans):
            these = idx[plan_index[idx] == p]
            bucket[these] = np.searchsorted(_bounds(fast), day[these], side="right")
        first, inverse = group_rows(issuer_index[idx], plan_index[idx], bucket[idx])
        member = np.zeros(len(first), dtype=np.int64)
        quality = np.zeros(len(first), dtype=np.int64)
        for g, row in enumerate(idx[first]):
            fast, plan = plans[plan_index[row]]
            issuer = issuer_values[issuer_index[row]]
            on = date.fromordinal(int(day[row]) + _EPOCH_DAY)
            member[g] = intern(membership_findings(fast.view, issuer, plan.code, on))
            quality[g] = intern(quality_findings(fast.view, issuer, plan.code, plan.category, on))
        member_row, quality_row = member[inverse], quality[inverse]
        # scope: (program, receiver, at's local day). scope_findings reads *at* only through
        # its local date (the receiver's membership then); the zone's offset at *at* is the
        # one at collection (checked with the window's instants above).
        program_of = np.array([id(f.view) for f, _ in plans] + [0], dtype=np.int64)
        at_day = (at_us + offset_us) // _US_DAY
        for p, (fast, _) in enumerate(plans):
            these = idx[plan_index[idx] == p]
            bucket[these] = np.searchsorted(_bounds(fast), at_day[these], side="right")
        first, inverse = group_rows(program_of[plan_index[idx]], receiver_index[idx], bucket[idx])
        scope = np.zeros(len(first), dtype=np.int64)
        for g, row in enumerate(idx[first]):
            fast, _ = plans[plan_index[row]]
            when = EPOCH + timedelta(microseconds=int(at_us[row]))
            scope[g] = intern(scope_findings(fast.view, receiver_values[receiver_index[row]], when))
        scope_row = scope[inverse]
        # specimen: (plan, specimen text), read from a row of that group
        first, inverse = group_rows(plan_index[idx], specimen_index[idx])
        specimen = np.zeros(len(first), dtype=np.int64)
        for g, row in enumerate(idx[first]):
            fast, plan = plans[plan_index[row]]
            if plan.specimens is None:
                specimen[g] = intern(())
                continue
            sample = request_of(batch.slice(int(row), 1).to_pylist()[0], receiver, at)
            specimen[g] = intern(
                specimen_findings(fast.view, plan.item, sample.result, plan.specimens)
            )
        specimen_row = specimen[inverse]
        # window: (too old, expired), worded by the program's own severity table
        late = np.array([[intern(t) for t in _window_table(f)] for f, _ in plans])
        window_row = late[plan_index[idx], too_old[idx] * 2 + expired[idx]]
        # Combine: each distinct (plan, findings) is worded once.
        first_c, inverse_c = group_rows(
            plan_index[idx], member_row, scope_row, quality_row, window_row, specimen_row
        )
        combos = [
            parts[member_row[c]]
            + parts[scope_row[c]]
            + parts[quality_row[c]]
            + parts[window_row[c]]
            + parts[specimen_row[c]]
            for c in first_c
        ]

    # Assemble: each row points at a decision: a combination (vectorised rows) or its own
    # scalar decision (the rest); the text columns are taken from those, with take().
    value_out = np.where(vec, converted, np.nan)
    has_value = vec.copy()
    expiry = np.where(vec, expires, 0)
    has_expiry = vec.copy()
    which = np.zeros(n, dtype=np.int64)
    decided: list[
        tuple[Any, ...]
    ] = []  # outcome, reason, codes, program, version, item, unit, error
    if idx.size:
        for c, found in zip(first_c, combos, strict=True):
            _, plan = plans[plan_index[idx[c]]]
            program_name = plans[plan_index[idx[c]]][0].view.program.name
            decided.append((
                _outcome(found).value, _primary(found), [code for code, _ in found],
                program_name, plan.version, plan.code, plan.target_code, None,
            ))  # fmt: skip
        which[idx] = inverse_c
    rest = np.flatnonzero(~vec)
    if rest.size:
        rows = batch.take(pa.array(rest)).to_pylist()
        for i, row in zip(rest, rows, strict=True):
            which[i] = len(decided)
            try:
                request = request_of(row, receiver, at)
                decision = policy.evaluate(
                    request.result,
                    receiver=request.receiver,
                    at=request.at,
                    context=request.context,
                    result_id=request.result_id,
                )
            except MutrecError as problem:
                decided.append((None,) * 7 + (f"{type(problem).__name__}: {problem}",))
                continue
            decided.append(_fields(decision))
            if decision.value is not None:
                value_out[i] = decision.value
                has_value[i] = True
            if decision.expires_at is not None:
                expiry[i] = (decision.expires_at - EPOCH) // timedelta(microseconds=1)
                has_expiry[i] = True
    # The texts are dictionary-encoded: one entry per distinct decision, indices per row.
    take = pa.array(which.astype(np.int32))

    def text_column(k: int) -> pa.Array:
        words = [d[k] for d in decided]
        missing = np.array([w is None for w in words] + [False])[which]
        indices = pa.array(which.astype(np.int32), mask=missing) if missing.any() else take
        values = pa.array(["" if w is None else w for w in words], pa.string())
        return pa.DictionaryArray.from_arrays(indices, values)

    codes = pa.array([d[2] for d in decided], pa.list_(pa.string())).take(take)
    errors = pa.array([d[7] for d in decided], pa.string())
    errors = errors.take(take) if errors.null_count < len(errors) else pa.nulls(n, pa.string())
    versions = pa.array([None if d[7] else policy.version for d in decided], pa.string())
    decided = [(*d, None if d[7] else policy.version) for d in decided]
    out = pa.record_batch(
        [
            text_column(0),
            text_column(1),
            codes,
            pa.array(expiry, _TS, mask=~has_expiry),
            text_column(3),
            text_column(4),
            pa.DictionaryArray.from_arrays(take, versions)
            if versions.null_count == 0
            else text_column(8),
            text_column(5),
            pa.array(value_out, pa.float64(), mask=~has_value),
            text_column(6),
            errors,
        ],
        schema=OUTPUT_SCHEMA,
    )
    return out, int(rest.size)


def _fields(decision: Decision) -> tuple[Any, ...]:
    return (
        decision.outcome.value, primary_code(decision.findings), list(decision.codes),
        decision.program_id, decision.catalogue_version, decision.item_code, decision.unit, None,
    )  # fmt: skip
