"""The facts of a batch's rows as numpy columns, and which rows the vectorised path may take.

A row may take it when it is a plain lab row: clean texts (what the builder would strip to
itself), no imaging cells, no grounds to re-examine, a plain number, exact instants inside the
years the scalar path accepts, collected and reported by the decision's instant, the current
patient (if given) the result's, a care setting that brings no ground of its own. Anything
else is decided by ``Policy.evaluate``, one row at a time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from mutrec.columnar._columns import EPOCH, Columns, mask_of, micros_of, plain
from mutrec.model import CareSetting
from mutrec.policy import ClinicalContext

__all__ = ["Facts", "facts_of"]

# A plain decimal that float() and Arrow's cast read to the same double, as parse_value does.
_DECIMAL: Final = r"^(0|[1-9][0-9]{0,14})(\.[0-9]{1,15})?$"
_ID_KINDS: Final = (
    pa.types.is_string, pa.types.is_large_string, pa.types.is_integer, pa.types.is_floating,
)  # fmt: skip
_GROUND_TEXTS: Final = ("purpose", "other_need", "local_grounds")
_GROUND_FLAGS: Final = ("condition_changed", "rapid_change", "resuscitation")
_IMAGING: Final = (
    "modality", "performed", "detector_rows", "field_strength_t", "device_model",
    "study_uid", "image_link", "body_part",
)  # fmt: skip
# The care settings that bring no ground of their own (the clinical context says which).
_PLAIN_SETTINGS: Final = tuple(
    s.value for s in CareSetting if not ClinicalContext(s, patient="p").grounds
)


class Facts:
    """A batch's rows as numpy columns (``vec``: the rows the vectorised path may take)."""

    __slots__ = (
        "at", "collected", "has_reported", "n", "number", "receiver", "receivers", "reported",
        "setting", "settings", "vec",
    )  # fmt: skip

    def __init__(self, n: int) -> None:
        """Columns of *n* rows, none of them vectorised yet."""
        self.n = n
        self.vec = np.ones(n, dtype=bool)
        self.number: np.ndarray = np.zeros(n)
        self.collected: np.ndarray = np.zeros(n, dtype=np.int64)
        self.at: np.ndarray = np.zeros(n, dtype=np.int64)
        self.reported: np.ndarray = np.zeros(n, dtype=np.int64)
        self.has_reported: Any = np.False_  # a mask, or one answer for every row
        # Receiver and care setting: per-row indices into the distinct texts (a receiver's
        # null: one past them).
        self.receiver: np.ndarray = np.zeros(n, dtype=np.int64)
        self.receivers: list[Any] = []
        self.setting: np.ndarray = np.zeros(n, dtype=np.int64)
        self.settings: list[Any] = ["outpatient"]


def _plain_lab(cols: Columns, vec: np.ndarray) -> None:
    """Lab rows with clean texts, no grounds and no imaging cells."""
    kind = cols.get("kind")
    if kind is not None:
        vec &= mask_of(pc.or_kleene(pc.is_null(kind), pc.equal(kind.cast(pa.string()), "lab")))
    for name in _IMAGING + _GROUND_TEXTS:
        if cols.get(name) is not None:
            vec &= cols.absent(name)
    for name in _GROUND_FLAGS:
        column = cols.get(name)
        if column is None:
            continue
        if pa.types.is_boolean(column.type):
            vec &= mask_of(pc.or_kleene(pc.is_null(column), pc.invert(column)))
        else:
            vec &= mask_of(pc.is_null(column))
    _clean_texts(cols, vec)
    current = cols.get("current_patient")
    if current is not None:
        same = pc.equal(plain(current), plain(cols.batch.column("patient")))
        vec &= mask_of(pc.or_kleene(pc.is_null(current), same))


def _clean_texts(cols: Columns, vec: np.ndarray) -> None:
    """Rows whose texts the builder reads as they are (required ones present)."""
    for name in ("item", "issuer", "patient", "unit"):
        vec &= cols.clean_text(name, required=True)
    for name in ("current_patient", "specimen", "loinc"):
        vec &= cols.clean_text(name, required=False)
    # A result id goes to the decision only (not to these columns), and any text or number
    # reads as one: only a cell of another kind (a flag, a list) is the scalar path's to refuse.
    ids = cols.get("result_id")
    if ids is not None:
        kind = ids.type.value_type if pa.types.is_dictionary(ids.type) else ids.type
        if not any(is_kind(kind) for is_kind in _ID_KINDS):
            vec &= cols.absent("result_id")


