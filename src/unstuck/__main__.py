"""`python -m unstuck`: the same command as the installed `unstuck` (`unstuck.cli.main`)."""

import sys

from unstuck.cli import main

if __name__ == "__main__":
    sys.exit(main())
