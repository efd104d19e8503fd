"""Units of lab results: read them (UCUM, Chinese and US report spellings), convert them.

The bottom layer of mutrec: it imports nothing of mutrec but :mod:`mutrec.errors`. Dimensions
and factors come from a table generated from pint and checked against it, so reading units and
converting them do not import pint; a private registry, built on first use, is left only the
rare conversion the table declines. No pint object ever leaves this package.

>>> from mutrec.units import convert, parse_unit
>>> parse_unit("×10⁹/L").code
'10*9/L'
>>> round(convert(1.0, "mg/dL", "umol/L", analyte="creatinine"), 1)
88.4
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mutrec._lazy import lazy_attributes

if TYPE_CHECKING:
    from mutrec.units._analytes import Analyte, analyte, analytes
    from mutrec.units._convert import Converter, convert
    from mutrec.units._unit import Unit, parse_unit

__all__ = ["Analyte", "Converter", "Unit", "analyte", "analytes", "convert", "parse_unit"]

# Where each name lives, imported on first access (PEP 562): reading units (a region's
# catalogues) does not pay for the analyte table's and the converter's modules.
_LAZY: dict[str, str] = {
    "Analyte": "mutrec.units._analytes",
    "Converter": "mutrec.units._convert",
    "Unit": "mutrec.units._unit",
    "analyte": "mutrec.units._analytes",
    "analytes": "mutrec.units._analytes",
    "convert": "mutrec.units._convert",
    "parse_unit": "mutrec.units._unit",
}


__getattr__, __dir__ = lazy_attributes(globals(), _LAZY)
