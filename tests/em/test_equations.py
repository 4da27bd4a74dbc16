"""The LaTeX of the equations, and the numbers rendered into it, against the trace and the maths."""

import re

import numpy as np
import pytest

from gmmlearn import initialize, log_weighted_densities, run_em
from gmmlearn.equations import (
    COVARIANCE_EQUATIONS,
    EQUATION_NUMBERS,
    EQUATIONS,
    PHASE_EQUATIONS,
    all_equations_with_numbers,
    covariance_with_numbers,
    effective_count_with_numbers,
    format_matrix,
    format_number,
    format_terms,
    gamma_with_numbers,
    log_likelihood_with_numbers,
    mean_with_numbers,
    params_latex,
    step_description,
    weight_with_numbers,
)

RTOL = 1e-3  # numbers are printed with 4 significant digits


def make_trace(covariance_type="full", n_components=3, seed=0, max_iter=8, init="kmeans"):
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0, 0.0], [3.0, 0.5, 0.0], [0.5, 3.0, 1.0]])
    X = np.vstack([rng.normal(size=(60, 3)) * 0.8 + c for c in centres])
    params = initialize(X, n_components, init, covariance_type=covariance_type, random_state=3)
    return run_em(X, params, max_iter=max_iter, tol=0.0)


@pytest.fixture(scope="module")
def trace():
    return make_trace()


# -- parsing the numbers back out of the LaTeX -----------------------------------------


def to_float(token: str) -> float:
    token = token.strip().removesuffix(r"\,I").strip()
    power = re.fullmatch(r"(?:(-?[\d.]+)\s*\\times\s*)?10\^\{(-?\d+)\}", token)
    if power:
        mantissa = float(power.group(1)) if power.group(1) else 1.0
        return mantissa * 10.0 ** int(power.group(2))
    return float(token)


def last_value(latex: str) -> float:
    return to_float(latex.split(r"\quad")[0].rsplit("=", 1)[1])


def last_matrix(latex: str) -> np.ndarray:
    body = latex.rsplit(r"\begin{pmatrix}", 1)[1].split(r"\end{pmatrix}")[0]
    return np.array([[to_float(v) for v in row.split("&")] for row in body.split(r"\\")])


def uncertain_point(trace, t):
    """The point whose γ at iteration t is the most mixed, and its second likeliest k."""
    resp = trace.responsibilities(t)
    n = int(np.argmin(resp.max(axis=1)))
    return n, int(np.argsort(resp[n])[-2])


# -- the equations themselves ------------------------------------------------------------


def test_every_update_has_latex_and_a_prml_number():
    for name in ("gamma", "nk", "pi", "mu", "cov", "log_likelihood"):
        assert name in EQUATIONS and name in EQUATION_NUMBERS
    assert r"\gamma_{nk}" in EQUATIONS["gamma"] and r"\sum_{j=1}^{K}" in EQUATIONS["gamma"]
    assert r"\frac{N_k}{N}" in EQUATIONS["pi"]
    # one notation with the lessons: Σ_k (PRML §9.2), the precision Λ_k = Σ_k⁻¹ only where named
    assert EQUATIONS["cov"].startswith(r"\Sigma_k^{\text{new}}")
    assert not any(
        r"\Lambda" in latex for latex in (*EQUATIONS.values(), *COVARIANCE_EQUATIONS.values())
    )
    assert set(COVARIANCE_EQUATIONS) == {"full", "tied", "diag", "spherical"}
    assert PHASE_EQUATIONS["E"] == ("gamma",)
    assert set(PHASE_EQUATIONS["M"]) == {"nk", "pi", "mu", "cov"}
    for latex in EQUATIONS.values():  # balanced braces: MathJax would refuse the rest
        assert latex.count("{") == latex.count("}")
        assert "$" not in latex


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.5, "0.5"),
        (1.2e-5, r"1.2 \times 10^{-5}"),
        (1e-6, r"10^{-6}"),
        (-1229.664, "-1230"),
        (3.0, "3"),
        (np.inf, r"\infty"),
    ],
)
def test_format_number(value, expected):
    assert format_number(value) == expected


def test_format_terms_uses_one_notation_for_a_sum():
    mixed = np.array([4.431e-4, 1.244e-4, 1.52e-5, 1.019e-4])  # %g would give 1.52 × 10⁻⁵ alone
    texts = format_terms(mixed)
    assert all(r"\times 10^" in text for text in texts)
    assert [to_float(text) for text in texts] == pytest.approx(mixed, rel=1e-3)
    assert format_terms(np.array([0.5, 0.25])) == ["0.5", "0.25"]  # plain when none needs 10^e


def test_effective_count_shows_its_terms_with_three_decimals(trace):
    latex = effective_count_with_numbers(trace, 2, 0)
    shown = latex.rsplit("=", 2)[1].replace(r"+ \cdots", "").split("+")
    assert all(re.fullmatch(r"\d\.\d{3}", term.strip()) for term in shown)


def test_format_number_round_trips():
    for value in (1.234e-300, 5.5e12, -0.0001234, 42.0):
        assert to_float(format_number(value)) == pytest.approx(value, rel=RTOL)


def test_format_matrix_shapes():
    assert last_matrix(format_matrix(np.eye(3))).shape == (3, 3)
    assert last_matrix(format_matrix(np.array([1.0, 2.0]))).shape == (2, 1)