def _people(cols: Columns, facts: Facts, receiver: str | None) -> None:
    """The receiver and the care setting."""
    vec = facts.vec
    receivers = cols.get("receiver")
    if receivers is None:
        vec &= receiver is not None
        facts.receivers = [receiver]
    else:
        vec &= cols.clean_text("receiver", required=True)
        facts.receiver, facts.receivers = cols.codes("receiver")  # a null: one past
    settings = cols.get("setting")
    if settings is None:
        return
    settings = plain(settings)
    if not pa.types.is_string(settings.type):
        vec[:] = False
        return
    allowed = pc.is_in(settings, pa.array(_PLAIN_SETTINGS))
    vec &= mask_of(pc.or_kleene(pc.is_null(settings), allowed))
    facts.setting, names = cols.codes("setting")
    facts.settings = [*names, "outpatient"]  # an empty cell (one past the texts): outpatient


def _decimals(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The numbers of plain-decimal texts, and which texts are plain decimals."""
    decimal = mask_of(pc.match_substring_regex(values, _DECIMAL))
    safe = pc.if_else(pa.array(decimal), values, pa.scalar("0", values.type))
    return safe.cast(pa.float64()).to_numpy(zero_copy_only=False), decimal


def _number(cols: Columns, facts: Facts) -> None:
    """The value, where it is a plain number."""
    vec = facts.vec
    values = cols.get("value")
    kind = None if values is None else values.type
    if kind is not None and pa.types.is_dictionary(kind):
        kind = kind.value_type
    if values is None or kind is None:
        vec[:] = False
    elif pa.types.is_floating(kind) or pa.types.is_integer(kind):
        as_float = plain(values).cast(pa.float64())
        if as_float.null_count:
            vec &= mask_of(pc.is_valid(as_float))
            as_float = pc.fill_null(as_float, 0.0)
        facts.number = as_float.to_numpy(zero_copy_only=False)
        vec &= np.isfinite(facts.number)
    elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
        if pa.types.is_dictionary(values.type):  # each distinct text read once
            numbers, decimal = _decimals(values.dictionary)
            codes = cols.codes("value")[0]
            facts.number = np.append(numbers, 0.0)[codes]
            vec &= np.append(decimal, False)[codes]
        else:
            facts.number, decimal = _decimals(values)
            vec &= decimal
    else:
        vec[:] = False


def _instants(cols: Columns, facts: Facts, at: datetime | None) -> None:
    """Collection, report and decision instants in UTC microseconds."""
    vec, n = facts.vec, facts.n
    facts.collected, ok = micros_of(cols.get("collected"), n)
    vec &= ok
    at_column = cols.get("at")
    if at_column is None:
        if at is None:
            vec[:] = False
        else:
            facts.at = np.full(n, (at - EPOCH) // timedelta(microseconds=1), dtype=np.int64)
    else:
        facts.at, ok = micros_of(at_column, n)
        vec &= ok
    reported_column = cols.get("reported")
    if reported_column is not None:
        facts.reported, facts.has_reported = micros_of(reported_column, n)
        # collected <= reported <= at (a result reported before its collection is an error)
        by_then = (facts.collected <= facts.reported) & (facts.reported <= facts.at)
        if reported_column.null_count:  # a blank report instant: the result has none
            by_then = ~mask_of(pc.is_valid(reported_column)) | (facts.has_reported & by_then)
        else:
            by_then &= facts.has_reported
        vec &= by_then
    vec &= facts.collected <= facts.at


def facts_of(cols: Columns, receiver: str | None, at: datetime | None) -> Facts:
    """The facts of *cols*' rows, and which of them the vectorised path may take."""
    facts = Facts(cols.n)
    _plain_lab(cols, facts.vec)
    _people(cols, facts, receiver)
    _number(cols, facts)
    _instants(cols, facts, at)
    return facts
