"""Generating a province's prior results: rows of ``mutrec check``'s columns, batch by batch.

Every random draw comes from :mod:`numpy`'s PCG64 seeded with ``(seed, batch number)``, so a
batch depends only on the seed, its number and the batch size: the same arguments give the same
rows, and a file written from them the same bytes (with the same pyarrow). The distributions are
documented on :func:`mutrec.synth.generate`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from mutrec._checks import require
from mutrec.errors import ArgumentError, MissingDependencyError
from mutrec.files import Region
from mutrec.model.items import Item, ItemKind, ValueKind

if TYPE_CHECKING:
    import numpy as np

__all__ = ["COLUMNS", "batches", "share", "whole"]

COLUMNS: Final = (
    "result_id", "kind", "item", "value", "unit", "specimen", "collected", "reported",
    "issuer", "patient", "receiver", "at", "setting", "modality", "detector_rows",
    "field_strength_t", "device_model", "study_uid", "image_link", "body_part",
)  # fmt: skip
"""The columns written, in order: all of them ``mutrec check`` columns, all text."""

_DAY: Final = 86_400.0
_HOUR: Final = 3_600.0
_MAX_ROWS: Final = 10**10
_MAX_BATCH: Final = 1 << 22
# Rough centres and spreads of common analytes in the catalogue unit (WS/T 404/405 adult
# intervals, domain.md §12); an item not listed gets a lognormal around 10.
_CENTRES: Final = {
    "K": (4.3, 0.45), "Na": (141.0, 3.0), "Cl": (104.0, 3.0), "Ca": (2.3, 0.12),
    "P": (1.15, 0.2), "TP": (72.0, 6.0), "Alb": (44.0, 4.0), "Glu": (5.6, 1.2),
    "Cre": (75.0, 18.0), "Urea": (5.2, 1.4), "ALT": (25.0, 12.0), "AST": (24.0, 9.0),
    "WBC": (6.3, 1.8), "RBC": (4.6, 0.5), "Hb": (138.0, 16.0), "PLT": (230.0, 60.0),
    "HCT": (0.42, 0.04), "TC": (4.8, 0.9), "TG": (1.5, 0.7), "HbA1c": (6.0, 1.0),
}  # fmt: skip
# Device offers by modality: CT detector rows and MR tesla (the catalogue asks ≥ 16 rows, ≥ 64
# for CTA, ≥ 1.5 T: a few older devices fall short on purpose).
_CT_ROWS: Final = (("4", 0.02), ("16", 0.18), ("64", 0.45), ("128", 0.25), ("256", 0.10))
_MR_TESLA: Final = (("0.35", 0.03), ("1.0", 0.05), ("1.5", 0.62), ("3.0", 0.30))
_MODELS: Final = {"CT": "示例CT-", "MR": "示例MR-", "DR": "示例DR-", "US": "示例US-"}
# Shares of the edge cases "Fail safe on real input" names (per row).
_TEXT_NOISE: Final = ("4,1", "见报告", "NaN", "溶血")
_SETTINGS: Final = ("inpatient", "outpatient", "emergency")


def _libraries() -> tuple[Any, Any]:
    try:
        import numpy as np
        import pyarrow as pa
    except ImportError as error:  # pragma: no cover - the extras are installed in CI
        extra = "arrow" if "pyarrow" in str(error) else "numpy"
        raise MissingDependencyError(extra, "mutrec.synth") from None
    return np, pa


def _institutions(region: Region) -> tuple[list[str], list[float], list[str]]:
    ids = sorted(region.institutions)
    # Bigger hospitals see (and issue) more results: weights 1 / 2 / 4 / 8 by level.
    weights = [2.0 ** region.institutions[i].level.value for i in ids]
    total = sum(weights)
    provinces = [region.institutions[i].region[:2] for i in ids]
    return ids, [w / total for w in weights], provinces


def _items(region: Region) -> tuple[list[Item], list[Item]]:
    lab = [i for c in region.catalogues for i in c.items if i.kind is ItemKind.LAB]
    imaging = [i for c in region.catalogues for i in c.items if i.kind is ItemKind.IMAGING]
    return sorted(lab, key=lambda i: i.code), sorted(imaging, key=lambda i: i.code)


def whole(name: str, value: object, low: int, high: int) -> None:
    """Refuse *value* unless it is a whole number (not a bool) from *low* to *high*."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ArgumentError(name, value, f"a whole number from {low:,} to {high:,}")


