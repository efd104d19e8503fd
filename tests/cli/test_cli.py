"""The command line on good and broken input: exit codes, output, no tracebacks."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from mutrec.cli import main

DATA = Path(__file__).parent / "data"
EXAMPLE = Path(__file__).parents[2] / "src" / "mutrec" / "examples" / "region"


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*argv: str | Path, err: io.StringIO | None = None) -> tuple[int, str, str]:
    out = io.StringIO()
    errors = io.StringIO() if err is None else err
    code = main([str(a) for a in argv], out=out, err=errors)
    assert "Traceback" not in out.getvalue() + errors.getvalue()
    return code, out.getvalue(), errors.getvalue()


# --- demo ---


def test_demo_is_the_recognition_demo_and_deterministic() -> None:
    code, out, _ = run("demo")
    assert code == 0
    assert run("demo")[1] == out
    lines = [" ".join(line.split()) for line in out.splitlines()]  # columns: any spacing
    for key in (
        "示例北京市西城区中医医院 (BJ003), outpatient, at 2024-03-15 10:00 +08:00.",
        "R1 Glu 葡萄糖 BJ001 recognised 2024-04-10 11:00 +08:00 —",
        "R2 K 钾 HB001 not_recognised — window.expired",
        "R3 ALT 丙氨酸氨基转移酶 TJ003 not_recognised — qc.failed",
        "R5 HbA1c 糖化血红蛋白 SD001 recognised 2024-03-25 11:00 +08:00 —",
        "R6 CT-CHEST 胸部CT平扫 BJ001 not_recognised — imaging.device_insufficient",
        "R4 Hb 血红蛋白 TJ003 recognised_with_caution 2024-03-27 11:00 +08:00 ground.emergency",
        "- 可以复查（复查情形四）：急诊或抢救。",
        "- A repeat is justified (ground 4): emergency or resuscitation.",
        "胸部CT CT-CHEST 胸部CT平扫 repeat — —",
        "MR-HEAD MR-HEAD 头颅MR平扫 R8 450.00 MR",
        "fees saved: 759.00 CNY (LAB 69.00, CT 180.00, MR 450.00, DR 60.00)",
        "互认率 recognition rate: 6/9 (66.7%) of the prior results brought",
    ):
        assert key in lines, key


def test_demo_units_and_version_and_help() -> None:
    code, out, _ = run("demo", "--units")
    assert code == 0
    assert "Reading lab units" in out
    code, out, _ = run("--version")
    assert code == 0
    assert out.startswith("mutrec ")
    assert run()[0] == 2
    assert run("--no-such-option")[0] == 2
    assert run("catalogue")[0] == 2


# --- check ---


def test_check_csv_table() -> None:
    code, out, err = run("check", DATA / "results.csv", "--summary")
    assert code == 0
    assert err == ""
    assert "0    L1          Glu           recognised               2024-04-10 11:00 +08:00" in out
    assert "window.expired" in out
    assert "ground.major_intervention" in out
    assert "7 rows: 2 recognised, 2 with caution, 3 not recognised, 0 could not be decided" in out
    assert "互认率 recognition rate: 2/7 (28.6%); with caution 4/7 (57.1%)" in out
    assert "fees not spent on repeats: 455.00 CNY (LAB 5.00, MR 450.00)" in out
    # Recognised with caution: the doctor decides, so those fees are counted apart.
    assert "possibly not spent (recognised with caution): 184.00 CNY (LAB 4.00, CT 180.00)" in out


def test_check_explains_in_either_language() -> None:
    out = run("check", DATA / "results.csv", "--explain", "--lang", "zh")[1]
    assert "结论：不予互认" in out
    out = run("check", DATA / "results.csv", "--explain")[1]
    assert "Outcome: not recognised" in out


def test_check_json_output_round_trips() -> None:
    code, out, _ = run("check", DATA / "results.csv", "--format", "json", "--summary")
    assert code == 0
    document = json.loads(out)
    assert document["schema"] == "mutrec.batch/1"
    assert [d["outcome"] for d in document["decisions"]][:2] == ["recognised", "not_recognised"]
    assert document["summary"]["overall"] == {
        "recognised": 2,
        "with_caution": 2,
        "not_recognised": 3,
        "brought": 7,
        "rate": 2 / 7,
        "rate_with_caution": 4 / 7,
    }
    assert document["summary"]["savings"]["possible"]["total"] == "184.00"


def test_check_csv_output() -> None:
    code, out, _ = run("check", DATA / "results.csv", "--format", "csv")
    assert code == 0
    rows = out.splitlines()
    assert rows[0].startswith("row,result_id,item_code,outcome,codes,expires_at")
    assert rows[2].startswith("1,L2,K,not_recognised,window.expired,")
    assert len(rows) == 8


def test_check_json_input_reports_bad_rows() -> None:
    code, out, err = run("check", DATA / "results.json", "--format", "csv")
    assert code == 3
    rows = out.splitlines()
    assert rows[1].startswith("0,J1,HbA1c,recognised,")
    assert rows[2].startswith("1,J2,DR-CHEST,recognised_with_caution,ground.emergency,")
    assert "ResultError" in rows[3]
    assert "colected" in rows[3]
    assert "ResultError" in rows[4]
    assert err == "mutrec: 2 of 4 rows could not be decided\n"


def test_check_every_bad_row_is_reported_and_none_aborts() -> None:
    code, out, err = run("check", DATA / "bad-rows.csv", "--format", "json")
    assert code == 3
    document = json.loads(out)
    errors = {e["result_id"]: e for e in document["errors"]}
    assert errors["B1"]["error"] == "TimeZoneError"
    assert errors["B1"]["field"] == "collected"
    assert errors["B2"]["error"] == "UnitError"
    assert errors["B3"]["field"] == "modality"
    assert errors["B4"]["field"] == "collected"
    assert errors["B5"]["field"] == "setting"
    assert errors["B6"]["field"] == "purpose"
    assert errors["B8"]["field"] == "detector_rows"
    assert "B7" not in errors
    b7 = document["decisions"][6]  # decided: no report instant for a report-anchored window
    assert [f["code"] for f in b7["findings"]] == ["window.no_time"]
    assert [e["index"] for e in document["errors"]] == [0, 1, 2, 3, 4, 5, 7, 8]
    assert "8 of 9 rows could not be decided" in err


def test_check_defaults_fill_missing_columns(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text(
        "item,value,unit,collected,reported,issuer,patient,specimen\n"
        "K,4.1,mmol/L,2024-03-13T08:00,2024-03-13T11:00,BJ001,P1,serum\n",
        encoding="utf-8",
    )
    code, out, _ = run(
        "check",
        rows,
        "--receiver",
        "BJ003",
        "--at",
        "2024-03-15T10:00",
        "--default-zone",
        "Asia/Shanghai",
        "--format",
        "csv",
    )
    assert code == 0
    assert out.splitlines()[1].startswith("0,,K,recognised,,2024-03-20 11:00 +08:00")
    code, out, err = run("check", rows, "--format", "csv")
    assert code == 1
    assert out == ""
    assert "missing required columns: receiver (or --receiver), at (or --at)" in err


def test_check_reads_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (DATA / "results.json").read_text(encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    code, out, _ = run("check", "-", "--format", "csv")
    assert code == 3  # two of its rows are bad
    assert out.splitlines()[1].startswith("0,J1,HbA1c,recognised,")


def test_check_with_an_explicit_region() -> None:
    code, out, _ = run("check", DATA / "results.csv", "--region", EXAMPLE)
    assert code == 0
    assert "7 rows:" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["no-such-file.csv"], "mutrec: error: cannot read no-such-file.csv: No such file"),
        ([DATA / "unknown-column.csv"], "unknown column 'valeu'"),
        ([DATA / "broken.json"], "as JSON: Expecting"),
        ([DATA / "not-rows.json"], "JSON input must be a list of row objects"),
        ([DATA / "results.csv", "--region", DATA], "is not a region directory"),
        ([DATA / "results.csv", "--default-zone", "Mars/Base"], "unknown time zone 'Mars/Base'"),
        ([DATA / "results.csv", "--at", "tomorrow"], "--at 'tomorrow' is not an ISO-8601"),
        ([DATA / "results.csv", "--input-format", "json"], "cannot read"),
    ],
)
def test_check_bad_input_is_one_clear_line(argv: list[str | Path], message: str) -> None:
    code, out, err = run("check", *argv)
    assert code == 1
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_check_invalid_region_lists_its_problems() -> None:
    code, _, err = run("check", DATA / "results.csv", "--region", DATA / "region-broken")
    assert code == 1
    first, *rest = err.splitlines()
    assert first.startswith("mutrec: error: ")
    assert "problem" in first
    assert any("Mars/Olympus" in line for line in rest)
    assert any("missing-catalogue.toml" in line for line in rest)


def _many_rows(tmp_path: Path, n: int) -> Path:
    lines = (DATA / "results.csv").read_text(encoding="utf-8").splitlines()
    body = [lines[1 + i % 7] for i in range(n)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join([lines[0], *body]) + "\n", encoding="utf-8")
    return path


def test_progress_shows_from_the_first_row_on_a_terminal_only(tmp_path: Path) -> None:
    many = _many_rows(tmp_path, 1001)
    tty = Tty()
    code, out, _ = run("check", many, "--format", "csv", err=tty)
    assert code == 0
    assert len(out.splitlines()) == 1002
    shown = tty.getvalue()
    assert shown.startswith(f"\rchecking {many}: reading the file\r")  # before any decision
    assert f"\rchecking {many}: 0/1,001 rows    \r" in shown  # padded over the longer line
    assert shown.endswith(": 1,001/1,001 rows\n")
    assert run("check", many, "--format", "csv")[2] == ""  # not a terminal
    short = Tty()
    assert run("check", _many_rows(tmp_path, 3), err=short)[0] == 0
    assert short.getvalue().endswith(": 3/3 rows\n")  # short files show it too


def test_too_many_cells_is_that_rows_error_only() -> None:
    code, out, err = run("check", DATA / "too-many-cells.csv", "--format", "csv")
    assert code == 3
    rows = out.splitlines()
    assert rows[1].startswith("0,T1,,,")
    assert "10 cells but the header has 9 columns" in rows[1]
    assert rows[2].startswith("1,T2,K,")
    assert err == "mutrec: 1 of 2 rows could not be decided\n"


# --- catalogue validate / diff ---


def test_validate_good_files() -> None:
    code, out, _ = run(
        "catalogue",
        "validate",
        EXAMPLE,
        EXAMPLE / "catalogue-bj-imaging.toml",
        EXAMPLE / "program-bj-imaging.toml",
        EXAMPLE / "institutions.toml",
        EXAMPLE / "quality.toml",
        EXAMPLE / "fees.toml",
        EXAMPLE / "crosswalk.toml",
        DATA / "catalogue-old.toml",
    )
    assert code == 0, out
    assert "region 京津冀鲁示例区域: 3 programs, 4 catalogues" in out
    assert "catalogue 北京市医学影像检查互认项目 2024: 10 items" in out
    assert "program 北京市影像互认(示例) (北京HR): 3 members" in out
    assert out.count(": ok, ") == 8


def test_validate_prints_every_problem() -> None:
    code, out, _ = run("catalogue", "validate", DATA / "catalogue-broken.toml")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].endswith("catalogue-broken.toml: 4 problems") or "problems" in lines[0]
    assert any("version" in line for line in lines[1:])
    assert any("mg/dl/" in line for line in lines[1:])
    assert any("minerals" in line for line in lines[1:])
    assert len(lines) >= 4


@pytest.mark.parametrize(
    ("paths", "needle"),
    [
        ([DATA / "catalogue-syntax.toml"], "invalid TOML"),
        ([DATA / "region-broken"], "Mars/Olympus"),
        ([EXAMPLE / "program-bj-imaging.toml"], "pass its catalogue files too"),
        ([DATA / "nothing-here.toml"], "not found"),
    ],
)
def test_validate_broken(paths: list[Path], needle: str) -> None:
    code, out, _ = run("catalogue", "validate", *paths)
    assert code == 1
    assert needle in out


def test_validate_mixed_reports_each_path() -> None:
    code, out, _ = run(
        "catalogue", "validate", DATA / "catalogue-old.toml", DATA / "catalogue-broken.toml"
    )
    assert code == 1
    assert "catalogue-old.toml: ok, catalogue 测试检验目录 2023: 3 items" in out


def test_diff_table_and_json() -> None:
    code, out, _ = run(
        "catalogue", "diff", DATA / "catalogue-old.toml", DATA / "catalogue-new.toml"
    )
    assert code == 0
    assert out.splitlines() == [
        "测试检验目录 2023 → 测试检验目录 2024",
        "added (1): Glu",
        "removed (1): Cl",
        "changed (1):",
        "  K: loinc, window",
    ]
    code, out, _ = run(
        "catalogue",
        "diff",
        DATA / "catalogue-old.toml",
        DATA / "catalogue-new.toml",
        "--format",
        "json",
    )
    assert json.loads(out)["changed"] == [{"code": "K", "fields": ["loinc", "window"]}]
    code, out, _ = run(
        "catalogue", "diff", DATA / "catalogue-old.toml", DATA / "catalogue-old.toml"
    )
    assert out.splitlines()[1] == "no differences in items"


def test_diff_broken_input() -> None:
    code, out, err = run(
        "catalogue", "diff", DATA / "catalogue-old.toml", DATA / "catalogue-broken.toml"
    )
    assert code == 1
    assert out == ""
    assert err.startswith("mutrec: error: ")
    assert "mg/dl/" in err


def test_demo_piped_into_a_reader_that_stops_early_is_quiet() -> None:
    # `mutrec demo | head -1`: the reader closes the pipe; that is not an input error.
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "mutrec", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=60) == 0
    assert first.startswith(b"mutrec demo")
    assert b"error" not in stderr
