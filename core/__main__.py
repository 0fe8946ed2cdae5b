"""Entry point for `python -m core`."""

import sys

from core.cli.main import main
from core.runtime import configure_compute_process

configure_compute_process()
sys.exit(main())
