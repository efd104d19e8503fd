"""``[policy] plausible`` and ``critical``: one shape, ``[low, high]`` or an open side, checked."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pytest

from mutrec.errors import CatalogueError
from mutrec.examples import path
from mutrec.files import load_catalogue, load_region
from mutrec.files._programs import load_program
from mutrec.files._reader import Source
from mutrec.policy import ProgramSettings

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path
    from typing import Any

SH = ZoneInfo("Asia/Shanghai")
LAB = load_catalogue(path("region/catalogue-jjjl-lab.toml"))
PROGRAM = """kind = "program"
schema_version = 1
name = "p"
scope = "京津冀"
mark = "HR"
catalogues = ["京津冀鲁检验互认项目"]

[policy]
"""
KEYS = ["plausible", "critical"]


def _policy(tmp_path: Path, body: str) -> Mapping[str, Any]:
    """The [policy] table as loaded, or a CatalogueError with every problem."""
    p = tmp_path / "program.toml"
    p.write_text(PROGRAM + body, encoding="utf-8")
    src = Source(p, SH)
    policies: dict[str, Mapping[str, Any]] = {}
    load_program(src, {LAB.name: [LAB]}, zone=SH, policies=policies)
    src.raise_if_any()
    return policies["p"]


def _problems(tmp_path: Path, body: str) -> list[tuple[str, str, int | None]]:
    with pytest.raises(CatalogueError) as caught:
        _policy(tmp_path, body)
    return [(p.where, p.message, p.line) for p in caught.value.problems]


@pytest.mark.parametrize("key", KEYS)
def test_pairs_and_open_sides_load(tmp_path: Path, key: str) -> None:
    body = f"{key} = {{ K = [2.5, 6.5], Na = {{ high = 160 }}, Glu = {{ low = 2.8 }} }}\n"
    limits = _policy(tmp_path, body)[key]
    assert dict(limits) == {"K": (2.5, 6.5), "Na": (None, 160.0), "Glu": (2.8, None)}
    assert all(isinstance(x, float) for pair in limits.values() for x in pair if x is not None)


def test_critical_and_plausible_load_side_by_side(tmp_path: Path) -> None:
    body = "plausible = { K = [0.5, 15.0] }\n[policy.critical]\nK = [2.5, 6.5]\nNa = [120, 160]\n"
    policy = _policy(tmp_path, body)
    assert dict(policy["plausible"]) == {"K": (0.5, 15.0)}
    assert dict(policy["critical"]) == {"K": (2.5, 6.5), "Na": (120.0, 160.0)}


def test_plausible_open_side_is_read_by_the_policy_layer(tmp_path: Path) -> None:
    policy = _policy(tmp_path, "plausible = { K = { high = 15 } }\n")
    assert ProgramSettings.from_raw(policy).plausible["K"] == (None, 15.0)


BAD = [
    ("[6.5, 2.5]", "low 6.5 is above high 2.5"),
    ("{ low = 7, high = 3 }", "low 7.0 is above high 3.0"),
    ("[1e999, 2]", "expected a finite number, got inf"),
    ("[-inf, 2]", "expected a finite number, got -inf"),
    ("[1, inf]", "expected a finite number, got inf"),
    ("[nan, 2]", "expected a finite number, got nan"),
    ("[1, " + "9" * 400 + "]", "expected a finite number, got 999"),
    ("[true, 2]", "expected a finite number, got True"),
    ('["1", 2]', "expected a finite number, got '1'"),
    ("[0.5]", "expected [low, high] numbers, got [0.5]"),
    ("[0.5, 1, 2]", "expected [low, high] numbers"),
    ("[]", "expected [low, high] numbers, got []"),
    ("{}", "expected [low, high] numbers, got {}"),
    ("{ lo = 1 }", "expected [low, high] numbers, got {'lo': 1}"),
    ("{ low = 1, high = 2, mid = 1 }", "expected [low, high] numbers"),
    ('"0.5-15"', "expected [low, high] numbers, got '0.5-15'"),
    ("15", "expected [low, high] numbers, got 15"),
    ("{ high = nan }", "expected a finite number, got nan"),
]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize(("value", "fragment"), BAD)
def test_bad_limits_are_problems(tmp_path: Path, key: str, value: str, fragment: str) -> None:
    found = _problems(tmp_path, f"{key} = {{ K = {value} }}\n")
    assert found == [(f"policy.{key}.K", found[0][1], 9)], found
    assert fragment in found[0][1]


@pytest.mark.parametrize("key", KEYS)
def test_limits_must_be_a_table(tmp_path: Path, key: str) -> None:
    assert _problems(tmp_path, f"{key} = [[1, 2]]\n") == [
        (f"policy.{key}", "expected a table, got list [[1, 2]]", 9)
    ]


def test_every_bad_pair_is_reported_at_once(tmp_path: Path) -> None:
    body = "plausible = { K = [2, 1] }\ncritical = { K = [inf, 1], Na = [1] }\n"
    assert [w for w, _, _ in _problems(tmp_path, body)] == [
        "policy.plausible.K",
        "policy.critical.K",
        "policy.critical.Na",
    ]


def test_a_degenerate_pair_loads(tmp_path: Path) -> None:
    assert _policy(tmp_path, "critical = { K = [4, 4] }\n")["critical"]["K"] == (4.0, 4.0)


def test_region_keeps_critical_limits(tmp_path: Path) -> None:
    for p in path("region").iterdir():
        (tmp_path / p.name).write_bytes(p.read_bytes())
    program = tmp_path / "program-jjjl.toml"
    text = program.read_text(encoding="utf-8")
    # The example's own critical line is replaced by one with other limits.
    lines = [line for line in text.splitlines() if not line.startswith("critical = ")]
    program.write_text("\n".join([*lines, "critical = { K = [2.5, 6.5] }", ""]), encoding="utf-8")
    region = load_region(tmp_path)
    critical = region.policy_settings["京津冀鲁检验互认(示例)"]["critical"]
    assert dict(critical) == {"K": (2.5, 6.5)}
    with pytest.raises(TypeError):
        critical["K"] = (0.0, math.inf)
