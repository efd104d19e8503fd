"""The demo the README's first command runs: a patient's prior results at another hospital.

:func:`run_recognition_demo` evaluates a synthetic patient history against the bundled
example region at a fixed instant (no clock is read, so the output never changes) and prints
decisions, reasons, explanations and the savings of an order check; :func:`run_units_demo`
shows how report units are read. The ``demo_*`` functions give the same data to tests and
examples.

>>> [rid for rid, _ in demo_history()][:3]
['R1', 'R2', 'R3']
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from mutrec._html import instant_text, pad
from mutrec.errors import UnitError
from mutrec.files import Region, load_example_region
from mutrec.model import (
    CareSetting,
    DeviceCapability,
    ImagingResult,
    LabResult,
    Modality,
    parse_value,
)
from mutrec.policy import (
    ClinicalContext,
    Decision,
    OrderCheck,
    Policy,
)
from mutrec.units import convert, parse_unit

if TYPE_CHECKING:
    from typing import TextIO

    from mutrec.model import Result

__all__ = [
    "DEMO_AT",
    "DEMO_EMERGENCY_AT",
    "DEMO_ORDER",
    "DEMO_PATIENT",
    "DEMO_RECEIVER",
    "demo_decisions",
    "demo_emergency",
    "demo_history",
    "demo_order",
    "demo_policy",
    "demo_region",
    "run_recognition_demo",
    "run_units_demo",
]

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
    """Read and convert the units printed on real report lines; show what is refused and why.

    >>> import io
    >>> buffer = io.StringIO()
    >>> run_units_demo(buffer)
    >>> "refused" in buffer.getvalue()
    True
    """
    print("Reading lab units as printed on real reports (mutrec.units)", file=out)
    print(file=out)
    for item, value, printed, analyte, wanted in _REPORT_LINES:
        try:
            source = parse_unit(printed)
            converted = convert(value, source, wanted, analyte=analyte)
        except UnitError as error:
            print(f"  {pad(item, 20)} {value:>7g} {printed:<9} refused: {error}", file=out)
            continue
        target = parse_unit(wanted)
        print(
            f"  {pad(item, 20)} {value:>7g} {printed:<9} = {converted:>8.4g} {target.code:<9}"
            f" [{source.code} → {target.code}]",
            file=out,
        )
    print(file=out)
    print("Plain pint would read '10*9/L' as 90 per litre and 'K/uL' as kelvin per µL;", file=out)
    print(
        "mutrec reads them as cell counts, and refuses text it cannot read with certainty.",
        file=out,
    )


# --- the recognition demo: an illustrative patient on the bundled, illustrative region ---

_SH: Final = ZoneInfo("Asia/Shanghai")
_LAB: Final = "京津冀鲁检验互认(示例)"

DEMO_PATIENT: Final = "P-0001"
"""The demo patient's reference (a 58-year-old with type 2 diabetes, invented)."""
DEMO_RECEIVER: Final = "BJ003"
"""The receiving institution: 示例北京市西城区中医医院 (illustrative)."""
DEMO_AT: Final = datetime(2024, 3, 15, 10, 0, tzinfo=_SH)
"""The fixed instant of the outpatient visit (the demo never reads the clock)."""
DEMO_EMERGENCY_AT: Final = datetime(2024, 3, 15, 22, 0, tzinfo=_SH)
"""The same evening: the patient comes back to the emergency department."""
DEMO_ORDER: Final = (
    "血糖",
    "K",
    "ALT",
    "Hb",
    "HbA1c",
    "胸部CT",
    "CT-HEAD",
    "MR-HEAD",
    "DR-CHEST",
)
"""What the doctor is about to order, named as doctors do (codes and aliases)."""


def _at(month: int, day: int, hour: int) -> datetime:
    return datetime(2024, month, day, hour, tzinfo=_SH)


@cache
def demo_region() -> Region:
    """The bundled example region (loaded once).

    >>> demo_region().illustrative
    True
    """
    return load_example_region()


