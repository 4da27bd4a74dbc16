r"""The words and equations a view shows for a variational Bayes run (PRML §10.2).

The VB counterpart of the parts of :mod:`gmmlearn.equations` that the explorer shows: the
label of each half-step, the variational parameters of the state shown, and the updates with
the numbers of the run. Plain strings, no plotting.

What the half-steps of a :class:`~gmmlearn.vb.trace.VBTrace` apply:

* init: :math:`q_0`, the M-step applied to the starting responsibilities;
* E (10.46–10.49): :math:`r_{nk}` from :math:`\mathbb E[\ln\pi_k]`,
  :math:`\mathbb E[\ln|\Lambda_k|]` and :math:`\mathbb E[(x_n-\mu_k)^\top\Lambda_k(x_n-\mu_k)]`;
* M (10.51–10.63): :math:`N_k, \bar x_k, S_k`, then :math:`\alpha_k, \beta_k, m_k, W_k, \nu_k`.

As in :mod:`gmmlearn.equations`, functions take 0-based indices and show the book's 1-based
subscripts; the E-step numbers are those of the q that made the colours shown, the M-step
numbers those computed from those colours (the q drawn after the next M-step).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..equations import _covariance_latex, _sub, format_matrix, format_number
from ..runs import HalfStep
from .steps import expected_log_det_lambda, expected_log_pi, expected_mahalanobis, log_rho
from .steps import statistics as vb_statistics

if TYPE_CHECKING:  # only for the hints: trace.py imports this module on use
    from .trace import VBTrace

__all__ = [
    "VB_PHASE_EQUATIONS",
    "vb_equations_with_numbers",
    "vb_params_latex",
    "vb_step_description",
]

VB_PHASE_EQUATIONS: dict[str, tuple[str, ...]] = {
    "init": (),
    "E": ("E_ln_pi", "E_ln_det", "E_quad", "r"),
    "M": ("stats", "alpha", "beta", "m", "W", "nu"),
}
"""Which of :func:`vb_equations_with_numbers`' entries each kind of half-step applies."""

_CITED = {"E": "10.46–10.49", "M": "10.51–10.63"}


def vb_step_description(h: HalfStep, n_half_steps: int | None = None, compact: bool = False) -> str:
    """One plain-text line saying which VB half-step is shown and what it updated.

    The counterpart of :func:`gmmlearn.equations.step_description` (same start, "half-step i
    of n · iteration t · E-step"), in the symbols of PRML §10.2.
    """
    of = (
        ""
        if n_half_steps is None
        else (f"/{n_half_steps - 1}" if compact else f" of {n_half_steps - 1}")
    )
    where = f"half-step {h.index}{of}"
    if h.phase == "init":
        if compact:
            return f"{where} · initial q₀, points not yet assigned (grey)"
        return (
            f"{where} · initial q₀ (10.51–10.63 on the starting r), points not yet assigned (grey)"
        )
    cited = _CITED[h.phase]
    effect = "colours change" if h.phase == "E" else "ellipsoids move"
    if compact:
        return f"{where} · iteration {h.iteration} · {h.phase}-step ({cited}): {effect}"
    if h.phase == "E":
        return (
            f"{where} · iteration {h.iteration} · E-step ({cited}): r_nk recomputed from q; "
            "colours change, ellipsoids stay"
        )
    return (
        f"{where} · iteration {h.iteration} · M-step ({cited}): α_k, β_k, m_k, W_k, ν_k "
        "re-estimated; ellipsoids move"
    )


def _alpha_latex(alpha: np.ndarray, prior_type: str, k: int, digits: int) -> str:
    if prior_type == "dirichlet_process":
        a, b = (format_number(v[k], digits) for v in alpha)
        return rf"(a_{{{_sub(k)}}}, b_{{{_sub(k)}}}) &= ({a}, {b})"
    return rf"\alpha_{{{_sub(k)}}} &= {format_number(alpha[k], digits)}"


