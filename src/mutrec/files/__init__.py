"""Data files: catalogues, programs, alliances, institutions, quality records, fees, crosswalks.

TOML (read with :mod:`tomllib`) with CSV for long item and member lists; one documented
schema per file kind (see ``SCHEMAS.md``), each with ``kind`` and ``schema_version``.

>>> from mutrec.files import load_example_region
>>> region = load_example_region()
>>> region.resolve("血糖").code
'Glu'
"""

from __future__ import annotations

from mutrec.files.loaders import (
    load_alliance,
    load_catalogue,
    load_crosswalk,
    load_fees,
    load_institutions,
    load_program,
    load_quality,
)
from mutrec.files.region import Region, load_example_region, load_region

__all__ = [
    "Region",
    "load_alliance",
    "load_catalogue",
    "load_crosswalk",
    "load_example_region",
    "load_fees",
    "load_institutions",
    "load_program",
    "load_quality",
    "load_region",
]
