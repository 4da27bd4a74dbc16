"""nbgrader's feedback pages for the exercises: messages that wrap, graded cells named.

In the course folder's ``nbgrader_config.py``::

    from gmmlearn.exercises.feedback import use_gmmlearn_feedback

    use_gmmlearn_feedback(c)

and ``nbgrader generate_feedback`` writes pages whose long check messages wrap (the whole fix
visible at 1280 px, no horizontal scrollbar) and whose index lists "Check of responsibilities"
rather than seven "Test cell" links. The template is nbgrader's own with those two changes
(``templates/gmmlearn_feedback/index.html.j2``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["TEMPLATES", "TEMPLATE_NAME", "use_gmmlearn_feedback"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "gmmlearn_feedback"


def use_gmmlearn_feedback(c: Any) -> None:
    """Set nbgrader's config ``c`` (``get_config()``) to write gmmlearn's feedback pages.

    Parameters
    ----------
    c : traitlets.config.Config
        The config object of ``nbgrader_config.py``.
    """
    c.HTMLExporter.template_name = TEMPLATE_NAME
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES)]
