"""Global options stand before or after the subcommand, as exo accepts them (GUARD.md,
"Reading configuration and input"): the output is exo's either way."""
import json
import shutil

import pytest

from conftest import REPO, guard, reference

EXAMPLE = str(REPO / "examples" / "workspace")


@pytest.mark.parametrize("args", [
    ["--json", "board"], ["--json", "--root", EXAMPLE, "board"], [f"--root={EXAMPLE}", "--json", "conflicts"],
    ["--json", "roles"], ["--root", EXAMPLE, "board"],
])
def test_options_before_the_subcommand_are_exos(args):
    ours = guard(*args, cwd=EXAMPLE)
    theirs = reference(*args, cwd=EXAMPLE)
    assert ours.returncode == theirs.returncode == 0, ours.stderr
    assert ours.stdout == theirs.stdout


def test_agent_before_claim(tmp_path):
    ws = tmp_path / "ws"
    shutil.copytree(EXAMPLE, ws)
    change = next(p.stem for p in sorted((ws / "changes").glob("*.md")))
    r = guard("--agent", "zed", "--json", "claim", change, cwd=ws)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["assignee"] == "zed"


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completions_offer_the_values_of_mode_and_hook(shell):
    script = guard("--generate-completion-script", shell).stdout
    for value in ("block", "warn", "reference-transaction", "pre-merge-commit"):
        assert value in script, (shell, value)