def share(name: str, value: object) -> None:
    """Refuse *value* unless it is a number (not a bool) from 0 to 1."""
    if not isinstance(value, float | int) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
        raise ArgumentError(name, value, "a share from 0 to 1")


def _check(rows: object, seed: object, batch_rows: object, days: object) -> None:
    whole("rows", rows, 0, _MAX_ROWS)
    whole("seed", seed, 0, 2**63 - 1)
    whole("batch_rows", batch_rows, 1, _MAX_BATCH)
    whole("days", days, 1, 3660)


def batches(  # noqa: PLR0913 (the knobs of a province)
    rows: int,
    *,
    region: Region,
    seed: int = 0,
    start: date = date(2024, 1, 1),
    days: int = 182,
    batch_rows: int = 65_536,
    lab_share: float = 0.8,
) -> Iterator[Any]:
    """Yield record batches of generated rows (see :func:`mutrec.synth.generate`)."""
    _check(rows, seed, batch_rows, days)
    require("region", region, Region)
    given: object = start
    if not isinstance(given, date) or isinstance(given, datetime):
        msg = "start"
        raise ArgumentError(msg, start, "a date (the first day of the period)")
    share("lab_share", lab_share)
    np, pa = _libraries()
    ids, weights, provinces = _institutions(region)
    lab, imaging = _items(region)
    if len(ids) < 2 or not lab or not imaging:
        msg = "a region with two institutions or more, lab items and imaging items"
        msg_0 = "region"
        raise ArgumentError(msg_0, region.name, msg)
    origin = datetime(start.year, start.month, start.day, tzinfo=UTC) - timedelta(hours=8)
    schema = pa.schema([(c, pa.string()) for c in COLUMNS])
    context = _Context(np, ids, weights, provinces, lab, imaging, origin, days, float(lab_share))
    done = 0
    number = 0
    while done < rows:
        size = min(batch_rows, rows - done)
        rng = np.random.Generator(np.random.PCG64([seed, number]))
        columns = context.batch(rng, size, done)
        yield pa.RecordBatch.from_arrays([columns[c] for c in COLUMNS], schema=schema)
        done += size
        number += 1


