"""Strict JSON for audit records: what a decision's or an override's document may hold.

An audit record read back must be the record that was written, or be refused with a
:class:`~mutrec.errors.RecordError` that says what is wrong, where (a JSON path such
as ``findings[2].severity``) and how to fix it. Python's :mod:`json` is lenient where an audit
trail must not be: it reads ``NaN`` and ``Infinity``, keeps the last of two equal keys, turns
``1e400`` into infinity, and lets a too-long integer or a too-deep nesting escape as a
``ValueError`` or ``RecursionError``. The readers here refuse all of those.

Choices: a UTF-8 byte order mark is accepted (Windows tools write one; it changes no meaning);
bytes must be UTF-8; a key repeated in one object, a key the layout does not have, and a missing
key are refused (a typo must not silently drop a fact of the record).
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Final, TypeVar

from mutrec.policy._findings import (
    NO_VALUE,
    Finding,
    Outcome,
    RecordError,
    Severity,
    check_scalar,
    check_text,
    combine,
    trusted_finding,
)

_E = TypeVar("_E", bound=StrEnum)

__all__ = [
    "check_outcome",
    "dump",
    "enum_field",
    "fields",
    "findings_field",
    "instant_field",
    "load",
    "text_field",
]

_BOM: Final = "\ufeff"
_EXAMPLE_INSTANT: Final = "2024-03-01T08:30:00+08:00"


class _Refused(Exception):  # noqa: N818 (internal: a parser hook refused a token)
    def __init__(self, value: object, reason: str) -> None:
        super().__init__(reason)
        self.value = value
        self.reason = reason


def _constant(name: str) -> object:
    reason = f"{name} is not a JSON number (JSON has no NaN or infinity): write null if unknown"
    raise _Refused(name, reason)


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _Refused(key, "the key appears twice in one object: keep only one")
            seen.add(key)
    return result


def load(text: object, record: str) -> object:
    """Parse JSON *text* (str, or UTF-8 bytes) strictly, for a *record* (named in errors).

    Raises:
        RecordError: Not text, not UTF-8, not JSON, ``NaN``/``Infinity``, an integer too long
            to read, nesting too deep, or a key twice in one object.

    >>> load('{"a": [1, 2.5, null]}', "decision")
    {'a': [1, 2.5, None]}
    >>> load('{"a": 1, "a": 2}', "decision")
    Traceback (most recent call last):
    mutrec.errors.RecordError: decision $ = 'a': the key appears twice in one object: ...
    >>> load("[NaN]", "decision")
    Traceback (most recent call last):
    mutrec.errors.RecordError: decision $ = 'NaN': NaN is not a JSON number ...
    """
    if isinstance(text, (bytes, bytearray)):
        raw = bytes(text).removeprefix(_BOM.encode())
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            reason = (
                f"is not UTF-8 text (byte {err.start} is 0x{raw[err.start]:02x}): "
                "re-save it as UTF-8, or pass it decoded as str"
            )
            raise RecordError(record, "$", NO_VALUE, reason) from None
    if not isinstance(text, str):
        reason = f"must be JSON text, str or UTF-8 bytes (got a {type(text).__name__})"
        raise RecordError(record, "$", text, reason)
    try:
        return json.loads(
            text.removeprefix(_BOM),
            parse_constant=_constant,
            object_pairs_hook=_pairs,
        )
    except json.JSONDecodeError as err:
        reason = f"is not JSON: {err.msg} at line {err.lineno} column {err.colno}"
        raise RecordError(record, "$", NO_VALUE, reason) from None
    except _Refused as err:
        raise RecordError(record, "$", err.value, err.reason) from None
    except RecursionError:
        reason = "is nested too deeply to be a mutrec record"
        raise RecordError(record, "$", NO_VALUE, reason) from None
    except ValueError as err:
        # The one ValueError the decoder lets through: an integer longer than Python converts
        # (sys.get_int_max_str_digits). A number too large for a float reads as infinity and
        # is refused where it lands (finding data must be finite; other fields are strings).
        reason = f"holds a number too long to read ({err}): write it as a string or null"
        raise RecordError(record, "$", NO_VALUE, reason) from None


def dump(
    document: Mapping[str, Any],
    record: str,
    findings: tuple[Finding, ...] = (),
    path: str = "$",
) -> str:
    """Write *document* as JSON text, Chinese kept; anything JSON cannot hold is refused.

    When it fails, the *findings* of the record (at *path*) are checked to name the item at
    fault: data built by ``trusted_finding`` is not checked when it is made.

    Raises:
        RecordError: A NaN or infinite float, an over-long integer, a value that is not JSON.

    >>> dump({"a": "京"}, "decision")
    '{"a": "京"}'
    >>> dump({"a": float("nan")}, "decision")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    mutrec.errors.RecordError: decision $: cannot be written as JSON ...
    """
    try:
        return json.dumps(document, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as err:
        where = _at(path, "findings")
        for index, finding in enumerate(findings):
            for key, value in finding.data.items():
                try:
                    check_scalar(key, value, _at(_at(where, index), "data"), record)
                except RecordError as bad:
                    why = f"{bad.reason}; fix the rule that reported {finding.code!r}"
                    raise RecordError(record, bad.field, bad.value, why) from None
        reason = f"cannot be written as JSON ({err}): fix the code that built the {record}"
        raise RecordError(record, "$", NO_VALUE, reason) from None


def _at(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    name = key if key.isidentifier() else repr(key)
    return name if path == "$" else f"{path}.{name}"


def fields(raw: object, record: str, path: str, keys: Collection[str]) -> Mapping[str, Any]:
    """Check that *raw* is an object with exactly *keys*; return it.

    >>> fields({"a": 1}, "decision", "$", ("a", "b"))
    Traceback (most recent call last):
    mutrec.errors.RecordError: decision b: missing: add it (null where unknown)
    """
    if not isinstance(raw, Mapping):
        reason = f"must be a JSON object (got a {type(raw).__name__})"
        raise RecordError(record, path, raw, reason)
    for key in keys:
        if key not in raw:
            raise RecordError(
                record, _at(path, key), NO_VALUE, "missing: add it (null where unknown)"
            )
    for key in raw:
        if key not in keys:
            where = _at(path, key) if isinstance(key, str) else path
            reason = f"unknown key {key!r}: this object has only {sorted(keys)}; remove it"
            raise RecordError(record, where, NO_VALUE, reason)
    return raw


def text_field(raw: Mapping[str, Any], key: str, record: str, path: str, *, null: bool) -> Any:
    """Read a str field (``None`` allowed when *null*).

    >>> text_field({"by": 7}, "by", "override", "$", null=False)
    Traceback (most recent call last):
    mutrec.errors.RecordError: override by = 7: must be a string
    """
    value = raw[key]
    if value is None and null:
        return None
    if not isinstance(value, str):
        raise RecordError(record, _at(path, key), value, "must be a string" + " or null" * null)
    if not value.isascii():
        check_text(record, _at(path, key), value)
    return value


def number_field(raw: Mapping[str, Any], key: str, record: str, path: str) -> float | None:
    """Read a finite JSON number (or null) as a float.

    >>> number_field({"value": True}, "value", "decision", "$")
    Traceback (most recent call last):
    mutrec.errors.RecordError: decision value = True: must be a finite number or null
    """
    value = raw[key]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RecordError(record, _at(path, key), value, "must be a finite number or null")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise RecordError(record, _at(path, key), value, "must be a finite number or null")
    return number


def enum_field(raw: Mapping[str, Any], key: str, kind: type[_E], record: str, path: str) -> _E:
    """Read one of *kind*'s values.

    >>> enum_field({"outcome": "ok"}, "outcome", Outcome, "decision", "$")
    Traceback (most recent call last):
    mutrec.errors.RecordError: decision outcome = 'ok': unknown outcome: use one of ...
    """
    value = raw[key]
    if isinstance(value, str):
        try:
            return kind(value)
        except ValueError:
            pass
    reason = f"unknown {key}: use one of {[member.value for member in kind]}"
    raise RecordError(record, _at(path, key), value, reason)


def instant_field(
    raw: Mapping[str, Any], key: str, record: str, path: str, *, null: bool
) -> datetime | None:
    """Read an aware ISO-8601 instant that converts to UTC (``None`` allowed when *null*).

    >>> instant_field({"at": "2024-03-01T08:30"}, "at", "override", "$", null=False)
    Traceback (most recent call last):
    mutrec.errors.RecordError: override at = '2024-03-01T08:30': has no UTC offset ...
    """
    value = raw[key]
    if value is None:
        if null:
            return None
        raise RecordError(
            record,
            _at(path, key),
            value,
            f"must not be null: give the instant, such as {_EXAMPLE_INSTANT}",
        )
    if not isinstance(value, str):
        reason = (
            f"must be an ISO-8601 instant string such as {_EXAMPLE_INSTANT}" + " or null" * null
        )
        raise RecordError(record, _at(path, key), value, reason)
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as err:
        reason = f"is not an ISO-8601 instant ({err}): write one such as {_EXAMPLE_INSTANT}"
        raise RecordError(record, _at(path, key), value, reason) from None
    if instant.utcoffset() is None:
        reason = f"has no UTC offset (a naive instant): add it, such as {_EXAMPLE_INSTANT}"
        raise RecordError(record, _at(path, key), value, reason)
    try:
        if instant.year in {1, 9999}:  # only there can the UTC instant fall off the calendar
            instant.astimezone(UTC)
    except OverflowError:
        reason = "falls outside years 1 to 9999 once converted to UTC: check the date and offset"
        raise RecordError(record, _at(path, key), value, reason) from None
    return instant


def findings_field(raw: Mapping[str, Any], record: str, path: str) -> tuple[Finding, ...]:
    """Read the ``findings`` list: code, known severity, data of JSON scalars.

    >>> findings_field({"findings": {}}, "decision", "$")
    Traceback (most recent call last):
    mutrec.errors.RecordError: decision findings = {}: must be a JSON list (got a dict)
    """
    where = _at(path, "findings")
    found = raw["findings"]
    if not isinstance(found, list):
        raise RecordError(
            record, where, found, f"must be a JSON list (got a {type(found).__name__})"
        )
    result = []
    for index, raw_item in enumerate(found):
        here = _at(where, index)
        item = fields(raw_item, record, here, ("code", "severity", "data"))
        code = text_field(item, "code", record, here, null=False)
        severity = enum_field(item, "severity", Severity, record, here)
        data = item["data"]
        data_path = _at(here, "data")
        if not isinstance(data, Mapping):
            reason = f"must be a JSON object of scalars (got a {type(data).__name__})"
            raise RecordError(record, data_path, data, reason)
        for key, value in data.items():
            check_scalar(key, value, data_path, record)
        # Every item was checked just above: no need to check them again.
        result.append(trusted_finding(code, severity, dict(data)))
    return tuple(result)


def check_outcome(  # noqa: PLR0913, PLR0917 (the facts that must agree)
    outcome: Outcome,
    found: tuple[Finding, ...],
    expires_at: datetime | None,
    evaluated_at: datetime,
    record: str,
    path: str,
) -> None:
    """Refuse an outcome its findings or its expiry contradict.

    The outcome must be what the findings combine to (any block: not recognised; else any
    caution: with caution; else recognised), and a recognised result must not have expired at
    the instant it was decided.

    >>> from datetime import datetime, UTC
    >>> check_outcome(Outcome.NOT_RECOGNISED, (), None, datetime(2024, 1, 1, tzinfo=UTC),
    ...               "decision", "$")
    Traceback (most recent call last):
    mutrec.errors.RecordError: decision outcome = 'not_recognised': contradicts ...
    """
    combined = combine(found)
    if outcome is not combined:
        worst = max((f.severity for f in found), key=Severity.rank, default=None)
        said = "no finding" if worst is None else f"the worst finding is {worst.value!r}"
        reason = (
            f"contradicts the findings ({said}, which makes {combined.value!r}): "
            "the record was altered or is not a mutrec decision"
        )
        raise RecordError(record, _at(path, "outcome"), outcome.value, reason)
    if outcome.recognised and expires_at is not None and expires_at <= evaluated_at:
        reason = (
            f"is not after evaluated_at {evaluated_at.isoformat()}: a result recognised at "
            "that instant cannot have expired by then"
        )
        raise RecordError(record, _at(path, "expires_at"), expires_at.isoformat(), reason)
