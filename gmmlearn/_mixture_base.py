"""What both estimators share, as scikit-learn's ``BaseMixture``: the best of ``n_init`` runs,
the warm-start check, scikit-learn's verbose messages, and the methods that use a fit.

:class:`~gmmlearn.gaussian_mixture.GaussianMixture` (EM) and
:class:`~gmmlearn.bayesian_mixture.BayesianGaussianMixture` (VB) differ in how a run is made and
in the per-component scores they predict from; everything else is here, once.
"""

from __future__ import annotations

import numbers
import warnings
from time import time

import numpy as np
from scipy.special import logsumexp
from sklearn.base import BaseEstimator, DensityMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .params import COVARIANCE_TYPES
from .validation import check_data

__all__ = ["BaseMixture", "draw_from_mixture", "print_run"]


def print_run(estimator, bounds: np.ndarray, converged: bool, seconds: float, final: float):
    """scikit-learn's verbose messages for one initialisation, printed after the run.

    ``bounds`` holds the bound before the run, then after each of its iterations; the times
    are averages (the run is not interrupted to print). Used by both estimators.
    """
    if not estimator.verbose:
        return
    n_iters = len(bounds) - 1
    per_iter = seconds / max(n_iters, 1)
    last = 0
    for n_iter in range(1, n_iters + 1):
        if n_iter % estimator.verbose_interval:
            continue
        if estimator.verbose == 1:
            print(f"  Iteration {n_iter}")
        else:
            change = bounds[n_iter] - bounds[n_iter - 1]
            lapse = per_iter * (n_iter - last)
            print(f"  Iteration {n_iter}\t time lapse {lapse:.5f}s\t ll change {change:.5f}")
        last = n_iter
    message = "converged" if converged else "did not converge"
    if estimator.verbose == 1:
        print(f"Initialization {message}.")
    else:
        print(f"Initialization {message}. time lapse {seconds:.5f}s\t lower bound {final:.5f}.")


def draw_from_mixture(
    random_state, n_samples, weights, means, covariances, covariance_type: str
) -> tuple[np.ndarray, np.ndarray]:
    """``sample`` of both estimators, with scikit-learn's algorithm and use of the generator.

    How many points each component gets is one multinomial draw; then each component's points
    are drawn from its Gaussian, component by component.
    """
    if isinstance(n_samples, bool) or not isinstance(n_samples, numbers.Integral):
        raise TypeError(f"n_samples must be an integer, got {n_samples!r}")
    if n_samples < 1:
        raise ValueError(f"n_samples must be at least 1, got {n_samples}: ask for 1 or more")
    rng = check_random_state(random_state)
    counts = rng.multinomial(n_samples, weights)
    if covariance_type in ("full", "tied"):
        full = covariances if covariance_type == "full" else [covariances] * len(weights)
        parts = [
            rng.multivariate_normal(mean, cov, int(count))
            for mean, cov, count in zip(means, full, counts)
        ]
    else:
        parts = [
            mean + rng.standard_normal(size=(count, len(mean))) * np.sqrt(cov)
            for mean, cov, count in zip(means, covariances, counts)
        ]
    labels = np.repeat(np.arange(len(weights), dtype=np.int64), counts)
    return np.vstack(parts), labels


