"""The browser view: an EM run sent to the browser once and drawn there (anywidget, WebGL).

:mod:`~gmmlearn.webview.frames` packs a trace (numpy only); :mod:`~gmmlearn.webview.widget`
is the widget; :mod:`~gmmlearn.webview.export` writes a static page that animates without a
kernel. ``explorer.js`` and ``explorer.css`` are the browser side, shipped in the package.
"""

from .frames import trace_payload

__all__ = ["trace_payload"]
