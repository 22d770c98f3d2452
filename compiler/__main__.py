"""`python -m pyenvc`: the same as the `pyenvc` command."""

import sys

from pyenvc.cli import main

sys.exit(main())
