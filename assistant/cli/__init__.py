"""Entry point: the `assistant` command line (a thin call into the composition root per command)."""
