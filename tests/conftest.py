"""Shared fixtures: small, fixed data sets (keep this file generic)."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs


@pytest.fixture
def blobs() -> np.ndarray:
    """300 points in 2-D from three well separated Gaussian blobs (fixed seed)."""
    X, _ = make_blobs(n_samples=300, centers=3, cluster_std=1.0, random_state=0)
    return X
