"""Shared fixtures: small, fixed data sets (keep this file generic; the data is in blob_data.py)."""

import blob_data
import numpy as np
import pytest


@pytest.fixture
def blobs() -> np.ndarray:
    """300 points in 2-D from three well separated Gaussian blobs (fixed seed)."""
    return blob_data.blobs("separated_2d")


@pytest.fixture(autouse=True)
def _numpy_print_options():
    """numpy's print options as they were before each test, after it.

    Tests that run a lesson's cells in this process (lesson 3 sets ``precision=4,
    suppress=True``) would otherwise change how every later test prints arrays.
    """
    with np.printoptions():
        yield
