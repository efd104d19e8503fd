"""Content generated from mutrec itself at build time, so a page can never drift from the code.

Two directives:

``reason-codes``
    A table of every reason code in :func:`mutrec.policy.default_reasons`, in the order of
    ``policy/data/reasons.toml``, with its default severity and its Chinese and English
    templates (the placeholders in braces are filled from each finding's data).

``mutrec-cli``
    Runs ``mutrec.cli.main(<arguments>, out=buffer)`` and shows what it wrote, as a console
    block headed by the command. A non-zero exit status is a build warning (an error under -W).

Pages that use either directive are re-read on every build (``env-get-outdated``), so the
output is regenerated even when the page's own text did not change.
"""

from __future__ import annotations

import contextlib
import io
import shlex
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

_KEY = "mutrec_generated_docs"


def remember(env: BuildEnvironment) -> None:
    """Re-read the page being read on every build (its content comes from mutrec's data)."""
    found: set[str] = getattr(env, _KEY, set())
    found.add(env.docname)
    setattr(env, _KEY, found)


def _row(*cells: nodes.Node | str) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        entry += nodes.paragraph("", "", cell if isinstance(cell, nodes.Node) else nodes.Text(cell))
        row += entry
    return row


class ReasonCodes(SphinxDirective):
    """Render the reason registry as a table."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        """Build the table from the registry the default rules use."""
        from mutrec.policy import MISSING_DATA_CODES, default_reasons

        remember(self.env)
        widths = (22, 8, 35, 35)
        table = nodes.table(classes=["reason-codes"])
        group = nodes.tgroup(cols=len(widths))
        table += group
        for width in widths:
            group += nodes.colspec(colwidth=width)
        head = nodes.thead()
        # The Chinese build's headers are Chinese (generated text has no message to translate).
        chinese = str(self.config.language).startswith("zh")
        code, severity = ("代码", "严重程度") if chinese else ("Code", "Severity")
        head += _row(code, severity, "中文", "English")
        group += head
        body = nodes.tbody()
        # by_code keeps the order of reasons.toml, which groups codes by rule.
        for reason in default_reasons().by_code.values():
            severity = reason.severity.value
            if reason.code in MISSING_DATA_CODES:
                severity += " †"
            body += _row(nodes.literal(reason.code, reason.code), severity, reason.zh, reason.en)
        group += body
        return [table]


class MutrecCli(SphinxDirective):
    """Run the mutrec command line in-process and show its output."""

    required_arguments = 1
    final_argument_whitespace = True
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self) -> list[nodes.Node]:
        """Run ``mutrec.cli.main`` with the arguments; show the command and what it printed."""
        from mutrec.cli import main

        remember(self.env)
        argv = shlex.split(self.arguments[0])
        buffer = io.StringIO()
        # Anything printed to stdout instead of ``out`` is shown too.
        with contextlib.redirect_stdout(buffer):
            status = main(argv, out=buffer)
        text = f"$ python -m mutrec {shlex.join(argv)}\n{buffer.getvalue().rstrip()}"
        block = nodes.literal_block(text, text, language="console")
        if status != 0:
            message = f"mutrec {shlex.join(argv)} exited with status {status}"
            return [self.state.document.reporter.warning(message, line=self.lineno), block]
        return [block]


def _always(
    _app: Sphinx, env: BuildEnvironment, _added: set[str], _changed: set[str], _removed: set[str]
) -> list[str]:
    return sorted(getattr(env, _KEY, set()) & set(env.found_docs))


def _purge(_app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, _KEY, set()).discard(docname)


def _merge(
    _app: Sphinx, env: BuildEnvironment, _docnames: set[str], other: BuildEnvironment
) -> None:
    setattr(env, _KEY, getattr(env, _KEY, set()) | getattr(other, _KEY, set()))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives and re-read their pages on every build."""
    app.add_directive("reason-codes", ReasonCodes)
    app.add_directive("mutrec-cli", MutrecCli)
    app.connect("env-get-outdated", _always)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