# -- the numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("step", [0, 1, 4, 7])
def test_gamma_numbers_are_the_responsibilities_shown(trace, step):
    h = trace.half_step(step)
    n, k = uncertain_point(trace, h.resp_iteration)
    latex = gamma_with_numbers(trace, step, n, k)
    resp = trace.responsibilities(h.resp_iteration)
    assert last_value(latex) == pytest.approx(resp[n, k], rel=RTOL)
    # the denominator lists π_j N(x_n | μ_j, Σ_j) of the θ that made these colours
    terms = np.exp(log_weighted_densities(trace.X[n : n + 1], trace.params[h.resp_iteration])[0])
    denominator = latex.rsplit(r"\frac{", 1)[1].split("}{", 1)[1].split("}")[0]
    printed = [to_float(v) for v in denominator.split("+")]
    np.testing.assert_allclose(printed, terms, rtol=RTOL)
    assert f"x_{{{n + 1}}}" in latex  # 1-based, as in the book


def test_gamma_of_a_far_away_point_is_rescaled_not_zero_over_zero(trace):
    far = trace.X.copy()
    far[0] = 1e3
    far_trace = run_em(far, trace.params[0], max_iter=1, tol=0.0)
    latex = gamma_with_numbers(far_trace, 0, 0, 0)
    assert "every term" in latex
    expected = far_trace.responsibilities(0)[0, 0]
    assert last_value(latex) == pytest.approx(expected, rel=RTOL, abs=1e-12)


@pytest.mark.parametrize("step", [0, 3, 4, 8])
def test_m_step_numbers_give_the_next_parameters(trace, step):
    h = trace.half_step(step)
    new = trace.params[h.resp_iteration + 1]  # the M-step on the γ shown
    nk = trace.responsibilities(h.resp_iteration).sum(axis=0)
    for k in range(new.n_components):
        assert last_value(effective_count_with_numbers(trace, step, k)) == pytest.approx(
            nk[k], rel=RTOL
        )
        assert last_value(weight_with_numbers(trace, step, k)) == pytest.approx(
            new.weights[k], rel=RTOL
        )
        np.testing.assert_allclose(
            last_matrix(mean_with_numbers(trace, step, k))[:, 0], new.means[k], rtol=RTOL, atol=1e-3
        )
        np.testing.assert_allclose(
            last_matrix(covariance_with_numbers(trace, step, k)),
            new.covariances[k],
            rtol=RTOL,
            atol=1e-3,
        )
    if h.phase == "M":  # just applied: the numbers are the parameters on screen
        assert new is h.params


@pytest.mark.parametrize("covariance_type", ["tied", "diag", "spherical"])
def test_covariance_numbers_for_every_type(covariance_type):
    trace = make_trace(covariance_type, max_iter=3)
    new = trace.params[2]
    latex = covariance_with_numbers(trace, 3, 1)  # E half-step of iteration 2 → θ_2
    if covariance_type == "tied":
        np.testing.assert_allclose(last_matrix(latex), new.covariances, rtol=RTOL, atol=1e-3)
    elif covariance_type == "diag":
        np.testing.assert_allclose(last_matrix(latex)[:, 0], new.covariances[1], rtol=RTOL)
    else:
        assert last_value(latex) == pytest.approx(new.covariances[1], rel=RTOL)
        assert r"\sigma_{2}" in latex


@pytest.mark.parametrize(("step", "t"), [(0, 0), (1, 0), (2, 1), (5, 2), (6, 3)])
def test_log_likelihood_is_that_of_the_parameters_shown(trace, step, t):
    latex = log_likelihood_with_numbers(trace, step)
    total = to_float(latex.split("=")[-2])
    assert total == pytest.approx(trace.log_likelihoods[t], rel=1e-5)


def test_all_equations_and_out_of_range_indices(trace):
    latex = all_equations_with_numbers(trace, 3, 5, 1)
    assert set(latex) == {"gamma", "nk", "pi", "mu", "cov", "log_likelihood"}
    with pytest.raises(ValueError, match="n=999"):
        gamma_with_numbers(trace, 3, 999, 0)
    with pytest.raises(ValueError, match="k=3"):
        weight_with_numbers(trace, 3, 3)
    with pytest.raises(IndexError):
        gamma_with_numbers(trace, trace.n_half_steps, 0, 0)


def test_params_latex_shows_every_component(trace):
    params = trace.params[2]
    latex = params_latex(params)
    for k in range(params.n_components):
        assert rf"\pi_{{{k + 1}}} &= {format_number(params.weights[k], 3)}" in latex
        assert format_number(params.covariances[k][0, 0], 3) in latex
    assert latex.count("{") == latex.count("}")


def test_step_description_names_the_step_and_equations(trace):
    assert "initial θ₀" in step_description(trace.half_step(0))
    e = step_description(trace.half_step(3), trace.n_half_steps)
    assert "half-step 3 of 16" in e and "E-step (9.23)" in e and "iteration 2" in e
    m = step_description(trace.half_step(4))
    assert "M-step (9.24–9.27)" in m and "ellipsoids move" in m
    short = step_description(trace.half_step(3), trace.n_half_steps, compact=True)
    assert short == "half-step 3/16 · iteration 2 · E-step (9.23): colours change"
