"""Code run as if in a Jupyter kernel: the explorer's and the view's ``kernel_loop()`` see the
running loop of a coroutine (the ``in_a_kernel`` fixture of tests/views/conftest.py)."""

import asyncio
import concurrent.futures


def run_in_a_kernel(monkeypatch, modules, coroutine_function):
    """Run ``coroutine_function()`` with ``kernel_loop`` of every module in ``modules`` patched
    to return its running loop; returns what it returns."""

    async def main():
        loop = asyncio.get_running_loop()
        for module in modules:
            monkeypatch.setattr(module, "kernel_loop", lambda: loop)
        return await coroutine_function()

    # in a thread of its own: a full run's browser tests (Playwright's sync API) leave an
    # event loop running in this one, where asyncio.run() refuses to start
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


async def until(condition, seconds=60.0):
    """Wait (on the running loop) until ``condition()`` holds; fail after ``seconds``."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)
