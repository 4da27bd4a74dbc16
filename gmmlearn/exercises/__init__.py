r"""Instant feedback for the exercises of lesson 3: write each EM equation yourself.

Every checker calls *your* function on several seeded random problems, compares the answer with
the reference in :mod:`gmmlearn.steps`, and either prints a one-line "correct" or raises
:class:`ExerciseError` saying what is wrong in words: wrong shape, rows of γ not summing to 1,
forgot to subtract μμᵀ, used Σ where Λ belongs, …  A mistake is recognised by computing the
mistaken formula too and seeing that your answer matches it. In a notebook the failure shows as
that one line (plus your own code's frames when it raised), never a traceback into this module;
under nbgrader a check cell scores full points or zero. Your function must return a float64 numpy
array and leave its arguments unchanged (no ``X -= mean``): the next exercise and the EM loop
compute with them. Exercises 2 and 7 call exercise 1: their checks run its check first.
Your function runs under a time limit of a few seconds (a loop that never ends is stopped and
named), and an answer that calls gmmlearn's own implementation of the exercise is refused.

The checkers of lesson 3 (the functions you write, their shapes) are in
:mod:`~gmmlearn.exercises.lesson3`, those of lesson 6 (the bound
L and the gap KL) in :mod:`~gmmlearn.exercises.lesson6`, those of lesson 7 (variational Bayes)
in :mod:`~gmmlearn.exercises.lesson7`; all run on one engine, :mod:`~gmmlearn.exercises._engine`,
where an exercise is described as data. Lesson 3's names are all here, as when this was one
module; lessons 6 and 7's checkers too.
"""

# ruff: noqa: F401 (the names below are gmmlearn.exercises', as when it was one module)
from .._moved import was_one_module
from . import _engine, lesson3, lesson6, lesson7
from ._engine import (
    _ATOL,
    _HERE,
    _N_CASES,
    _RTOL,
    _SIZES,
    Case,
    Edge,
    Exercise,
    ExerciseError,
    Mistake,
    Problem,
    _as_array,
    _call,
    _cell_name,
    _check,
    _check_dependency,
    _close,
    _digits,
    _generic_hint,
    _is_student_frame,
    _Mistake,
    _name_the_mistake,
    _parameter_names,
    _problems,
    _refers_to,
    _shape_message,
    _value_message,
    random_problem,
)
from .lesson3 import (  # and lesson 3's __all__, this package's
    _LAMBDA_AS_COV,
    _SIGMA_FOR_LAMBDA,
    __all__,
    _far_problem,
    _gamma_hints,
    _inv,
    _log_density_one,
    _log_density_pieces,
    _log_density_table,
    _log_joint_using,
    _mahalanobis,
    _shift_over_points,
    _sigma_in_quadratic_table,
    _theta_args,
    check_component_covariances,
    check_component_means,
    check_e_step,
    check_effective_counts,
    check_log_gaussian_density,
    check_log_likelihood,
    check_mixing_weights,
    check_responsibilities,
)
from .lesson6 import check_kl_to_posterior, check_lower_bound
from .lesson7 import check_expected_log_pi, check_W_inverse

was_one_module(__name__, (_engine, lesson3, lesson6, lesson7))
