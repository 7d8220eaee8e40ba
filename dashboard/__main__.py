"""`python -m dashboard …`: see dashboard.cli."""
import sys

from .cli import main

sys.exit(main())
