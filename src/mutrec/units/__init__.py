"""Units of lab results: read them (UCUM, Chinese and US report spellings), convert them.

The bottom layer of mutrec: it imports nothing of mutrec but :mod:`mutrec.errors`. pint does
the arithmetic behind a private registry that is built on first use, so ``import mutrec.units``
does not import pint; no pint object ever leaves this package.

>>> from mutrec.units import convert, parse_unit
>>> parse_unit("×10⁹/L").code
'10*9/L'
>>> round(convert(1.0, "mg/dL", "umol/L", analyte="creatinine"), 1)
88.4
"""

from __future__ import annotations

from mutrec.units._analytes import Analyte, analyte, analytes
from mutrec.units._convert import Converter, convert
from mutrec.units._unit import Unit, parse_unit

__all__ = ["Analyte", "Converter", "Unit", "analyte", "analytes", "convert", "parse_unit"]
