# gmmlearn — every set-up step is here, so two commands do it all on a fresh machine:
#   make lab    create .venv, install the package with the lesson extras, open JupyterLab on
#               the student's course (student/: the exercises without their solutions)
#   make test   create/update .venv, install the test dependencies, run every test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Students open student/ (nbgrader's release of lessons 3, 6, 7 beside the other lessons);
# the teacher's sources, with the solutions, are in notebooks/ (make teacher).
FIRST_LESSON := student/00_the_generative_view.ipynb
TEACHER_LESSON := notebooks/03_exercises.ipynb
PYTEST_NOTEBOOKS := --nbval notebooks --nbval-sanitize-with notebooks/nbval_sanitize.cfg
# Extra options for JupyterLab, e.g. make lab LAB_ARGS="--port 9000 --no-browser --ip 0.0.0.0".
LAB_ARGS ?=
# As root (Docker, many JupyterHubs) Jupyter refuses to start without --allow-root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
# Many small fits at once: one BLAS/OpenMP thread each avoids oversubscribing two cores.
TEST_ENV := OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

.PHONY: help lab teacher test test-fast lint format bench bench-browser notebooks student clean

help:
	@echo "make lab      JupyterLab at the repository root, the student's first lesson in front (creates .venv)"
	@echo "make teacher  the same with the teacher's sources in front (notebooks/: the solutions)"
	@echo "             options: make lab LAB_ARGS=\"--port 9000 --no-browser --ip 0.0.0.0\""
	@echo "make test     every test: unit, property, CLI, notebooks (nbval), browser (if Chromium)"
	@echo "make bench    speed benchmarks against scikit-learn"
	@echo "make bench-browser  the explorer in JupyterLab + Chromium: key press to pixels, Play, drag"
	@echo "make notebooks re-run the lessons in place after a library change"
	@echo "make student  re-release student/ after editing lesson 3, 6 or 7: nbgrader's release (no solutions)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when the dependency list changes.
$(VENV)/.lessons-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[lessons]'
	touch $@

$(VENV)/.classroom-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[classroom]'
	touch $@ $(VENV)/.lessons-installed

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,e2e]'
	touch $@ $(VENV)/.lessons-installed $(VENV)/.classroom-installed

# Opens at the repository root (README, student/, notebooks/ in the file browser), FIRST_LESSON in front.
lab: $(VENV)/.lessons-installed
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(ALLOW_ROOT) $(LAB_ARGS) $(FIRST_LESSON)

teacher: $(VENV)/.lessons-installed
	$(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" $(ALLOW_ROOT) $(LAB_ARGS) $(TEACHER_LESSON)

test: $(VENV)/.test-installed
	$(BIN)/ruff check gmmlearn tests benchmarks tools notebooks
	$(TEST_ENV) $(BIN)/python -m pytest -q tests $(PYTEST_NOTEBOOKS)

# Everything but the browser and the notebooks, for a quick loop while editing.
test-fast: $(VENV)/.test-installed
	$(TEST_ENV) $(BIN)/python -m pytest -q tests -m "not e2e and not slow"

lint: $(VENV)/.test-installed
	$(BIN)/ruff check gmmlearn tests benchmarks tools notebooks
	$(BIN)/ruff format --check gmmlearn tests benchmarks tools notebooks

format: $(VENV)/.test-installed
	$(BIN)/ruff format gmmlearn tests benchmarks tools notebooks

bench: $(VENV)/.test-installed
	$(BIN)/python benchmarks/bench_em.py
	$(BIN)/python benchmarks/bench_view.py

# Needs /usr/bin/chromium (apt-get install chromium); about 3 minutes.
bench-browser: $(VENV)/.test-installed
	$(BIN)/python benchmarks/bench_browser.py

notebooks: $(VENV)/.test-installed
	$(BIN)/python tools/run_notebooks.py

# nbgrader's own release of lessons 3, 6, 7 into student/ (committed; a test fails when it is stale):
# docs/classroom-nbgrader.md
student: $(VENV)/.classroom-installed
	$(BIN)/python tools/make_student.py

# Everything generated, as .gitignore lists it: the venv, build and test caches, what the lessons
# (notebooks/out), the tools (out/), the command line (gmm_out) and the browser tests wrote.
clean:
	rm -rf $(VENV) out notebooks/out gmm_out build dist .pytest_cache .hypothesis .ruff_cache \
		tests/e2e/screenshots benchmarks/results
	find . -path ./.git -prune -o \( -name __pycache__ -o -name .ipynb_checkpoints \
		-o -name '*.egg-info' -o -name '*.pyc' \) -prune -exec rm -rf {} +
