"""Severities, outcomes, findings, and how findings combine into an outcome.

A rule reports what it saw as :class:`Finding` values: a stable reason code, a severity and the
data behind it. :func:`combine` turns the findings of every rule into one :class:`Outcome`.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Final, TypeAlias, final

import attrs

from mutrec._checks import instance_of, items_of
from mutrec.errors import NO_VALUE, ArgumentError, RecordError

__all__ = [
    "EMPTY",
    "MAX_INT_BITS",
    "NO_VALUE",
    "Finding",
    "FrozenData",
    "Outcome",
    "RecordError",
    "Scalar",
    "Severity",
    "check_scalar",
    "check_text",
    "combine",
    "trusted_finding",
]

Scalar: TypeAlias = str | int | float | bool | None
"""A JSON-safe scalar: what finding data may hold (no NaN, no infinity)."""

_SCALARS: Final = (str, int, float, bool, type(None))

MAX_INT_BITS: Final = 14_000
"""The widest integer finding data may hold (about 4,200 digits).

Python refuses to write or read integers of more than 4,300 digits as text by default
(``sys.get_int_max_str_digits``); a wider one would make a decision that cannot be serialised.
"""


class Severity(enum.StrEnum):
    """How much a finding weighs on the outcome.

    ``BLOCK`` makes the result not recognised, ``CAUTION`` recognised with caution, ``INFO``
    changes nothing. Members order by weight.

    >>> Severity("caution") is Severity.CAUTION
    True
    >>> max([Severity.INFO, Severity.BLOCK, Severity.CAUTION], key=Severity.rank)
    <Severity.BLOCK: 'block'>
    """

    INFO = "info"
    CAUTION = "caution"
    BLOCK = "block"

    def rank(self) -> int:
        """Return the weight of the severity: 0 for info, 1 for caution, 2 for block.

        >>> Severity.CAUTION.rank()
        1
        """
        return _RANK[self]


_RANK: Final = {Severity.INFO: 0, Severity.CAUTION: 1, Severity.BLOCK: 2}


class Outcome(enum.StrEnum):
    """What a decision recommends to the receiving doctor.

    >>> Outcome.RECOGNISED_WITH_CAUTION.value
    'recognised_with_caution'
    >>> Outcome.NOT_RECOGNISED.recognised
    False
    """

    RECOGNISED = "recognised"
    RECOGNISED_WITH_CAUTION = "recognised_with_caution"
    NOT_RECOGNISED = "not_recognised"

    @property
    def recognised(self) -> bool:
        """Whether the result may be used instead of a repeat (with or without caution).

        >>> Outcome.RECOGNISED_WITH_CAUTION.recognised
        True
        """
        return self is not Outcome.NOT_RECOGNISED


def check_scalar(key: object, value: object, where: str = "data", record: str = "finding") -> None:
    """Refuse a finding data item that the JSON form cannot hold exactly.

    Keys are str; values are JSON scalars, floats finite, integers at most
    :data:`MAX_INT_BITS` wide, text valid Unicode (no lone surrogate). *where* and *record*
    name the place in the error.

    >>> check_scalar("days", float("inf"))
    Traceback (most recent call last):
    mutrec.errors.RecordError: finding data.days = inf: must be a finite number ...
    """
    if not isinstance(key, str):
        reason = f"finding data keys must be str (got a {type(key).__name__})"
        raise RecordError(record, where, key, reason)
    if not key.isascii():
        check_text(record, f"{where} key", key)
    # The common cases first, without building the error's path (the reading hot path).
    kind = type(value)
    if kind is str:
        if not value.isascii():  # type: ignore[attr-defined]
            check_text(record, f"{where}.{key}", value)  # type: ignore[arg-type]
        return
    if kind is bool or value is None:
        return
    if kind is float and math.isfinite(value):  # type: ignore[arg-type]
        return
    if kind is int and value.bit_length() <= MAX_INT_BITS:  # type: ignore[attr-defined]
        return
    _refuse_scalar(key, value, f"{where}.{key}", record)


def _refuse_scalar(key: str, value: object, place: str, record: str) -> None:
    if isinstance(value, str):  # a str subclass
        check_text(record, place, value)
        return
    if not isinstance(value, _SCALARS):
        reason = (
            f"must be a JSON scalar: str, int, float, bool or None (got a "
            f"{type(value).__name__}); format instants with isoformat()"
        )
        raise RecordError(record, place, value, reason)
    if isinstance(value, float) and not math.isfinite(value):
        reason = "must be a finite number (JSON has no NaN or infinity): write null if unknown"
        raise RecordError(record, place, value, reason)
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        reason = f"an integer of {value.bit_length()} bits is too wide to write as text"
        raise RecordError(record, place, NO_VALUE, reason)
    del key  # an int/float subclass within bounds passes, as before


def check_text(record: str, where: str, value: str) -> None:
    r"""Refuse text that is not valid Unicode (a lone surrogate cannot be written as UTF-8).

    >>> check_text("decision", "result_id", "\ud800")
    Traceback (most recent call last):
    mutrec.errors.RecordError: decision result_id = '\ud800': holds a lone surrogate ...
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        reason = f"holds a lone surrogate at {err.start}: text must be valid Unicode"
        raise RecordError(record, where, value, reason) from None


