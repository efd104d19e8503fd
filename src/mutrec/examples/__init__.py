"""Bundled example data: an *illustrative* region built from the facts in the domain brief.

The data are illustrative, not official: each file says so (``illustrative = true``) and names
its sources. Item names and windows follow published notices; institutions are invented.

>>> path("region/region.toml").name
'region.toml'
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["path"]

# The package's own folder, as importlib.resources.files() finds it for a package installed as
# plain files; importing importlib.resources (tempfile, shutil, random, zipfile …) would cost a
# cold start about 8 ms, see mutrec/units/_data.py.
_HERE = Path(__file__).parent


def path(relative: str = "") -> Path:
    """The filesystem path of a bundled example file or folder.

    The package is installed as plain files (not zipped), so the path is stable; a zipped
    install would need :func:`importlib.resources.as_file` around each use.

    >>> sorted(p.name for p in path("region").glob("catalogue-jjjl-*.toml"))
    ['catalogue-jjjl-lab-2025.toml', 'catalogue-jjjl-lab.toml']
    """
    return _HERE.joinpath(relative) if relative else _HERE