class BaseMixture(DensityMixin, BaseEstimator):
    """The shared part of the two mixture estimators (not to be fitted itself).

    A subclass sets ``params_`` and ``trace_`` when it fits, and provides:

    * ``_log_joint(X)``, shape (N, K): the per-component scores every prediction reads
      (EM: ln π_k N(x_n | μ_k, Σ_k); VB: ln ρ_nk);
    * ``_log_resp(X)``, shape (N, K): their normalised logarithms (ln γ_nk, ln r_nk);
    * ``_run_bounds(trace)``: the bound after each iteration of a run (for the messages);
    * ``_final_bound(trace)``: the number by which the best of ``n_init`` runs is chosen;
    * ``_mixture()``: (weights, means, covariances, covariance_type) to :meth:`sample` from.
    """

    # The hyperparameters both share; a subclass adds its own (init_params among them).
    _parameter_constraints: dict = {
        "n_components": [Interval(numbers.Integral, 1, None, closed="left")],
        "covariance_type": [StrOptions(set(COVARIANCE_TYPES))],
        "tol": [Interval(numbers.Real, 0.0, None, closed="left")],
        "reg_covar": [Interval(numbers.Real, 0.0, None, closed="left")],
        "max_iter": [Interval(numbers.Integral, 0, None, closed="left")],
        "n_init": [Interval(numbers.Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "warm_start": ["boolean"],
        "verbose": ["verbose"],
        "verbose_interval": [Interval(numbers.Integral, 1, None, closed="left")],
    }

    def _set_hyperparameters(self, arguments: dict) -> None:
        """Store each argument of the subclass's ``__init__`` under its own name.

        scikit-learn's rule: ``__init__`` only stores the hyperparameters (``fit`` checks
        them), so that ``get_params``, ``set_params`` and ``clone`` work.
        """
        for name, value in arguments.items():
            if name != "self":
                setattr(self, name, value)

    # -- fitting ------------------------------------------------------------------------
    def _best_run(self, n_runs: int, run_once):
        """The run with the highest final bound of ``n_runs`` calls of ``run_once()``.

        ``run_once()`` returns (trace, the bound it started from). With ``max_iter=0`` the last
        run is kept, as in scikit-learn; a best run that did not converge warns.
        """
        best = None
        for init in range(n_runs):
            if self.verbose:
                print(f"Initialization {init}")
            start = time()
            trace, start_bound = run_once()
            if self.max_iter == 0:
                best = trace  # sklearn keeps the last initialisation when nothing ran
                continue
            self._print_run(trace, start_bound, time() - start)
            if best is None or self._final_bound(trace) > self._final_bound(best):
                best = trace
        if not best.converged and self.max_iter > 0:
            warnings.warn(
                "Best performing initialization did not converge. Try different init "
                "parameters, or increase max_iter, tol, or check for degenerate data.",
                ConvergenceWarning,
                stacklevel=3,  # the caller of fit_predict, as when it warned itself
            )
        return best

    def _print_run(self, trace, start_bound: float, seconds: float) -> None:
        bounds = np.concatenate([[start_bound], self._run_bounds(trace)])
        print_run(self, bounds, trace.converged, seconds, self._final_bound(trace))

    @staticmethod
    def _check_warm_start_fits(had: dict, wanted: tuple) -> None:
        """warm_start continues the previous fit: ``had`` (name → value) must equal ``wanted``."""
        if tuple(had.values()) != wanted:
            previous = ", ".join(f"{name}={value!r}" for name, value in had.items())
            raise ValueError(
                f"warm_start=True continues the previous fit, which had {previous}: keep those "
                "or set warm_start=False"
            )

    # -- using the fit ------------------------------------------------------------------
    def _fitted_data(self, X) -> np.ndarray:
        check_is_fitted(self)
        check_data(X)
        return validate_data(self, X, dtype=np.float64, reset=False)

    def _score_samples(self, X) -> np.ndarray:
        return logsumexp(self._log_joint(self._fitted_data(X)), axis=1)

    def _score(self, X) -> float:
        return float(np.mean(self.score_samples(X)))

    def _predict(self, X) -> np.ndarray:
        return self._log_joint(self._fitted_data(X)).argmax(axis=1)

    def _predict_proba(self, X) -> np.ndarray:
        return np.exp(self._log_resp(self._fitted_data(X)))

    def _sample(self, n_samples: int) -> tuple[np.ndarray, np.ndarray]:
        check_is_fitted(self)
        return draw_from_mixture(self.random_state, n_samples, *self._mixture())
