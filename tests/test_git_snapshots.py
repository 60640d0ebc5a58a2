"""The graph read straight from git objects equals the reference run on the files:
`--rev HEAD` inside a bare clone, and `--staged` with the work tree emptied. Then the
ways git hands a repository to a hook: GIT_INDEX_FILE, a relative GIT_DIR, a linked
worktree, extensions.worktreeConfig, a push in quarantine, and the clear errors."""
import os
import shutil
import subprocess

import pytest

from casefiles import CASES, assert_matches, clear_work_tree, commit_case, reference_outputs, write_case
from conftest import git, guard

JSON_COMMANDS = (("conflicts", "--json"), ("board", "--json"))
NAMES = [c[0] for c in CASES]


def committed(tmp_path, name):
    top = tmp_path / "w"
    return top, commit_case(top, name)


@pytest.mark.parametrize("name", NAMES)
def test_rev_head_in_bare_clone(name, tmp_path):
    top, start = committed(tmp_path, name)
    bare = tmp_path / "w.git"
    git(tmp_path, "clone", "-q", "--bare", str(top), str(bare))
    expected = reference_outputs(name)
    for cmd in JSON_COMMANDS:
        args = [*cmd, "--rev", "HEAD"] + (["--root", start] if start else [])
        assert_matches(expected[cmd], guard(*args, cwd=bare), f"{name} bare {' '.join(args)}")


@pytest.mark.parametrize("name", NAMES)
def test_staged_with_work_tree_deleted(name, tmp_path):
    top, start = committed(tmp_path, name)
    clear_work_tree(top)
    expected = reference_outputs(name)
    for cmd in JSON_COMMANDS:
        args = [*cmd, "--staged"] + (["--root", str(top / start)] if start else [])
        assert_matches(expected[cmd], guard(*args, cwd=top), f"{name} staged {' '.join(args)}")


# ---------------------------------------------------------------------------
# Repositories as hooks receive them

TOML = 'packs = ["coordination"]\n[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n'


def change(status, *targets):
    return f"---\nstatus: {status}\ntouches: [{', '.join(targets)}]\n---\n"


@pytest.fixture
def repo(tmp_path):
    top = tmp_path / "repo"
    top.mkdir()
    write_case(top, {"tropo.toml": TOML, "changes/a.md": change("active", "auth"), "changes/b.md": change("draft", "auth")})
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "init")
    return top


def active(result):
    import json
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_git_index_file_points_at_a_temporary_index(repo, tmp_path):
    (repo / "changes/b.md").write_text(change("active", "auth"))
    tmp_index = tmp_path / "other-index"
    shutil.copy(repo / ".git/index", tmp_index)
    git(repo, "add", "changes/b.md", env={"GIT_INDEX_FILE": str(tmp_index)})
    # The real index still has b as a draft; the temporary one has it active.
    assert active(guard("conflicts", "--json", "--staged", cwd=repo))["conflicts"] == []
    got = active(guard("conflicts", "--json", "--staged", cwd=repo, env={"GIT_INDEX_FILE": str(tmp_index)}))
    assert got["conflicts"] == [{"a": "a", "b": "b", "shared": ["auth"]}]
    # Relative to the current directory, as git hands it to a hook.
    rel = os.path.relpath(tmp_index, repo)
    got = active(guard("conflicts", "--json", "--staged", cwd=repo, env={"GIT_INDEX_FILE": rel}))
    assert got["active"] == ["a", "b"]


def test_relative_git_dir(repo, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    got = active(guard("conflicts", "--json", "--rev", "HEAD", cwd=outside,
                       env={"GIT_DIR": os.path.relpath(repo / ".git", outside)}))
    assert got["active"] == ["a"]


def test_discovery_from_a_subfolder(repo):
    got = active(guard("board", "--json", "--rev", "HEAD", cwd=repo / "changes"))
    assert [i["id"] for i in got["items"]] == ["a", "b"]


def test_linked_worktree(repo, tmp_path):
    wt = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "feature", str(wt))
    (wt / "changes/b.md").write_text(change("active", "auth"))
    git(wt, "add", "changes/b.md")
    got = active(guard("conflicts", "--json", "--staged", cwd=wt))
    assert got["active"] == ["a", "b"]
    assert active(guard("conflicts", "--json", "--staged", cwd=repo))["active"] == ["a"]
    assert active(guard("conflicts", "--json", "--rev", "HEAD", cwd=wt / "changes"))["active"] == ["a"]


def test_worktree_config_extension(repo):
    git(repo, "config", "extensions.worktreeConfig", "true")
    git(repo, "config", "--worktree", "exo.mode", "warn")
    got = active(guard("conflicts", "--json", "--rev", "HEAD", cwd=repo))
    assert got["active"] == ["a"]


def test_push_in_quarantine_is_visible_to_pre_receive(repo, tmp_path):
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(server))
    hook = server / "hooks" / "pre-receive"
    log = tmp_path / "seen.json"
    hook.write_text(f"""#!/bin/sh
while read old new ref; do
  "{os.environ.get('EXO_GUARD_BIN_ABS', '')}" conflicts --json --rev "$new" > "{log}" || exit 1
done
""")
    hook.chmod(0o755)
    from conftest import BIN
    hook.write_text(hook.read_text().replace('""', f'"{os.path.abspath(BIN)}"', 1))
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "commit", "-qam", "activate b")
    r = git(repo, "push", "-q", str(server), "HEAD:refs/heads/main", check=False)
    assert r.returncode == 0, r.stderr
    import json
    assert json.loads(log.read_text())["conflicts"] == [{"a": "a", "b": "b", "shared": ["auth"]}]


def one_line_error(result):
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("exo-guard: "), result.stderr
    return lines[0]


def test_bad_revision(repo):
    assert "nope" in one_line_error(guard("conflicts", "--rev", "nope", cwd=repo))


def test_not_a_repository(tmp_path):
    assert "not a git repository" in one_line_error(guard("conflicts", "--staged", cwd=tmp_path, env={"GIT_CEILING_DIRECTORIES": str(tmp_path.parent)}))


def test_sha256_repository(tmp_path):
    top = tmp_path / "sha"
    r = git(tmp_path, "init", "-q", "--object-format=sha256", str(top), check=False)
    if r.returncode != 0:
        pytest.skip("git cannot make SHA-256 repositories here")
    assert "SHA-256" in one_line_error(guard("conflicts", "--staged", cwd=top))


def test_unmerged_index(repo):
    git(repo, "checkout", "-q", "-b", "one")
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "commit", "-qam", "one")
    git(repo, "checkout", "-q", "main")
    (repo / "changes/b.md").write_text(change("done", "auth"))
    git(repo, "commit", "-qam", "main")
    git(repo, "merge", "-q", "one", check=False)
    assert "merge conflicts" in one_line_error(guard("conflicts", "--staged", cwd=repo))


def test_unborn_head_is_an_error_for_rev_but_empty_for_staged(tmp_path):
    top = tmp_path / "new"
    top.mkdir()
    git(top, "init", "-q")
    write_case(top, {"tropo.toml": TOML, "changes/a.md": change("active", "x")})
    git(top, "add", "-A")
    assert active(guard("conflicts", "--json", "--staged", cwd=top))["active"] == ["a"]
    one_line_error(guard("conflicts", "--rev", "HEAD", cwd=top))
