"""Every public hint resolves at run time: ``typing.get_type_hints`` works on each public name.

pydantic, FastAPI and cattrs evaluate hints when they meet a class or a function, so a name
imported only under ``if TYPE_CHECKING:`` breaks them with a ``NameError``. One test per name
in ``__all__`` of the public modules: the function, or the class with its own public methods,
properties and ``__init__``.
"""

from __future__ import annotations

import importlib
import inspect
import typing
from collections.abc import Callable, Iterator
from typing import Any, Final

import pytest

PUBLIC: Final = (
    "mutrec",
    "mutrec.model",
    "mutrec.policy",
    "mutrec.files",
    "mutrec.units",
    "mutrec.stats",
    "mutrec.errors",
)


def _numpy_names() -> dict[str, Any]:
    numpy = pytest.importorskip("numpy")
    return {"np": numpy, "NDArray": numpy.typing.NDArray}


def _savings_names() -> dict[str, Any]:
    from mutrec.stats import Savings

    return {"Savings": Savings}


# Hints that cannot resolve from their own module alone, each with why and the names that make
# it resolve (so that the hint is still checked, and an entry that is no longer needed fails).
ALLOWED: Final[dict[str, tuple[str, Callable[[], dict[str, Any]]]]] = {
    "mutrec.units._convert.Converter.many": (
        (
            "names numpy (an optional extra) for arrays; importing it would cost every "
            "`import mutrec.units` tens of milliseconds, so it is imported for type checkers only"
        ),
        _numpy_names,
    ),
    "mutrec.stats._values.Savings.__init__": (
        (
            "attrs builds __init__ with a copy of the module's globals taken before the class "
            "name is bound, so a field typed with its own class (possible: Savings | None) "
            "cannot resolve from __init__ (python-attrs/attrs#1021); get_type_hints(Savings) does"
        ),
        _savings_names,
    ),
}


def _name(obj: object) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def _members(cls: type) -> Iterator[object]:
    """The class's own public methods (plain, class and static), properties and __init__."""
    for attr, value in vars(cls).items():
        if attr.startswith("_") and attr != "__init__":
            continue
        if isinstance(value, classmethod | staticmethod):
            yield value.__func__
        elif isinstance(value, property):
            if value.fget is not None:
                yield value.fget
        elif inspect.isfunction(value):
            yield value


def targets(obj: object) -> list[object]:
    """What get_type_hints is asked about for one public name."""
    if inspect.isclass(obj):
        return [obj, *_members(obj)]
    if inspect.isfunction(obj):
        return [obj]
    return []  # constants and type aliases carry no hints of their own


def _public_names() -> list[str]:
    return [
        f"{module}.{name}" for module in PUBLIC for name in importlib.import_module(module).__all__
    ]


def _resolve(qualified: str) -> object:
    module, _, name = qualified.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("qualified", _public_names())
def test_hints_resolve(qualified: str) -> None:
    failures = []
    for target in targets(_resolve(qualified)):
        allowed = ALLOWED.get(_name(target))
        extra = {} if allowed is None else allowed[1]()
        try:
            typing.get_type_hints(target, localns=extra or None)
        except Exception as error:  # noqa: BLE001 - every failure is reported, by target
            failures.append(f"{_name(target)}: {type(error).__name__}: {error}")
    assert not failures, "hints that do not resolve at run time:\n" + "\n".join(failures)


@pytest.mark.parametrize("entry", sorted(ALLOWED))
def test_allowed_entries_are_needed_and_public(entry: str) -> None:
    seen = {
        _name(target): target
        for qualified in _public_names()
        for target in targets(_resolve(qualified))
    }
    assert entry in seen, f"{entry} is no public name's hint any more: drop it from ALLOWED"
    with pytest.raises(NameError):
        typing.get_type_hints(seen[entry])


def test_targets_include_methods_properties_and_init() -> None:
    from mutrec.policy import Policy

    names = {_name(target) for target in targets(Policy)}
    assert {
        "mutrec.policy._policy.Policy",
        "mutrec.policy._policy.Policy.__init__",
        "mutrec.policy._policy.Policy.evaluate",
        "mutrec.policy._policy.Policy.from_region",  # a classmethod
    } <= names
    assert not any(name.endswith("._check_parts") for name in names)
