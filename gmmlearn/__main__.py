"""``python -m gmmlearn …`` runs the ``gmmlearn`` command (see :mod:`gmmlearn.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
