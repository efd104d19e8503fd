"""Reading results as hospitals send them: mutrec's readers against parsing alone.

Run ``python benchmarks/interop.py [--seconds S]``. For each case it prints messages per
second and milliseconds per message (CPU time) for each way of reading the same payload, best
of five timed rounds, with the ratio to the first row (the floor: ``json.loads`` alone), and a
calibration line (``sum(range(10**7))``) to compare machines.

FHIR cases (a Bundle as JSON text):

- ``ghp``: the FHIR R4 specification's General Health Profile Bundle (55 entries: a report, 3
  panels, 48 results, 3 specimens), from ``tests/data/fhir-r4-examples``;
- ``report-60``: a collection Bundle of one DiagnosticReport and 59 Observations in the shape
  Chinese hospitals send (LOINC + local code, UCUM units, a reference range each, the report's
  times and performer inherited).

Ways: ``json.loads`` (the floor), ``fhir.resources`` R4B parsing (pydantic models, strict
types) alone, and ``mutrec.interop.read_fhir`` from the text (parse and read) and from the
parsed dict (read only: the target is about 2 ms for a 60-entry Bundle).

Platform rows (``--platform`` only, or by default with the FHIR cases): a Guangxi-shaped upload
of 200 report header rows and 4,000 indicator rows (20 per report: numbers, censored values,
text values, ranges), as CSV (two tables) and as JSON; ways: the standard parser alone (the
floor: ``csv.DictReader`` or ``json.loads``) and ``mutrec.interop.read_platform`` with the
``guangxi`` profile, without and with the example region (platform codes mapped to items).
The table's ``rows/s`` counts the indicator rows.

HL7 v2 (with the FHIR cases): one ORU^R01 of 18 OBX (a chemistry panel with Chinese text and
offsets); ways: ``str.split`` on segments and fields (the floor), python-hl7's ``hl7.parse``
(splits only: no values, units, instants or results) and ``mutrec.interop.read_oru`` (up to
LabResult objects). ``rows/s`` counts OBX.

Extending: a case is a name, a payload and its ways of reading it; add a ``*_cases()``
function and pass its cases to :func:`run`.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import hl7

sys.path.insert(0, str(Path(__file__).parent))
from _table import print_table

from mutrec.files import load_example_region
from mutrec.interop import (
    PlatformReading,
    issuer_table,
    load_profile,
    read_fhir,
    read_oru,
    read_platform,
)

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "fhir-r4-examples"
SH = ZoneInfo("Asia/Shanghai")
UCUM = "http://unitsofmeasure.org"


@dataclass(frozen=True)
class Case:
    """A payload and the ways of reading it; the first way is the baseline of the ratios."""

    name: str
    payload: bytes
    ways: tuple[tuple[str, Callable[[bytes], object]], ...]
    rows: int = 1  # results in one payload, for rows per second


def _report_60() -> bytes:
    """One DiagnosticReport and 59 Observations, as a hospital's LIS sends them."""
    observations = [
        {
            "resourceType": "Observation",
            "id": f"o{n}",
            "status": "final",
            "code": {
                "coding": [
                    {"system": "https://lis.example/codes", "code": f"LIS-{n:04d}"},
                    {"system": "http://loinc.org", "code": "2823-3", "display": "Potassium"},
                ],
                "text": "钾",
            },
            "subject": {"reference": "Patient/p1"},
            "valueQuantity": {
                "value": 4.1 + n / 100,
                "unit": "mmol/L",
                "system": UCUM,
                "code": "mmol/L",
            },
            "referenceRange": [
                {
                    "low": {"value": 3.5, "system": UCUM, "code": "mmol/L"},
                    "high": {"value": 5.3, "system": UCUM, "code": "mmol/L"},
                }
            ],
        }
        for n in range(59)
    ]
    report = {
        "resourceType": "DiagnosticReport",
        "id": "r1",
        "status": "final",
        "code": {"text": "生化"},
        "subject": {"reference": "Patient/p1"},
        "performer": [{"reference": "Organization/bj1"}],
        "effectiveDateTime": "2024-03-01T08:00:00+08:00",
        "issued": "2024-03-01T11:00:00+08:00",
        "result": [{"reference": f"Observation/o{n}"} for n in range(59)],
    }
    entries = [
        {"fullUrl": f"https://fhir.example/{r['resourceType']}/{r['id']}", "resource": r}
        for r in [report, *observations]
    ]
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    return json.dumps(bundle, ensure_ascii=False).encode()


def fhir_ways() -> tuple[tuple[str, Callable[[bytes], object]], ...]:
    """json.loads, fhir.resources R4B and mutrec, each reading one Bundle's bytes."""
    from fhir.resources.R4B.bundle import Bundle  # the optional extra

    issuer = issuer_table({"Organization/bj1": "BJ001"})

    def anyone(_performer: object) -> str:
        return "NL001"

    def mutrec_text(payload: bytes) -> object:
        return read_fhir(payload, issuer=anyone, default_zone=SH)

    parsed: dict[bytes, Any] = {}

    def mutrec_dict(payload: bytes) -> object:
        data = parsed.get(payload)
        if data is None:
            data = parsed[payload] = json.loads(payload)
        return read_fhir(data, issuer=issuer if b"bj1" in payload else anyone, default_zone=SH)

    return (
        ("json.loads (floor)", json.loads),
        ("fhir.resources R4B parse", Bundle.model_validate_json),
        ("mutrec read_fhir (text)", mutrec_text),
        ("mutrec read_fhir (dict)", mutrec_dict),
    )