@final
class FrozenData(Mapping[str, Scalar]):
    """An immutable, hashable, picklable mapping of str keys to JSON-safe scalars.

    >>> data = FrozenData({"item": "K", "days": 7})
    >>> data["days"], len(data), data == {"days": 7, "item": "K"}
    (7, 2, True)
    >>> FrozenData({"at": object()})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    mutrec.errors.RecordError: finding data.at = <object ...>: must be a JSON scalar: ...
    """

    __slots__ = ("_items",)

    _items: dict[str, Scalar]

    def __init__(self, items: Mapping[str, Scalar] | Iterable[tuple[str, Scalar]] = ()) -> None:
        """Copy and check the items."""
        try:
            copied = dict(items)
        except (TypeError, ValueError):
            msg = "a mapping of str keys to JSON scalars, such as {'days': 7}"
            arg = "data"
            raise ArgumentError(arg, items, msg) from None
        for key, value in copied.items():
            check_scalar(key, value)
        object.__setattr__(self, "_items", copied)

    def __setattr__(self, name: str, value: object) -> None:
        """Refuse: the mapping is immutable."""
        msg = "FrozenData is immutable"
        raise AttributeError(msg)

    def __getitem__(self, key: str) -> Scalar:
        """Return the value for *key*."""
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the keys in insertion order."""
        return iter(self._items)

    def __len__(self) -> int:
        """Return the number of items."""
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        """Compare by content with any mapping (bool and int stay distinct)."""
        if not isinstance(other, Mapping):
            return NotImplemented
        if len(self._items) != len(other):
            return False
        for key, value in self._items.items():
            if key not in other:
                return False
            theirs = other[key]
            if value != theirs or type(value) is not type(theirs):
                return False
        return True

    def __hash__(self) -> int:
        """Hash by content, independent of order."""
        return hash(frozenset((k, type(v), v) for k, v in self._items.items()))

    def __repr__(self) -> str:
        """Show the items like a dict."""
        return f"FrozenData({self._items!r})"

    def __reduce__(self) -> tuple[type[FrozenData], tuple[dict[str, Scalar]]]:
        """Pickle by content."""
        return (FrozenData, (self._items,))


EMPTY: Final = FrozenData()


def _to_data(value: Mapping[str, Scalar] | FrozenData) -> FrozenData:
    return value if isinstance(value, FrozenData) else FrozenData(value)


@attrs.frozen
class Finding:
    """One thing a rule saw: a stable reason code, its severity and the data behind it.

    Attributes:
        code: The reason code, ``<rule>.<reason>`` in lower-case snake words
            (see ``policy/data/reasons.toml``); stable across releases.
        severity: How the finding weighs on the outcome.
        data: The facts behind the finding, filling the placeholders of its explanation.

    >>> finding = Finding("window.expired", Severity.BLOCK, {"days": 7})
    >>> finding.data["days"], finding.severity.value
    (7, 'block')
    """

    code: str = attrs.field(validator=instance_of(str))
    severity: Severity = attrs.field(validator=instance_of(Severity))
    data: FrozenData = attrs.field(default=EMPTY, converter=_to_data)


# FrozenData too is filled through its slot descriptor (it keeps its items in one slot).
_new_data = FrozenData.__new__
_set_items = FrozenData.__dict__["_items"].__set__


# Slot descriptors looked up once: see ``_decision.trusted_decision`` for why.
_new_finding = object.__new__
_set_code = vars(Finding)["code"].__set__
_set_severity = vars(Finding)["severity"].__set__
_set_data = vars(Finding)["data"].__set__


def trusted_finding(code: str, severity: Severity, data: dict[str, Scalar]) -> Finding:
    """Build a finding from values the caller guarantees valid (rules' hot path).

    Nothing is checked, for speed: *data* must hold JSON-safe scalars only (str keys; floats
    finite, never NaN or infinity; integers at most :data:`MAX_INT_BITS` wide), and is not
    copied: pass a fresh dict. A slip surfaces when the decision is written:
    ``Decision.to_json`` refuses it with a :class:`RecordError` rather than write invalid JSON.

    >>> trusted_finding("a.b", Severity.BLOCK, {"n": 1}) == Finding("a.b", Severity.BLOCK, {"n": 1})
    True
    """
    frozen = _new_data(FrozenData)
    _set_items(frozen, data)
    finding: Finding = _new_finding(Finding)
    _set_code(finding, code)
    _set_severity(finding, severity)
    _set_data(finding, frozen)
    return finding


def combine(findings: Iterable[Finding]) -> Outcome:
    """Combine findings into an outcome: any block → not recognised; any caution → caution.

    No finding, or only informational ones, means recognised. Missing data is reported by the
    rules as a blocking (or, where a program says so, cautionary) finding, so it can never end
    in "recognised".

    >>> combine([])
    <Outcome.RECOGNISED: 'recognised'>
    >>> combine([Finding("a.b", Severity.CAUTION), Finding("c.d", Severity.INFO)])
    <Outcome.RECOGNISED_WITH_CAUTION: 'recognised_with_caution'>
    >>> combine([Finding("a.b", Severity.CAUTION), Finding("c.d", Severity.BLOCK)])
    <Outcome.NOT_RECOGNISED: 'not_recognised'>
    """
    caution = False
    for finding in items_of("findings", findings, Finding):
        severity = finding.severity
        if severity is Severity.BLOCK:
            return Outcome.NOT_RECOGNISED
        if severity is Severity.CAUTION:
            caution = True
    return Outcome.RECOGNISED_WITH_CAUTION if caution else Outcome.RECOGNISED
