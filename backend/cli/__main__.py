"""`python -m botaclip.backend.cli ...`: the `botaclip` command."""

import sys

from .main import main

sys.exit(main())
