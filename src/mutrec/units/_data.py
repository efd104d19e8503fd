"""Read ``units/data/`` through the package's own loader: zip-safe, with no import to pay.

``importlib.resources`` would do, but importing it pulls in ``tempfile``, ``shutil``,
``random`` and ``zipfile``: about 7 ms of a cold start whose budget is 50 ms. The module's
loader reads a file beside it whether the package is a folder or inside a zip archive.
"""

from __future__ import annotations

import os
from typing import Protocol, cast

__all__ = ["read_text"]


class _Loader(Protocol):
    def get_data(self, path: str) -> bytes: ...


def read_text(name: str) -> str:
    """The UTF-8 text of ``units/data/<name>``.

    >>> read_text("factors.toml").startswith("# The dimension")
    True
    """
    loader = cast("_Loader", __spec__.loader)
    # os.path, not pathlib: nothing else in mutrec.units imports pathlib, a few ms of its own.
    path = os.path.join(os.path.dirname(__file__), "data", name)  # noqa: PTH118, PTH120
    return loader.get_data(path).decode("utf-8")
