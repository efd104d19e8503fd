"""The default rules' fast path decides exactly as the plain rule loop does."""

from __future__ import annotations

import pickle
import random
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import attrs

from mutrec.model.catalogue import Catalogue, Category, Item, ItemKind
from mutrec.model.institutions import Grade, Institution, Level
from mutrec.model.patient import CareSetting
from mutrec.model.programs import Membership, Program, QualityBook, QualityRecord, Scheme
from mutrec.model.results import Censored, LabResult, Measured, Qualitative, Value
from mutrec.model.windows import Anchor, Counting, Span, Window
from mutrec.policy import (
    ClinicalContext,
    ExpiringRule,
    Policy,
    ProgramSettings,
    ValueRule,
    default_rules,
)
from mutrec.units import parse_unit

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import tzinfo

    from mutrec.policy import Finding, Reason, Rule, Subject

SH = ZoneInfo("Asia/Shanghai")
NY = ZoneInfo("America/New_York")
PLUS8 = timezone(timedelta(hours=8))
ZONES: tuple[tzinfo, ...] = (SH, NY, PLUS8, timezone(timedelta(hours=8)), UTC)
START = datetime(2024, 1, 1, tzinfo=UTC)
SPANS = (
    Span(7, Counting.CALENDAR_DAYS),
    Span(1, Counting.CALENDAR_MONTHS),
    Span(48, Counting.HOURS),
    Span(0, Counting.CALENDAR_DAYS),
)


def _items(rnd: random.Random) -> list[Item]:
    mmol, mg = parse_unit("mmol/L"), parse_unit("mg/dL")
    items = []
    for n in range(30):
        window = None
        if n % 10:
            window = Window(
                rnd.choice(SPANS),
                rnd.choice(list(Anchor)),
                settings={CareSetting.EMERGENCY: Span(24, Counting.HOURS)} if n % 3 == 0 else {},
            )
        category = Category.CHEMISTRY if n % 2 else Category.URINE
        unit = None if n % 7 == 0 else rnd.choice((mmol, mg))
        specimen = rnd.choice((None, "serum", "血清/血浆", "urine"))
        if window is not None and n % 4 == 1:
            window = attrs.evolve(window, specimen_age=Span(72, Counting.HOURS))
        items.append(
            Item(
                f"I{n}",
                f"项目{n}",
                f"Item {n}",
                ItemKind.LAB,
                category,
                unit=unit,
                window=window,
                specimen=specimen,
            )
        )
    return items


def _policy(
    rnd: random.Random,
    zone: tzinfo,
    rules: Sequence[Rule] | None,
    reasons: Sequence[Reason] = (),
) -> Policy:
    items = _items(rnd)
    catalogues = [
        Catalogue("c", "1", START.date(), items, effective_until=date(2024, 2, 14)),
        Catalogue("c", "2", date(2024, 2, 15), items[::2]),
    ]
    institutions = {
        f"H{n}": Institution(f"H{n}", f"医院{n}", f"{11 + n % 3}0101", Level.TERTIARY, Grade.A)
        for n in range(12)
    }
    members = [
        Membership("H1", START.date(), date(2024, 2, 1)),
        Membership("H2", START.date(), items={"I1", "I2", "I3"}),
        *(Membership(f"H{n}", START.date()) for n in range(3, 11)),
    ]
    quality = QualityBook(
        [
            QualityRecord(
                f"H{n}",
                n % 4 != 0,
                START.date(),
                date(2024, 3, 1),
                scheme=Scheme.NATIONAL,
            )
            for n in range(11)
        ]
        + [
            QualityRecord(
                "H5",
                False,
                START.date(),
                date(2024, 12, 31),
                scheme=Scheme.NATIONAL,
                item="I3",
            ),
            QualityRecord(
                "H6",
                True,
                date(2024, 2, 1),
                date(2024, 12, 31),
                scheme=Scheme.NATIONAL,
                category=Category.URINE,
            ),
        ]
    )
    program = Program("p", "s", "sHR", catalogues, members, zone=zone)
    scope = rnd.choice([None, ("11", "12")])
    settings = {
        "p": ProgramSettings(
            scope_regions=scope,
            plausible={"I1": (0.0, 10.0), "I4": (None, 5.0), "I5": (1.0, None)},
            critical={"I1": (2.0, 8.0), "I6": (None, 6.0), "I8": (0.5, None)},
        )
    }
    return Policy(
        [program],
        rules,
        institutions=institutions,
        quality=quality,
        settings=settings,
        reasons=reasons,
    )


def _result(rnd: random.Random) -> LabResult:
    zone = rnd.choice(ZONES)
    collected = (START + timedelta(hours=rnd.randrange(24 * 70))).astimezone(zone)
    reported = rnd.choice([None, collected + timedelta(hours=rnd.randrange(120))])
    unit = rnd.choice([parse_unit("mmol/L"), parse_unit("mg/dL"), parse_unit("g/L"), None])
    values: list[Value] = [
        Measured(rnd.uniform(-1.0, 20.0), unit),
        Censored("<", 0.1, unit),
        Censored(">", 30.0, unit),
        Qualitative("阴性"),
    ]
    value = rnd.choice(values)
    return LabResult(
        f"I{rnd.randrange(32)}",
        value,
        collected,
        rnd.choice(["H1", "H2", "H3", "H5", "H6", "H8", "H11"]),
        rnd.choice(["p1", "p2", "", " "]),
        reported=reported,
        specimen=rnd.choice(["serum", "plasma", "urine", "Blood", "swab", None, " "]),
    )


