"""Global options stand before or after the subcommand, as exo accepts them (GUARD.md,
"Reading configuration and input"): the output is exo's either way."""
import json
import shutil

import pytest

from conftest import REPO, STATS, git, guard, probes, reference, without_probes

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


def test_a_hook_as_git_runs_it_is_not_parsed_and_says_the_same(tmp_path):
    """`hook pre-commit` with no option, as git runs it, goes straight to the hook without the
    argument parser (`unparsed-hook`); with an option it is parsed. The report and the exit
    code are the same, and a hook given the wrong number of arguments still gets the parser's
    usage."""
    ws = tmp_path / "ws"
    shutil.copytree(EXAMPLE, ws)
    git(ws, "init", "-q")
    git(ws, "add", "-A")
    git(ws, "commit", "-q", "--no-verify", "-m", "init")
    plans = ws / "changes" / "annual-plans.md"
    plans.write_text(plans.read_text().replace("status: draft", "status: active"))
    git(ws, "add", "-A")
    env = {**STATS, "EXO_GUARD_CACHE": "0"}
    plain = guard("hook", "pre-commit", cwd=ws, env=env)
    parsed = guard("hook", "pre-commit", "--mode", "block", cwd=ws, env=env)
    assert plain.returncode == parsed.returncode == 1, plain.stderr
    assert probes(plain)["unparsed-hook"] == 1 and probes(parsed)["unparsed-hook"] == 0
    assert "annual-plans" in plain.stderr and "sso" in plain.stderr
    said = [without_probes(r) for r in (plain, parsed)]
    assert said[0].stdout == said[1].stdout and said[0].stderr == said[1].stderr
    wrong = guard("hook", "update", "refs/heads/x", "0" * 40, cwd=ws)
    assert wrong.returncode == 2 and "Missing expected argument" in wrong.stderr
