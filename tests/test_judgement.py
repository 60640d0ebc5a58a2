"""When the guard cannot judge (GUARD.md): broken bases never block, broken targets block
in mode block and go through in mode warn, imports into empty repositories pass, doubtful
changes are named (and block with exo.strict), and the small messages say what to do."""
import json

import pytest

from conftest import BIN, bare_server, git, guard
from test_guard import change, head, make_repo, workspace

BROKEN_TOML = 'packs = ["coordination"\n'


def commit(repo, *args, env=None):
    git(repo, "add", "-A")
    return git(repo, "commit", "-q", "-m", "change", *args, env=env, check=False)


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path / "repo", workspace())


def test_a_broken_config_is_blocked_then_let_through_in_warn_mode(repo):
    before = head(repo)
    (repo / "tropo.toml").write_text(BROKEN_TOML)
    r = commit(repo)
    assert r.returncode != 0 and head(repo) == before
    assert "exo-guard: blocked" in r.stderr and "tropo.toml" in r.stderr
    r = guard("check", "--staged", "--json", cwd=repo)
    out = json.loads(r.stdout)
    assert r.returncode == 1 and out["decision"] == "block" and "tropo.toml" in out["error"]
    r = commit(repo, env={"EXO_GUARD_MODE": "warn"})
    assert r.returncode == 0 and head(repo) != before
    assert "exo-guard: warning" in r.stderr and "tropo.toml" in r.stderr


def test_the_commit_that_fixes_a_broken_base_goes_through(tmp_path, repo):
    server = bare_server(tmp_path)
    git(repo, "remote", "add", "origin", str(server))
    assert git(repo, "push", "-q", "origin", "main", check=False).returncode == 0
    # the broken config gets in past every guard
    git(server, "config", "exo.mode", "off")
    (repo / "tropo.toml").write_text(BROKEN_TOML)
    assert commit(repo, "--no-verify").returncode == 0
    assert git(repo, "push", "-q", "--no-verify", "origin", "main", check=False).returncode == 0
    git(server, "config", "exo.mode", "block")
    # the fix: the base cannot be read, which never blocks; the target's own conflicts count as existing
    write = workspace()
    (repo / "tropo.toml").write_text(write["tropo.toml"])
    (repo / "changes/b.md").write_text(change("active", "auth"))  # a <-> b, judged against nothing
    r = commit(repo)
    assert r.returncode == 0, r.stderr
    assert "cannot read the base" in r.stderr and "tropo.toml" in r.stderr
    r = git(repo, "push", "origin", "main", check=False)
    assert r.returncode == 0, r.stderr
    assert git(server, "rev-parse", "main").stdout == git(repo, "rev-parse", "main").stdout
    assert "remote: exo-guard: cannot read the base" in r.stderr
    r = guard("check", "--rev", "HEAD", "--base", "HEAD~1", "--json", cwd=repo)
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["new"] == [] and "tropo.toml" in out["base_error"]
    assert [(c["a"], c["b"]) for c in out["existing"]] == [("a", "b")]


def conflicted_repo(tmp_path):
    files = workspace()
    files["changes/b.md"] = change("active", "auth")  # a <-> b already
    return make_repo(tmp_path / "repo", files)


def test_first_push_into_an_empty_server_is_an_import(tmp_path):
    repo = conflicted_repo(tmp_path)
    server = bare_server(tmp_path)
    git(repo, "remote", "add", "origin", str(server))
    r = git(repo, "push", "origin", "main", check=False)  # pre-push and pre-receive both run
    assert r.returncode == 0, r.stderr
    assert "an import, not new work" in r.stderr and "brings 1 conflict(s)" in r.stderr
    assert "remote: exo-guard:" in r.stderr
    assert git(server, "rev-parse", "main").stdout == git(repo, "rev-parse", "main").stdout
    # the next colliding push is judged as usual
    (repo / "changes/c.md").write_text(change("active", "auth"))
    assert commit(repo, "--no-verify").returncode == 0
    r = git(repo, "push", "--no-verify", "origin", "main", check=False)
    assert r.returncode != 0 and "remote: exo-guard: blocked" in r.stderr


