"""ORU^R01 messages per second: mutrec's reader against python-hl7's parse alone, one run.

Each message has 18 OBX (a chemistry panel, as domain.md §13 measures python-hl7 on), Chinese
text and offsets. python-hl7 only splits (no values, units, instants or results); mutrec's
reader does everything up to LabResult objects, and its splitter alone is timed too.

Run: python benchmarks/interop_hl7.py [--messages N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import hl7

sys.path.insert(0, str(Path(__file__).parent))
from _table import print_table

from mutrec.interop._hl7split import field_list, messages, separators
from mutrec.interop.hl7v2 import read_oru

if TYPE_CHECKING:
    from collections.abc import Callable

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


def message(number: int) -> str:
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


def _per_second(run: Callable[[], object], count: int, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return count / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    count = parser.parse_args().messages
    texts = [message(n) for n in range(count)]
    data = [text.encode("utf-8") for text in texts]
    gb = [text.replace("UNICODE UTF-8", "GB 18030-2000").encode("gb18030") for text in texts]
    if len(read_oru(texts[0])) != len(PANEL) or len(read_oru(gb[0])) != len(PANEL):
        sys.exit("the benchmark's message no longer reads: fix it before timing it")

    def split_only() -> None:
        for text in texts:
            for lines in messages(text):
                seps = separators(lines[0][1])
                for _, line in lines:
                    field_list(line, seps)

    runs: list[tuple[str, Callable[[], object]]] = [
        ("python-hl7: hl7.parse (split only)", lambda: [hl7.parse(t) for t in texts]),
        ("mutrec: fast splitter only", split_only),
        ("mutrec: read_oru(str) -> LabResults", lambda: [read_oru(t) for t in texts]),
        ("mutrec: read_oru(UTF-8 bytes)", lambda: [read_oru(b) for b in data]),
        ("mutrec: read_oru(GB18030 bytes)", lambda: [read_oru(b) for b in gb]),
        (
            "mutrec: read_oru(cross_check=True)",
            lambda: [read_oru(t, cross_check=True) for t in texts],
        ),
    ]
    rates = [(name, _per_second(run, count)) for name, run in runs]
    baseline = rates[0][1]
    print(f"{count} ORU^R01 messages of {len(PANEL)} OBX each; best of 5 runs\n")
    print_table(
        ["what", "messages/s", "OBX/s", "µs/message", "x python-hl7"],
        [(name, rate, rate * len(PANEL), 1e6 / rate, rate / baseline) for name, rate in rates],
    )


if __name__ == "__main__":
    main()
