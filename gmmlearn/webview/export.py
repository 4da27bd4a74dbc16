"""A run as one self-contained HTML page that animates with no kernel and no network.

The page holds the browser view's own JavaScript and CSS (the files the widget uses), the run's
buffers as base64, and small controls of its own (step slider, play/pause, E/M half-steps):
open it from a file, put it on a course page or nbviewer, and it steps and rotates as the widget
does in JupyterLab.
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from .._files import write_file_atomically
from ..runs import Run
from .frames import encode_buffers, trace_payload

__all__ = ["export_html", "standalone_html", "write_file_atomically"]

_HERE = Path(__file__).parent
_EXPORT_PREFIX = "export default {"

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gmmlearn">
<title>{title}</title>
<style>
{css}
body {{ margin: 16px; background: #fff; }}
.gmm-controls {{ display: flex; align-items: center; gap: 10px; margin-bottom: 8px;
  font: 15px system-ui, sans-serif; flex-wrap: wrap; }}
.gmm-controls button {{ font-size: 15px; min-width: 44px; padding: 4px 10px; }}
.gmm-controls input[type=range] {{ width: 420px; }}
</style>
</head>
<body class="gmm-explorer">
<h1 style="font: 600 20px system-ui, sans-serif">{heading}</h1>
<div class="gmm-controls">
  <button class="gmm-back" title="one step back">◀</button>
  <button class="gmm-play" title="play / pause">▶ play</button>
  <button class="gmm-next" title="one step forward">▶|</button>
  <input class="gmm-step" type="range" min="0" value="{step}" aria-label="step">
  <span class="gmm-readout"></span>
  <label><input class="gmm-half" type="checkbox"{half_checked}> E / M half-steps</label>
</div>
<div id="gmm-view"></div>
<script>
{script}
</script>
<script id="gmm-data" type="application/json">{data}</script>
<script>
(function () {{
  const data = JSON.parse(document.getElementById("gmm-data").textContent);
  function decode(text) {{
    const bytes = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
    return new DataView(bytes.buffer);
  }}
  const state = Object.assign({{}}, data.state);
  for (const name of Object.keys(data.buffers)) state[name] = decode(data.buffers[name]);
  const listeners = {{}};
  const model = {{
    get: (name) => state[name],
    set(name, value) {{
      if (state[name] === value) return;
      state[name] = value;
      (listeners["change:" + name] || []).forEach((f) => f());
    }},
    on: (event, f) => (listeners[event] = listeners[event] || []).push(f),
    off: (event, f) => {{
      listeners[event] = (listeners[event] || []).filter((g) => g !== f);
    }},
    save_changes() {{}},
    send() {{}},
  }};
  window.gmmlearnModel = model;
  window.gmmlearnExplorer.render({{ model, el: document.getElementById("gmm-view") }});

  const slider = document.querySelector(".gmm-step");
  const readout = document.querySelector(".gmm-readout");
  const play = document.querySelector(".gmm-play");
  const half = document.querySelector(".gmm-half");
  const meta = state.meta;
  let timer = null;
  function last() {{ return half.checked ? meta.n_half_steps - 1 : meta.n_iter; }}
  function show(step) {{
    slider.max = String(last());
    slider.value = String(step);
    readout.textContent = (half.checked ? "half-step " : "iteration ") + step + " / " + last();
  }}
  function go(step) {{
    step = Math.max(0, Math.min(last(), step));
    show(step);
    model.set("step", step);
  }}
  // the picture's own keys (←/→, Home/End, Space) move the step: the controls follow
  model.on("change:step", () => show(model.get("step")));
  function pause() {{ clearInterval(timer); timer = null; play.textContent = "▶ play"; }}
  play.addEventListener("click", () => {{
    if (timer) return pause();
    if (+slider.value >= last()) go(0);
    play.textContent = "❚❚ pause";
    timer = setInterval(() => (+slider.value >= last() ? pause() : go(+slider.value + 1)),
                        {interval});
  }});
  document.querySelector(".gmm-back").addEventListener("click", () => go(+slider.value - 1));
  document.querySelector(".gmm-next").addEventListener("click", () => go(+slider.value + 1));
  slider.addEventListener("input", () => go(+slider.value));
  half.addEventListener("change", () => {{
    const h = model.get("half_steps") ? +slider.value : 2 * +slider.value;
    model.set("half_steps", half.checked);
    go(half.checked ? h : Math.floor(h / 2));
  }});
  go(+slider.value);
}})();
</script>
</body>
</html>
"""


def _module_as_script() -> str:
    """explorer.js as a classic script defining ``window.gmmlearnExplorer``.

    A page opened from a file cannot import a module from a string without a blob URL; the
    module has one ``export default {…};`` line, which becomes an assignment.
    """
    source = (_HERE / "explorer.js").read_text(encoding="utf-8")
    if source.count(_EXPORT_PREFIX) != 1:
        raise RuntimeError(f"explorer.js must have a single export, a line {_EXPORT_PREFIX!r}…")
    body = source.replace(_EXPORT_PREFIX, "window.gmmlearnExplorer = {")
    return "(function () {\n" + body + "\n})();"


def standalone_html(
    trace: Run,
    *,
    dims=None,
    sigmas=(1.0, 2.0),
    half_steps: bool = True,
    component: int | None = None,
    step: int = 0,
    elev: float = 22.0,
    azim: float = -60.0,
    interval: int = 250,
    title: str | None = None,
) -> str:
    """The page as a string; see :func:`export_html`."""
    if title is None:  # "EM for …", "VB for …": the run's method, not always EM
        title = f"{trace.method.upper()} for a Gaussian mixture, step by step"
    meta, buffers = trace_payload(trace, dims=dims, sigmas=sigmas, component=component)
    state = {
        "meta": meta,
        "step": int(step),
        "half_steps": bool(half_steps),
        "elev": float(elev),
        "azim": float(azim),
        "height": 0,
        "interval": int(interval),
        "webgl": "",
        "glide": True,
    }
    data = json.dumps({"state": state, "buffers": encode_buffers(buffers)})
    # "</" inside the JSON would end the <script> element early
    data = data.replace("</", "<\\/")
    return _PAGE.format(
        title=html.escape(title),
        heading=html.escape(title),
        css=(_HERE / "explorer.css").read_text(encoding="utf-8"),
        script=_module_as_script(),
        data=data,
        step=int(step),
        half_checked=" checked" if half_steps else "",
        interval=int(interval),
    )


def export_html(path, trace: Run, **options) -> str:
    """Write the run as a self-contained page that animates with no kernel; returns the path.

    Written to a temporary beside ``path`` and renamed (:func:`write_file_atomically`): an
    earlier page is replaced only by a complete one. The title defaults to the run's method
    ("EM for a Gaussian mixture, step by step", "VB for …").

    Parameters
    ----------
    path : str or path-like
    trace : Run
    **options
        ``dims``, ``sigmas``, ``half_steps``, ``component``, ``step``, ``elev``, ``azim``,
        ``interval`` (ms between frames when playing) and ``title``.
    """
    page = standalone_html(trace, **options).encode("utf-8")

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            f.write(page)
            f.flush()
            os.fsync(f.fileno())

    write_file_atomically(path, write)
    return str(path)
