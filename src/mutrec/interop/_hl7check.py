"""A second opinion on the fast splitter: python-hl7 (``mutrec[hl7v2]``) splits the same text.

Both must find the same segments, fields, repetitions, components and subcomponents (raw,
before escapes are read). The tests run this on every hand-written message and on generated
ones; :func:`~mutrec.interop.hl7v2.read_oru` runs it with ``cross_check=True``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mutrec.errors import MissingDependencyError
from mutrec.interop._hl7split import Separators, field_list

__all__ = ["disagreement", "their_leaf"]


def _parse(text: str) -> Any:
    try:
        import hl7
    except ImportError:
        package, extra = "hl7", "hl7v2"
        raise MissingDependencyError(package, extra, feature="read_oru(cross_check=True)") from None
    return hl7.parse(text)


def their_leaf(node: Any, *path: int) -> str:
    """The text python-hl7 holds at *path* (0-based), '' past its end.

    python-hl7 stops splitting where no lower separator occurs: a plain string then stands
    for its own first repetition, component and subcomponent.
    """
    for index in path:
        if isinstance(node, str):
            return node if index == 0 else ""
        if index >= len(node):
            return ""
        node = node[index]
    return node if isinstance(node, str) else str(node)


def _ours(field: str, seps: Separators) -> list[list[list[str]]]:
    return [
        [comp.split(seps.subcomponent) for comp in rep.split(seps.component)]
        for rep in field.split(seps.repetition)
    ]


def disagreement(lines: Sequence[str], seps: Separators) -> str | None:
    """Where python-hl7 splits *lines* (one message's segments) otherwise, or ``None``.

    Raises:
        MissingDependencyError: python-hl7 is not installed.
    """
    try:
        theirs = _parse("\r".join(lines))
    except Exception as error:  # noqa: BLE001 - any failure of the other parser is its verdict
        return f"python-hl7 cannot parse the message ({type(error).__name__})"
    if len(theirs) != len(lines):
        return f"python-hl7 finds {len(theirs)} segments, mutrec {len(lines)}"
    for index, line in enumerate(lines):
        fields = field_list(line, seps)
        segment = theirs[index]
        if len(segment) != len(fields):
            return f"segment {index + 1} ({line[:3]}): {len(segment)} fields, mutrec {len(fields)}"
        for number, field in enumerate(fields):
            if trouble := _field(segment, line[:3], number, field, seps):
                return trouble
    return None


def _field(segment: Any, name: str, number: int, field: str, seps: Separators) -> str | None:
    if name == "MSH" and number < 3:
        got = their_leaf(segment, number, 0)
        return None if got == field else f"MSH-{number}: python-hl7 {got!r}, mutrec {field!r}"
    for r, rep in enumerate(_ours(field, seps)):
        for c, comp in enumerate(rep):
            for s, sub in enumerate(comp):
                got = their_leaf(segment, number, r, c, s)
                if got != sub:
                    where = f"{name}-{number}.{r + 1}.{c + 1}.{s + 1}"
                    return f"{where}: python-hl7 {got!r}, mutrec {sub!r}"
    return None
