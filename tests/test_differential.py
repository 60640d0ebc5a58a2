"""A short stretch of differential fuzzing against the reference (tests/differential.py):
mutated workspaces, 0 differences where the reference succeeds."""
from differential import run


def test_mutated_workspaces_equal_the_reference():
    total, compared, differences = run(40, seed=20261201)
    assert compared == 2 * total
    assert differences == [], differences[:5]
