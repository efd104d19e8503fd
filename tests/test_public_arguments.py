"""At the public API only a MutrecError comes out of a wrong argument, never a bare builtin.

Every public callable (and the methods a caller reaches first) is called with hostile values
for its required arguments; the calls may succeed, or raise a ``MutrecError`` (most often an
:class:`~mutrec.errors.ArgumentError` naming the argument), and nothing else.
"""

from __future__ import annotations

import contextlib
import enum
import importlib
import inspect
import types
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

import pytest

from mutrec import ClinicalContext, Policy, load_example_region
from mutrec.errors import ArgumentError, CatalogueError, MutrecError
from mutrec.files import load_catalogue
from mutrec.model import (
    Catalogue,
    Counting,
    Fee,
    ReferenceRange,
    Span,
    Window,
    fold,
    is_aware,
    local_date,
    require_aware,
)
from mutrec.policy import ProgramSettings, combine, evaluate_many
from mutrec.stats import rate

if TYPE_CHECKING:
    from collections.abc import Callable

# Every public name: the top level and the subpackages (most names live in a subpackage only).
_MODULES: Final = (
    "mutrec",
    *(
        f"mutrec.{m}"
        for m in ("errors", "files", "interop", "model", "policy", "stats", "synth", "units")
    ),
)
API: Final = types.SimpleNamespace(
    **{
        name: getattr(importlib.import_module(module), name)
        for module in _MODULES
        for name in importlib.import_module(module).__all__
    }
)

NASTY: Final[tuple[object, ...]] = (
    None,
    1,
    1.5,
    True,
    "x",
    "",
    b"x",
    [],
    {},
    float("nan"),
    "x" * 100_000,
)
NASTY_IDS: Final = [
    "None",
    "1",
    "1.5",
    "True",
    "x",
    "empty",
    "bytes",
    "list",
    "dict",
    "nan",
    "long",
]


def _public_callables() -> list[str]:
    names = []
    for name in sorted(vars(API)):
        obj = getattr(API, name)
        if not callable(obj):
            continue
        if not inspect.isfunction(obj) and not inspect.isclass(obj):
            continue  # a type alias such as GroupKey: nothing to call
        if inspect.isclass(obj) and (
            issubclass(obj, BaseException | enum.Enum) or getattr(obj, "_is_protocol", False)
        ):
            # Exceptions take any message; an Enum's lookup by value and a Protocol's refusal
            # to be instantiated are the standard library's.
            continue
        names.append(name)
    return names


def _required(function: Callable[..., object]) -> tuple[int, list[str]]:
    """How many required positional arguments, and the names of the required keyword ones."""
    parameters = inspect.signature(function).parameters.values()
    positional = sum(
        p.default is p.empty and p.kind in {p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD}
        for p in parameters
    )
    keywords = [p.name for p in parameters if p.default is p.empty and p.kind is p.KEYWORD_ONLY]
    return positional, keywords


def _call_with(function: Callable[..., object], value: object) -> None:
    positional, keywords = _required(function)
    # Refused as the API promises, or accepted: anything else fails the test.
    with contextlib.suppress(MutrecError):
        function(*[value] * positional, **dict.fromkeys(keywords, value))


@pytest.mark.parametrize("value", NASTY, ids=NASTY_IDS)
@pytest.mark.parametrize("name", _public_callables())
def test_public_callable_lets_only_mutrec_errors_out(name: str, value: object) -> None:
    _call_with(getattr(API, name), value)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.from_region(load_example_region())


_METHODS: Final = (
    "Catalogue.by_loinc",
    "Catalogue.get",
    "Catalogue.in_force",
    "Catalogue.resolve",
    "Crosswalk.item_code",
    "FeeSchedule.fee_for",
    "Policy.check_order",
    "Policy.evaluate",
    "Policy.explain",
    "Policy.from_region",
    "Policy.item_code",
    "Policy.mark",
    "Policy.override",
    "Policy.view",
    "Program.catalogue_at",
    "Program.is_member",
    "Program.membership",
    "ProgramView.finding",
    "QualityBook.covering",
    "QualityBook.passed",
    "Reasons.explain",
    "Reasons.from_toml",
    "ReferenceRange.contains",
    "ReferenceRange.interpret",
    "ReferenceRange.interpret_censored",
    "ReferenceRange.interpret_measured",
    "ReferenceRange.to_unit",
    "Region.item",
    "Span.add_to",
    "Span.parse",
    "Window.expires_at",
    "Window.is_current",
    "Window.span_for",
)


def _bound(method: str, policy: Policy) -> Callable[..., object]:
    region = load_example_region()
    assert region.crosswalk is not None
    span = Span(7, Counting.CALENDAR_DAYS)
    program = next(iter(region.programs.values()))
    owners: dict[str, object] = {
        "Catalogue": region.catalogues[0],
        "Crosswalk": region.crosswalk,
        "FeeSchedule": region.fees,
        "Policy": policy,
        "Program": program,
        "ProgramView": policy.view(program.name),
        "QualityBook": region.quality,
        "Reasons": policy.reasons,
        "ReferenceRange": ReferenceRange(3.5, 5.3),
        "Region": region,
        "Span": span,
        "Window": Window(span),
    }
    owner, name = method.split(".")
    bound: Callable[..., object] = getattr(owners[owner], name)
    return bound