def test_first_push_into_an_empty_remote_is_an_import_for_pre_push(tmp_path):
    repo = conflicted_repo(tmp_path)
    server = tmp_path / "plain.git"
    git(tmp_path, "init", "-q", "--bare", str(server))
    git(repo, "remote", "add", "origin", str(server))
    r = git(repo, "push", "origin", "main", check=False)
    assert r.returncode == 0, r.stderr
    assert "an import, not new work" in r.stderr and "brings 1 conflict(s)" in r.stderr


def test_a_typo_in_a_target_is_doubtful_and_blocks_with_strict(repo):
    (repo / "changes/c.md").write_text(change("active", "auht"))
    git(repo, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=repo)
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["decision"] == "pass"
    assert out["doubtful"] == [{"id": "c", "path": "changes/c.md", "why": "points at a target no document has",
                                "value": "auht"}]
    before = head(repo)
    r = commit(repo)
    assert r.returncode == 0 and "doubtful" in r.stderr and "changes/c.md" in r.stderr and "`auht`" in r.stderr
    git(repo, "reset", "-q", "--soft", before)
    git(repo, "config", "exo.strict", "true")
    r = commit(repo)
    assert r.returncode != 0 and head(repo) == before
    assert "exo-guard: blocked" in r.stderr and "auht" in r.stderr


def test_a_change_whose_frontmatter_does_not_parse_is_named(repo):
    (repo / "changes/d.md").write_text("---\nstatus: active\ntouches:\n\t- auth\n---\n")
    r = commit(repo)
    assert r.returncode == 0
    assert "doubtful" in r.stderr and "changes/d.md" in r.stderr and "does not parse" in r.stderr
    git(repo, "config", "exo.strict", "true")
    (repo / "changes/e.md").write_text("---\nstatus: active\n  bad: indent\n---\n")
    before = head(repo)
    r = commit(repo)
    assert r.returncode != 0 and head(repo) == before and "changes/e.md" in r.stderr


def test_install_writes_pre_merge_commit(repo):
    assert (repo / ".git/hooks/pre-merge-commit").exists()
    assert "hook=pre-merge-commit" in (repo / ".git/hooks/pre-merge-commit").read_text()


@pytest.mark.parametrize("args,words", [
    (["--rev", "HEAD~5"], ["'HEAD~5'", "git log"]),
    (["--rev", "HEAD:changes"], ["'HEAD:changes'", "names a tree", "commit"]),
    (["hook"], ["pre-commit", "pre-push"]),
    (["hook", "pre-push"], ["REMOTE URL"]),
])
def test_small_messages(repo, args, words):
    r = guard(*args, cwd=repo, input="")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) <= 3
    for w in words:
        assert w in r.stderr


def test_bare_repository_without_rev_suggests_rev(tmp_path, repo):
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    r = guard(cwd=bare)
    assert r.returncode == 2 and "--rev" in r.stderr and "bare repository" in r.stderr
    r = guard("--rev", "HEAD", "--json", cwd=bare)
    assert r.returncode == 0 and json.loads(r.stdout)["active"] == ["a"]


def test_unknown_pack_names_the_config_and_the_pack(repo):
    (repo / "tropo.toml").write_text('packs = ["coordinaton"]\n')
    r = guard(cwd=repo)
    assert r.returncode == 2
    line = r.stderr.strip()
    assert "tropo.toml" in line and "'coordinaton'" in line and ".tropo/packs/coordinaton.toml" in line


def test_version_names_the_build_and_libgit2(tmp_path):
    r = guard("--version", env={"LD_DEBUG": "libs"})
    assert r.returncode == 0
    first, second = r.stdout.splitlines()
    assert first.startswith("exo-guard 0.2.0 (commit ")
    assert second.startswith("libgit2 1.") and "libgit2.so" in r.stderr
    # a libgit2 that cannot be loaded is named, and --version still answers
    (tmp_path / "libgit2.so.1.5").write_bytes(b"not a library")
    r = guard("--version", env={"LD_LIBRARY_PATH": str(tmp_path)})
    assert r.returncode == 0 and "libgit2 not loadable" in r.stdout


def test_an_import_without_a_workspace_is_silent(tmp_path):
    repo = make_repo(tmp_path / "plain", {"src/main.c": "int main(){}\n"})
    bare = bare_server(tmp_path)
    r = git(repo, "push", str(bare), "main", check=False)
    assert r.returncode == 0 and "exo-guard" not in r.stderr
