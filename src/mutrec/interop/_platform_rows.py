"""Platform payloads to rows: CSV text, JSON (rows or nested reports), XML, parsed mappings.

A row is its own fields (text) plus the fields of the rows it is nested in (a JSON report
object's ``items``, an XML report element's item elements): a nested row inherits its
parents' fields where it has none of its own, so a result nested in its report needs no
report number of its own. Each row keeps where it was (``rows[3]``, ``report[0].item[2]``).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs

from mutrec.errors import ArgumentError, ResultError
from mutrec.interop._cda_xml import MAX_XML_BYTES, parse_xml

__all__ = ["Row", "rows_of"]

_MAX_DEPTH: Final = 8
_MAX_CELL: Final = 100_000


@attrs.frozen
class Row:
    """One row: where it was, its own fields, and those inherited from its containers."""

    where: str
    own: dict[str, str]
    inherited: dict[str, str]

    def get(self, field: str) -> str | None:
        """The field's text: the row's own, else its containers'."""
        value = self.own.get(field)
        return self.inherited.get(field) if value is None else value


def _scalar(value: object, where: str) -> str | None:
    if type(value) is str and len(value) <= _MAX_CELL:  # the common case first
        return value
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        if not -(10**40) < value < 10**40:
            raise ResultError(where, "a very large integer", "not a value a row holds")
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ResultError(where, repr(value), "not a finite number")
        return repr(value)
    if isinstance(value, str):
        if len(value) > _MAX_CELL:
            raise ResultError(where, value[:40] + "…", f"longer than {_MAX_CELL} characters")
        return value
    raise ResultError(where, type(value).__name__, "a field must be text or a number")


def _flatten(  # noqa: C901 - one branch per JSON shape
    value: Mapping[str, Any], where: str, inherited: dict[str, str], out: list[Row], depth: int
) -> None:
    if depth > _MAX_DEPTH:
        raise ResultError(where, "…", f"nested deeper than {_MAX_DEPTH} levels")
    own: dict[str, str] = {}
    nested: list[tuple[str, Mapping[str, Any]]] = []
    for key, item in value.items():
        if type(item) is str and type(key) is str and len(item) <= _MAX_CELL:
            own[key] = item  # the common case: a text field
            continue
        if not isinstance(key, str):
            raise ResultError(where, repr(key)[:40], "a field name must be text")
        path = f"{where}.{key}" if where else key
        if isinstance(item, Mapping):
            nested.append((path, item))
        elif isinstance(item, list) and item and all(isinstance(i, Mapping) for i in item):
            nested.extend((f"{path}[{n}]", i) for n, i in enumerate(item))
        elif isinstance(item, list):
            if item:
                raise ResultError(path, "a list", "a field must be text, a number or rows")
        else:
            text = _scalar(item, path)
            if text is not None:
                own[key] = text
    if own or not nested:
        out.append(Row(where or "$", own, inherited))
    below = {**inherited, **own}
    for path, item in nested:
        _flatten(item, path, below, out, depth + 1)


def _csv_rows(text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader, [])]
        if not any(header):
            msg = "rows"
            raise ResultError(msg, text[:40], "the CSV is empty: no header")
        rows = []
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            where = f"line {reader.line_num}"
            if len(cells) != len(header):
                rows.append(Row(where, {"\0ragged": str(len(cells))}, {}))
                continue
            rows.append(Row(where, dict(zip(header, cells, strict=True)), {}))
    except csv.Error as error:
        msg = "rows"
        raise ResultError(msg, text[:40], f"unreadable CSV: {error}") from None
    return rows


def _xml_rows(data: str | bytes, source: str) -> list[Row]:
    root = parse_xml(data, source)
    out: list[Row] = []

    def walk(element: Any, where: str, inherited: dict[str, str]) -> None:
        leaves = {c.tag: (c.text or "") for c in element if len(c) == 0}
        nested = [c for c in element if len(c) > 0]
        if leaves or not nested:
            out.append(Row(where, leaves, inherited))
        below = {**inherited, **leaves}
        counts: dict[str, int] = {}
        for child in nested:
            n = counts[child.tag] = counts.get(child.tag, -1) + 1
            walk(child, f"{where}.{child.tag}[{n}]", below)

    nested = [c for c in root if len(c) > 0]
    if nested and not [c for c in root if len(c) == 0]:
        counts: dict[str, int] = {}
        for child in nested:  # a list of rows (or reports) under one root
            n = counts[child.tag] = counts.get(child.tag, -1) + 1
            walk(child, f"{child.tag}[{n}]", {})
    else:
        walk(root, root.tag, {})
    return out


def rows_of(  # noqa: C901, PLR0912 - one branch per payload form
    payload: object, source: str, form: str | None
) -> list[Row]:
    """The rows of one payload (see the module docstring).

    Raises:
        ResultError: The payload cannot be read at all (field *source*).
        ArgumentError: *payload* is neither text, bytes nor a list or mapping.
    """
    if isinstance(payload, bytes):
        if len(payload) > MAX_XML_BYTES:
            raise ResultError(source, payload[:40], "larger than mutrec reads: split it")
        if form == "xml" or (form is None and payload.lstrip()[:1] == b"<"):
            return _xml_rows(payload, source)
        try:
            payload = payload.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            reason = f"not UTF-8 ({error.reason} at byte {error.start}): decode it first"
            raise ResultError(source, payload[:40], reason) from None
    if isinstance(payload, str):
        if len(payload) > MAX_XML_BYTES:
            raise ResultError(source, payload[:40], "larger than mutrec reads: split it")
        first = payload.lstrip()[:1]
        kind = form or {"<": "xml", "[": "json", "{": "json"}.get(first, "csv")
        if kind == "xml":
            return _xml_rows(payload, source)
        if kind == "csv":
            return _csv_rows(payload)
        text = payload
        try:
            payload = json.loads(text)
        except RecursionError:
            raise ResultError(source, text[:40], "nested too deeply") from None
        except ValueError as error:
            raise ResultError(source, text[:40], f"not JSON: {str(error)[:80]}") from None
    out: list[Row] = []
    if isinstance(payload, Mapping):
        _flatten(payload, "", {}, out, 0)
        return out
    if isinstance(payload, Iterable) and not isinstance(payload, (str, bytes)):
        for n, item in enumerate(payload):
            if not isinstance(item, Mapping):
                msg = f"{source}[{n}]"
                raise ResultError(msg, type(item).__name__, "a row must be a mapping")
            _flatten(item, f"rows[{n}]", {}, out, 0)
        return out
    msg = "payload"
    raise ArgumentError(msg, payload, "rows: CSV, JSON or XML text or bytes, or mappings")
