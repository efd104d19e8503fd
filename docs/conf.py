"""Sphinx configuration for the mutrec documentation.

Built by the ``docs`` nox session twice, both with ``-W -n`` (warnings are errors, every
cross-reference must resolve): once as HTML, once with the doctest builder, which runs every
``>>>`` example in the pages and in the docstrings that autodoc pulls in.
"""

from __future__ import annotations

import doctest
import sys
from importlib.metadata import version as _version
from pathlib import Path

DOCS = Path(__file__).parent
sys.path.insert(0, str(DOCS / "_ext"))

project = "mutrec"
author = "mutrec developers"
copyright = "mutrec developers, MIT licence"
release = _version("mutrec")
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.doctest",
    # myst_nb registers myst_parser itself; listing both fails (executablebooks/MyST-NB#421).
    "myst_nb",
    # local: include a repository file (CHANGELOG.md, SCHEMAS.md) only once it exists.
    "optional_include",
    # local: run each docstring's examples in its own module's namespace, as pytest does.
    "docstring_doctests",
    # local: let a class reference in a signature find a documented type alias (py:data).
    "alias_refs",
    # local: tables and command output generated from mutrec at build time (reason codes, demo).
    "generated",
    # local: the national reference-interval table, generated from its data file.
    "national_intervals",
]
# No intersphinx: the build has no network (only package registries are reachable), and a
# mapping that cannot fetch its inventory warns, which -W turns into a failure. When a
# networked build is possible, add python, attrs and pint here and drop nitpick_ignore below.

source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "jupyter_execute", "_ext", "Thumbs.db", ".DS_Store"]
language = "en"
nitpicky = True

# Without intersphinx, standard-library and third-party classes named in signatures cannot
# resolve. List such targets here one by one (never a pattern) as they appear, so that any broken
# *mutrec* reference still fails the build.
nitpick_ignore = [
    ("py:mod", "tomllib"),
    ("py:func", "importlib.resources.as_file"),
] + [
    ("py:class", target)
    for target in (
        # Standard-library classes, qualified and as modules import them by name.
        "collections.abc.Callable",
        "collections.abc.Collection",
        "collections.abc.Iterable",
        "collections.abc.Iterator",
        "collections.abc.Mapping",
        "collections.abc.Sequence",
        "datetime.date",
        "datetime.datetime",
        "datetime.timedelta",
        "datetime.tzinfo",
        "date",
        "datetime",
        "tzinfo",
        "decimal.Decimal",
        "Decimal",
        "pathlib.Path",
        "Path",
        "enum.Enum",
        "enum.IntEnum",
        "enum.StrEnum",
        "typing.NamedTuple",
        "typing.Protocol",
        # numpy names as mutrec.units writes them under TYPE_CHECKING (numpy is optional).
        "NDArray",
        "np.floating",
        "np.float64",
    )
]

# -- MyST and notebooks ---------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# Execute every notebook on every build, and fail the build on any cell error, so a notebook
# can never show output the current code no longer produces.
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 120
# Markdown that cells display (tables of results) is parsed as MyST, which has tables;
# the default, CommonMark, has none.
nb_render_markdown_format = "myst"

# -- autodoc and napoleon -------------------------------------------------------------------
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False

# -- doctest --------------------------------------------------------------------------------
# Exactly the option flags pytest uses for the docstrings (pyproject.toml), so an example passes
# or fails the same way in both places (Sphinx's default would also ignore exception details).
doctest_default_flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# -- HTML -----------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"mutrec {release}"
html_theme_options = {"navigation_with_keys": True}
