"""The fuzz targets: each is a strategy of inputs and a function that feeds one to mutrec."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from hypothesis import strategies as st

import mutrec
from fuzz.nasty import (
    JSON_FRAGMENTS,
    NASTY_TEXT,
    TOML_VALUES,
    json_values,
    nasty_text,
    not_text,
)
from mutrec.examples import path as example_path

if TYPE_CHECKING:
    from collections.abc import Callable

MARK = "@@fuzz@@"
UNITS = ("mmol/L", "mg/dL", "umol/L", "g/L", "10*9/L", "U/L", "%", "[IU]/L", "mm[Hg]", "s")


@attrs.frozen
class Target:
    """One fuzz target: a name, a strategy of inputs, and the call that feeds one to mutrec."""

    name: str
    inputs: st.SearchStrategy[Any]
    call: Callable[[Any], object]


# --- units and values ---

unit_text = st.one_of(nasty_text, st.sampled_from(UNITS))


def _parse_unit(text: object) -> object:
    return mutrec.parse_unit(text)  # type: ignore[arg-type]  # wrong types are inputs too


convert_args = st.tuples(
    st.one_of(st.floats(), st.integers(), not_text),
    unit_text,
    unit_text,
    st.one_of(st.none(), st.sampled_from(["glucose", "urea", "creatinine", "K"]), nasty_text),
)


def _convert(args: tuple[Any, Any, Any, Any]) -> object:
    value, from_unit, to_unit, analyte = args
    return mutrec.convert(value, from_unit, to_unit, analyte=analyte)


value_args = st.tuples(st.one_of(nasty_text, not_text), st.one_of(st.none(), unit_text))


def _parse_value(args: tuple[Any, Any]) -> object:
    text, unit = args
    return mutrec.parse_value(text, unit)


# --- region files ---

_EXAMPLE = Path(example_path("region"))
_FILES = tuple(sorted(p.name for p in _EXAMPLE.iterdir() if p.suffix in {".toml", ".csv"}))


@cache
def _original(name: str) -> bytes:
    return (_EXAMPLE / name).read_bytes()


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


@st.composite
def _mutated_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """One file of the example region with one mutation: the rest of the region stays valid."""
    name = draw(st.sampled_from(_FILES))
    lines = _original(name).decode().splitlines(keepends=True)
    at = draw(st.integers(0, len(lines) - 1))
    kind = draw(
        st.sampled_from(["value", "cell", "delete", "duplicate", "insert", "bom", "cut", "bytes"])
    )
    line = lines[at]
    if kind == "value" and "=" in line:
        key = line.split("=", 1)[0]
        value = draw(st.one_of(st.sampled_from(TOML_VALUES), nasty_text.map(json.dumps)))
        lines[at] = f"{key}= {value}\n"
    elif kind == "cell" or (kind == "value" and "," in line):
        cells = line.rstrip("\r\n").split(",")
        cell = draw(st.integers(0, len(cells)))
        new = draw(nasty_text)
        if cell == len(cells):
            cells.append(new)
        else:
            cells[cell] = new
        lines[at] = ",".join(cells) + "\n"
    elif kind == "delete":
        del lines[at]
    elif kind == "duplicate":
        lines.insert(at, line)
    elif kind == "insert":
        lines.insert(at, draw(nasty_text) + "\n")
    elif kind == "bom":
        lines[0] = "\ufeff" + lines[0]
    text = "".join(lines)
    if kind == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    if kind == "bytes":
        return name, draw(st.binary(max_size=64)) + _encode(text)[draw(st.integers(0, 200)) :]
    return name, _encode(text)


region_files = _mutated_file()


@cache
def _region_dir() -> Path:
    from fuzz.runner import work_dir  # the runner knows where this session may write

    folder = work_dir() / "region"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(_EXAMPLE, folder)
    return folder


def _load_region(args: tuple[str, bytes]) -> object:
    name, data = args
    folder = _region_dir()
    target = folder / name
    target.write_bytes(data)
    try:
        region = mutrec.load_region(folder)
        # The [policy] tables are judged only here: they are region data too.
        return mutrec.Policy.from_region(region)
    finally:
        target.write_bytes(_original(name))


# --- decisions and overrides ---

SH = timezone(timedelta(hours=8))


@cache
def _real_decisions() -> tuple[mutrec.Decision, ...]:
    policy = mutrec.Policy.from_region(mutrec.load_example_region())
    out = []
    for item, value, unit, receiver in [
        ("K", "4.1", "mmol/L", "TJ001"),
        ("Glu", "120", "mg/dL", "BJ002"),
        ("Hb", "阴性", None, "SD001"),
        ("ALT", ">10", "U/L", "ZZ9"),
    ]:
        collected = datetime(2024, 3, 1, 8, tzinfo=SH)
        result = mutrec.LabResult(
            item,
            mutrec.parse_value(value, unit),
            collected,
            "BJ001",
            "p1",
            reported=collected + timedelta(hours=4),
        )
        out += [
            policy.evaluate(
                result,
                receiver=receiver,
                at=collected + timedelta(days=days),
                context=mutrec.ClinicalContext(patient="p1"),
                result_id="r1",
            )
            for days in (1, 40)
        ]
    return tuple(out)


@cache
def _real_overrides() -> tuple[str, ...]:
    out = []
    for d in _real_decisions():
        action = "repeat" if d.outcome is mutrec.Outcome.RECOGNISED else "accept"
        ground = "other" if action == "repeat" else None
        try:
            o = mutrec.Override(d, action, ground, "d1", d.evaluated_at, "note")
        except (mutrec.MutrecError, ValueError):
            continue
        out.append(o.to_json())
    return tuple(out)


def _paths(tree: object, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a JSON tree (keys of objects, indexes of arrays), the root included."""
    found = [prefix]
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += _paths(value, (*prefix, index))
    return found


