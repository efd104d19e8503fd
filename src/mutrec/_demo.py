"""The demo the README's first command runs: mutrec on report lines as hospitals print them."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from mutrec.errors import UnitError
from mutrec.units import convert, parse_unit

if TYPE_CHECKING:
    from typing import TextIO

# (item as printed, value, unit as printed, analyte, unit the program wants). The spellings are
# the ones real reports use: Chinese LIS printouts, and the US spellings of the MIMIC-IV demo.
_REPORT_LINES: tuple[tuple[str, float, str, str | None, str], ...] = (
    ("葡萄糖 GLU", 6.1, "mmol/L", "glucose", "mg/dL"),
    ("Glucose", 100.0, "mg/dL", "glucose", "mmol/L"),
    ("肌酐 Cre", 88.4, "μmol/L", "creatinine", "mg/dL"),
    ("Creatinine", 1.0, "mg/dL", "creatinine", "µmol/L"),
    ("Urea Nitrogen", 14.0, "mg/dL", "bun", "mmol/L"),
    ("Cholesterol, Total", 200.0, "mg/dL", "cholesterol", "mmol/L"),
    ("Triglycerides", 150.0, "mg/dL", "triglycerides", "mmol/L"),
    ("Potassium", 4.1, "mEq/L", "potassium", "mmol/L"),
    ("糖化血红蛋白 HbA1c", 6.5, "%", "hba1c", "mmol/mol"),
    ("Hemoglobin", 13.5, "g/dL", None, "g/L"),
    ("白细胞 WBC", 7.2, "×10^9/L", None, "10*9/L"),
    ("White Blood Cells", 20.3, "K/uL", None, "×10⁹/L"),
    ("Red Blood Cells", 3.35, "m/uL", None, "10^12/L"),
    ("pH", 7.4, "units", None, "[pH]"),
    ("Anion Gap", 12.0, "N/A", None, "mmol/L"),
)


def run_units_demo(out: TextIO) -> None:
    """Read and convert the units printed on real report lines; show what is refused and why."""
    print("Reading lab units as printed on real reports (mutrec.units)", file=out)
    print(file=out)
    for item, value, printed, analyte, wanted in _REPORT_LINES:
        try:
            source = parse_unit(printed)
            converted = convert(value, source, wanted, analyte=analyte)
        except UnitError as error:
            print(f"  {_pad(item, 20)} {value:>7g} {printed:<9} refused: {error}", file=out)
            continue
        target = parse_unit(wanted)
        print(
            f"  {_pad(item, 20)} {value:>7g} {printed:<9} = {converted:>8.4g} {target.code:<9}"
            f" [{source.code} → {target.code}]",
            file=out,
        )
    print(file=out)
    print("Plain pint would read '10*9/L' as 90 per litre and 'K/uL' as kelvin per µL;", file=out)
    print(
        "mutrec reads them as cell counts, and refuses text it cannot read with certainty.",
        file=out,
    )


def _pad(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` terminal columns (CJK characters take two)."""
    used = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(width - used, 0)
