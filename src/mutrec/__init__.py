"""mutrec: mutual recognition of clinical test and examination results (检查检验结果互认, HR).

>>> import mutrec
>>> issubclass(mutrec.UnitError, mutrec.MutrecError)
True
"""

from __future__ import annotations

from mutrec.errors import (
    CatalogueError,
    MutrecError,
    Problem,
    ResultError,
    TimeZoneError,
    UnitError,
)

__all__ = [
    "CatalogueError",
    "MutrecError",
    "Problem",
    "ResultError",
    "TimeZoneError",
    "UnitError",
]