def vb_params_latex(state, digits: int = 3) -> str:
    r"""q of every component as LaTeX rows: E[π_k], α_k, β_k, m_k, ν_k and E[Λ_k]⁻¹ = W_k⁻¹/ν_k.

    Parameters
    ----------
    state : VBParams

    Returns
    -------
    latex : str
        One ``\begin{aligned}`` block, a row per component.
    """
    weights = state.weights
    nu = np.broadcast_to(state.nu, (state.n_components,))
    rows = []
    for k in range(state.n_components):
        s = _sub(k)
        cov = _covariance_latex(state.covariances, state.covariance_type, k, digits)
        rows.append(
            rf"\mathbb{{E}}[\pi_{{{s}}}] &= {format_number(weights[k], digits)}, &"
            + _alpha_latex(state.alpha, state.prior_type, k, digits)
            + rf", & \beta_{{{s}}} &= {format_number(state.beta[k], digits)}, &"
            rf"m_{{{s}}} &= {format_matrix(state.m[k], digits)}, &"
            rf"\nu_{{{s}}} &= {format_number(nu[k], digits)}, &"
            rf"W_{{{s}}}^{{-1}}/\nu_{{{s}}} &= {cov}"
        )
    return r"\begin{aligned}" + r" \\[4pt] ".join(rows) + r"\end{aligned}"


def _check_index(value: int, size: int, name: str) -> int:
    if not 0 <= int(value) < size:
        raise ValueError(f"{name}={value} is out of range: use 0 … {size - 1}")
    return int(value)


def _m_step_latex(trace: VBTrace, iteration: int, k: int) -> dict[str, str]:
    """The M-step on the r of ``iteration``: N_k, x̄_k (10.51–10.52) and q of the next state."""
    q = trace.states[iteration]
    sk = _sub(k)
    resp = trace.responsibilities(iteration)
    nk, xbar, _ = vb_statistics(trace.X, resp, q.covariance_type, trace.reg_covar)
    new = trace.states[iteration + 1]
    prior = trace.prior
    nu = float(np.broadcast_to(new.nu, (new.n_components,))[k])
    if new.prior_type == "dirichlet_process":
        alpha = (
            rf"a_{{{sk}}} = 1 + N_{{{sk}}} = {format_number(new.alpha[0][k])},\ "
            rf"b_{{{sk}}} = \alpha_0 + \sum_{{j>{sk}}} N_j = {format_number(new.alpha[1][k])}"
            r"\quad(\text{stick breaking, 10.58's counterpart})"
        )
    else:
        alpha = (
            rf"\alpha_{{{sk}}} = \alpha_0 + N_{{{sk}}} = {format_number(prior.alpha0)} + "
            rf"{format_number(nk[k])} = {format_number(new.alpha[k])}\quad(10.58)"
        )
    cov = _covariance_latex(new.covariances, new.covariance_type, k)
    return dict(
        stats=(
            rf"N_{{{sk}}} = \sum_n r_{{n{sk}}} = {format_number(nk[k])},\quad \bar x_{{{sk}}}"
            rf" = {format_matrix(xbar[k])}\quad(10.51, 10.52)"
        ),
        alpha=alpha,
        beta=(
            rf"\beta_{{{sk}}} = \beta_0 + N_{{{sk}}} = {format_number(prior.beta0)} + "
            rf"{format_number(nk[k])} = {format_number(new.beta[k])}\quad(10.60)"
        ),
        m=(
            rf"m_{{{sk}}} = \frac{{\beta_0 m_0 + N_{{{sk}}}\bar x_{{{sk}}}}}{{\beta_{{{sk}}}}}"
            rf" = {format_matrix(new.m[k])}\quad(10.61)"
        ),
        W=(
            rf"W_{{{sk}}}^{{-1}} = W_0^{{-1}} + N_{{{sk}}}S_{{{sk}}} + \frac{{\beta_0"
            rf"N_{{{sk}}}}}{{\beta_0+N_{{{sk}}}}}(\bar x_{{{sk}}}-m_0)(\bar x_{{{sk}}}-m_0)"
            rf"^\top;\ \text{{drawn: }}W_{{{sk}}}^{{-1}}/\nu_{{{sk}}} = {cov}\quad(10.62)"
        ),
        nu=(
            rf"\nu_{{{sk}}} = \nu_0 + N_{{{sk}}} = {format_number(prior.nu0)} + "
            rf"{format_number(nk[k])} = {format_number(nu)}\quad(10.63)"
        ),
    )


