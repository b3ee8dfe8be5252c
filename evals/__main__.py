"""Run the evaluation with `python -m evals` (the same as `assistant eval`)."""

from evals.run import main

raise SystemExit(main())
