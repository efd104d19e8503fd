"""A policy pickles (Spark and multiprocessing ship it so) and decides exactly as the original."""

from __future__ import annotations

import copy
import pickle
import random
import threading
from datetime import timedelta
from typing import Final

import pytest

from mutrec.errors import ArgumentError
from mutrec.model import CareSetting, Result
from mutrec.policy import ClinicalContext, Decision, Finding, Policy, default_rules
from mutrec.policy import identity_converter as identity
from mutrec.policy._rules_facts import ValueRule
from tests.policy import scenarios as sc
from tests.policy.test_fast_path import SH, ZONES, _plain_rules, _policy, _result
from tests.policy.test_rule_in_one_place import TOY, WeekendRule

CONTEXTS: Final = (
    ClinicalContext(patient="p1"),
    ClinicalContext(patient="p2"),
    ClinicalContext(CareSetting.EMERGENCY, patient="p1"),
)


def _shipped(policy: Policy, protocol: int = pickle.HIGHEST_PROTOCOL) -> Policy:
    copied = pickle.loads(pickle.dumps(policy, protocol))  # noqa: S301 (our own bytes)
    assert type(copied) is Policy
    assert copied is not policy
    return copied


def _random_decisions(policy: Policy, seed: int) -> list[Decision]:
    rnd = random.Random(seed)
    decisions = []
    for n in range(1500):
        result = _result(rnd)
        at = (result.collected + timedelta(hours=rnd.randrange(-24, 24 * 40))).astimezone(
            rnd.choice(ZONES)
        )
        receiver = rnd.choice(["H1", "H4", "H9", "H11", "nowhere"])
        context = rnd.choice(CONTEXTS)
        decisions.append(
            policy.evaluate(result, receiver=receiver, at=at, context=context, result_id=str(n))
        )
    return decisions


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda rnd: _policy(rnd, SH, None), id="default rules (fast pass)"),
        pytest.param(lambda rnd: _policy(rnd, SH, _plain_rules()), id="wrapped rules (plain)"),
        pytest.param(
            lambda rnd: _policy(rnd, SH, [*default_rules(), WeekendRule()], [TOY]),
            id="a vendor rule and its reason",
        ),
        pytest.param(
            lambda rnd: _policy(rnd, SH, default_rules(identity)), id="a converter of its own"
        ),
    ],
)
@pytest.mark.parametrize("protocol", [2, pickle.HIGHEST_PROTOCOL])
def test_a_pickled_policy_decides_as_the_original(build: object, protocol: int) -> None:
    original: Policy = build(random.Random(20241130))  # type: ignore[operator]
    copied = _shipped(original, protocol)
    assert copied.programs == original.programs
    assert [type(r) for r in copied.rules] == [type(r) for r in original.rules]
    assert list(copied.reasons) == list(original.reasons)
    expected = _random_decisions(original, 7)
    assert _random_decisions(copied, 7) == expected
    codes = {f.code for d in expected for f in d.findings}
    assert {"window.expired", "value.unconvertible", "patient.mismatch"} <= codes
    if any(isinstance(r, WeekendRule) for r in original.rules):
        assert "toy.weekend" in codes  # the vendor rule ran on both sides


def test_the_example_region_decides_alike_after_pickling() -> None:
    original = sc.policy()
    copied = _shipped(_shipped(original))  # twice: a copy pickles as the original does
    requests: list[tuple[Result, ClinicalContext]] = [
        (sc.lab(), sc.context()),
        (sc.lab(value="9.5"), sc.context()),  # critical (危急值)
        (sc.lab("Glu", "90", "mg/dL"), sc.context()),
        (sc.lab("Hb", "130", "g/L", issuer="TJ001"), sc.context(patient="p2")),
        (sc.lab("XX"), sc.context()),
        (sc.lab(day=1, issuer="SD001"), ClinicalContext(CareSetting.EMERGENCY, patient="p1")),
        (sc.imaging(), sc.context()),
        (sc.imaging(rows=4), sc.context()),
        (sc.imaging(images=False, day=2), sc.context()),
    ]
    for day in (2, 6, 20):
        for result, context in requests:
            at = sc.at(day)
            assert copied.evaluate(
                result, receiver="TJ001", at=at, context=context
            ) == original.evaluate(result, receiver="TJ001", at=at, context=context)
    assert copied.view(sc.LAB).settings == original.view(sc.LAB).settings
    assert copied.version == original.version == "test-1"


def test_copies_are_built_anew_and_decide_alike() -> None:
    built = _policy(random.Random(3), SH, [*default_rules(), WeekendRule()], [TOY])
    # The reasons given as an iterator are kept (read once, when the policy is built).
    args = built._arguments
    original = Policy(
        args.programs,
        args.rules,
        institutions=args.institutions,
        quality=args.quality,
        settings=args.settings,
        reasons=iter([TOY]),
    )
    for copied in (copy.copy(original), copy.deepcopy(original)):
        assert copied is not original
        assert copied.reasons["toy.weekend"] == TOY
        assert _random_decisions(copied, 11) == _random_decisions(original, 11)


class _Locked:
    """A vendor rule holding a lock: it does not pickle."""

    code_prefix = "acme"

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def check(self, subject: object, /) -> tuple[Finding, ...]:
        return ()


def test_a_rule_that_does_not_pickle_is_named() -> None:
    policy = Policy([], [*default_rules(), _Locked()])
    with pytest.raises(ArgumentError, match=r"'rules\[11\]' = <.*_Locked.*a rule that pickles"):
        pickle.dumps(policy)
    assert isinstance(pickle.loads(pickle.dumps(Policy([]))), Policy)  # noqa: S301


def test_a_rule_class_made_in_a_function_is_named() -> None:
    class Local:
        code_prefix = "acme"

        def check(self, subject: object, /) -> tuple[Finding, ...]:
            return ()

    policy = Policy([], [Local()])
    with pytest.raises(ArgumentError, match=r"'rules\[0\]'.*module's top level"):
        pickle.dumps(policy)


def test_the_value_rule_pickles_without_its_memo() -> None:
    rule = ValueRule()
    policy = _policy(random.Random(5), SH, [rule])
    decided = _random_decisions(policy, 13)  # fills the rule's memo of conversions
    assert rule._memo
    copied = pickle.loads(pickle.dumps(rule))  # noqa: S301
    assert type(copied) is ValueRule
    assert not copied._memo
    assert _random_decisions(_shipped(policy), 13) == decided
