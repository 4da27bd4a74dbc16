"""The seed's files: see :mod:`gmmlearn.io.formats` (the module moved there unchanged)."""

from .formats import *  # noqa: F403
from .formats import __all__, remove_folder_if_free, tidy_stale_temporaries  # noqa: F401
