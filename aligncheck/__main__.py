"""``python -m aligncheck``."""

import sys

from aligncheck.cli import main

sys.exit(main())
