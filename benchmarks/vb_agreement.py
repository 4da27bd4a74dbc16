"""How closely gmmlearn's BayesianGaussianMixture agrees with scikit-learn's: a table.

    python benchmarks/vb_agreement.py

For every covariance type and both weight priors, both estimators are fitted from the same
data, ``random_state`` and ``init_params`` over a grid of (N, D, K) and the four init methods
(the tied start from one-hot responsibilities excepted, see docs/variational-bayes.md). Each
cell is the largest, over the grid, of max|ours − sklearn's| / max|sklearn's| for that
attribute (or method output on the training data). The last row counts the fits whose
``n_iter_`` and ``converged_`` differ. Prints a Markdown table; takes a few seconds.
"""

from __future__ import annotations

import warnings

import numpy as np
import sklearn
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import BayesianGaussianMixture as SklearnBGM

from gmmlearn import BayesianGaussianMixture
from gmmlearn.params import COVARIANCE_TYPES
from gmmlearn.vb import PRIOR_TYPES

SIZES = [(60, 1, 2), (400, 2, 5), (1500, 3, 4), (800, 5, 6), (3000, 2, 8)]
INITS = ("kmeans", "k-means++", "random", "random_from_data")
ATTRIBUTES = (
    "weights_",
    "means_",
    "covariances_",
    "precisions_",
    "precisions_cholesky_",
    "weight_concentration_",
    "mean_precision_",
    "degrees_of_freedom_",
    "mean_prior_",
    "degrees_of_freedom_prior_",
    "covariance_prior_",
    "weight_concentration_prior_",
    "mean_precision_prior_",
    "lower_bound_",
    "lower_bounds_",
)
METHODS = ("predict_proba", "score_samples")


def relative_difference(actual, desired) -> float:
    actual = np.asarray(actual, dtype=np.float64).ravel()
    desired = np.asarray(desired, dtype=np.float64).ravel()
    if actual.shape != desired.shape:
        return np.inf
    if desired.size == 0:
        return 0.0
    scale = float(np.max(np.abs(desired))) or 1.0
    return float(np.max(np.abs(actual - desired))) / scale


def measure() -> tuple[dict, dict]:
    worst: dict = {}
    mismatches: dict = {}
    for covariance_type in COVARIANCE_TYPES:
        for prior_type in PRIOR_TYPES:
            column = (covariance_type, prior_type)
            mismatches[column] = 0
            for n_samples, n_features, n_components in SIZES:
                X, _ = make_blobs(
                    n_samples, n_features=n_features, centers=3, random_state=n_samples
                )
                for init in INITS:
                    if covariance_type == "tied" and init in ("k-means++", "random_from_data"):
                        continue
                    kwargs = dict(
                        n_components=n_components,
                        covariance_type=covariance_type,
                        weight_concentration_prior_type=prior_type,
                        init_params=init,
                        random_state=n_components,
                    )
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", ConvergenceWarning)
                        ours = BayesianGaussianMixture(**kwargs).fit(X)
                        theirs = SklearnBGM(**kwargs).fit(X)
                    if (ours.n_iter_, ours.converged_) != (theirs.n_iter_, theirs.converged_):
                        mismatches[column] += 1
                    values = {a: (getattr(ours, a), getattr(theirs, a)) for a in ATTRIBUTES}
                    values.update(
                        {m: (getattr(ours, m)(X), getattr(theirs, m)(X)) for m in METHODS}
                    )
                    for name, (a, b) in values.items():
                        key = (name, column)
                        worst[key] = max(worst.get(key, 0.0), relative_difference(a, b))
    return worst, mismatches


def main() -> None:
    worst, mismatches = measure()
    columns = [(c, p) for c in COVARIANCE_TYPES for p in PRIOR_TYPES]
    short = {"dirichlet_process": "DP", "dirichlet_distribution": "Dir"}
    n_fits = len(SIZES) * len(INITS)
    print(
        f"gmmlearn vs scikit-learn {sklearn.__version__} BayesianGaussianMixture: max relative "
        f"difference over {len(SIZES)} (N, D, K) x {len(INITS)} inits "
        f"({n_fits} fits per column, {len(SIZES) * 2} for tied)\n"
    )
    print("| attribute | " + " | ".join(f"{c} {short[p]}" for c, p in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for name in ATTRIBUTES + METHODS:
        cells = [f"{worst[(name, col)]:.1e}" for col in columns]
        print(f"| `{name}` | " + " | ".join(cells) + " |")
    print("| n_iter_/converged_ differ | " + " | ".join(str(mismatches[c]) for c in columns) + " |")
    overall = max(worst.values())
    print(f"\nlargest: {overall:.1e} (test tolerance 1e-8)")


if __name__ == "__main__":
    main()
