"""What the first frame does not need follows it (issue 23: run-all → on screen ≤ 1.5 s).

A fused EM run keeps L from its own sums, so its split goes with the run. A run whose split
costs a pass over the data per iteration (the "steps" engine) is sent without it in a kernel,
the split following from a thread; the explorer's equations follow a moment later; outside a
kernel (a script, these other tests) both are there at once. The ticks, which used
matplotlib's MaxNLocator, are now computed without importing matplotlib: the same numbers.
"""

import asyncio
from functools import partial

import blob_data
import numpy as np
import pytest
from kernel_like import until
from matplotlib.ticker import MaxNLocator

from gmmlearn import initialize, run_em
from gmmlearn.webview import frames
from gmmlearn.webview.frames import BOUND_KEYS, tick_values
from gmmlearn.webview.widget import TraceView
from gmmlearn.widgets import explore

blobs = partial(blob_data.blobs, "close_3d")


def make_trace(X, k=3, covariance_type="full", seed=1, max_iter=6, engine="steps"):
    """A run whose split costs a pass per iteration (the "steps" engine keeps no L)."""
    params = initialize(
        X, k, "random_from_data", covariance_type=covariance_type, random_state=seed
    )
    return run_em(X, params, max_iter=max_iter, tol=0.0, engine=engine, keep_lower_bounds=True)


def split_of(trace) -> dict:
    return dict(zip(BOUND_KEYS, (v.tolist() for v in trace.bound_split())))


@pytest.mark.parametrize("covariance_type", ["full", "tied", "diag", "spherical"])
def test_in_a_kernel_the_split_follows_the_run(in_a_kernel, covariance_type):
    X = blobs()
    trace = make_trace(X, covariance_type=covariance_type)

    async def check():
        view = TraceView(trace)
        # sent at once: the run, with room kept for the split (empty lists), no split yet
        assert view.bounds == {}
        assert all(view.meta[name] == [] for name in BOUND_KEYS)
        await until(lambda: view.bounds != {})
        return view

    view = in_a_kernel(check)
    assert view.bounds == split_of(trace)
    assert len(view.bounds["kls"]) == trace.n_half_steps


def test_a_fused_run_brings_its_split_with_it_even_in_a_kernel(in_a_kernel):
    trace = make_trace(blobs(), engine="fused")
    assert not trace.bound_split_costs_a_pass

    async def check():
        return TraceView(trace)

    assert in_a_kernel(check).bounds == split_of(trace)


def test_outside_a_kernel_the_split_comes_with_the_run():
    trace = make_trace(blobs())
    view = TraceView(trace)
    assert view.bounds == split_of(trace)
    # the static page and other readers of trace_payload still get it inside meta
    meta, _ = frames.trace_payload(trace)
    assert {name: meta[name] for name in BOUND_KEYS} == split_of(trace)


def test_a_late_split_of_an_older_run_is_dropped(in_a_kernel):
    X = blobs()
    first, second = make_trace(X, seed=1), make_trace(X, seed=2, max_iter=4)

    async def check():
        view = TraceView(first)
        view.set_trace(second)  # before the first run's split is back
        await until(lambda: view.bounds != {})
        await asyncio.sleep(0.2)  # the first run's split, if it came late, is not sent
        return view

    view = in_a_kernel(check)
    assert view.bounds == split_of(second)
    assert len(view.bounds["kls"]) == second.n_half_steps != first.n_half_steps


def test_a_run_without_a_split_sends_null_at_once(in_a_kernel):
    from gmmlearn.widgets.vb import run_vb_trace

    trace = run_vb_trace(blobs(), 3, "random_from_data", random_state=0, max_iter=3, tol=0.0)

    async def check():
        return TraceView(trace)

    view = in_a_kernel(check)
    assert view.bounds == dict.fromkeys(BOUND_KEYS)
    assert all(view.meta[name] is None for name in BOUND_KEYS)


def test_in_a_kernel_the_explorers_equations_follow_its_first_frame(in_a_kernel):
    X = blobs()

    async def check():
        ex = explore(X, n_components=3, init="bounding-box", max_iter=4)
        first = ex.equations_html.value
        await until(lambda: ex.equations_html.value != "" and ex.view.bounds != {})
        return ex, first

    ex, first = in_a_kernel(check)
    assert first == ""
    assert ex.equations_html.value.count("$$") >= 2  # the equations with their numbers
    assert ex.view.bounds == split_of(ex.trace)


def test_the_ticks_are_matplotlibs():
    rng = np.random.default_rng(0)
    centres = rng.choice([0.0, 1.0, -1.0], 3000) * 10 ** rng.uniform(-8, 12, 3000)
    halves = 10 ** rng.uniform(-12, 8, 3000)
    ranges = [*zip(centres - halves, centres + halves), (0, 1), (-2.5, 7.5), (5.0, 5.0)]
    for low, high in ranges:
        np.testing.assert_array_equal(tick_values(low, high), MaxNLocator(4).tick_values(low, high))


def test_a_new_seed_does_not_measure_the_same_data_again(monkeypatch):
    from gmmlearn.widgets import em

    calls = []
    share = em.regularisation_share
    monkeypatch.setattr(em, "regularisation_share", lambda trace: calls.append(1) or share(trace))
    ex = explore(blobs(), n_components=3, init="bounding-box", max_iter=3)
    ex.seed_input.value += 1
    ex.k_input.value = 2
    assert len(calls) == 1  # X's variances: once for the data set, not once per run
    ex.rerun(blobs()[:-5])  # other data: measured again
    assert len(calls) == 2


def test_a_new_seed_sends_theta_not_the_points_again():
    # a K, seed or init change keeps X: positions (N × 3 float32, 1.2 MB at 10⁵) stay in the page
    ex = explore(blobs(), n_components=3, init="random_from_data", max_iter=4)
    sent = []
    ex.view.observe(
        lambda change: sent.append(change["name"]), names=list(ex.view.trait_names(sync=True))
    )
    ex.seed_input.value += 1
    assert "positions" not in sent and {"meta", "terms", "ellipsoids"} <= set(sent)
    ex.rerun(blobs()[:-5])  # other data: the points go again
    assert "positions" in sent