def _set(tree: Any, where: tuple[Any, ...], value: object) -> Any:
    if not where:
        return value
    node = tree
    for step in where[:-1]:
        node = node[step]
    node[where[-1]] = value
    return tree


@st.composite
def _mutated_json(draw: st.DrawFn, texts: tuple[str, ...]) -> str | bytes:
    """A real JSON document with one node replaced, removed or renamed; or random JSON."""
    how = draw(st.sampled_from(["node", "fragment", "drop", "rename", "random", "text", "bytes"]))
    if how == "random":
        return json.dumps(draw(json_values), ensure_ascii=draw(st.booleans()))
    base = draw(st.sampled_from(texts))
    if how == "text":
        return base[: draw(st.integers(0, len(base)))] + draw(nasty_text)
    tree = json.loads(base)
    where = draw(st.sampled_from(_paths(tree)))
    if how == "node":
        tree = _set(tree, where, draw(json_values))
    elif how in {"drop", "rename"} and where:
        parent = tree
        for step in where[:-1]:
            parent = parent[step]
        value = parent.pop(where[-1])
        if how == "rename" and isinstance(parent, dict):
            parent[draw(nasty_text)] = value
    elif how in {"fragment", "bytes"}:
        tree = _set(tree, where, MARK)
    text = json.dumps(tree, ensure_ascii=draw(st.booleans()))
    text = text.replace(json.dumps(MARK), draw(st.sampled_from(JSON_FRAGMENTS)))
    if how == "bytes":
        prefix = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00"]))
        encoding = draw(st.sampled_from(["utf-8", "utf-16", "utf-32"]))
        return prefix + text.encode(encoding, "surrogatepass")
    return text


def _decision_json(text: str | bytes) -> object:
    return mutrec.Decision.from_json(text)


def _override_json(text: str | bytes) -> object:
    return mutrec.Override.from_json(text)


# --- results as hospital systems send them ---

_FHIR_EXAMPLES = Path(__file__).resolve().parents[1] / "tests" / "data" / "fhir-r4-examples"


@cache
def _fhir_texts() -> tuple[str, ...]:
    return tuple(p.read_text(encoding="utf-8") for p in sorted(_FHIR_EXAMPLES.glob("*.json")))


def _read_fhir(text: str | bytes) -> object:
    from mutrec.interop import issuer_table, read_fhir

    issuer = issuer_table(
        {
            "Organization/f001": "BJ001",
            "Organization/1832473e-2fe0-452d-abe9-3cdb9879522f": "BJ002",
            "Organization/example": "BJ003",
        }
    )
    return read_fhir(text, issuer=issuer, default_zone=SH)


