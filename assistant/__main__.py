"""Run the command line with `python -m assistant`."""

from assistant.cli.main import main

main()
