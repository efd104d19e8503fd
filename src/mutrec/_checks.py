"""Argument checks that raise :class:`~mutrec.errors.ArgumentError` naming the argument.

The public API promises that a wrong argument comes out as a :class:`~mutrec.errors.MutrecError`,
never as a bare builtin from deep inside. These helpers are the one way of keeping it: attrs
validators for fields, and plain checks for functions. They import nothing of mutrec but
:mod:`mutrec.errors`, so every layer may use them.

>>> import attrs
>>> @attrs.frozen
... class Dose:
...     amount: int = attrs.field(validator=instance_of(int, allow_bool=False))
>>> Dose(True)
Traceback (most recent call last):
...
mutrec.errors.ArgumentError: argument 'amount' = True: expected an int
"""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, TypeVar

from mutrec.errors import ArgumentError

__all__ = [
    "describe",
    "each",
    "in_",
    "instance_of",
    "items_of",
    "mapping_of",
    "optional",
    "path_like",
    "require",
]

T = TypeVar("T")

# How a type reads in a message ("an int", "text"): the words a caller would use.
_WORDS: dict[type, str] = {
    str: "text (a str)",
    int: "an int",
    float: "a float",
    bool: "True or False",
    bytes: "bytes",
}


def describe(*types: type) -> str:
    """Say what *types* are in words, for an error message.

    >>> from enum import Enum
    >>> class Colour(Enum):
    ...     RED = "red"
    >>> describe(int, Colour)
    'an int or a Colour such as Colour.RED'
    """
    words = []
    for kind in types:
        if kind in _WORDS:
            words.append(_WORDS[kind])
        elif issubclass(kind, enum.Enum) and len(kind) > 0:
            first = next(iter(kind))
            words.append(f"a {kind.__name__} such as {kind.__name__}.{first.name}")
        else:
            article = "an" if kind.__name__[:1].lower() in "aeiou" else "a"
            words.append(f"{article} {kind.__name__}")
    return " or ".join(words)


def require(
    name: str,
    value: object,
    types: type | tuple[type, ...],
    expected: str | None = None,
    *,
    allow_bool: bool = True,
) -> None:
    """Refuse *value* unless it is one of *types*, naming *name* in the error.

    Args:
        name: The argument's name, as the error quotes it (``decisions[3]`` for an element).
        value: The value given.
        types: The accepted type or types.
        expected: The words for what is expected; by default they are made from *types*.
        allow_bool: Whether ``True``/``False`` pass for an ``int`` (a bool *is* an int).

    Raises:
        ArgumentError: *value* is not one of *types*.

    >>> require("at", None, int)
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument 'at' = None: expected an int
    """
    if not isinstance(value, types) or (not allow_bool and isinstance(value, bool)):
        kinds = types if isinstance(types, tuple) else (types,)
        raise ArgumentError(name, value, expected or describe(*kinds))


def instance_of(
    *types: type, expected: str | None = None, allow_bool: bool = True
) -> Callable[[object, Any, Any], None]:
    """An attrs validator: the field must be one of *types* (``allow_bool=False`` refuses bools).

    >>> import attrs
    >>> @attrs.frozen
    ... class Named:
    ...     name: str = attrs.field(validator=instance_of(str))
    >>> Named(1.5)
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument 'name' = 1.5: expected text (a str)
    """
    words = expected or describe(*types)
    if allow_bool:
        # The common case, kept to one isinstance call: these run on every construction.
        def check(_instance: object, attribute: Any, value: Any) -> None:
            if not isinstance(value, types):
                raise ArgumentError(attribute.name, value, words)
    else:

        def check(_instance: object, attribute: Any, value: Any) -> None:
            if not isinstance(value, types) or isinstance(value, bool):
                raise ArgumentError(attribute.name, value, words)

    return check