class _Context:
    """What every batch shares: the institutions, the items and the period."""

    def __init__(  # noqa: PLR0913, PLR0917 (built once per call)
        self,
        np: Any,
        ids: list[str],
        weights: list[float],
        provinces: list[str],
        lab: list[Item],
        imaging: list[Item],
        origin: datetime,
        days: int,
        lab_share: float,
    ) -> None:
        import pyarrow as pa

        self.np = np
        self.pa = pa
        self.ids = pa.array(ids)
        self.weights = np.array(weights)
        self.provinces = np.array(provinces)
        # Imaging is the Beijing program's: its rows come from Beijing institutions.
        beijing = np.array([p == "11" for p in provinces])
        self.img_weights = np.where(beijing, self.weights, 0.0)
        self.img_weights /= self.img_weights.sum() or 1.0
        self.lab = lab
        self.imaging = imaging
        self.origin = np.datetime64(origin.replace(tzinfo=None), "s")
        self.seconds = days * _DAY
        self.lab_share = lab_share
        # Chemistry and blood cells are ordered most; every item keeps some weight.
        lab_w = np.array(
            [3.0 if i.category.value in {"chemistry", "blood_cell"} else 1.0 for i in lab]
        )
        self.lab_w = lab_w / lab_w.sum()
        self.lab_codes = pa.array([i.code for i in lab])
        numeric = [i.value_kind is not ValueKind.QUALITATIVE and i.unit is not None for i in lab]
        self.numeric = np.array(numeric)
        self.units = pa.array(
            [str(i.unit) if n else None for i, n in zip(lab, numeric, strict=True)]
        )
        self.specimens = pa.array([i.specimen for i in lab])
        centres = [_CENTRES.get(i.code, (0.0, 0.0)) for i in lab]
        self.centre = np.array([c for c, _ in centres])
        self.spread = np.array([s for _, s in centres])
        digits = [max(0, 2 - int(np.floor(np.log10(c)))) if c else 2 for c, _ in centres]
        self.scale = np.array([10.0**d for d in digits])
        self.img_codes = pa.array([i.code for i in imaging])
        self.img_modality = pa.array(
            [None if i.modality is None else i.modality.value for i in imaging]
        )
        self.img_part = pa.array([i.body_parts[0] if i.body_parts else None for i in imaging])
        mods = [None if i.modality is None else i.modality.value for i in imaging]
        self.is_ct = np.array([m == "CT" for m in mods])
        self.is_mr = np.array([m == "MR" for m in mods])
        self.model_prefix = pa.array([_MODELS.get(m or "", "示例-") for m in mods])

    def _text(self, prefix: str, numbers: Any, width: int) -> Any:
        pc = _compute()
        digits = pc.utf8_lpad(pc.cast(self.pa.array(numbers), self.pa.string()), width, "0")
        return pc.binary_join_element_wise(prefix, digits, "")

    def batch(self, rng: np.random.Generator, n: int, offset: int) -> dict[str, Any]:
        """One batch's columns as Arrow string arrays."""
        np, pa, pc = self.np, self.pa, _compute()
        out: dict[str, Any] = {}
        rows = np.arange(offset, offset + n)
        # About three consecutive results per report (份).
        out["result_id"] = pc.binary_join_element_wise(
            self._text("R", rows // 3, 9), self._text("", rows, 6), "-"
        )
        # A report (份) is one issuer's, for one patient, brought to one receiver at one visit:
        # its fields are drawn once and shared by its rows.
        first = offset // 3
        report = rows // 3 - first
        m = int(report[-1]) + 1 if n else 0
        is_lab = (rng.random(m) < self.lab_share)[report]
        out["kind"] = pc.if_else(pa.array(is_lab), "lab", "imaging")
        count = len(self.weights)
        by_lab = rng.choice(count, size=m, p=self.weights)
        by_img = rng.choice(count, size=m, p=self.img_weights)
        issuer = np.where(is_lab, by_lab[report], by_img[report])
        # The receiver is another institution: four in five in the issuer's province.
        receiver = rng.choice(count, size=m, p=self.weights)[report]
        retry = rng.choice(count, size=m, p=self.weights)[report]
        same = self.provinces[receiver] == self.provinces[issuer]
        want_same = (rng.random(m) < 0.8)[report] | ~is_lab
        receiver = np.where(same == want_same, receiver, retry)
        receiver = np.where(receiver == issuer, (issuer + 1) % count, receiver)
        out["issuer"] = self.ids.take(pa.array(issuer))
        out["receiver"] = self.ids.take(pa.array(receiver))
        out["patient"] = self._text("P", rng.integers(0, max(n * 4, 1000), size=m)[report], 8)
        self._instants(rng, m, report, out)
        self._lab(rng, n, is_lab, out)
        self._imaging(rng, n, is_lab, out)
        return out

    def _instants(self, rng: np.random.Generator, n: int, report: Any, out: dict[str, Any]) -> None:
        np = self.np
        # The visit (``at``) is uniform over the period, so every week has its share; the
        # prior was reported before it by the revisit interval: a transfer between wards or
        # hospitals within days (gamma, mean 2 days), an outpatient follow-up in weeks
        # (lognormal, median 14 days) or an emergency visit within hours (gamma, mean 12 h);
        # and collected some hours before its report (lognormal, median 6 h).
        visit = rng.random(n) * self.seconds
        setting = rng.choice(3, size=n, p=[0.25, 0.65, 0.10])
        interval = np.select(
            [setting == 0, setting == 1],
            [rng.gamma(2.0, _DAY, n), rng.lognormal(np.log(14 * _DAY), 0.8, n)],
            rng.gamma(1.0, 12 * _HOUR, n),
        )
        reported = visit - interval
        collected = reported - rng.lognormal(np.log(6 * _HOUR), 0.8, n)
        at = visit[report]
        out["setting"] = self.pa.array(np.array(_SETTINGS)[setting[report]])
        # Mostly Beijing time with its offset; one report in fifty written in UTC (Z).
        utc = (rng.random(n) < 0.02)[report]
        out["collected"] = self._iso(collected[report], utc)
        out["reported"] = self._iso(reported[report], utc)
        out["at"] = self._iso(at, (rng.random(n) < 0.02)[report])

    def _iso(self, seconds: Any, utc: Any) -> Any:
        np, pa, pc = self.np, self.pa, _compute()
        epoch = self.origin.astype("int64") + seconds.astype("int64")
        local = pa.array(epoch + np.where(utc, 0, 8 * 3600), type=pa.timestamp("s"))
        # A cast writes "2024-03-11 08:16:09" (much faster than strftime); ISO wants a T.
        text = pc.replace_substring(pc.cast(local, pa.string()), " ", "T", max_replacements=1)
        return pc.binary_join_element_wise(text, pc.if_else(pa.array(utc), "Z", "+08:00"), "")

    def _lab(self, rng: np.random.Generator, n: int, is_lab: Any, out: dict[str, Any]) -> None:
        np, pa, pc = self.np, self.pa, _compute()
        pick = rng.choice(len(self.lab), size=n, p=self.lab_w)
        z = rng.standard_normal(n)
        noise = rng.random(n)
        take = pa.array(pick)
        lab = pa.array(is_lab)
        number = np.where(
            self.spread[pick] > 0,
            self.centre[pick] + self.spread[pick] * z,
            10.0 * np.exp(0.5 * z),
        )
        scale = self.scale[pick]
        number = np.maximum(np.round(number * scale) / scale, 1.0 / scale)
        numeric = self.numeric[pick]
        # Half a percent of numeric values are text where a number belongs.
        texts = np.array(_TEXT_NOISE)[(noise * 1e6).astype("int64") % len(_TEXT_NOISE)]
        value = pc.if_else(
            pa.array(numeric),
            pc.if_else(
                pa.array((noise >= 0.01) & (noise < 0.015)),
                pa.array(texts),
                pc.cast(pa.array(number), pa.string()),
            ),
            pc.if_else(pa.array(z > 1.3), "阳性", "阴性"),
        )
        # One in a hundred specimens is another (urine for a serum item): never guessed.
        specimen = pc.if_else(pa.array(noise < 0.01), "urine", self.specimens.take(take))
        none = pa.nulls(n, pa.string())
        out["item"] = pc.if_else(lab, self.lab_codes.take(take), none)
        out["value"] = pc.if_else(lab, value, none)
        out["unit"] = pc.if_else(lab, self.units.take(take), none)
        out["specimen"] = pc.if_else(lab, specimen, none)

    def _imaging(self, rng: np.random.Generator, n: int, is_lab: Any, out: dict[str, Any]) -> None:
        np, pa, pc = self.np, self.pa, _compute()
        pick = rng.integers(0, len(self.imaging), size=n)
        take = pa.array(pick)
        rows = rng.choice(len(_CT_ROWS), size=n, p=[p for _, p in _CT_ROWS])
        tesla = rng.choice(len(_MR_TESLA), size=n, p=[p for _, p in _MR_TESLA])
        linked = rng.random(n) < 0.97  # three studies in a hundred come without images
        serial = rng.integers(1, 10**12, size=n)
        lab = pa.array(is_lab)
        none = pa.nulls(n, pa.string())

        def img(values: Any, when: Any = None) -> Any:
            keep = ~is_lab if when is None else (~is_lab & when)
            return pc.if_else(pa.array(keep), values, none)

        out["item"] = pc.if_else(lab, out["item"], self.img_codes.take(take))
        out["modality"] = img(self.img_modality.take(take))
        out["detector_rows"] = img(
            pa.array(np.array([r for r, _ in _CT_ROWS])[rows]), self.is_ct[pick]
        )
        out["field_strength_t"] = img(
            pa.array(np.array([t for t, _ in _MR_TESLA])[tesla]), self.is_mr[pick]
        )
        out["device_model"] = img(
            pc.binary_join_element_wise(
                self.model_prefix.take(take), pc.cast(pa.array(serial % 7), pa.string()), ""
            )
        )
        uid = self._text("1.2.826.0.1.3680043.10.1", serial, 12)
        out["study_uid"] = img(uid)
        out["image_link"] = img(
            pc.binary_join_element_wise("https://pacs.example/", uid, ""), linked
        )
        out["body_part"] = img(self.img_part.take(take))


def _compute() -> Any:
    import pyarrow.compute as pc

    return pc
