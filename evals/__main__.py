"""Run the evaluation with `python -m evals` (the same as `assistant eval`; `python -m evals compare A B`)."""

from evals.cli import main

raise SystemExit(main())
