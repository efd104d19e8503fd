"""A rule's meaning lives in one place: the fast pass asks a new rule and words no finding itself.

A new default-style rule is one class (plus its reason texts): appended to the default rules,
the policy keeps its fast pass and asks the rule there, with the same findings, order, outcome
and expiry as the plain rule loop. The fast pass itself holds no reason code: every finding is
worded by the function of the rule that reports it, which the rule's ``check`` calls too.
"""

from __future__ import annotations

import ast
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import ClassVar, final

from mutrec.model.results import LabResult
from mutrec.policy import (
    NO_FINDINGS,
    ClinicalContext,
    Finding,
    Outcome,
    Reason,
    Severity,
    Subject,
    _fast,
    default_reasons,
    default_rules,
)
from tests.policy.test_fast_path import SH, ZONES, _plain_rules, _policy, _result

TOY = Reason(
    "toy.weekend",
    Severity.CAUTION,
    "周末采集（{day}），请结合临床",
    "Collected on a weekend ({day}); use clinical judgement",
)


@final
class WeekendRule:
    """A toy default-style rule: a caution for samples collected on a weekend, and an expiry.

    One class: its code prefix, its check, and (as an expiring rule) until when it allows
    recognition (ten days after collection).
    """

    __slots__ = ()
    code_prefix: ClassVar[str] = "toy"

    def check(self, subject: Subject, /) -> tuple[Finding, ...]:
        return self.check_until(subject)[0]

    def check_until(self, subject: Subject, /) -> tuple[tuple[Finding, ...], datetime | None]:
        until = subject.collected + timedelta(days=10)
        if subject.collected_on.weekday() < 5:
            return NO_FINDINGS, until
        day = subject.collected_on.isoformat()
        return (subject.view.finding("toy.weekend", day=day),), until


def test_a_new_rule_after_the_defaults_runs_in_the_fast_pass() -> None:
    rnd = random.Random(20240603)
    seed = rnd.randrange(10**6)
    fast = _policy(random.Random(seed), SH, [*default_rules(), WeekendRule()], [TOY])
    plain = _policy(random.Random(seed), SH, [*_plain_rules(), WeekendRule()], [TOY])
    assert fast._fast is not None  # the policy kept its fast pass
    assert plain._fast is None  # the wrapped rules take the plain loop
    seen: set[str] = set()
    for _ in range(2000):
        result = _result(rnd)
        at = (result.collected + timedelta(hours=rnd.randrange(-24, 24 * 20))).astimezone(
            rnd.choice(ZONES)
        )
        context = ClinicalContext(patient=rnd.choice(["p1", "p2"]))
        a = fast.evaluate(result, receiver="H3", at=at, context=context)
        b = plain.evaluate(result, receiver="H3", at=at, context=context)
        assert a == b
        assert a.to_json() == b.to_json()
        seen.update(a.codes)
        if a.catalogue_version is not None:  # resolved: the toy rule was asked
            assert a.expires_at is not None
            assert a.expires_at <= result.collected + timedelta(days=10)
    assert "toy.weekend" in seen
    assert "toy.weekend" in fast.reasons


def test_the_toy_rule_reports_last() -> None:
    policy = _policy(random.Random(1), SH, [*default_rules(), WeekendRule()], [TOY])
    saturday = datetime(2024, 1, 6, 9, tzinfo=SH)
    result = LabResult(
        "I3",
        _result(random.Random(5)).value,
        saturday,
        "H3",
        "p1",
        reported=saturday + timedelta(hours=2),
        specimen="serum",
    )
    decision = policy.evaluate(
        result,
        receiver="H3",
        at=saturday + timedelta(days=1),
        context=ClinicalContext(patient="p1"),
    )
    assert decision.codes[-1] == "toy.weekend"  # asked last, after the nine defaults
    assert decision.findings[-1].data == {"day": "2024-01-06"}
    assert decision.outcome is not Outcome.RECOGNISED


def test_the_fast_pass_words_no_finding_itself() -> None:
    """No reason code appears in ``_fast.py``: the rules' functions word every finding."""
    source = Path(_fast.__file__).read_text(encoding="utf-8")
    texts = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    codes = set(default_reasons())
    assert codes, "the default registry lists reason codes"
    assert not texts & codes
