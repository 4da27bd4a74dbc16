"""Shared fixtures: small, fixed data sets (keep this file generic; the data is in blob_data.py)."""

import blob_data
import numpy as np
import pytest


@pytest.fixture
def blobs() -> np.ndarray:
    """300 points in 2-D from three well separated Gaussian blobs (fixed seed)."""
    return blob_data.blobs("separated_2d")