@st.composite
def _mutated_column_map(draw: st.DrawFn) -> bytes:
    """An example column map with one line changed, dropped, repeated or cut."""
    lines = _MAP.read_text(encoding="utf-8").splitlines(keepends=True)
    at = draw(st.integers(0, len(lines) - 1))
    kind = draw(st.sampled_from(["value", "delete", "duplicate", "insert", "cut"]))
    if kind == "value" and "=" in lines[at]:
        key = lines[at].split("=", 1)[0]
        value = draw(st.one_of(st.sampled_from(TOML_VALUES), nasty_text.map(json.dumps)))
        lines[at] = f"{key}= {value}\n"
    elif kind == "delete":
        del lines[at]
    elif kind == "duplicate":
        lines.insert(at, lines[at])
    elif kind == "insert":
        lines.insert(at, draw(nasty_text) + "\n")
    text = "".join(lines)
    if kind == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    return _encode(text)


_MAP = Path(example_path("mappings")) / "lis-flat.toml"

_ORU = (
    (
        "MSH|^~\\&|LIS|BJ001^北京示例医院|PLATFORM|REGION|20240301120000+0800||"
        "ORU^R01^ORU_R01|M-0001|P|2.5.1||||||UNICODE UTF-8"
    ),
    "PID|1||p-8842^^^BJ001^MR||张三",
    "OBR|1|ORD-77|LAB-77|CHEM^生化^L|||20240301080500+0800|||||||||||||||20240301114000+0800|||F",
    "OBX|1|NM|LIS-0101^血清钾^99LIS^2823-3^Potassium^LN||4.1|mmol/L^^UCUM|3.5-5.3|N|||F",
    "OBX|2|SN|GLU^葡萄糖^99LIS||<^0.5|mmol/L|3.9-6.1|L|||C|||20240301090000+0800",
    "OBX|3|ST|HBSAG^乙肝表面抗原^99LIS||阴性||阴性||||F",
    "SPM|1|||SER^Serum^HL70487",
)


@st.composite
def _mutated_oru(draw: st.DrawFn) -> str | bytes:
    """The example ORU^R01 with a field, a segment or the separators changed, as text or bytes."""
    segments = list(_ORU)
    at = draw(st.integers(0, len(segments) - 1))
    kind = draw(st.sampled_from(["field", "segment", "drop", "repeat", "cut", "bytes"]))
    if kind == "field":
        fields = segments[at].split("|")
        fields[draw(st.integers(0, len(fields) - 1))] = draw(nasty_text)
        segments[at] = "|".join(fields)
    elif kind == "segment":
        segments[at] = draw(nasty_text)
    elif kind == "drop":
        del segments[at]
    elif kind == "repeat":
        segments[at:at] = [segments[at]] * draw(st.integers(1, 50))
    end = draw(st.sampled_from(["\r", "\n", "\r\n"]))
    text = end.join(segments)
    if kind == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    if kind == "bytes":
        encoding = draw(st.sampled_from(["utf-8", "gb18030", "utf-16", "latin-1"]))
        data = text.encode(encoding, "replace")
        return data[: draw(st.integers(0, len(data)))] + draw(st.binary(max_size=16))
    return text


def _read_oru(message: str | bytes) -> object:
    from mutrec.interop import read_oru

    return read_oru(message, issuer={"BJ001": "BJ001"}, default_zone=SH)


def _load_column_map(data: bytes) -> object:
    from fuzz.runner import work_dir
    from mutrec.files.columns import load_column_map

    target = work_dir() / "map.toml"
    target.write_bytes(data)
    return load_column_map(target)


def targets() -> tuple[Target, ...]:
    """Every target, in the order the runner shares its budget."""
    decisions = tuple(d.to_json() for d in _real_decisions())
    return (
        Target("parse_unit", st.one_of(unit_text, not_text), _parse_unit),
        Target("convert", convert_args, _convert),
        Target("parse_value", value_args, _parse_value),
        Target("load_region", region_files, _load_region),
        Target("Decision.from_json", _mutated_json(decisions), _decision_json),
        Target("Override.from_json", _mutated_json(_real_overrides()), _override_json),
        Target("read_fhir", _mutated_json(_fhir_texts()), _read_fhir),
        Target("load_column_map", _mutated_column_map(), _load_column_map),
        Target("read_oru", _mutated_oru(), _read_oru),
    )


__all__ = ["NASTY_TEXT", "Target", "targets"]
