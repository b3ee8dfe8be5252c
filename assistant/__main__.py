"""Run the command line with `python -m assistant`."""

from assistant.cli import main

main()
