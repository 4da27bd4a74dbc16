"""Fixtures of the view and explorer tests."""

import pytest
from kernel_like import run_in_a_kernel

from gmmlearn.webview import widget
from gmmlearn.widgets import _base, em


@pytest.fixture
def in_a_kernel(monkeypatch):
    """``in_a_kernel(coroutine_function)``: run it as if in a kernel (the view and the
    explorer see its running loop)."""
    return lambda coroutine_function: run_in_a_kernel(
        monkeypatch, (widget, _base, em), coroutine_function
    )