@cache
def demo_policy() -> Policy:
    """The policy of the demo: the example region with its 京津冀鲁-style lab settings.

    The settings are data, the ``[policy]`` table of ``program-jjjl.toml``: the lab program's
    scope is Beijing, Tianjin, Hebei and Shandong (GB/T 2260 prefixes 11, 12, 13, 37); Hb,
    PLT, HCT, K and Na are critical items and PLT and K change fast.

    >>> demo_policy().version
    'demo-1'
    """
    return Policy.from_region(demo_region(), version="demo-1")


# Blood counts and HbA1c are measured in whole blood, chemistry in serum (the catalogue's
# specimen column): each prior says which, as a real report does.
_WHOLE_BLOOD = frozenset({"Hb", "HCT", "PLT", "RBC", "WBC", "HbA1c"})


def _lab(  # noqa: PLR0913, PLR0917 (one history line per call)
    item: str, value: str, unit: str, issuer: str, month: int, day: int
) -> LabResult:
    return LabResult(
        item,
        parse_value(value, unit),
        _at(month, day, 8),
        issuer,
        DEMO_PATIENT,
        reported=_at(month, day, 11),
        specimen="whole blood" if item in _WHOLE_BLOOD else "serum",
    )


def _scan(
    item: str, modality: Modality, issuer: str, day: int, device: DeviceCapability | None
) -> ImagingResult:
    return ImagingResult(
        item,
        modality,
        _at(3, day, 9),
        issuer,
        DEMO_PATIENT,
        reported=_at(3, day, 15),
        device=device,
        study_uid=f"1.2.826.0.1.3680043.2.{day}.{len(item)}",
        # DICOM Body Part Examined, as the item names it: the part before the modality's dash.
        body_part=item.split("-", 1)[1],
    )


@cache
def demo_history() -> tuple[tuple[str, Result], ...]:
    """The patient's prior results, ``(result id, result)``, from several institutions.

    >>> [(rid, r.item, r.issuer) for rid, r in demo_history()][1]
    ('R2', 'K', 'HB001')
    """
    return (
        ("R1", _lab("Glu", "6.1", "mmol/L", "BJ001", 3, 11)),  # 30 days: recognised
        ("R2", _lab("K", "4.3", "mmol/L", "HB001", 3, 5)),  # 7 days: expired on 03-12
        ("R3", _lab("ALT", "32", "U/L", "TJ003", 3, 12)),  # TJ003 failed chemistry EQA
        ("R4", _lab("Hb", "135", "g/L", "TJ003", 3, 12)),  # blood cells passed: recognised
        ("R5", _lab("HbA1c", "6.8", "%", "SD001", 1, 25)),  # 60 days: recognised
        ("R6", _scan("CT-CHEST", Modality.CT, "BJ001", 8, DeviceCapability(detector_rows=8))),
        ("R7", _scan("CT-HEAD", Modality.CT, "BJ001", 8, DeviceCapability(detector_rows=64))),
        ("R8", _scan("MR-HEAD", Modality.MR, "BJ002", 1, DeviceCapability(field_strength_t=3.0))),
        ("R9", _scan("DR-CHEST", Modality.DR, "BJ002", 10, None)),
    )


def _context(setting: CareSetting = CareSetting.OUTPATIENT) -> ClinicalContext:
    return ClinicalContext(setting, patient=DEMO_PATIENT)


def demo_decisions() -> tuple[Decision, ...]:
    """The decisions on the patient's history at the outpatient visit, in history order.

    >>> [d.outcome.recognised for d in demo_decisions()]
    [True, False, False, True, True, False, True, True, True]
    """
    policy = demo_policy()
    return tuple(
        policy.evaluate(
            result, receiver=DEMO_RECEIVER, at=DEMO_AT, context=_context(), result_id=rid
        )
        for rid, result in demo_history()
    )


def demo_emergency() -> tuple[Decision, ...]:
    """Hb (R4) and the head CT (R7) again, in the emergency department that evening.

    >>> [d.codes for d in demo_emergency()]
    [('ground.emergency',), ('window.expired', 'ground.emergency')]
    """
    history = dict(demo_history())
    return tuple(
        demo_policy().evaluate(
            history[rid],
            receiver=DEMO_RECEIVER,
            at=DEMO_EMERGENCY_AT,
            context=_context(CareSetting.EMERGENCY),
            result_id=rid,
        )
        for rid in ("R4", "R7")
    )


