"""Scanner grade as data: CT detector rows keyed by DICOM manufacturer and model name."""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import attrs

from mutrec.errors import CatalogueError, Problem
from mutrec.model.devices import DeviceCapability

__all__ = ["ScannerTable"]

_BUNDLED: Final = Path(__file__).parent / "data" / "scanners.toml"


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


@attrs.frozen
class ScannerTable:
    """CT detector rows by (manufacturer, model) as DICOM headers name them.

    No standard DICOM tag holds a CT's detector-row count: (0018,9306)/(0018,9307) give the
    collimation a scan *used*, not what the scanner can do. A region keeps its scanners' rows
    as data; :meth:`bundled` is an illustrative table (``illustrative`` is ``True``), to be
    replaced by the region's own register.

    Attributes:
        rows: Detector rows by folded (manufacturer group, model).
        makers: Folded manufacturer spelling → its group.
        illustrative: Whether the table is an example, not a checked register.

    >>> table = ScannerTable.bundled()
    >>> table.illustrative, table.detector_rows("GE MEDICAL SYSTEMS", "LightSpeed VCT")
    (True, 64)
    >>> table.detector_rows("", "LightSpeed VCT") is None
    True
    """

    rows: Mapping[tuple[str, str], int] = attrs.field(factory=dict)
    makers: Mapping[str, str] = attrs.field(factory=dict)
    illustrative: bool = attrs.field(default=False, kw_only=True)

    @classmethod
    def bundled(cls) -> ScannerTable:
        """The illustrative table shipped in ``mutrec/interop/data/scanners.toml``."""
        return cls.from_toml(_BUNDLED)

    @classmethod
    def from_toml(cls, path: str | Path) -> ScannerTable:
        """Load a table in the bundled file's format.

        Raises:
            CatalogueError: The file cannot be read, or an entry is incomplete.

        >>> ScannerTable.from_toml("no-such.toml")
        Traceback (most recent call last):
        ...
        mutrec.errors.CatalogueError: 1 problem in data files: ...
        """
        name = str(path)
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
            raise CatalogueError([Problem(name, "file", str(error))]) from None
        return cls._from_data(data, name)

    @classmethod
    def _from_data(cls, data: dict[str, Any], name: str) -> ScannerTable:
        problems: list[Problem] = []
        makers: dict[str, str] = {}
        groups = data.get("manufacturers", {})
        for group, spellings in groups.items() if isinstance(groups, dict) else ():
            for spelling in spellings if isinstance(spellings, list) else [spellings]:
                if isinstance(spelling, str):
                    makers[_fold(spelling)] = _fold(group)
        rows: dict[tuple[str, str], int] = {}
        entries = data.get("scanners", [])
        for index, entry in enumerate(entries if isinstance(entries, list) else []):
            where = f"scanners[{index}]"
            maker, model = entry.get("manufacturer"), entry.get("model")
            count = entry.get("detector_rows")
            if not isinstance(maker, str) or not isinstance(model, str) or not model.strip():
                problems.append(Problem(name, where, "needs manufacturer and model text"))
                continue
            try:
                DeviceCapability(detector_rows=count)
            except ValueError as error:
                problems.append(Problem(name, f"{where}.detector_rows", str(error)))
                continue
            key = (makers.get(_fold(maker), _fold(maker)), _fold(model))
            if key in rows and rows[key] != count:
                problems.append(Problem(name, where, f"{maker} {model} is listed twice"))
            rows[key] = count
        if problems:
            raise CatalogueError(problems)
        return cls(rows, makers, illustrative=data.get("status") == "illustrative")

    def detector_rows(self, manufacturer: str, model: str) -> int | None:
        """The rows of a scanner the table lists, else ``None`` (never a near match)."""
        maker = _fold(manufacturer)
        if not maker or not _fold(model):
            return None
        return self.rows.get((self.makers.get(maker, maker), _fold(model)))