def vb_equations_with_numbers(trace: VBTrace, step: int, n: int, k: int) -> dict[str, str]:
    r"""Each VB update with the numbers of the run at half-step ``step``, for point ``n`` and
    component ``k`` (0-based), keyed like :data:`VB_PHASE_EQUATIONS`.

    The E-step entries (10.64–10.66, 10.46, 10.49) are evaluated at the q that made the colours
    shown; the M-step entries (10.51, 10.58–10.63) on those colours, so they are the q the
    next M-step draws (or has just drawn, at an M half-step).

    Returns
    -------
    latex : dict of str
    """
    h = trace.half_step(int(step))
    q = trace.states[h.resp_iteration]
    n = _check_index(n, trace.X.shape[0], "n")
    k = _check_index(k, q.n_components, "k")
    sk, sn = _sub(k), _sub(n)
    x = trace.X[n : n + 1]
    e_ln_pi = expected_log_pi(q.alpha, q.prior_type)[k]
    e_ln_det = expected_log_det_lambda(q)
    e_ln_det_k = float(np.broadcast_to(e_ln_det, (q.n_components,))[k])
    e_quad = expected_mahalanobis(x, q)[0, k]
    log_rho_n = log_rho(x, q)[0]
    r = np.exp(log_rho_n - log_rho_n.max())
    r /= r.sum()
    out = {
        "E_ln_pi": rf"\mathbb{{E}}[\ln\pi_{{{sk}}}] = {format_number(e_ln_pi)}\quad(10.66)",
        "E_ln_det": (
            rf"\mathbb{{E}}[\ln|\Lambda_{{{sk}}}|] = \sum_{{i=1}}^{{D}}\psi\!\left("
            rf"\tfrac{{\nu_{{{sk}}}+1-i}}{{2}}\right) + D\ln 2 + \ln|W_{{{sk}}}|"
            rf" = {format_number(e_ln_det_k)}\quad(10.65)"
        ),
        "E_quad": (
            rf"\mathbb{{E}}[(x_{{{sn}}}-\mu_{{{sk}}})^\top\Lambda_{{{sk}}}(x_{{{sn}}}-\mu_{{{sk}}})]"
            rf" = D\beta_{{{sk}}}^{{-1}} + \nu_{{{sk}}}(x_{{{sn}}}-m_{{{sk}}})^\top W_{{{sk}}}"
            rf"(x_{{{sn}}}-m_{{{sk}}}) = {format_number(e_quad)}\quad(10.64)"
        ),
        "r": (
            rf"\ln\rho_{{{sn}{sk}}} = \mathbb{{E}}[\ln\pi_{{{sk}}}] + \tfrac12\mathbb{{E}}"
            rf"[\ln|\Lambda_{{{sk}}}|] - \tfrac D2\ln 2\pi - \tfrac12\mathbb{{E}}[\dots]"
            rf" = {format_number(log_rho_n[k])},\quad r_{{{sn}{sk}}} = \frac{{\rho_{{{sn}{sk}}}}}"
            rf"{{\sum_j \rho_{{{sn}j}}}} = {format_number(r[k])}\quad(10.46, 10.49)"
        ),
    }
    if h.resp_iteration + 1 < len(trace.states):  # the M-step on the r shown
        out.update(_m_step_latex(trace, h.resp_iteration, k))
    return out
