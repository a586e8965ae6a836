"""``python -m viachilena``: the command line, as ``viachilena``."""

from viachilena.experiments.cli import main

raise SystemExit(main())
