"""Run mutrec's command line: ``python -m mutrec``."""

from mutrec.cli import main

raise SystemExit(main())
