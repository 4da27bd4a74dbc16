"""Run-all → explorer on screen: the first browser frame imports only what it needs.

scikit-learn (the estimators, the k-means starts) and matplotlib's figures (the matplotlib view,
exports) take seconds to import on a busy machine; the browser view with a start that needs
neither must not load them (issue 23: run-all → on screen ≤ 1.5 s at 10⁵ points).
"""

import json
import subprocess
import sys

HEAVY = ["sklearn", "matplotlib", "scipy.stats"]

FIRST_FRAME = f"""
import json, sys
import numpy as np
from gmmlearn.widgets import explore
X = np.random.default_rng(0).normal(size=(500, 3))
ex = explore(X, n_components=3, init="bounding-box", max_iter=5)
assert type(ex.view).__name__ == "TraceView" and ex.view.meta["n_samples"] == 500
print(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))
"""


def run(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_browser_views_first_frame_loads_no_heavy_module():
    loaded = run(FIRST_FRAME)
    assert not any(loaded.values()), loaded


def test_what_was_deferred_still_loads_on_use():
    code = (
        "import json, sys, gmmlearn\n"
        "from gmmlearn.plotting import EMView, draw_mixture_2d\n"
        "from gmmlearn import BayesianGaussianMixture, GaussianMixture\n"
        "from gmmlearn.initialization import initialize\n"
        "import numpy as np\n"
        "X = np.random.default_rng(0).normal(size=(60, 2))\n"
        "initialize(X, 2, 'kmeans', random_state=0)\n"
        "print(json.dumps({'sklearn': 'sklearn' in sys.modules,"
        " 'estimator': GaussianMixture.__module__, 'view': EMView.__module__}))\n"
    )
    loaded = run(code)
    assert loaded == {
        "sklearn": True,
        "estimator": "gmmlearn.gaussian_mixture",
        "view": "gmmlearn.plotting.view",
    }
