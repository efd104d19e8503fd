"""A policy pickles by its construction arguments, so it ships to other processes.

Its indexes hold the rules' bound checks and memo locks, which do not pickle and need not:
a policy is rebuilt from what it was built from (programs, rules, institutions …), which is
cheap (the indexes are made once per process), and decides exactly as the original. Spark
ships a function's closure this way (cloudpickle), as ``multiprocessing`` ships arguments.

The rules given explicitly are pickled with it. One that does not pickle (a class defined
inside a function, a lock, an open file) is an :class:`~mutrec.errors.ArgumentError` naming
the rule, at pickling time, rather than pickle's error about an object somewhere inside it.
"""

from __future__ import annotations

import pickle
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from mutrec.errors import ArgumentError
from mutrec.model.catalogue import Crosswalk
from mutrec.model.institutions import Institution
from mutrec.model.programs import FeeSchedule, Program, QualityBook
from mutrec.policy._reasons import Reason
from mutrec.policy._rule import Rule
from mutrec.policy._settings import ProgramSettings

__all__ = ["Arguments", "rebuilt", "shippable"]


class Arguments(NamedTuple):
    """What a policy was built from, in plain containers (no mapping proxies), for pickling.

    >>> Arguments((), None, None, None, None, None, None, "1", ()).version
    '1'
    """

    programs: tuple[Program, ...]
    rules: tuple[Rule, ...] | None
    institutions: dict[str, Institution] | None
    quality: QualityBook | None
    settings: dict[str, ProgramSettings] | None
    crosswalk: Crosswalk | None
    fees: FeeSchedule | None
    version: str
    reasons: tuple[Reason, ...]

    @classmethod
    def of(  # noqa: PLR0913, PLR0917 (the policy's own arguments, each needed)
        cls,
        programs: tuple[Program, ...],
        rules: Sequence[Rule] | None,
        institutions: Mapping[str, Institution] | None,
        quality: QualityBook | None,
        settings: Mapping[str, ProgramSettings] | None,
        crosswalk: Crosswalk | None,
        fees: FeeSchedule | None,
        version: str,
        reasons: tuple[Reason, ...],
    ) -> Arguments:
        """The arguments, already checked by the policy, copied into plain containers.

        >>> Arguments.of((), None, {}, None, None, None, None, "1", ()).institutions
        {}
        """
        return cls(
            programs,
            None if rules is None else tuple(rules),
            None if institutions is None else dict(institutions),
            quality,
            None if settings is None else dict(settings),
            crosswalk,
            fees,
            version,
            reasons,
        )


def shippable(arguments: Arguments, protocol: int) -> Arguments:
    """Return *arguments* once each explicitly given rule is known to pickle.

    Raises:
        ArgumentError: A rule does not pickle (it names the rule and pickle's reason).

    >>> import threading
    >>> class Locked:
    ...     code_prefix = "x"
    ...     def __init__(self): self.lock = threading.Lock()
    ...     def check(self, subject): return ()
    >>> shippable(Arguments((), (Locked(),), None, None, None, None, None, "1", ()), 5)
    Traceback (most recent call last):
    mutrec.errors.ArgumentError: argument 'rules[0]' = <...>: expected a rule that pickles, ...
    """
    for index, rule in enumerate(arguments.rules or ()):
        try:
            pickle.dumps(rule, protocol)
        except Exception as error:  # pickle raises many kinds: all mean "it does not pickle"
            why = f"{type(error).__name__}: {error}"
            msg = (
                f"a rule that pickles, to ship the policy to another process ({why}); define "
                "its class at a module's top level, holding only data that pickles"
            )
            arg = f"rules[{index}]"
            raise ArgumentError(arg, rule, msg) from error
    return arguments


def rebuilt(kind: type[Any], arguments: Arguments) -> Any:
    """A policy of class *kind* built anew from *arguments* (what unpickling calls).

    >>> from mutrec.policy import Policy
    >>> rebuilt(Policy, Arguments((), None, None, None, None, None, None, "2", ())).version
    '2'
    """
    return kind(
        arguments.programs,
        arguments.rules,
        institutions=arguments.institutions,
        quality=arguments.quality,
        settings=arguments.settings,
        crosswalk=arguments.crosswalk,
        fees=arguments.fees,
        version=arguments.version,
        reasons=arguments.reasons,
    )