def fhir_cases() -> list[Case]:
    """The FHIR cases (see the module docstring)."""
    ways = fhir_ways()
    ghp = (DATA / "diagnosticreport-example-ghp.json").read_bytes()
    return [Case("FHIR ghp (55 entries)", ghp, ways), Case("FHIR report-60", _report_60(), ways)]


_SPLIT = b"\x00"  # between the header table and the indicator table of a CSV payload


def _platform_tables(reports: int = 200) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Guangxi-shaped header rows and 20 indicator rows per report."""
    codes = ["002501010010000", "002503010010000", "002503030010000", "002503030020000"]
    values = ["6.2", "4.1", "5.6", "88", "小于0.1", "大于9", "阴性", "0-2", "74.1", "NA"]
    headers, rows = [], []
    for n in range(reports):
        number = f"R{n:06d}"
        headers.append({
            "TEST_REPORT_NO": number, "ORG_CODE": "BJ001", "ORG_NAME": "示例医院",
            "ID_TYPE": "01", "ID_NO": f"4501021990{n:08d}", "GENDER": "1",
            "BIRTH_DATE": "1990-01-01", "SAMPLE_TIME": "2024-09-23 08:10:00",
            "ACCEPT_SAMPLE_TIME": "2024-09-23 08:40:00", "TEST_REC_TIME": "2024-09-23 08:41:00",
            "TEST_REPORT_DATE": "2024-09-23 10:38:53", "SPECIMEN_NAME": "血清",
        })  # fmt: skip
        for k in range(20):
            rows.append({  # noqa: PERF401 - one literal per row reads better
                "testReportNo": number, "orgCode": "BJ001", "orgName": "示例医院",
                "testProjCodeExp": f"LIS-{k}", "testProjNameExp": "项目",
                "dataCode": codes[k % 4], "dataName": "名称", "loincCode": "",
                "testIndexResult": values[k % 10], "testIndexUint": "mmol/L",
                "normalRefLimit": "3.5-5.3", "anomalyCode": "1", "criticalSign": "0",
                "mtuRecMark": "1", "mtuRecLimitMark": "广西",
            })  # fmt: skip
    return headers, rows


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def platform_cases() -> list[Case]:
    """Platform rows as CSV (two tables) and JSON (one list), per the module docstring."""
    headers, rows = _platform_tables()
    profile = load_profile("guangxi")
    region = load_example_region()

    def csv_floor(payload: bytes) -> object:
        return [list(csv.DictReader(io.StringIO(part.decode()))) for part in payload.split(_SPLIT)]

    def csv_mutrec(payload: bytes) -> object:
        return read_platform(profile, *payload.split(_SPLIT))

    def csv_region(payload: bytes) -> object:
        return read_platform(profile, *payload.split(_SPLIT), region=region)

    def json_mutrec(payload: bytes) -> object:
        return read_platform(profile, payload)

    def json_region(payload: bytes) -> object:
        return read_platform(profile, payload, region=region)

    csv_payload = _csv(headers) + _SPLIT + _csv(rows)
    json_payload = json.dumps(headers + rows, ensure_ascii=False).encode()
    return [
        Case(
            "platform CSV (200 + 4,000 rows)",
            csv_payload,
            (
                ("csv.DictReader (floor)", csv_floor),
                ("mutrec read_platform", csv_mutrec),
                ("mutrec read_platform + region", csv_region),
            ),
            len(rows),
        ),
        Case(
            "platform JSON (200 + 4,000 rows)",
            json_payload,
            (
                ("json.loads (floor)", json.loads),
                ("mutrec read_platform", json_mutrec),
                ("mutrec read_platform + region", json_region),
            ),
            len(rows),
        ),
    ]


# --- HL7 v2: an 18-OBX chemistry panel with Chinese text and offsets (domain.md §13) ---

PANEL = [
    ("2823-3", "钾", "4.1", "mmol/L", "3.5-5.3"),
    ("2951-2", "钠", "140", "mmol/L", "137-147"),
    ("2075-0", "氯", "102", "mmol/L", "99-110"),
    ("2345-7", "葡萄糖", "5.6", "mmol/L", "3.9-6.1"),
    ("3094-0", "尿素", "5.1", "mmol/L", "2.9-8.2"),
    ("2160-0", "肌酐", "78", "umol/L", "57-111"),
    ("1742-6", "丙氨酸氨基转移酶", "23", "U/L", "9-50"),
    ("1920-8", "天门冬氨酸氨基转移酶", "21", "U/L", "15-40"),
    ("1975-2", "总胆红素", "12.1", "umol/L", "0-21"),
    ("2885-2", "总蛋白", "71", "g/L", "65-85"),
    ("1751-7", "白蛋白", "44", "g/L", "40-55"),
    ("2093-3", "总胆固醇", "4.6", "mmol/L", "<5.2"),
    ("2571-8", "甘油三酯", "1.2", "mmol/L", "<1.7"),
    ("2085-9", "高密度脂蛋白胆固醇", "1.3", "mmol/L", ">1.0"),
    ("13457-7", "低密度脂蛋白胆固醇", "2.7", "mmol/L", "<3.4"),
    ("3084-1", "尿酸", "320", "umol/L", "208-428"),
    ("17861-6", "钙", "2.3", "mmol/L", "2.11-2.52"),
    ("2777-1", "磷", "1.1", "mmol/L", "0.85-1.51"),
]


def hl7_message(number: int) -> str:
    segments = [
        (
            "MSH|^~\\&|LIS|H001|PLATFORM|REGION|20240301120000+0800||ORU^R01^ORU_R01|"
            f"M{number}|P|2.5.1||||||UNICODE UTF-8"
        ),
        f"PID|1||P{number:06d}^^^H001^MR||张三||19800101|F",
        (
            "OBR|1|ORD1|FIL1|CHEM^生化全项^L|||20240301080500+0800|||||||||||||||"
            "20240301114000+0800|||F"
        ),
        "SPM|1|||SER^Serum^HL70487",
    ]
    for index, (loinc, name, value, unit, ranges) in enumerate(PANEL, 1):
        segments.append(
            f"OBX|{index}|NM|{loinc}^{name}^LN||{value}|{unit}^^UCUM|{ranges}|N|||F|||"
            "20240301080500+0800"
        )
    return "\r".join(segments) + "\r"


def hl7_cases() -> list[Case]:
    """One ORU^R01: split alone (the floor), python-hl7's parse, and mutrec's reader."""
    payload = hl7_message(1).encode("utf-8")

    def split(data: bytes) -> object:
        return [segment.split("|") for segment in data.decode("utf-8").split("\r")]

    ways: tuple[tuple[str, Callable[[bytes], object]], ...] = (
        ("str.split (floor)", split),
        ("python-hl7 hl7.parse", lambda data: hl7.parse(data.decode("utf-8"))),
        ("mutrec read_oru", read_oru),
    )
    return [Case(f"HL7 ORU^R01 ({len(PANEL)} OBX)", payload, ways, rows=len(PANEL))]


def best_seconds(read: Callable[[bytes], object], payload: bytes, budget: float) -> float:
    """The best mean CPU time of one read over rounds of about *budget* / 5 seconds each.

    CPU time of this process (``time.process_time``), not wall time: on a shared machine the
    other processes' load then shifts every row alike instead of whichever row it hits.
    """
    read(payload)  # warm caches and imports
    start = time.process_time()
    read(payload)
    once = max(time.process_time() - start, 1e-4)
    per_round = max(1, int(budget / 5 / once))
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        for _ in range(per_round):
            read(payload)
        best = min(best, (time.process_time() - start) / per_round)
    return best


def run(cases: list[Case], budget: float) -> None:
    """Time every way of every case and print one table.

    Ratios: to the case's first way (the floor, such as ``json.loads``) and to its second (the
    standard parser alone, such as ``fhir.resources``; below 1 is faster than it).
    """
    rows: list[list[object]] = []
    for case in cases:
        times = [best_seconds(read, case.payload, budget) for _, read in case.ways]
        for (name, _), seconds in zip(case.ways, times, strict=True):
            ratios = [seconds / times[0], seconds / times[1] if len(times) > 1 else 1.0]
            rows.append([case.name, name, 1 / seconds, case.rows / seconds, seconds * 1e3, *ratios])
    header = ["case", "reader", "per second", "rows/s", "ms each", "÷ floor", "÷ parser"]
    print_table(header, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time budget per row")
    parser.add_argument("--platform", action="store_true", help="platform rows only")
    args = parser.parse_args()
    start = time.process_time()
    sum(range(10**7))
    print(f"calibration: sum(range(10**7)) takes {time.process_time() - start:.3f} s CPU here")
    platform = platform_cases()
    for case in platform:
        reading = case.ways[1][1](case.payload)
        if not isinstance(reading, PlatformReading):
            raise TypeError(reading)
        print(f"{case.name}: {len(reading.results)} results, {len(reading.problems)} problems")
    if args.platform:
        run(platform, args.seconds)
        return
    # mutrec's reader must agree with itself before it is timed.
    for case in fhir_cases():
        reading = read_fhir(case.payload, issuer=lambda _p: "BJ001", default_zone=SH)
        print(f"{case.name}: {len(reading.results)} results, {len(reading.problems)} problems")
    if len(read_oru(hl7_message(1))) != len(PANEL):
        sys.exit("the benchmark's ORU message no longer reads: fix it before timing it")
    run(fhir_cases() + hl7_cases() + platform, args.seconds)


if __name__ == "__main__":
    main()
