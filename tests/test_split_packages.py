"""Packages under the old names (issue 19): gmmlearn.io and gmmlearn.exercises keep every name
their one module defined, and a name patched on them reaches the part that reads it. (The shims of
moved modules are listed in tests/test_shims.py.)
"""

from __future__ import annotations

import pytest

import gmmlearn.exercises
import gmmlearn.exercises.lesson6
import gmmlearn.exercises.lesson7
import gmmlearn.io

# What io.py and exercises.py defined (not imported) at 9639fae, before the split.
OLD_IO_NAMES = """OUTPUT_FILES PathLike Writer _CLUSTER _LIKELIHOOD_HEADER _ROWS_PER_BLOCK
_ROWS_TO_SHARE
_SECTIONS _TYPE _UTF16_BOMS _backup _can_share _data_lines _diagnose _encoding _fields _find_header
_folder_lock _format_rows _hint _is_integer _is_number _likelihood_writer _looks_numeric
_make_folder _number _open_error _os_error _params_writer _parse _parse_numbers _pid_alive
_read_table _read_text _replace_all _responsibilities_writer _stage _umask _vector
_write_atomically _write_rows_shared read_likelihood read_params read_points read_responsibilities
remove_folder_if_free tidy_stale_temporaries write_likelihood write_params write_responsibilities
write_results os""".split()
OLD_EXERCISES_NAMES = """ExerciseError Problem _ATOL _HERE _LAMBDA_AS_COV _Mistake _N_CASES _RTOL
_SIGMA_FOR_LAMBDA _SIZES _as_array _call _cell_name _check _check_dependency _close _digits
_far_problem _gamma_hints _generic_hint _inv _is_student_frame _log_density_one
_log_density_pieces _log_density_table _log_joint_using _mahalanobis _name_the_mistake
_parameter_names _problems _refers_to _shape_message _shift_over_points _sigma_in_quadratic_table
_theta_args _value_message check_component_covariances check_component_means check_e_step
check_effective_counts check_log_gaussian_density check_log_likelihood check_mixing_weights
check_responsibilities random_problem""".split()


@pytest.mark.parametrize(
    "package, names", [(gmmlearn.io, OLD_IO_NAMES), (gmmlearn.exercises, OLD_EXERCISES_NAMES)]
)
def test_a_package_keeps_every_name_of_the_module_it_was(package, names):
    assert [name for name in names if not hasattr(package, name)] == []


def test_lesson_6_and_7_checkers_are_also_in_the_exercises_package():
    assert gmmlearn.exercises.check_lower_bound is gmmlearn.exercises.lesson6.check_lower_bound
    assert gmmlearn.exercises.check_W_inverse is gmmlearn.exercises.lesson7.check_W_inverse


def test_a_name_patched_on_a_split_package_reaches_the_part_that_reads_it(monkeypatch):
    tables, formats = gmmlearn.io.tables, gmmlearn.io.formats
    monkeypatch.setattr(gmmlearn.io, "_ROWS_TO_SHARE", 7)
    monkeypatch.setattr(gmmlearn.io, "open", "patched", raising=False)  # a builtin: every part
    monkeypatch.setattr(gmmlearn.exercises, "_RTOL", 0.5)
    assert formats._ROWS_TO_SHARE == 7 and gmmlearn.io._ROWS_TO_SHARE == 7
    assert tables.open == "patched" and gmmlearn.io._atomic.open == "patched"
    assert gmmlearn.exercises._engine._RTOL == 0.5
    monkeypatch.undo()
    assert formats._ROWS_TO_SHARE == 400_000 and gmmlearn.exercises._engine._RTOL == 1e-6
    assert "open" not in vars(tables) and not hasattr(gmmlearn.io, "open")


def test_no_frame_of_gmmlearn_is_shown_as_the_students_after_the_move():
    """The exercises moved a folder down: a frame in gmmlearn.steps is still not the student's
    (and tests that look for "gmmlearn/exercises.py" in the shown lines could no longer see it)."""
    from gmmlearn import steps

    def calls_the_library_wrongly(X, mean, covariance):
        # not the exercise's own function, which the checker refuses before running anything
        return steps.mixing_weights(X[:, 0], "not a count")

    with pytest.raises(gmmlearn.exercises.ExerciseError) as info:
        gmmlearn.exercises.check_log_gaussian_density(calls_the_library_wrongly)
    shown = "\n".join(info.value._render_traceback_())
    assert "in calls_the_library_wrongly" in shown
    assert "gmmlearn/steps.py" not in shown and "gmmlearn/exercises/" not in shown, shown
