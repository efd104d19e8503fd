"""Time-boxed fuzzing of mutrec's text and file inputs: only ``MutrecError`` may escape.

Run it with ``nox -s fuzz`` (or ``python -m fuzz --budget-seconds 60`` in a dev venv). It is no
part of ``nox -s tests``: its inputs are random on purpose, and its length is a time budget.
"""
