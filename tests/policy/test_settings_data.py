"""Program settings as data: the ``[policy]`` table of a program file, read by the loaders."""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

import pytest

from mutrec.errors import CatalogueError
from mutrec.examples import path
from mutrec.files import load_example_region, load_region
from mutrec.policy import LocalGround, Policy, ProgramSettings

if TYPE_CHECKING:
    from pathlib import Path

LAB = "京津冀鲁检验互认(示例)"
IMAGING = "北京市影像互认(示例)"


def region_with_policy(tmp_path: Path, table: str) -> Path:
    """A copy of the example region whose lab program has *table* as its ``[policy]``."""
    folder = tmp_path / "region"
    shutil.copytree(path("region"), folder)
    program = folder / "program-jjjl.toml"
    text = program.read_text(encoding="utf-8")
    program.write_text(text[: text.index("[policy]")] + table, encoding="utf-8")
    return folder


def test_example_settings_load_from_data() -> None:
    region = load_example_region()
    assert set(region.policy_settings) == {LAB}
    assert region.policy_files == {LAB: "program-jjjl.toml"}
    settings = Policy.from_region(region).view(LAB).settings
    assert settings == ProgramSettings(
        scope_regions=("11", "12", "13", "37"),
        local_grounds=(
            LocalGround("patient_request", "患者要求复查", "the patient asks for a repeat"),
        ),
        critical_items=("Hb", "PLT", "HCT", "K", "Na"),
        rapid_items=("PLT", "K"),
        plausible={"K": (0.5, 15.0), "Glu": (0.5, 50.0)},
        critical={
            "K": (2.8, 6.2),
            "Na": (120.0, 160.0),
            "Glu": (2.2, 25.0),
            "PLT": (20.0, None),  # written { low = 20.0 }: an open side
        },
    )
    assert Policy.from_region(region).view(IMAGING).settings == ProgramSettings()


def test_raw_settings_are_deep_frozen() -> None:
    raw = load_example_region().policy_settings
    with pytest.raises(TypeError):
        raw[LAB] = {}  # type: ignore[index]
    with pytest.raises(TypeError):
        raw[LAB]["plausible"]["K"] = (0.0, 1.0)
    with pytest.raises(TypeError):
        raw[LAB]["local_grounds"][0]["zh"] = "x"
    assert isinstance(raw[LAB]["scope_regions"], tuple)


def test_explicit_settings_replace_the_data_per_program() -> None:
    region = load_example_region()
    explicit = ProgramSettings(scope_regions=("11",))
    policy = Policy.from_region(region, settings={LAB: explicit})
    assert policy.view(LAB).settings is explicit
    mark = ProgramSettings(mark_forms={"imaging": "吉林省HR"})
    both = Policy.from_region(region, settings={IMAGING: mark})
    assert both.view(IMAGING).settings is mark
    assert both.view(LAB).settings.scope_regions == frozenset({"11", "12", "13", "37"})


def test_an_empty_policy_table_gives_the_defaults(tmp_path: Path) -> None:
    region = load_region(region_with_policy(tmp_path, "[policy]\n"))
    assert Policy.from_region(region).view(LAB).settings == ProgramSettings()


def test_policy_values_are_judged_with_the_file_and_key(tmp_path: Path) -> None:
    table = """[policy]
severities = { "no.such_code" = "caution", "window.expired" = "caution", "qc.no_record" = "info" }
mark_forms = { report = "京HR" }
"""
    region = load_region(region_with_policy(tmp_path, table))
    with pytest.raises(CatalogueError) as caught:
        Policy.from_region(region)
    got = {(p.source, p.where, p.message) for p in caught.value.problems}
    assert got == {
        ("program-jjjl.toml", "policy.severities.no.such_code", "unknown reason code"),
        ("program-jjjl.toml", "policy.severities.window.expired", "must stay block"),
        (
            "program-jjjl.toml",
            "policy.severities.qc.no_record",
            "'info' would let the result pass",
        ),
        ("program-jjjl.toml", "policy.mark_forms.report", "use 'lab' or 'imaging'"),
    }  # limits with low above high are refused earlier, when the file loads (tests/files)
    # Explicit settings for that program replace the table, so nothing is judged.
    assert Policy.from_region(region, settings={LAB: ProgramSettings()}).programs


def test_a_bad_severity_word_names_the_file(tmp_path: Path) -> None:
    table = '[policy]\nseverities = { "qc.failed" = "maybe" }\n'
    region = load_region(region_with_policy(tmp_path, table))
    with pytest.raises(CatalogueError, match=r"program-jjjl.toml: policy.severities.qc.failed"):
        Policy.from_region(region)


def test_a_badly_shaped_table_is_refused_when_loading(tmp_path: Path) -> None:
    table = '[policy]\ncritical = ["K"]\nrapid_items = "K"\nlocal_grounds = ["x"]\n'
    with pytest.raises(CatalogueError) as caught:
        load_region(region_with_policy(tmp_path, table))
    got = [(p.source, p.where, p.line) for p in caught.value.problems]
    assert ("program-jjjl.toml", "policy.critical", 20) in got
    assert ("program-jjjl.toml", "policy.rapid_items", 21) in got
    assert ("program-jjjl.toml", "policy.local_grounds[0]", 22) in got
    assert all("unknown key" not in p.message or p.hint for p in caught.value.problems)


def test_policy_must_be_a_table(tmp_path: Path) -> None:
    folder = region_with_policy(tmp_path, "")
    program = folder / "program-jjjl.toml"
    text = program.read_text(encoding="utf-8")
    program.write_text(text.replace("kind =", 'policy = "lenient"\nkind =', 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"policy: expected a table, got str 'lenient'"):
        load_region(folder)
