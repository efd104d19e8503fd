"""The JSON Schema documents of mutrec's records: decisions, batches and overrides."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Final

from mutrec.errors import ArgumentError

__all__ = ["SCHEMA_NAMES", "json_schema"]

_FOLDER: Final = Path(__file__).with_name("data") / "schemas"
_FILES: Final = {
    "decision": "decision-3.schema.json",
    "batch": "batch-1.schema.json",
    "override": "override-2.schema.json",
}
SCHEMA_NAMES: Final = tuple(_FILES)
"""The records with a JSON Schema: ``decision``, ``batch`` and ``override``."""


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the newest layout of a record mutrec writes.

    A schema says the shape: keys, types, enumerations, the instant format. Reading a record
    (``Decision.from_json`` and the others) checks more, such as findings that agree with the
    outcome: validate with the schema in systems that do not run mutrec, read with mutrec where
    it runs. The batch and override schemas refer to the decision schema by its ``$id``
    (``urn:mutrec:schema:decision/3``): register it beside them in your validator.

    Args:
        name: ``"decision"``, ``"batch"`` or ``"override"``.

    Returns:
        A fresh copy of the schema, as parsed JSON.

    Raises:
        ArgumentError: *name* is not one of those.

    >>> schema = json_schema("decision")
    >>> schema["$id"], schema["properties"]["schema"]["const"]
    ('urn:mutrec:schema:decision/3', 'mutrec.decision/3')
    """
    given: object = name  # typed, but callers outside mypy pass anything
    if not isinstance(given, str) or given not in _FILES:
        arg = "name"
        raise ArgumentError(arg, name, f"one of {', '.join(map(repr, SCHEMA_NAMES))}")
    return json.loads(_text(name))  # type: ignore[no-any-return]


@cache
def _text(name: str) -> str:
    return (_FOLDER / _FILES[name]).read_text(encoding="utf-8")
