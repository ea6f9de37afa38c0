"""``python -m benchmarks``: run the suite, print the table, write ``benchmarks/results.md``."""

from benchmarks.run import main

raise SystemExit(main())
