"""``python -m kitland`` runs the command line."""

import sys

from kitland.cli import main

sys.exit(main())