class _Plain:
    """A default rule behind a wrapper: the policy cannot see it is one, and loops plainly."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.code_prefix = rule.code_prefix

    def check(self, subject: Subject, /) -> Sequence[Finding]:
        return self.rule.check(subject)


class _PlainExpiring(_Plain):
    def check_until(self, subject: Subject, /) -> tuple[Sequence[Finding], datetime | None]:
        assert isinstance(self.rule, ExpiringRule)
        return self.rule.check_until(subject)


def _plain_rules() -> list[Rule]:
    # The value rule stays itself: the policy asks it for the value the decision records.
    # Wrapping the others is enough to make the policy loop over the rules plainly.
    return [
        r
        if isinstance(r, ValueRule)
        else _PlainExpiring(r)
        if isinstance(r, ExpiringRule)
        else _Plain(r)
        for r in default_rules()
    ]


def test_fast_path_decides_as_the_plain_rule_loop() -> None:
    rnd = random.Random(20240601)
    for zone in (SH, PLUS8, NY):
        seed = rnd.randrange(10**6)
        fast = _policy(random.Random(seed), zone, None)
        plain = _policy(random.Random(seed), zone, _plain_rules())
        for _ in range(3000):
            result = _result(rnd)
            at = result.collected + timedelta(hours=rnd.randrange(-24, 24 * 45))
            at = at.astimezone(rnd.choice(ZONES))
            context = ClinicalContext(
                rnd.choice(list(CareSetting)),
                patient=rnd.choice(["p1", "p2", None]),
                rapid_change=rnd.random() < 0.1,
            )
            receiver = rnd.choice(["H1", "H3", "H9", "H11", "", "X"])
            a = fast.evaluate(result, receiver=receiver, at=at, context=context)
            b = plain.evaluate(result, receiver=receiver, at=at, context=context)
            assert a == b
            assert a.to_json() == b.to_json()


CST = timezone(timedelta(hours=8), "CST")


def test_fast_findings_match_the_rules_on_edge_inputs() -> None:
    """Findings the fast path builds: non-members, failed QC, named zones, shared instants."""
    rnd = random.Random(20240602)
    ats = [START + timedelta(days=d, hours=h) for d in range(0, 80, 3) for h in (0, 13)]
    for zone in (CST, SH):
        seed = rnd.randrange(10**6)
        fast = _policy(random.Random(seed), zone, None)
        plain = _policy(random.Random(seed), zone, _plain_rules())
        for _ in range(3000):
            result = _result(rnd)
            collected = result.collected.astimezone(rnd.choice((CST, PLUS8, SH)))
            reported = None if result.reported is None else result.reported.astimezone(CST)
            result = attrs.evolve(
                result,
                collected=collected,
                reported=reported,
                issuer=rnd.choice(["H0", "H1", "H2", "H4", "H5", "H6", "H11"]),
            )
            # the same instant objects again and again, as in a batch; some with a named zone
            at = rnd.choice(ats)
            at = at.astimezone(rnd.choice((CST, PLUS8, UTC)))
            context = ClinicalContext(
                rnd.choice(list(CareSetting)),
                patient=rnd.choice(["p1", "p2", None]),
                rapid_change=rnd.random() < 0.2,
            )
            receiver = rnd.choice(["H1", "H3", "H9", "H11", "", "X"])
            a = fast.evaluate(result, receiver=receiver, at=at, context=context)
            b = plain.evaluate(result, receiver=receiver, at=at, context=context)
            assert a == b
            assert hash(a) == hash(b)
            assert a.to_json() == b.to_json()
            assert pickle.loads(pickle.dumps(a)) == b  # noqa: S301 (our own bytes)
            for x, y in ((a.expires_at, b.expires_at), (a.evaluated_at, b.evaluated_at)):
                assert (x is None) == (y is None)
                if x is not None and y is not None:
                    assert x.tzname() == y.tzname()
                    assert x.isoformat() == y.isoformat()


def _two_programs(seed: int, rules: Sequence[Rule] | None) -> Policy:
    """Program ``p`` and a copy ``q`` whose items' windows are longer, shorter or the same."""
    one = _policy(random.Random(seed), SH, rules)
    view = one.view("p")
    rnd = random.Random(seed)
    catalogues = [
        attrs.evolve(
            cat,
            items=[
                item
                if item.window is None
                else attrs.evolve(
                    item,
                    window=attrs.evolve(item.window, span=rnd.choice(SPANS), settings={}),
                )
                for item in cat.items
            ],
        )
        for cat in view.program.catalogues
    ]
    other = attrs.evolve(view.program, name="q", catalogues=catalogues)
    return Policy(
        [view.program, other],
        rules,
        institutions=view.institutions,
        quality=view.quality,
        settings={"p": view.settings, "q": view.settings},
    )


def test_an_item_of_two_programs_is_decided_as_the_plain_loop_decides_it() -> None:
    """Stopping early (a decision no later program can beat) keeps the same winner."""
    rnd = random.Random(20240604)
    fast = _two_programs(7, None)
    plain = _two_programs(7, _plain_rules())
    winners: set[str | None] = set()
    for _ in range(3000):
        # Mostly results a program recognises: a member's, the patient's, often in serum.
        result = attrs.evolve(_result(rnd), issuer="H3", patient="p1")
        if rnd.random() < 0.5:
            result = attrs.evolve(
                result, specimen="serum", value=Measured(4.0, parse_unit("mmol/L"))
            )
        at = (result.collected + timedelta(hours=rnd.randrange(-24, 24 * 45))).astimezone(SH)
        context = ClinicalContext(rnd.choice(list(CareSetting)), patient="p1")
        receiver = rnd.choice(["H3", "H9"])
        a = fast.evaluate(result, receiver=receiver, at=at, context=context)
        b = plain.evaluate(result, receiver=receiver, at=at, context=context)
        assert a == b
        winners.add(a.program_id)
    assert winners >= {"p", "q"}
