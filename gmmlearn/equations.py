r"""The equations of EM for Gaussian mixtures as LaTeX, alone or with the numbers of a run.

Plain strings, no plotting: the explorer widget renders them with MathJax (``HTMLMath``),
the lessons with ``IPython.display.Math``. Numbering is PRML's summary of the algorithm
(p. 438–439), the same as :mod:`gmmlearn.steps`.

Indices
-------
Functions take **0-based** Python indices (``n``, ``k``) and half-step indices of an
:class:`~gmmlearn.trace.EMTrace`. The LaTeX they return shows the **1-based** subscripts of
the book: ``k=0`` is rendered :math:`\pi_1`.

Which numbers
-------------
At half-step ``step`` the explorer shows θ and γ(θ_r) (see :mod:`gmmlearn.trace`). The E-step
equation is evaluated at θ_r, the θ that produced the γ shown; the M-step equations are
evaluated on that γ, so they give θ_{r+1}: at an M half-step the parameters that were just
drawn, at the initial and E half-steps the ones the next M-step will draw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .params import check_covariance_type
from .runs import HalfStep
from .steps import (
    component_covariances,
    component_means,
    effective_counts,
    log_weighted_densities,
    mixing_weights,
)

if TYPE_CHECKING:  # only for the hints: trace.py imports this module on use
    from .trace import EMTrace

__all__ = [
    "COVARIANCE_EQUATIONS",
    "EQUATIONS",
    "EQUATION_NAMES",
    "EQUATION_NUMBERS",
    "PHASE_EQUATIONS",
    "all_equations_with_numbers",
    "covariance_with_numbers",
    "effective_count_with_numbers",
    "format_matrix",
    "format_number",
    "gamma_with_numbers",
    "log_likelihood_with_numbers",
    "mean_with_numbers",
    "params_latex",
    "step_description",
    "weight_with_numbers",
]

# ---------------------------------------------------------------------------
# The equations
# ---------------------------------------------------------------------------

_NORMAL_K = r"\mathcal{N}(x_n \mid \mu_k, \Sigma_k)"

EQUATIONS: dict[str, str] = {
    "density": (
        _NORMAL_K + r" = \frac{1}{(2\pi)^{D/2}\,|\Sigma_k|^{1/2}}"
        r"\exp\!\left(-\tfrac12 (x_n-\mu_k)^\top \Sigma_k^{-1} (x_n-\mu_k)\right)"
    ),
    "gamma": (
        r"\gamma_{nk} = \frac{\pi_k\, " + _NORMAL_K + r"}"
        r"{\sum_{j=1}^{K} \pi_j\, \mathcal{N}(x_n \mid \mu_j, \Sigma_j)}"
    ),
    "nk": r"N_k = \sum_{n=1}^{N} \gamma_{nk}",
    "pi": r"\pi_k^{\text{new}} = \frac{N_k}{N}",
    "mu": r"\mu_k^{\text{new}} = \frac{1}{N_k} \sum_{n=1}^{N} \gamma_{nk}\, x_n",
    "cov": (
        r"\Sigma_k^{\text{new}} = \frac{1}{N_k} \sum_{n=1}^{N} \gamma_{nk}"
        r"\,(x_n - \mu_k^{\text{new}})(x_n - \mu_k^{\text{new}})^\top"
    ),
    "log_likelihood": (
        r"\ln p(X \mid \theta) = \sum_{n=1}^{N} \ln \sum_{k=1}^{K} \pi_k\, " + _NORMAL_K
    ),
}
"""LaTeX of each update (no ``$`` delimiters), keyed by the symbol it computes."""

EQUATION_NUMBERS: dict[str, str] = {
    "gamma": "9.23",
    "mu": "9.24",
    "cov": "9.25",
    "pi": "9.26",
    "nk": "9.27",
    "log_likelihood": "9.28",
}
"""Equation numbers in PRML (the summary of EM for Gaussian mixtures)."""

EQUATION_NAMES: dict[str, str] = {
    "density": "Gaussian density",
    "gamma": "responsibilities",
    "nk": "effective counts",
    "pi": "mixing weights",
    "mu": "means",
    "cov": "covariances",
    "log_likelihood": "log-likelihood",
}

COVARIANCE_EQUATIONS: dict[str, str] = {
    "full": EQUATIONS["cov"],
    "tied": (
        r"\Sigma^{\text{new}} = \frac{1}{N} \sum_{k=1}^{K} \sum_{n=1}^{N} \gamma_{nk}"
        r"\,(x_n - \mu_k^{\text{new}})(x_n - \mu_k^{\text{new}})^\top"
    ),
    "diag": (
        r"\operatorname{diag}\Sigma_k^{\text{new}} = \frac{1}{N_k} \sum_{n=1}^{N}"
        r" \gamma_{nk}\,(x_n - \mu_k^{\text{new}})^{\odot 2}"
    ),
    "spherical": (
        r"\sigma_k^{2\,\text{new}} = \frac{1}{D N_k} \sum_{n=1}^{N} \gamma_{nk}"
        r"\,\lVert x_n - \mu_k^{\text{new}} \rVert^2"
    ),
}
"""The M-step for Σ by covariance type (``reg_covar`` ε is then added to the diagonal)."""

PHASE_EQUATIONS: dict[str, tuple[str, ...]] = {
    "init": (),
    "E": ("gamma",),
    "M": ("nk", "pi", "mu", "cov"),
}
"""Which equations each kind of half-step applies."""


# ---------------------------------------------------------------------------
# Formatting numbers
# ---------------------------------------------------------------------------


def format_number(x: float, digits: int = 4) -> str:
    r"""``x`` as LaTeX with ``digits`` significant digits: ``1.2e-05`` → ``1.2 \times 10^{-5}``."""
    text = f"{float(x):.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = f"10^{{{int(exponent)}}}"
        return power if mantissa == "1" else rf"{mantissa} \times {power}"
    if text in ("inf", "-inf"):
        return text.replace("inf", r"\infty")
    return text


def format_terms(values: np.ndarray, digits: int = 4) -> list[str]:
    r"""The terms of one sum in one notation, as LaTeX: as ``format_number`` gives them, unless one
    of them needs a power of ten; then every term as :math:`m \times 10^{e}` (no mixed notations).
    """
    texts = [format_number(v, digits) for v in values]
    if not any("10^" in text for text in texts):
        return texts
    scientific = []
    for v in values:
        mantissa, exponent = f"{float(v):.{digits - 1}e}".split("e")
        scientific.append(rf"{mantissa} \times 10^{{{int(exponent)}}}")
    return scientific


def format_matrix(a: np.ndarray, digits: int = 4) -> str:
    """A vector (as a column) or a matrix as a LaTeX ``pmatrix``."""
    a = np.atleast_1d(np.asarray(a, dtype=np.float64))
    rows = a[:, np.newaxis] if a.ndim == 1 else a
    body = r" \\ ".join(" & ".join(format_number(v, digits) for v in row) for row in rows)
    return rf"\begin{{pmatrix}} {body} \end{{pmatrix}}"


def _sub(k: int) -> str:
    # 0-based index → the book's 1-based subscript
    return str(int(k) + 1)


def _covariance_latex(covariances: np.ndarray, kind: str, k: int, digits: int = 4) -> str:
    """Σ_k of any covariance type: a matrix, a diagonal, or σ_k² I."""
    if kind == "full":
        return format_matrix(covariances[k], digits)
    if kind == "tied":
        return format_matrix(covariances, digits)
    if kind == "diag":
        return r"\operatorname{diag}" + format_matrix(covariances[k], digits)
    return format_number(covariances[k], digits) + r"\,I"


# ---------------------------------------------------------------------------
# The state of a trace at a half-step
# ---------------------------------------------------------------------------


def _state(trace: EMTrace, step: int) -> HalfStep:
    return trace.half_step(int(step))


def _check_index(value: int, size: int, name: str) -> int:
    if not 0 <= int(value) < size:
        raise ValueError(f"{name}={value} is out of range: use 0 … {size - 1}")
    return int(value)


def _m_step_numbers(trace: EMTrace, step: int, k: int) -> tuple[dict[str, np.ndarray], int]:
    """N_k, π, μ, Σ computed from the γ shown at ``step`` (reusing the maths of steps.py).

    Also checks the component index ``k`` and returns it as an int.
    """
    h = _state(trace, step)
    k = _check_index(k, h.params.n_components, "k")
    resp = trace.responsibilities(h.resp_iteration)
    nk = effective_counts(resp)
    means = component_means(trace.X, resp, nk)
    kind = h.params.covariance_type
    return {
        "resp": resp,
        "nk": nk,
        "weights": mixing_weights(nk),
        "means": means,
        "covariances": component_covariances(trace.X, resp, nk, means, kind, trace.reg_covar),
    }, k


def _shown_params_index(h: HalfStep) -> int:
    """t such that the θ shown at this half-step is θ_t."""
    return h.resp_iteration if h.phase == "E" else h.iteration


# ---------------------------------------------------------------------------
# Equations with numbers
# ---------------------------------------------------------------------------


def gamma_with_numbers(trace: EMTrace, step: int, n: int, k: int) -> str:
    r"""(9.23) for point ``n`` and component ``k`` with the numbers of θ_r at ``step``.

    .. math:: \gamma_{nk} = \frac{\pi_k \mathcal{N}_k}{\sum_j \pi_j \mathcal{N}_j}
        = \frac{a_k}{a_1 + \dots + a_K} = \text{value}

    Returns
    -------
    latex : str
    """
    h = _state(trace, step)
    params = trace.params[h.resp_iteration]
    n = _check_index(n, trace.X.shape[0], "n")
    k = _check_index(k, params.n_components, "k")
    log_joint = log_weighted_densities(trace.X[n : n + 1], params)[0]
    # a point far from every component has densities below 1e-308: print them rescaled
    shift = 0.0 if log_joint.max() > -600 else float(log_joint.max())
    terms = np.exp(log_joint - shift)
    scale = "" if shift == 0 else rf"\quad(\text{{every term}} \times e^{{{format_number(shift)}}})"
    numerator = format_number(terms[k])
    if terms.size <= 5:
        texts = format_terms(terms)
        numerator, denominator = texts[k], " + ".join(texts)  # one notation above and below
    else:
        denominator = format_number(terms.sum())
    value = terms[k] / terms.sum()
    sub = f"{_sub(n)}{_sub(k)}" if max(n, k) < 9 else f"{_sub(n)},{_sub(k)}"
    return (
        rf"\gamma_{{{sub}}} = \frac{{\pi_{{{_sub(k)}}}\,\mathcal{{N}}(x_{{{_sub(n)}}} \mid "
        rf"\mu_{{{_sub(k)}}}, \Sigma_{{{_sub(k)}}})}}{{\sum_j \pi_j\,\mathcal{{N}}"
        rf"(x_{{{_sub(n)}}} \mid \mu_j, \Sigma_j)}}"
        rf" = \frac{{{numerator}}}{{{denominator}}} = {format_number(value)}" + scale
    )


def effective_count_with_numbers(trace: EMTrace, step: int, k: int) -> str:
    r"""(9.27) :math:`N_k = \sum_n \gamma_{nk}` with the first terms and the total."""
    numbers, k = _m_step_numbers(trace, step, k)
    column = numbers["resp"][:, k]
    shown = " + ".join(f"{v:.3f}" for v in column[:3])  # 1 as 1.000, not 1
    more = r" + \cdots" if column.size > 3 else ""
    return (
        rf"N_{{{_sub(k)}}} = \sum_{{n=1}}^{{{column.size}}} \gamma_{{n{_sub(k)}}}"
        rf" = {shown}{more} = {format_number(numbers['nk'][k])}"
    )


def weight_with_numbers(trace: EMTrace, step: int, k: int) -> str:
    r"""(9.26) :math:`\pi_k = N_k / N` with numbers."""
    numbers, k = _m_step_numbers(trace, step, k)
    return (
        rf"\pi_{{{_sub(k)}}}^{{\text{{new}}}} = \frac{{N_{{{_sub(k)}}}}}{{N}}"
        rf" = \frac{{{format_number(numbers['nk'][k])}}}{{{trace.X.shape[0]}}}"
        rf" = {format_number(numbers['weights'][k])}"
    )


def mean_with_numbers(trace: EMTrace, step: int, k: int) -> str:
    r"""(9.24) :math:`\mu_k = \frac1{N_k}\sum_n \gamma_{nk} x_n` with numbers."""
    numbers, k = _m_step_numbers(trace, step, k)
    weighted_sum = numbers["resp"][:, k] @ trace.X
    return (
        rf"\mu_{{{_sub(k)}}}^{{\text{{new}}}} = \frac{{1}}{{N_{{{_sub(k)}}}}} \sum_n "
        rf"\gamma_{{n{_sub(k)}}}\, x_n = \frac{{1}}{{{format_number(numbers['nk'][k])}}}"
        rf"{format_matrix(weighted_sum)} = {format_matrix(numbers['means'][k])}"
    )


def covariance_with_numbers(trace: EMTrace, step: int, k: int) -> str:
    r"""(9.25) the new :math:`\Sigma_k = \Lambda_k^{-1}` (by covariance type) with numbers."""
    numbers, k = _m_step_numbers(trace, step, k)
    kind = check_covariance_type(trace.params[0].covariance_type)
    value = _covariance_latex(numbers["covariances"], kind, k)
    equation = COVARIANCE_EQUATIONS[kind]
    if kind != "tied":
        equation = equation.replace("_k", f"_{{{_sub(k)}}}").replace("{nk}", f"{{n{_sub(k)}}}")
    eps = format_number(trace.reg_covar)
    return rf"{equation} + {eps}\,I = {value}"


def log_likelihood_with_numbers(trace: EMTrace, step: int) -> str:
    r"""(9.28) :math:`\ln p(X\mid\theta)` of the θ shown at ``step``, total and per point."""
    h = _state(trace, step)
    total = trace.log_likelihoods[_shown_params_index(h)]
    n_samples = trace.X.shape[0]
    return (
        r"\ln p(X \mid \theta) = \sum_{n=1}^{N} \ln \sum_{k=1}^{K} \pi_k\,"
        r"\mathcal{N}(x_n \mid \mu_k, \Sigma_k)"
        rf" = {format_number(total, 6)} = {n_samples} \times "
        rf"\left({format_number(total / n_samples, 5)}\right)"
    )


def all_equations_with_numbers(trace: EMTrace, step: int, n: int, k: int) -> dict[str, str]:
    """Every equation with numbers, keyed like :data:`EQUATIONS` (without ``density``)."""
    return {
        "gamma": gamma_with_numbers(trace, step, n, k),
        "nk": effective_count_with_numbers(trace, step, k),
        "pi": weight_with_numbers(trace, step, k),
        "mu": mean_with_numbers(trace, step, k),
        "cov": covariance_with_numbers(trace, step, k),
        "log_likelihood": log_likelihood_with_numbers(trace, step),
    }


# ---------------------------------------------------------------------------
# Parameters and step labels
# ---------------------------------------------------------------------------


def params_latex(params, digits: int = 3) -> str:
    r"""θ = (π, μ, Σ) of every component as LaTeX lines ``π_k = …, μ_k = …, Σ_k = …``.

    Parameters
    ----------
    params : GaussianMixtureParams

    Returns
    -------
    latex : str
        One ``\begin{aligned}`` block, a row per component.
    """
    rows = []
    for k in range(params.n_components):
        cov = _covariance_latex(params.covariances, params.covariance_type, k, digits)
        s = _sub(k)
        rows.append(
            rf"\pi_{{{s}}} &= {format_number(params.weights[k], digits)}, &"
            rf"\mu_{{{s}}} &= {format_matrix(params.means[k], digits)}, &"
            rf"\Sigma_{{{s}}} &= {cov}"
        )
    return r"\begin{aligned}" + r" \\[4pt] ".join(rows) + r"\end{aligned}"


def step_description(h: HalfStep, n_half_steps: int | None = None, compact: bool = False) -> str:
    """One plain-text line saying which step is shown and which equations were just applied.

    Parameters
    ----------
    h : HalfStep
    n_half_steps : int, optional
        The total, to print "half-step i of n".
    compact : bool, default=False
        A shorter line (for a figure title, where every glyph is redrawn at each step).
    """
    if compact:
        of = "" if n_half_steps is None else f"/{n_half_steps - 1}"
        where = f"half-step {h.index}{of}"
    else:
        of = "" if n_half_steps is None else f" of {n_half_steps - 1}"
        where = f"half-step {h.index}{of}"
    if h.phase == "init":
        return f"{where} · initial θ₀, points not yet assigned (grey)"
    names = PHASE_EQUATIONS[h.phase]
    numbers = sorted(EQUATION_NUMBERS[name] for name in names)
    cited = numbers[0] if len(numbers) == 1 else f"{numbers[0]}–{numbers[-1]}"
    effect = "colours change" if h.phase == "E" else "ellipsoids move"
    if compact:
        return f"{where} · iteration {h.iteration} · {h.phase}-step ({cited}): {effect}"
    if h.phase == "E":
        return (
            f"{where} · iteration {h.iteration} · E-step ({cited}): γ_nk recomputed; "
            "colours change, ellipsoids stay"
        )
    return (
        f"{where} · iteration {h.iteration} · M-step ({cited}): N_k, π_k, μ_k, Σ_k "
        "re-estimated; ellipsoids move"
    )
