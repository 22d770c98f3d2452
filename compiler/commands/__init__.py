"""The `pyenvc` command line: one module per command, and the edge they share."""