def optional(
    validator: Callable[[object, Any, Any], None],
) -> Callable[[object, Any, Any], None]:
    """An attrs validator: ``None``, or whatever *validator* accepts (its message says so).

    >>> import attrs
    >>> @attrs.frozen
    ... class Note:
    ...     text: str | None = attrs.field(default=None, validator=optional(instance_of(str)))
    >>> Note(), Note("x")
    (Note(text=None), Note(text='x'))
    >>> Note(b"x")
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument 'text' = b'x': expected text (a str) or None
    """

    def check(instance: object, attribute: Any, value: Any) -> None:
        if value is None:
            return
        try:
            validator(instance, attribute, value)
        except ArgumentError as error:
            raise ArgumentError(error.name, value, f"{error.expected} or None") from None

    return check


def in_(options: Collection[object]) -> Callable[[object, Any, Any], None]:
    """An attrs validator: the field must be one of *options* (listed in the error).

    >>> import attrs
    >>> @attrs.frozen
    ... class Side:
    ...     side: str = attrs.field(validator=in_(("left", "right")))
    >>> Side("up")
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument 'side' = 'up': expected one of 'left', 'right'
    """
    words = "one of " + ", ".join(map(repr, options))

    def check(_instance: object, attribute: Any, value: Any) -> None:
        try:
            known = value in options
        except TypeError:  # an unhashable value is in no set
            known = False
        if not known:
            raise ArgumentError(attribute.name, value, words)

    return check


def each(*types: type, expected: str | None = None) -> Callable[[object, Any, Any], None]:
    """An attrs validator: the field is a collection (not text) of *types*, each checked.

    >>> import attrs
    >>> @attrs.frozen
    ... class Codes:
    ...     codes: tuple[str, ...] = attrs.field(validator=each(str))
    >>> Codes(("K", 1))
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument 'codes[1]' = 1: expected text (a str)
    """

    def check(_instance: object, attribute: Any, value: Any) -> None:
        items_of(attribute.name, value, types, expected)

    return check


def items_of(
    name: str,
    values: Iterable[T],
    types: type | tuple[type, ...],
    expected: str | None = None,
) -> tuple[T, ...]:
    """Return *values* as a tuple, refusing a non-collection or an element not of *types*.

    The error names the element's place (``decisions[3]``), not the attribute some deeper
    code would have failed to find on it. Text and bytes are refused as collections: a lone
    string is a caller's slip, not a collection of its characters.

    Raises:
        ArgumentError: *values* is not a collection, or an element is of the wrong type.

    >>> items_of("codes", ["K", "Na"], str)
    ('K', 'Na')
    >>> items_of("codes", ["K", 1], str)
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument 'codes[1]' = 1: expected text (a str)
    """
    kinds = types if isinstance(types, tuple) else (types,)
    words = expected or describe(*kinds)
    if isinstance(values, str | bytes | bytearray):
        raise ArgumentError(name, values, f"a collection of {words}")
    try:
        result = tuple(values)
    except TypeError:
        raise ArgumentError(name, values, f"a collection of {words}") from None
    for index, value in enumerate(result):
        if not isinstance(value, kinds):
            arg = f"{name}[{index}]"
            raise ArgumentError(arg, value, words)
    return result


def mapping_of(name: str, value: object, kind: type) -> dict[str, Any]:
    """Return a copy of *value*, a mapping of names to *kind* objects (``None``: empty).

    >>> mapping_of("limits", {"K": 1}, int), mapping_of("limits", None, int)
    ({'K': 1}, {})
    >>> mapping_of("limits", {"K": "1"}, int)
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument "limits['K']" = '1': expected an int
    """
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ArgumentError(name, value, f"a mapping of names to {describe(kind)}")
    copied = dict(value)
    for key, item in copied.items():
        require(f"{name}[{key!r}]", item, kind)
    return copied


def path_like(name: str, value: object) -> None:
    """Refuse a file path that is neither text nor :class:`os.PathLike` (a caller's bug).

    >>> path_like("path", None)
    Traceback (most recent call last):
    ...
    mutrec.errors.ArgumentError: argument 'path' = None: expected a path (a str or os.PathLike)
    """
    if not isinstance(value, str | os.PathLike):
        raise ArgumentError(name, value, "a path (a str or os.PathLike)")
