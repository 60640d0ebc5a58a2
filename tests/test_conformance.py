"""exo-guard against the reference exo on every generated workspace, on the files:
conflicts and board, text and JSON, and the same failures (exit 2 with one line)."""
import pytest

from casefiles import CASES, COMMANDS, assert_matches, reference_outputs, root_args, write_case
from conftest import guard


def test_enough_cases():
    assert len(CASES) >= 200


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_files_equal_reference(name, tmp_path):
    _, files, start = next(c for c in CASES if c[0] == name)
    top = tmp_path / "w"
    top.mkdir()
    write_case(top, files)
    expected = reference_outputs(name)
    for cmd in COMMANDS:
        assert_matches(expected[cmd], guard(*cmd, *root_args(top, start), cwd=top), f"{name} {' '.join(cmd)}")
