"""`python -m followaudit.cli ...`: the same as the `followaudit` console script."""

import sys

from followaudit.cli import main

sys.exit(main())
