"""Decisions taken on the model: certification rules (`rules`), self-assessment gaps and
readiness (`diagnostic`), and the evaluators' queue and the cohort report (`workflow`).

Pure functions of model values: no file is read or written here.
"""
