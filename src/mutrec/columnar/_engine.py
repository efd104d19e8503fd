"""The columnar engine: a batch of rows in, a batch of decisions out.

The common rows are decided on columns (:mod:`mutrec.columnar._vector`); the others by
``Policy.evaluate``, one by one, and counted. Each row then points at its decision's columns:
a combination of the vectorised path (worded once per run, see ``Memo.worded``) or its own
scalar decision; the text columns are dictionary-encoded with those as the dictionary.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import numpy as np
import pyarrow as pa

from mutrec.columnar._columns import EPOCH, readable
from mutrec.columnar._memo import Memo, Shown
from mutrec.columnar._rows import request_of
from mutrec.columnar._vector import Vectorised, vectorise
from mutrec.errors import MutrecError
from mutrec.files.columns import CHECK_COLUMNS
from mutrec.policy import Decision, Outcome, Policy, Severity
from mutrec.policy._defaults import outcome_of
from mutrec.policy._findings import Finding, trusted_finding

__all__ = ["OUTPUT_SCHEMA", "evaluate_batch", "primary_code"]

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
    return _primary([(finding.code, finding.severity) for finding in findings])


def _primary(shown: Sequence[tuple[str, Severity]]) -> str | None:
    """``primary_code`` of what a decision shows (codes and severities, in order)."""
    best: tuple[str, Severity] | None = None
    for one in shown:
        if best is None or _RANK.get(one[1], 1) > _RANK.get(best[1], 1):
            best = one
    return None if best is None else best[0]


def _outcome(shown: Sequence[tuple[str, Severity]]) -> Outcome:
    """What the decision's outcome is from its findings (as ``outcome_of`` reads them)."""
    return outcome_of([trusted_finding(code, severity, {}) for code, severity in shown])


def _worded(memo: Memo, policy: Policy, plan: int, shown: Shown) -> tuple[Any, ...]:
    """The columns of a vectorised decision (see ``_fields`` for a scalar one)."""
    key = (plan, shown)
    known = memo.worded.get(key)
    if known is None:
        fast, item = memo.plans[plan]
        known = memo.worded[key] = (
            _outcome(shown).value, _primary(shown), [code for code, _ in shown],
            fast.view.program.name, item.version, item.code, item.target_code, None,
            policy.version,
        )  # fmt: skip
    return known


def _codes(decided: Sequence[tuple[Any, ...]], which: pa.Array) -> pa.Array:
    """The ``codes`` column: each row's decision's codes (a null where it could not be built)."""
    return pa.array([d[2] for d in decided], pa.list_(pa.string())).take(which)


def _text(decided: Sequence[tuple[Any, ...]], k: int, which: np.ndarray) -> pa.Array:
    """Column *k* of each row's decision, dictionary-encoded (``None``: a null).

    The dictionary holds each word once (pandas reads it as a Categorical, which must not
    repeat a category; Parquet writes it as it is).
    """
    seen: dict[str, int] = {}
    words = [d[k] for d in decided]
    remap = np.array([-1 if w is None else seen.setdefault(w, len(seen)) for w in words])
    if len(seen) == 1 and None not in words:  # one word for all: no look-up per row
        index = np.zeros(which.size, dtype=np.int32)
    else:
        index = remap.astype(np.int32)[which]
    mask = index < 0 if None in words else None
    values = pa.array(list(seen), pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(index, mask=mask), values, safe=False)


def evaluate_batch(
    policy: Policy,
    batch: pa.RecordBatch,
    receiver: str | None,
    at: datetime | None,
    memo: Memo | None = None,
) -> tuple[pa.RecordBatch, int]:
    """Decide every row of *batch*; the decisions and how many rows took the scalar path.

    *memo*: what earlier batches of the same run worked out (a new one when ``None``).
    """
    memo = Memo() if memo is None else memo
    batch = readable(batch, CHECK_COLUMNS)
    done: Vectorised = vectorise(policy, batch, receiver, at, memo)
    vec = done.vec
    n = batch.num_rows
    decided = [_worded(memo, policy, plan, shown) for plan, shown in done.combos]
    rest = np.flatnonzero(~vec)
    if not rest.size:  # every row decided on columns (as most batches are): no masks
        which = np.broadcast_to(done.combo, (n,))
        value, expiry = done.value, done.expires
        has_value = has_expiry = None
    else:
        which = np.where(vec, done.combo, 0)
        value = np.where(vec, done.value, np.nan)
        has_value = vec.copy()
        expiry = np.where(vec, done.expires, 0)
        has_expiry = vec.copy()
        which[rest] = np.arange(len(decided), len(decided) + rest.size)
        for i, row in zip(rest.tolist(), batch.take(pa.array(rest)).to_pylist(), strict=True):
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
                decided.append((None,) * 7 + (f"{type(problem).__name__}: {problem}", None))
                continue
            decided.append(_fields(decision, policy))
            if decision.value is not None:
                value[i] = decision.value
                has_value[i] = True
            if decision.expires_at is not None:
                expiry[i] = (decision.expires_at - EPOCH) // timedelta(microseconds=1)
                has_expiry[i] = True
    rows = pa.array(which.astype(np.int32, copy=False))
    errors = [d[7] for d in decided]
    out = pa.record_batch(
        [
            _text(decided, 0, which),
            _text(decided, 1, which),
            _codes(decided, rows),
            pa.array(expiry, _TS, mask=None if has_expiry is None else ~has_expiry),
            _text(decided, 3, which),
            _text(decided, 4, which),
            _text(decided, 8, which),
            _text(decided, 5, which),
            pa.array(value, pa.float64(), mask=None if has_value is None else ~has_value),
            _text(decided, 6, which),
            pa.nulls(n, pa.string())
            if all(e is None for e in errors)
            else pa.array(errors, pa.string()).take(rows),
        ],
        schema=OUTPUT_SCHEMA,
    )
    return out, int(rest.size)


def _fields(decision: Decision, policy: Policy) -> tuple[Any, ...]:
    return (
        decision.outcome.value, primary_code(decision.findings), list(decision.codes),
        decision.program_id, decision.catalogue_version, decision.item_code, decision.unit, None,
        policy.version,
    )  # fmt: skip