@pytest.mark.parametrize("value", NASTY, ids=NASTY_IDS)
@pytest.mark.parametrize("method", _METHODS)
def test_method_lets_only_mutrec_errors_out(method: str, value: object, policy: Policy) -> None:
    if method == "Policy.view" and isinstance(value, str):
        # An unknown program name is a documented KeyError (a look-up miss, not a bad type).
        with pytest.raises(KeyError, match="no program named"):
            _bound(method, policy)(value)
        return
    _call_with(_bound(method, policy), value)


def _optional_parameters() -> list[tuple[str, str]]:
    classes = ("ClinicalContext", "ProgramSettings", "ReferenceRange")
    cases = [(name, p) for name in classes for p in _params(name)]
    cases += [("Policy", p) for p in _params("Policy") if p != "programs"]
    return cases


def _params(name: str) -> list[str]:
    return list(inspect.signature(getattr(API, name)).parameters)


@pytest.mark.parametrize("value", NASTY, ids=NASTY_IDS)
@pytest.mark.parametrize(("name", "parameter"), _optional_parameters())
def test_optional_argument_lets_only_mutrec_errors_out(
    name: str, parameter: str, value: object
) -> None:
    required: dict[str, Any] = {"programs": []} if name == "Policy" else {}
    with contextlib.suppress(MutrecError):
        getattr(API, name)(**required, **{parameter: value})


# --- The messages name the argument and what it expects ---------------------------------------


def test_span_names_its_amount() -> None:
    with pytest.raises(ArgumentError, match=r"argument 'amount' = 1\.5: expected an int >= 0"):
        Span(1.5, Counting.HOURS)  # type: ignore[arg-type]


def test_span_names_its_counting_with_an_example() -> None:
    with pytest.raises(ArgumentError) as caught:
        Span(7, "days")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "argument 'counting' = 'days': expected a Counting such as Counting.CALENDAR_DAYS"
    )
    assert (caught.value.name, caught.value.value) == ("counting", "days")


def test_a_collection_error_names_the_index() -> None:
    with pytest.raises(ArgumentError, match=r"argument 'decisions\[1\]' = 'x': expected"):
        rate([None, "x"])  # type: ignore[list-item]


def test_combine_names_the_bad_finding() -> None:
    with pytest.raises(ArgumentError, match=r"'findings\[0\]' = 3: expected a Finding"):
        combine([3])  # type: ignore[list-item]


def test_a_non_iterable_is_named_as_such() -> None:
    with pytest.raises(ArgumentError, match=r"argument 'items' = None: expected a collection"):
        Catalogue("c", "1", datetime(2024, 1, 1, tzinfo=UTC).date(), None)  # type: ignore[arg-type]


def test_policy_names_the_bad_program() -> None:
    with pytest.raises(ArgumentError, match=r"argument 'programs\[0\]' = 'x': expected a Program"):
        Policy(["x"])  # type: ignore[list-item]


def test_evaluate_many_refuses_a_non_policy() -> None:
    with pytest.raises(ArgumentError, match=r"argument 'policy' = None: expected a Policy"):
        evaluate_many(None, [])  # type: ignore[arg-type]


def test_a_loader_refuses_a_non_path_as_the_callers_bug() -> None:
    with pytest.raises(ArgumentError, match=r"argument 'path' = 3: expected a path") as caught:
        load_catalogue(3)  # type: ignore[arg-type]
    assert not isinstance(caught.value, CatalogueError)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: fold(None), r"argument 'text' = None: expected text"),  # type: ignore[arg-type]
        (lambda: is_aware(None), r"argument 'value' = None: expected a datetime"),  # type: ignore[arg-type]
        (lambda: local_date(None, UTC), r"argument 'instant' = None: expected an aware"),  # type: ignore[arg-type]
        (lambda: require_aware(1, "at"), r"argument 'at' = 1: expected a datetime"),  # type: ignore[arg-type]
        (lambda: Fee("K", 5.1, "lab"), r"argument 'amount' = 5\.1: expected a Decimal"),  # type: ignore[arg-type]
        (lambda: ClinicalContext(setting="x"), r"argument 'setting' = 'x': expected a CareSetting"),  # type: ignore[arg-type]
        (lambda: ProgramSettings(scope_regions="11"), r"'scope_regions' = '11': expected a list"),
    ],
)
def test_named_argument_and_expectation(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        call()


def test_a_long_value_is_shortened_in_the_message() -> None:
    with pytest.raises(ArgumentError) as caught:
        Span.parse("9" * 100_000 + "x")
    assert len(str(caught.value)) < 300
    assert caught.value.value == "9" * 100_000 + "x"  # kept whole on the exception


def test_valid_arguments_still_work() -> None:
    fee = Fee("K", Decimal("5.10"), "lab")
    assert fee.amount == Decimal("5.10")
    assert Span.parse("7d") == Span(7, Counting.CALENDAR_DAYS)
