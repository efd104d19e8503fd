"""Statistics on real numbers: the demo patient's decisions, order check and fees."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from decimal import Decimal

import attrs
import pytest

from mutrec._demo import demo_decisions, demo_emergency, demo_order, demo_region
from mutrec._stats_html import summary_html
from mutrec.errors import MutrecError
from mutrec.model import FeeBucket
from mutrec.model._html import catalogue_html, program_html
from mutrec.policy import Batch, Decision, Outcome, RowError, Severity
from mutrec.policy._html import batch_html, decision_html
from mutrec.stats import (
    Group,
    MissingDependencyError,
    Rate,
    ReasonCount,
    Savings,
    rate,
    rates_by,
    reason_counts,
    report_rate,
    savings,
    summarise,
    to_dataframe,
)

LAB = "京津冀鲁检验互认(示例)"
IMAGING = "北京市影像互认(示例)"


def test_overall_rate_of_the_demo_patient() -> None:
    r = rate(demo_decisions())
    assert r == Rate(6, 9, 0)
    assert r.rate == 6 / 9
    assert str(r) == "6/9 (66.7%)"
    assert rate(demo_emergency()) == Rate(0, 2, with_caution=1)
    assert Rate(0, 0).rate is None
    assert Rate(0, 0).rate_with_caution is None
    assert str(Rate(0, 0)) == "0/0 (—)"


# --- recognised with caution is counted apart from recognised ---

CAUTIOUS = [*demo_decisions(), *demo_emergency()]  # 6 recognised, 1 with caution, 4 not


def test_rate_counts_caution_apart_from_recognised() -> None:
    r = rate(CAUTIOUS)
    assert (r.recognised, r.with_caution, r.not_recognised, r.brought) == (6, 1, 4, 11)
    assert r.rate == 6 / 11
    assert r.rate_with_caution == 7 / 11
    assert str(r) == "6/11 (54.5%); with caution 7/11 (63.6%)"
    assert r.to_dict() == {
        "recognised": 6,
        "with_caution": 1,
        "not_recognised": 4,
        "brought": 11,
        "rate": 6 / 11,
        "rate_with_caution": 7 / 11,
    }
    assert "with caution 7/11" in r._repr_html_()


def test_rate_refuses_counts_that_do_not_add_up() -> None:
    with pytest.raises(ValueError, match="exceed the results brought"):
        Rate(2, 3, with_caution=2)
    with pytest.raises(ValueError, match="must be a count"):
        Rate(-1, 3)
    with pytest.raises(ValueError, match="must be a count"):
        Rate(1, 3, with_caution=True)


def test_rates_by_group_count_caution_apart() -> None:
    by_item = {g.key: g.rate for g in rates_by(CAUTIOUS, "item")}
    assert by_item["Hb"] == Rate(1, 2, with_caution=1)
    assert by_item["CT-HEAD"] == Rate(1, 2)
    by_program = {g.key: g.rate for g in rates_by(CAUTIOUS, "program")}
    assert by_program[LAB] == Rate(3, 6, with_caution=1)


def test_report_rate_takes_the_worst_outcome_or_with_any_the_best() -> None:
    reports = {"R4": "L2"}  # the emergency Hb, recognised with caution, alone in its report
    emergency = demo_emergency()
    assert report_rate(emergency, reports) == Rate(0, 1, with_caution=1)
    both = [demo_decisions()[3], emergency[0]]  # Hb recognised, then Hb with caution
    assert {d.result_id for d in both} == {"R4"}
    assert report_rate(both, reports) == Rate(0, 1, with_caution=1)
    assert report_rate(both, reports, require="any") == Rate(1, 1)
    blocked = [emergency[0], demo_decisions()[2]]
    per_decision = {"R4": "L2", "R3": "L2"}
    assert report_rate(blocked, per_decision) == Rate(0, 1)
    assert report_rate(blocked, per_decision, require="any") == Rate(0, 1, with_caution=1)


def test_savings_count_only_full_recognition_and_report_the_possible_apart() -> None:
    fees = demo_region().fees
    assert fees is not None
    s = savings(CAUTIOUS, fees)
    assert s == attrs.evolve(savings(demo_decisions(), fees), possible=s.possible)
    assert s.total == Decimal("759.00")
    assert s.possible is not None
    assert (s.possible.total, s.possible.count, s.possible.unpriced) == (Decimal("4.00"), 1, 0)
    assert s.possible.by_bucket == ((FeeBucket.LAB, Decimal("4.00")),)
    assert s.possible.possible is None
    assert s.to_dict()["possible"]["total"] == "4.00"
    assert str(s).endswith("; possibly 4.00 CNY more by 1 test recognised with caution (LAB 4.00)")
    html = s._repr_html_()
    assert "possible savings" in html
    assert "4.00 CNY" in html
    unpriced = attrs.evolve(demo_emergency()[0], item_code="Ferritin")
    assert savings([unpriced], fees).possible == Savings("CNY", Decimal(0), (), 0, 1)


def test_order_check_savings_split_caution_from_recognised() -> None:
    order = demo_order()
    line = order.lines[0]
    assert line.decision is not None
    cautious = attrs.evolve(
        line, decision=attrs.evolve(line.decision, outcome=Outcome.RECOGNISED_WITH_CAUTION)
    )
    check = attrs.evolve(order, lines=(cautious, *order.lines[1:]))
    s = savings(check)
    assert s.possible is not None
    assert s.total + s.possible.total == Decimal("759.00")
    assert s.possible.total == line.fee_saved
    assert s.count + s.possible.count == savings(order).count


def test_summary_reports_caution_apart() -> None:
    summary = summarise(CAUTIOUS, region=demo_region())
    assert summary.overall == Rate(6, 11, with_caution=1)
    assert summary.savings is not None
    assert summary.savings.total == Decimal("759.00")
    assert summary.savings.possible is not None
    assert summary.savings.possible.total == Decimal("4.00")
    document = json.loads(json.dumps(summary.to_dict()))
    assert document["overall"]["with_caution"] == 1
    assert document["savings"]["possible"]["count"] == 1
    html = summary._repr_html_()
    assert "with caution 7/11 (63.6%)" in html
    assert "possible savings" in html


def test_rates_by_group() -> None:
    by_item = {
        g.key: (g.rate.recognised, g.rate.brought) for g in rates_by(demo_decisions(), "item")
    }
    assert by_item == {
        "ALT": (0, 1),
        "CT-CHEST": (0, 1),
        "CT-HEAD": (1, 1),
        "DR-CHEST": (1, 1),
        "Glu": (1, 1),
        "Hb": (1, 1),
        "HbA1c": (1, 1),
        "K": (0, 1),
        "MR-HEAD": (1, 1),
    }
    assert rates_by(demo_decisions(), "receiver") == (Group("BJ003", Rate(6, 9)),)
    assert rates_by(demo_decisions(), "program") == (
        Group(LAB, Rate(3, 5)),
        Group(IMAGING, Rate(3, 4)),
    )
    by_category = rates_by(demo_decisions(), "category", region=demo_region())
    assert [(g.key, str(g.rate)) for g in by_category] == [
        ("blood_cell", "1/1 (100.0%)"),
        ("chemistry", "2/4 (50.0%)"),
        ("ct", "1/2 (50.0%)"),
        ("dr", "1/1 (100.0%)"),
        ("mr", "1/1 (100.0%)"),
    ]
    by_issuer_day = rates_by(demo_decisions(), lambda d: f"{d.expires_at:%m}")
    assert [g.key for g in by_issuer_day] == ["03", "04"]


def test_rates_by_refuses_unknown_keys_and_category_without_region() -> None:
    with pytest.raises(ValueError, match="need the region"):
        rates_by(demo_decisions(), "category")
    with pytest.raises(ValueError, match="key must be"):
        rates_by(demo_decisions(), "colour")  # type: ignore[arg-type]


def test_unknown_item_groups_last() -> None:
    nowhere = Decision(
        Outcome.NOT_RECOGNISED,
        (),
        None,
        datetime(2024, 3, 1, tzinfo=UTC),
        "x",
        "BJ003",
        None,
        None,
        "1",
    )
    groups = rates_by([*demo_decisions(), nowhere], "item")
    assert groups[-1] == Group(None, Rate(0, 1))
    cats = rates_by([nowhere], "category", region=demo_region())
    assert cats == (Group(None, Rate(0, 1)),)


def test_report_rate() -> None:
    reports = {"R1": "L1", "R2": "L1", "R3": "L2", "R4": "L2", "R5": "L3", "R7": "I1"}
    assert report_rate(demo_decisions(), reports) == Rate(2, 4)
    assert report_rate(demo_decisions(), reports, require="any") == Rate(4, 4)
    by_function = report_rate(demo_decisions(), lambda d: d.program_id)
    assert by_function == Rate(0, 2)
    with pytest.raises(ValueError, match="'all' or 'any'"):
        report_rate(demo_decisions(), reports, require="most")  # type: ignore[arg-type]


def test_reason_counts() -> None:
    assert reason_counts(demo_decisions()) == (
        ReasonCount("imaging.device_insufficient", 1),
        ReasonCount("qc.failed", 1),
        ReasonCount("window.expired", 1),
    )
    both = [*demo_decisions(), *demo_emergency()]
    assert reason_counts(both)[0] == ReasonCount("window.expired", 2)
    assert reason_counts(both, severity=Severity.CAUTION) == (ReasonCount("ground.emergency", 2),)


def test_savings_of_the_order_check() -> None:
    s = savings(demo_order())
    assert s.currency == "CNY"
    assert s.total == Decimal("759.00")
    assert s.by_bucket == (
        (FeeBucket.LAB, Decimal("69.00")),
        (FeeBucket.CT, Decimal("180.00")),
        (FeeBucket.MR, Decimal("450.00")),
        (FeeBucket.DR, Decimal("60.00")),
    )
    assert s.count == 6
    assert s.unpriced == 0
    assert s.bucket(FeeBucket.US) == 0


def test_savings_of_decisions_need_fees_and_count_unpriced() -> None:
    fees = demo_region().fees
    assert fees is not None
    assert savings(demo_decisions(), fees) == savings(demo_order())
    with pytest.raises(ValueError, match="fee schedule"):
        savings(demo_decisions())
    unpriced = attrs.evolve(demo_decisions()[0], item_code="Ferritin")
    s = savings([unpriced, demo_decisions()[0]], fees)
    assert (s.total, s.count, s.unpriced) == (Decimal("5.00"), 1, 1)


def test_summary_counts_undecided_rows_apart() -> None:
    decisions = demo_decisions()
    batch = Batch((*decisions, None), (RowError(9, "R10", "TimeZoneError", "naive", "at"),))
    summary = summarise(batch, region=demo_region())
    assert summary.overall == Rate(6, 9)
    assert summary.undecided == 1
    assert summary.savings is not None
    assert summary.savings.total == Decimal("759.00")
    assert summary.by_category[0].key == "blood_cell"
    document = json.loads(json.dumps(summary.to_dict()))
    assert document["savings"]["by_bucket"] == {
        "lab": "69.00",
        "ct": "180.00",
        "mr": "450.00",
        "dr": "60.00",
    }
    assert document["reasons"] == {
        "imaging.device_insufficient": 1,
        "qc.failed": 1,
        "window.expired": 1,
    }
    plain = summarise(decisions)
    assert plain.savings is None
    assert plain.by_category == ()


def test_to_dataframe() -> None:
    pytest.importorskip("pandas")
    batch = Batch((*demo_decisions(), None), (RowError(9, "R10", "TimeZoneError", "naive", "at"),))
    df = to_dataframe(batch)
    assert list(df.columns[:5]) == ["row", "result_id", "item_code", "outcome", "recognised"]
    assert len(df) == 10
    assert df.loc[1, "codes"] == "window.expired"
    assert df.loc[9, "error"] == "TimeZoneError"
    assert df.loc[9, "result_id"] == "R10"
    assert str(df["evaluated_at"].dt.tz) == "UTC"
    assert df.loc[0, "evaluated_at"].isoformat() == "2024-03-15T02:00:00+00:00"
    assert df.groupby("program_id")["recognised"].sum().to_dict() == {LAB: 3, IMAGING: 3}
    cautious = to_dataframe(CAUTIOUS)
    assert list(cautious.columns[3:6]) == ["outcome", "recognised", "with_caution"]
    assert int(cautious["recognised"].sum()) == 6
    assert int(cautious["with_caution"].sum()) == 1
    assert cautious.loc[9, "outcome"] == "recognised_with_caution"
    assert not cautious.loc[9, "recognised"]


def test_to_dataframe_without_pandas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(
        MissingDependencyError, match=r"to_dataframe needs pandas: pip install \"mutrec\[pandas\]\""
    ) as info:
        to_dataframe(demo_decisions())
    assert isinstance(info.value, ImportError)
    assert isinstance(info.value, MutrecError)


def test_missing_dependency_error_lives_in_errors_and_stays_in_stats() -> None:
    import mutrec
    from mutrec import errors

    assert MissingDependencyError is errors.MissingDependencyError
    assert "MissingDependencyError" not in mutrec.__all__
    with pytest.warns(DeprecationWarning, match="use mutrec.errors.MissingDependencyError"):
        assert mutrec.MissingDependencyError is errors.MissingDependencyError
    assert MissingDependencyError.__module__ == "mutrec.errors"


# --- HTML renderers (Jupyter) ---


def test_html_of_stats_objects_is_escaped() -> None:
    assert "6/9 (66.7%)" in Rate(6, 9)._repr_html_()
    s = Savings("<CNY>", Decimal(1), ((FeeBucket.LAB, Decimal(1)),), 1, unpriced=2)
    html = s._repr_html_()
    assert "&lt;CNY&gt;" in html
    assert "<CNY>" not in html
    assert "2 more without a fee" in html
    evil = attrs.evolve(demo_decisions()[0], item_code="<script>alert(1)</script>")
    html = summarise([evil], region=demo_region())._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "互认率" in summary_html(summarise(demo_decisions()))


def test_decision_and_batch_html() -> None:
    d = demo_decisions()[2]
    html = decision_html(d)
    assert "qc.failed" in html
    assert "未通过" in html
    assert "did not pass external quality assessment" in html
    evil = attrs.evolve(d, result_id="<img src=x>")
    assert "<img" not in decision_html(evil)
    batch = Batch((d, None), (RowError(1, "<r>", "ResultError", "bad <value>"),))
    html = batch_html(batch)
    assert "&lt;r&gt;" in html
    assert "bad &lt;value&gt;" in html
    assert "1 of 2 rows decided" in html


def test_catalogue_and_program_html() -> None:
    region = demo_region()
    lab = next(c for c in region.catalogues if c.name == "京津冀鲁检验互认项目")
    html = catalogue_html(lab)
    assert "7d from report, emergency 24h" in html
    assert "2023-07-01 to 2024-06-30" in html
    item = attrs.evolve(lab.items[0], name_en="<b>K</b>")
    evil = attrs.evolve(lab, items=(item,))
    assert "&lt;b&gt;K&lt;/b&gt;" in catalogue_html(evil)
    html = program_html(region.programs[LAB])
    assert "京津冀HR" in html
    assert "Ca, Cl, Glu" in html
