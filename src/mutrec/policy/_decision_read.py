"""Reading a decision document of any schema version back into a :class:`Decision`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from mutrec.policy._decision import (
    DECISION,
    DECISION_SCHEMA,
    DECISION_SCHEMA_1,
    DECISION_SCHEMA_2,
    Decision,
    trusted_decision,
)
from mutrec.policy._findings import Outcome, RecordError
from mutrec.policy._instants import fixed_offset
from mutrec.policy._jsonio import (
    check_outcome,
    enum_field,
    fields,
    findings_field,
    instant_field,
    number_field,
    text_field,
)

__all__ = ["decision_from_dict"]

_TEXT_KEYS: Final = (
    "result_id",
    "receiver_id",
    "program_id",
    "catalogue_version",
    "policy_version",
    "item_code",
)
_KEYS_1: Final = ("schema", "outcome", "findings", "expires_at", "evaluated_at", *_TEXT_KEYS)
_KEYS_2: Final = (*_KEYS_1, "value", "unit")
_SOURCE_KEYS: Final = ("issuer_id", "patient_id", "item_text")
_KEYS: Final = (*_KEYS_2, *_SOURCE_KEYS)
_KEYS_BY_SCHEMA: Final = {
    DECISION_SCHEMA: _KEYS,
    DECISION_SCHEMA_2: _KEYS_2,
    DECISION_SCHEMA_1: _KEYS_1,
}


def decision_from_dict(raw: object, record: str = DECISION, path: str = "$") -> Decision:
    """Read a decision document (see :meth:`Decision.from_dict`) found at *path* in a *record*.

    >>> decision_from_dict([], "override", "decision")
    Traceback (most recent call last):
    mutrec.errors.RecordError: override decision = []: must be a JSON object (got a list)
    """
    if not isinstance(raw, Mapping):
        reason = f"must be a JSON object (got a {type(raw).__name__})"
        raise RecordError(record, path, raw, reason)
    schema = raw.get("schema")
    if not isinstance(schema, str) or schema not in _KEYS_BY_SCHEMA:
        where = "schema" if path == "$" else f"{path}.schema"
        known = ", ".join(repr(name) for name in _KEYS_BY_SCHEMA)
        reason = f"not a mutrec decision (expected one of {known})"
        raise RecordError(record, where, schema, reason)
    raw = fields(raw, record, path, _KEYS_BY_SCHEMA[schema])
    outcome = enum_field(raw, "outcome", Outcome, record, path)
    found = findings_field(raw, record, path)
    expires_at = instant_field(raw, "expires_at", record, path, null=True)
    evaluated_at = instant_field(raw, "evaluated_at", record, path, null=False)
    assert evaluated_at is not None  # noqa: S101 (null=False returns an instant)
    check_outcome(outcome, found, expires_at, evaluated_at, record, path)
    texts = [text_field(raw, key, record, path, null=key != "policy_version") for key in _TEXT_KEYS]
    value = number_field(raw, "value", record, path) if "value" in raw else None
    unit = text_field(raw, "unit", record, path, null=True) if "unit" in raw else None
    if (value is None) != (unit is None):
        where = "value" if path == "$" else f"{path}.value"
        raise RecordError(record, where, value, "a value comes with its unit: give both or none")
    result_id, receiver_id, program_id, catalogue_version, policy_version, item_code = texts
    issuer_id, patient_id, item_text = (
        text_field(raw, key, record, path, null=True) if key in raw else None
        for key in _SOURCE_KEYS
    )
    # Every field is checked above; fixed_offset keeps the invariant the constructor keeps.
    return trusted_decision(
        outcome,
        found,
        fixed_offset(expires_at),
        fixed_offset(evaluated_at),
        result_id,
        receiver_id,
        program_id,
        catalogue_version,
        policy_version,
        item_code,
        value,
        unit,
        issuer_id,
        patient_id,
        item_text,
    )
