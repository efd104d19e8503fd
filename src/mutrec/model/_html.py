"""HTML for notebooks: a catalogue and a program (their ``_repr_html_``).

Their own layer renders them, from the generic pieces of :mod:`mutrec._html`; the types import
this module when asked to render, as it imports them.
"""

from __future__ import annotations

from html import escape

from mutrec._html import table
from mutrec.model.catalogue import Catalogue, DeviceRequirement
from mutrec.model.programs import Program
from mutrec.model.windows import Window

__all__ = ["catalogue_html", "program_html"]


def _window(window: Window | None) -> str:
    if window is None:
        return "—"
    extra = "".join(f", {setting.value} {span}" for setting, span in window.settings)
    return f"{window.span} from {window.anchor.value}{extra}"


def _device(device: DeviceRequirement | None) -> str:
    return "" if device is None else device.describe().replace(">=", "≥")


def catalogue_html(catalogue: Catalogue) -> str:
    """Render a catalogue: its version and dates, then one row per item.

    >>> from mutrec.files import load_example_region
    >>> html = catalogue_html(load_example_region().catalogues[1])
    >>> "头颅CT平扫" in html and "≥ 16 rows" in html
    True
    """
    until = catalogue.effective_until.isoformat() if catalogue.effective_until else "open"
    caption = escape(
        f"{catalogue.name} — version {catalogue.version}, "
        f"{catalogue.effective_from.isoformat()} to {until}, {len(catalogue.items)} items"
    )
    rows = [
        (
            escape(item.code),
            escape(item.name_zh),
            escape(item.name_en),
            escape(item.category.value),
            escape("" if item.unit is None else str(item.unit)),
            escape(_window(item.window)),
            escape(_device(item.device)),
        )
        for item in catalogue.items
    ]
    headers = ("code", "名称", "name", "category", "unit", "window", "device")
    return table(headers, rows, caption)


def program_html(program: Program) -> str:
    """Render a program: mark, scope, catalogues and members.

    >>> from mutrec.files import load_example_region
    >>> html = program_html(load_example_region().programs["北京市影像互认(示例)"])
    >>> "北京HR" in html and "BJ002" in html and "MR-HEAD" in html
    True
    """
    caption = escape(f"{program.name} — mark {program.mark}, scope {program.scope}")
    cats = ", ".join(f"{c.name} {c.version}" for c in program.catalogues)
    rows = [
        (
            escape(m.institution),
            escape(m.since.isoformat()),
            escape("—" if m.until is None else m.until.isoformat()),
            escape("all" if m.items is None else ", ".join(sorted(m.items))),
        )
        for m in program.members
    ]
    members = table(("member", "since", "until", "items"), rows, caption)
    return f"<div><p>catalogues: {escape(cats)}</p>{members}</div>"