def demo_order() -> OrderCheck:
    """The order check of :data:`DEMO_ORDER` against the patient's history.

    >>> str(demo_order().fee_saved)
    '759.00'
    """
    return demo_policy().check_order(
        DEMO_ORDER,
        [result for _, result in demo_history()],
        receiver=DEMO_RECEIVER,
        at=DEMO_AT,
        context=_context(),
    )


def _name(code: str | None) -> str:
    item = None if code is None else demo_region().item(code)
    return "—" if item is None else f"{item.code} {item.name_zh}"


def _issuer(result: Result) -> str:
    inst = demo_region().institutions.get(result.issuer)
    return result.issuer if inst is None else f"{inst.name} ({inst.id})"


def _decision_lines(decisions: tuple[Decision, ...]) -> list[str]:
    lines = [
        f"  {'#':<4}{pad('item', 24)}{'from':<7}{'outcome':<25}{'expires':<25}reasons",
    ]
    history = dict(demo_history())
    for d in decisions:
        result = history[d.result_id or ""]
        expires = instant_text(d.expires_at) if d.outcome.recognised else "—"
        lines.append(
            f"  {d.result_id or '':<4}{pad(_name(d.item_code), 24)}{result.issuer:<7}"
            f"{d.outcome.value:<25}{expires:<25}{', '.join(d.codes) or '—'}"
        )
    return lines


def _explanations(decisions: tuple[Decision, ...]) -> list[str]:
    history = dict(demo_history())
    lines: list[str] = []
    for d in decisions:
        result = history[d.result_id or ""]
        lines.append(f"  {d.result_id} {_name(d.item_code)}, from {_issuer(result)}")
        for lang in ("zh", "en"):
            text = demo_policy().explain(d, lang)
            lines.extend(f"      {line}" for line in text.splitlines())
    return lines


def run_recognition_demo(out: TextIO) -> None:
    """Print the recognition demo: decisions, reasons, explanations, order check and savings.

    >>> import io
    >>> buffer = io.StringIO()
    >>> run_recognition_demo(buffer)
    >>> "fees saved: 759.00 CNY" in buffer.getvalue()
    True
    """
    from mutrec.stats import rate, savings

    region = demo_region()
    receiver = region.institutions[DEMO_RECEIVER]
    decisions = demo_decisions()
    w = out.write
    w("mutrec demo: may another hospital's results be recognised (检查检验结果互认, HR)?\n")
    w(f"Region: {region.name} — illustrative data, not an official catalogue.\n")
    w(f"Patient {DEMO_PATIENT} (58, type 2 diabetes) brings {len(decisions)} prior results to\n")
    w(f"{receiver.name} ({receiver.id}), outpatient, at {instant_text(DEMO_AT)}.\n\n")
    w("Decisions\n")
    w("\n".join(_decision_lines(decisions)) + "\n\n")
    w("Why (中文 / English)\n")
    w("\n".join(_explanations(decisions)) + "\n\n")
    emergency = demo_emergency()
    w(f"Same evening, emergency department, at {instant_text(DEMO_EMERGENCY_AT)}\n")
    w("\n".join(_decision_lines(emergency)) + "\n")
    w("\n".join(_explanations(emergency)) + "\n\n")
    check = demo_order()
    w("Order check: what the doctor was about to order\n")
    w(f"  {pad('ordered', 10)}{pad('item', 24)}{'use prior':<11}{'saved':>9}  bucket\n")
    ids = {id(result): rid for rid, result in demo_history()}
    for line in check.lines:
        prior = "repeat" if line.result is None else ids.get(id(line.result), "?")
        saved = str(line.fee_saved) if line.recognised else "—"
        bucket = "—" if line.bucket is None else line.bucket.name
        w(
            f"  {pad(line.ordered, 10)}{pad(_name(line.item_code), 24)}{prior:<11}"
            f"{saved:>9}  {bucket}\n"
        )
    money = savings(check)
    split = ", ".join(f"{b.name} {a}" for b, a in money.by_bucket)
    w(f"  fees saved: {money.total} {money.currency} ({split})\n")
    w(f"  互认率 recognition rate: {rate(decisions)} of the prior results brought\n")
