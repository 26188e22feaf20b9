"""The suite's set-up: its plugins live in ``tests/lesson_testing/``, one job each.

``pyproject.toml`` puts the repository and ``tests/`` on ``sys.path`` (``pythonpath``), so the
plugins and the science probes load whatever is collected: a notebook alone
(``pytest notebooks/06-build-datacube.ipynb``) included.
"""

pytest_plugins = [
    "lesson_testing.scheduling",
    "lesson_testing.nbval_capture",
    "lesson_testing.kernels",
    "lesson_testing.servers",
]
