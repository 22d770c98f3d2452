"""`python -m pyenvc`: the same as the `pyenvc` command."""

import sys

from pyenvc.commands import run

sys.exit(run())
