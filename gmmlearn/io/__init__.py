"""The 2019 original's files: ``x.csv`` in; ``z.csv``, ``params.dat``, ``em_likelihood.txt``
and ``em.png`` out.

=====================  ==================================================================
file                   content
=====================  ==================================================================
``x.csv``              the points, one per line, values separated by commas
``z.csv``              γ of the final θ, N rows of K comma-separated values ('%.18e')
``params.dat``         π, μ and the precision matrices Λ_k = Σ_k⁻¹, in the original's
                       sections, every number written in full (shortest exact repr)
``em_likelihood.txt``  ``step<TAB>log-likelihood``, then ln p(X | θ_t) for t = 0 … T
``em.png``             the points coloured by most probable component, means marked
=====================  ==================================================================

Three modules: :mod:`~gmmlearn.io.tables` reads tables of numbers (encodings, headers,
separators, one-line errors), :mod:`~gmmlearn.io.formats` holds the seed's files, and
:mod:`~gmmlearn.io._atomic` the atomic writes (temporaries, renames rolled back, a lock per
folder, a forked second writer), which know nothing of mixtures. Every name is also here, as
when ``gmmlearn.io`` was one module, and a name patched here reaches the module that reads it.
"""

# ruff: noqa: F401 (the names below are gmmlearn.io's, as when it was one module)
from __future__ import annotations

import os  # (gmmlearn.io.os, as when this was one module: tests patch os.replace)

from .._moved import was_one_module
from . import _atomic, formats, tables
from ._atomic import (
    Writer,
    _backup,
    _can_share,
    _folder_lock,
    _make_folder,
    _os_error,
    _pid_alive,
    _replace_all,
    _stage,
    _tidy_leftovers,
    _umask,
    _write_atomically,
    _write_in_two_processes,
    remove_folder_if_free,
)
from .formats import (
    _CLUSTER,
    _LIKELIHOOD_HEADER,
    _ROWS_PER_BLOCK,
    _ROWS_TO_SHARE,
    _SECTIONS,
    _TYPE,
    OUTPUT_FILES,
    _format_rows,
    _likelihood_writer,
    _number,
    _params_writer,
    _parse_numbers,
    _responsibilities_writer,
    _vector,
    _write_rows_shared,
    read_likelihood,
    read_params,
    tidy_stale_temporaries,
    write_likelihood,
    write_params,
    write_responsibilities,
    write_results,
)
from .tables import (
    _UTF16_BOMS,
    PathLike,
    _data_lines,
    _diagnose,
    _encoding,
    _fields,
    _find_header,
    _hint,
    _is_integer,
    _is_number,
    _looks_numeric,
    _open_error,
    _parse,
    _read_table,
    _read_text,
    read_points,
    read_responsibilities,
)

__all__ = [
    "OUTPUT_FILES",
    "read_likelihood",
    "read_params",
    "read_points",
    "read_responsibilities",
    "write_likelihood",
    "write_params",
    "write_responsibilities",
    "write_results",
]

was_one_module(__name__, (tables, formats, _atomic))
