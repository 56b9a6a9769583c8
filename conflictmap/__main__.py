"""`python -m conflictmap`: see conflictmap.cli."""

from conflictmap.cli import main

raise SystemExit(main())
