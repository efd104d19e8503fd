"""The example region stays current: its newest cycle is in force today and not about to end.

These tests read the clock (tests may; library code may not). When the newest cycle has fewer
than ``MARGIN`` left, add the next cycle to ``mutrec/examples/region`` (a catalogue version
and the quality records of its period), keeping the older ones for history.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from mutrec.files import load_example_region
from mutrec.model.results import LabResult, parse_value
from mutrec.policy import ClinicalContext, Outcome, Policy

SH = ZoneInfo("Asia/Shanghai")
LAB = "京津冀鲁检验互认(示例)"
MARGIN = timedelta(days=90)


def test_the_newest_lab_cycle_is_in_force_and_not_about_to_run_out() -> None:
    today = datetime.now(SH).date()
    program = load_example_region().programs[LAB]
    newest = max(program.catalogues, key=lambda c: c.effective_from)
    assert newest.in_force(today), f"{newest.version} is not in force on {today}"
    until = newest.effective_until
    assert until is None or until - today >= MARGIN, (
        f"the example's newest cycle ({newest.version}) ends on {until}: add the next cycle"
    )
    assert program.catalogue_at(datetime(2024, 3, 1, 9, tzinfo=SH)).version == "2023-2024"  # type: ignore[union-attr]


def test_evaluating_now_works() -> None:
    now = datetime.now(SH)
    drawn = now - timedelta(days=1)
    k = LabResult(
        "K", parse_value("4.1", "mmol/L"), drawn, "BJ001", "p1", reported=drawn, specimen="serum"
    )
    policy = Policy.from_region(load_example_region())
    decision = policy.evaluate(k, receiver="TJ001", at=now, context=ClinicalContext(patient="p1"))
    assert decision.outcome is Outcome.RECOGNISED, decision.codes
    assert decision.catalogue_version == "2025-2027"
