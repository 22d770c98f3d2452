"""`python -m pyenvc`: the same as the `pyenvc` command."""

import sys

from pyenvc.commands.main import main

sys.exit(main())
