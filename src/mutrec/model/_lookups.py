"""The argument check the model's look-ups run after a failure (programs, quality, fees).

A look-up runs on every evaluated result, so it does not check its arguments first: only when
it fails does :func:`check_lookup` name the argument of the wrong type.

>>> check_lookup(institution="H1", item=None)
>>> check_lookup(institution=1)
Traceback (most recent call last):
...
mutrec.errors.ArgumentError: argument 'institution' = 1: expected text (a str)
"""

from __future__ import annotations

from datetime import date

from mutrec.errors import ArgumentError

__all__ = ["check_lookup"]


def check_lookup(**arguments: object) -> None:
    """After a look-up failed: name an argument of the wrong type (``None`` passes for *item*)."""
    for name, value in arguments.items():
        if name == "instant":
            ok, expected = isinstance(value, date), "a date or an aware datetime"
        else:
            ok = isinstance(value, str) or (name == "item" and value is None)
            expected = "text (a str)" + (" or None" if name == "item" else "")
        if not ok:
            raise ArgumentError(name, value, expected)
