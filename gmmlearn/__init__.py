"""gmmlearn: learn the EM algorithm for Gaussian mixtures by stepping through it.

The maths of Bishop's PRML §9.2, one public function per equation (``gmmlearn.steps``),
a recorded run to step through (``gmmlearn.trace``), and a scikit-learn-compatible
estimator on top (``gmmlearn.GaussianMixture``).
"""

from . import _moved, datasets, equations
from .bound import kl_to_posterior, lower_bound, lower_bound_and_kl
from .initialization import INIT_METHODS, init_bounding_box, initialize
from .params import COVARIANCE_TYPES, GaussianMixtureParams
from .steps import (
    component_covariances,
    component_means,
    component_precisions,
    e_step,
    effective_counts,
    log_gaussian_density,
    log_likelihood,
    log_responsibilities,
    log_weighted_densities,
    m_step,
    mixing_weights,
    reg_covar_penalty,
    responsibilities,
)
from .trace import EMTrace, HalfStep, run_em

__version__ = "0.1.0"

# The modules moved by issue 19 keep their old paths (gmmlearn._moved.MOVED), and stay reachable
# as attributes, as they were after ``import gmmlearn``: imported (and warning) on first use.
_moved.install()


# The scikit-learn estimators import scikit-learn (seconds on a busy machine): loaded on first
# use, so that ``from gmmlearn.widgets import explore`` reaches its first picture without it.
_ESTIMATORS = {
    "BayesianGaussianMixture": "bayesian_mixture",
    "GaussianMixture": "gaussian_mixture",
}


def __getattr__(name: str):
    import importlib

    if f"{__name__}.{name}" in _moved.MOVED:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _ESTIMATORS:
        return getattr(importlib.import_module(f"{__name__}.{_ESTIMATORS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "datasets",
    "equations",
    "BayesianGaussianMixture",
    "COVARIANCE_TYPES",
    "EMTrace",
    "GaussianMixture",
    "GaussianMixtureParams",
    "HalfStep",
    "INIT_METHODS",
    "component_covariances",
    "component_means",
    "component_precisions",
    "e_step",
    "effective_counts",
    "init_bounding_box",
    "initialize",
    "kl_to_posterior",
    "log_gaussian_density",
    "log_likelihood",
    "log_responsibilities",
    "log_weighted_densities",
    "lower_bound",
    "lower_bound_and_kl",
    "m_step",
    "mixing_weights",
    "reg_covar_penalty",
    "responsibilities",
    "run_em",
]
