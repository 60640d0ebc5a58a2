"""The guard end to end: the real git binary through the installed hooks, asserting the
outcome (commit created or not, ref moved or not) and the report."""
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from casefiles import write_case
from conftest import BIN, git, guard

TOML = ('packs = ["coordination"]\n[types.change]\nfolder = "changes"\n'
        'optional = { touches = "ref-list", gate = "ref" }\n')


def change(status, *targets, assignee=None):
    extra = f"assignee: {assignee}\n" if assignee else ""
    return f"---\nstatus: {status}\ntouches: [{', '.join(targets)}]\n{extra}---\n# change\n"


def workspace(prefix=""):
    return {
        prefix + "tropo.toml": TOML,
        prefix + "modules/auth.md": "# auth\n",
        prefix + "modules/billing.md": "# billing\n",
        prefix + "changes/a.md": change("active", "auth", assignee="alice"),
        prefix + "changes/b.md": change("draft", "auth"),
        prefix + "changes/c.md": change("draft", "billing"),
    }


def head(repo):
    return git(repo, "rev-parse", "HEAD").stdout.strip()


def make_repo(path, files, install=True):
    path.mkdir(parents=True)
    write_case(path, files)
    git(path, "init", "-q")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "init")
    if install:
        r = guard("install", cwd=path)
        assert r.returncode == 0, r.stderr
    return path


@pytest.fixture
def repo(tmp_path):
    return make_repo(tmp_path / "repo", workspace())


def commit(repo, *args, env=None):
    return git(repo, "commit", "-q", "-m", "change", *args, env=env, check=False)


def test_colliding_activation_is_blocked_with_a_report(repo):
    before = head(repo)
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "changes/b.md")
    r = commit(repo)
    assert r.returncode != 0
    assert head(repo) == before
    report = r.stderr
    assert "exo-guard: blocked" in report
    assert "a <-> b" in report
    assert "changes/a.md" in report and "changes/b.md" in report
    assert "[activated here]" in report
    assert "assignee @alice" in report
    assert "share: auth (modules/auth.md)" in report
    assert "HEAD " + before[:7] + " -> the staged changes" in report
    assert ("next step: set `status:` in changes/b.md to something other than active, "
            "or drop `auth` from its `touches`; or agree with @alice, who holds a") in report
    # agents take the easiest way out: the bypass is shown only with exo.showBypass
    assert "--no-verify" not in report and "EXO_GUARD_MODE" not in report
    git(repo, "config", "exo.showBypass", "true")
    r = commit(repo)
    assert r.returncode != 0 and head(repo) == before
    assert "git commit --no-verify" in r.stderr and "EXO_GUARD_MODE=warn" in r.stderr


def test_warn_mode_from_the_environment(repo):
    before = head(repo)
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "changes/b.md")
    r = commit(repo, env={"EXO_GUARD_MODE": "warn"})
    assert r.returncode == 0, r.stderr
    assert head(repo) != before
    assert "exo-guard: warning" in r.stderr and "a <-> b" in r.stderr


def test_warn_mode_from_git_config(repo):
    git(repo, "config", "exo.mode", "warn")
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "changes/b.md")
    r = commit(repo)
    assert r.returncode == 0 and "exo-guard: warning" in r.stderr


def test_bad_mode_is_an_error_naming_value_and_source(repo):
    git(repo, "config", "exo.mode", "loud")
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "changes/b.md")
    before = head(repo)
    r = commit(repo)
    assert r.returncode != 0 and head(repo) == before
    assert "'loud'" in r.stderr and "git config exo.mode" in r.stderr
    r = guard("check", "--staged", cwd=repo, env={"EXO_GUARD_MODE": "nope"})
    assert r.returncode == 2 and "'nope' from EXO_GUARD_MODE" in r.stderr


def test_mode_off_skips(repo):
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "changes/b.md")
    r = commit(repo, env={"EXO_GUARD_MODE": "off"})
    assert r.returncode == 0 and r.stderr == ""


def test_unrelated_activation_passes_with_existing_conflicts(tmp_path):
    files = workspace()
    files["changes/b.md"] = change("active", "auth")  # a <-> b already collide
    repo = make_repo(tmp_path / "r", files)
    (repo / "changes/c.md").write_text(change("active", "billing"))
    git(repo, "add", "changes/c.md")
    before = head(repo)
    r = commit(repo)
    assert r.returncode == 0, r.stderr
    assert head(repo) != before
    assert "blocked" not in r.stderr and "warning" not in r.stderr
    assert "1 existing conflict(s)" in r.stderr


def test_widening_an_existing_pair_is_new(tmp_path):
    files = workspace()
    files["changes/b.md"] = change("active", "auth")
    repo = make_repo(tmp_path / "r", files)
    (repo / "changes/b.md").write_text(change("active", "auth", "billing"))
    (repo / "changes/a.md").write_text(change("active", "auth", "billing", assignee="alice"))
    git(repo, "add", "-A")
    r = commit(repo)
    assert r.returncode != 0
    assert "widened here" in r.stderr


def test_resolving_commit_passes(tmp_path):
    files = workspace()
    files["changes/b.md"] = change("active", "auth")
    repo = make_repo(tmp_path / "r", files)
    (repo / "changes/b.md").write_text(change("done", "auth"))
    git(repo, "add", "-A")
    r = commit(repo)
    assert r.returncode == 0, r.stderr
    assert "1 conflict(s) resolved" in r.stderr


def test_commit_all(repo):
    (repo / "changes/b.md").write_text(change("active", "auth"))
    before = head(repo)
    r = git(repo, "commit", "-q", "-a", "-m", "all", check=False)
    assert r.returncode != 0 and head(repo) == before and "a <-> b" in r.stderr


def test_commit_only_paths(repo):
    (repo / "changes/b.md").write_text(change("active", "auth"))
    (repo / "changes/c.md").write_text(change("active", "billing"))
    before = head(repo)
    r = git(repo, "commit", "-q", "-m", "only c", "--", "changes/c.md", check=False)
    assert r.returncode == 0, r.stderr  # b's activation is not part of this commit
    assert head(repo) != before
    r = git(repo, "commit", "-q", "-m", "only b", "--", "changes/b.md", check=False)
    assert r.returncode != 0 and "a <-> b" in r.stderr


def test_unstaged_activation_does_not_block(repo):
    (repo / "changes/b.md").write_text(change("active", "auth"))
    (repo / "modules/new.md").write_text("# new\n")
    git(repo, "add", "modules/new.md")
    before = head(repo)
    r = commit(repo)
    assert r.returncode == 0, r.stderr
    # the commit was made, holds only the staged file, and the hook said nothing
    assert head(repo) != before and r.stderr == ""
    assert git(repo, "show", "--name-only", "--format=", "HEAD").stdout.split() == ["modules/new.md"]
    # the same activation staged is what blocks
    git(repo, "add", "changes/b.md")
    r = commit(repo)
    assert r.returncode != 0 and "a <-> b" in r.stderr


def test_workspace_in_a_subfolder(tmp_path):
    repo = make_repo(tmp_path / "r", {"README.md": "# project\n", **workspace("docs/graph/")})
    (repo / "docs/graph/changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "-A")
    r = commit(repo)
    assert r.returncode != 0
    assert "workspace docs/graph/" in r.stderr and "docs/graph/changes/b.md" in r.stderr


def test_two_workspaces_are_each_checked(tmp_path):
    repo = make_repo(tmp_path / "r", {**workspace("one/"), **workspace("two/")})
    (repo / "two/changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "-A")
    r = commit(repo)
    assert r.returncode != 0 and "workspace two/" in r.stderr and "workspace one/" not in r.stderr


def test_exo_root_limits_the_workspaces(tmp_path):
    repo = make_repo(tmp_path / "r", {**workspace("one/"), **workspace("two/")})
    git(repo, "config", "exo.root", "one")
    (repo / "two/changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "-A")
    before = head(repo)
    assert commit(repo).returncode == 0 and head(repo) != before
    # the hook does run, on the workspace exo.root names
    (repo / "one/changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "-A")
    r = commit(repo)
    assert r.returncode != 0 and "workspace one/" in r.stderr and head(repo) != before


def test_linked_worktree(repo, tmp_path):
    wt = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", "-b", "feature", str(wt))
    (wt / "changes/b.md").write_text(change("active", "auth"))
    git(wt, "add", "-A")
    r = git(wt, "commit", "-q", "-m", "in worktree", check=False)
    assert r.returncode != 0 and "a <-> b" in r.stderr


def test_repository_without_a_workspace_is_silent(tmp_path):
    repo = make_repo(tmp_path / "plain", {"src/main.c": "int main(){}\n", "changes/x.md": change("active", "auth")})
    (repo / "changes/y.md").write_text(change("active", "auth"))
    git(repo, "add", "-A")
    r = commit(repo)
    assert r.returncode == 0 and r.stderr == ""


def test_first_commit_on_an_unborn_branch(tmp_path):
    repo = tmp_path / "new"
    repo.mkdir()
    git(repo, "init", "-q")
    assert guard("install", cwd=repo).returncode == 0
    files = workspace()
    files["changes/b.md"] = change("active", "auth")
    write_case(repo, files)
    git(repo, "add", "-A")
    r = commit(repo)
    assert r.returncode != 0 and "a <-> b" in r.stderr


def test_check_json(repo):
    (repo / "changes/b.md").write_text(change("active", "auth"))
    r = guard("check", "--json", cwd=repo)
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert out["decision"] == "block" and out["mode"] == "block"
    assert out["base"] == head(repo) and out["target"] == "worktree"
    assert out["new"] == [{"a": "a", "b": "b", "shared": ["auth"]}]
    assert out["existing"] == [] and out["resolved"] == [] and out["activated"] == ["b"]
    git(repo, "add", "-A")
    out = json.loads(guard("check", "--json", "--staged", "--mode", "warn", cwd=repo).stdout)
    assert out["decision"] == "warn" and out["target"] == "index"
    out = json.loads(guard("check", "--json", "--base-empty", "--rev", "HEAD", cwd=repo).stdout)
    assert out["decision"] == "pass" and out["base"] == "empty" and out["activated"] == ["a"]


# ---------------------------------------------------------------------------
# Pushes

@pytest.fixture
def server(tmp_path, repo):
    bare = tmp_path / "server.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    git(repo, "remote", "add", "origin", str(bare))
    git(repo, "fetch", "-q", "origin")
    git(repo, "branch", "-q", "--set-upstream-to=origin/main")
    return bare


def server_hook(bare, name):
    dest = bare / "hooks" / name
    text = (pytest.importorskip("pathlib").Path(__file__).parent.parent / "hooks" / name).read_text()
    dest.write_text(text)
    dest.chmod(0o755)


def push_env():
    return {"EXO_GUARD_BIN": os.path.abspath(BIN)}


def colliding_commit(repo):
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "activate b")


def ref(bare, name="refs/heads/main"):
    return git(bare, "rev-parse", "--verify", "-q", name, check=False).stdout.strip()


@pytest.mark.parametrize("hook", ["pre-receive", "update"])
def test_server_rejects_a_colliding_push(server, repo, hook):
    server_hook(server, hook)
    before = ref(server)
    colliding_commit(repo)
    r = git(repo, "push", "origin", "HEAD:refs/heads/main", "--no-verify", env=push_env(), check=False)
    assert r.returncode != 0
    assert ref(server) == before
    assert "remote: exo-guard: blocked" in r.stderr and "remote:     share: auth (modules/auth.md)" in r.stderr


@pytest.mark.parametrize("hook", ["pre-receive", "update"])
def test_server_accepts_a_clean_push(server, repo, hook):
    server_hook(server, hook)
    (repo / "changes/c.md").write_text(change("active", "billing"))
    git(repo, "commit", "-qam", "c", "--no-verify")
    r = git(repo, "push", "origin", "HEAD:refs/heads/main", "--no-verify", env=push_env(), check=False)
    assert r.returncode == 0, r.stderr
    assert ref(server) == head(repo)


@pytest.mark.parametrize("hook", ["pre-receive", "update"])
def test_server_checks_a_new_branch_against_the_default_branch(server, repo, hook):
    server_hook(server, hook)
    colliding_commit(repo)
    r = git(repo, "push", "origin", "HEAD:refs/heads/feature", "--no-verify", env=push_env(), check=False)
    assert r.returncode != 0 and ref(server, "refs/heads/feature") == ""
    assert "a <-> b" in r.stderr
    # A new branch that activates nothing new passes, although main holds an active change.
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    r = git(repo, "push", "origin", "HEAD:refs/heads/other", "--no-verify", env=push_env(), check=False)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("hook", ["pre-receive", "update"])
def test_server_lets_a_deletion_through(server, repo, hook):
    git(repo, "push", "-q", "origin", "HEAD:refs/heads/gone", "--no-verify")
    server_hook(server, hook)
    r = git(repo, "push", "origin", ":refs/heads/gone", "--no-verify", env=push_env(), check=False)
    assert r.returncode == 0, r.stderr
    assert ref(server, "refs/heads/gone") == ""


@pytest.mark.parametrize("hook", ["pre-receive", "update"])
def test_server_warn_mode(server, repo, hook):
    server_hook(server, hook)
    git(server, "config", "exo.mode", "warn")
    colliding_commit(repo)
    r = git(repo, "push", "origin", "HEAD:refs/heads/main", "--no-verify", env=push_env(), check=False)
    assert r.returncode == 0, r.stderr
    assert "remote: exo-guard: warning" in r.stderr and ref(server) == head(repo)


def test_server_ignores_refs_outside_exo_refs(server, repo):
    server_hook(server, "pre-receive")
    colliding_commit(repo)
    r = git(repo, "push", "origin", "HEAD:refs/tags/t1", "--no-verify", env=push_env(), check=False)
    assert r.returncode == 0 and "exo-guard" not in r.stderr, r.stderr
    assert git(server, "rev-parse", "refs/tags/t1").stdout.strip() == head(repo)
    git(server, "config", "exo.refs", "refs/tags/*")
    r = git(repo, "push", "origin", "HEAD:refs/tags/t2", "--no-verify", env=push_env(), check=False)
    assert r.returncode != 0 and "remote: exo-guard: blocked" in r.stderr and "a <-> b" in r.stderr, r.stderr
    assert git(server, "rev-parse", "--verify", "-q", "refs/tags/t2", check=False).returncode != 0


def test_pre_push_blocks_a_colliding_push(server, repo):
    colliding_commit(repo)
    before = ref(server)
    r = git(repo, "push", "origin", "HEAD:refs/heads/main", check=False)
    assert r.returncode != 0 and ref(server) == before
    assert "exo-guard: blocked" in r.stderr and "push of main" in r.stderr
    assert "--no-verify" not in r.stderr
    git(repo, "config", "exo.showBypass", "true")
    r = git(repo, "push", "origin", "HEAD:refs/heads/main", check=False)
    assert r.returncode != 0 and "git push --no-verify" in r.stderr


def test_pre_push_blocks_a_colliding_new_branch(server, repo):
    colliding_commit(repo)
    r = git(repo, "push", "origin", "HEAD:refs/heads/feature", check=False)
    assert r.returncode != 0 and ref(server, "refs/heads/feature") == ""
    assert "a <-> b" in r.stderr


def test_pre_push_passes_a_clean_new_branch(server, repo):
    r = git(repo, "push", "origin", "HEAD:refs/heads/clean", check=False)
    assert r.returncode == 0, r.stderr
    assert ref(server, "refs/heads/clean") == head(repo)
    # the same hook stops a colliding one: it did run
    colliding_commit(repo)
    r = git(repo, "push", "origin", "HEAD:refs/heads/clean", check=False)
    assert r.returncode != 0 and "a <-> b" in r.stderr


def test_pre_push_under_the_pre_commit_framework(server, repo):
    colliding_commit(repo)
    env = {"PRE_COMMIT_FROM_REF": ref(server), "PRE_COMMIT_TO_REF": head(repo),
           "PRE_COMMIT_REMOTE_NAME": "origin", "PRE_COMMIT_REMOTE_URL": str(server)}
    r = guard("hook", "pre-push", cwd=repo, env=env, input="")
    assert r.returncode == 1 and "a <-> b" in r.stderr
    env["PRE_COMMIT_FROM_REF"] = head(repo)
    assert guard("hook", "pre-push", cwd=repo, env=env, input="").returncode == 0


# ---------------------------------------------------------------------------
# install / uninstall

def test_install_is_idempotent_and_keeps_a_foreign_hook(tmp_path):
    repo = make_repo(tmp_path / "r", workspace(), install=False)
    hooks = repo / ".git/hooks"
    marker = tmp_path / "legacy-ran"
    (hooks / "pre-commit").write_text(f"#!/bin/sh\necho ran > {marker}\nexit 0\n")
    (hooks / "pre-commit").chmod(0o755)
    assert guard("install", cwd=repo).returncode == 0
    assert (hooks / "pre-commit.legacy").exists()
    first = (hooks / "pre-commit").read_text()
    assert os.path.abspath(BIN) in first or os.path.realpath(BIN) in first
    r = guard("install", cwd=repo)
    assert r.returncode == 0 and "already installed" in r.stdout
    assert (hooks / "pre-commit").read_text() == first
    # The foreign hook runs first, then ours blocks.
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "-A")
    assert commit(repo).returncode != 0
    assert marker.exists()
    assert guard("uninstall", cwd=repo).returncode == 0
    assert (hooks / "pre-commit").read_text().startswith("#!/bin/sh\necho ran")
    assert not (hooks / "pre-commit.legacy").exists()
    assert not (hooks / "pre-push").exists()


def test_a_failing_foreign_hook_still_stops_the_commit(tmp_path):
    repo = make_repo(tmp_path / "r", workspace(), install=False)
    hooks = repo / ".git/hooks"
    (hooks / "pre-commit").write_text("#!/bin/sh\necho legacy says no >&2\nexit 3\n")
    (hooks / "pre-commit").chmod(0o755)
    assert guard("install", cwd=repo).returncode == 0
    (repo / "modules/x.md").write_text("# x\n")
    git(repo, "add", "-A")
    r = commit(repo)
    assert r.returncode != 0 and "legacy says no" in r.stderr


def test_install_honours_core_hooks_path(tmp_path):
    repo = make_repo(tmp_path / "r", workspace(), install=False)
    git(repo, "config", "core.hooksPath", ".githooks")
    r = guard("install", "--hook", "pre-commit", cwd=repo / "changes")
    assert r.returncode == 0, r.stderr
    assert (repo / ".githooks/pre-commit").exists()
    assert not (repo / ".git/hooks/pre-commit").exists()
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "-A")
    assert commit(repo).returncode != 0
    assert guard("uninstall", cwd=repo).returncode == 0
    assert not (repo / ".githooks/pre-commit").exists()


def test_installed_hook_without_a_binary_lets_a_local_commit_through(tmp_path):
    repo = make_repo(tmp_path / "r", workspace(), install=False)
    copy = tmp_path / "bin" / "exo-guard"
    copy.parent.mkdir()
    shutil.copy(BIN, copy)
    assert guard("install", cwd=repo).returncode == 0  # records BIN
    text = (repo / ".git/hooks/pre-commit").read_text().replace(os.path.realpath(BIN), str(copy))
    (repo / ".git/hooks/pre-commit").write_text(text)
    copy.unlink()
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "-A")
    r = commit(repo, env={"PATH": "/usr/bin:/bin"})
    assert r.returncode == 0
    assert "exo-guard: not found" in r.stderr


def test_shipped_hooks_are_the_installed_scripts():
    import pathlib
    for name in ("pre-commit", "pre-merge-commit", "pre-push", "update", "pre-receive", "reference-transaction"):
        shipped = (pathlib.Path(__file__).parent.parent / "hooks" / name).read_text()
        assert guard("install", "--print", name).stdout == shipped


# ---------------------------------------------------------------------------
# The parse cache under the git dir

def test_parse_cache_is_written_reused_and_survives_corruption(repo):
    cache = repo / ".git/exo-guard/parse-cache"
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "add", "-A")
    first = guard("hook", "pre-commit", "--json", cwd=repo)
    assert first.returncode == 1 and cache.exists()
    again = guard("hook", "pre-commit", "--json", cwd=repo)
    assert again.stdout == first.stdout
    for garbage in (b"not a cache at all", cache.read_bytes()[:-7], cache.read_bytes()[:40] + b"\xff" * 200):
        cache.write_bytes(garbage)
        r = guard("hook", "pre-commit", "--json", cwd=repo)
        assert r.returncode == 1 and r.stdout == first.stdout
    shutil.rmtree(repo / ".git/exo-guard")
    r = guard("hook", "pre-commit", "--json", cwd=repo, env={"EXO_GUARD_CACHE": "0"})
    assert r.stdout == first.stdout and not cache.exists()


def test_shipped_server_hook_without_a_binary_says_where_it_looked(tmp_path):
    """The shipped scripts name no installed binary: the message says PATH alone, never
    "looked for  and exo-guard"."""
    bare = tmp_path / "s.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    hook = bare / "hooks" / "pre-receive"
    shutil.copy(pathlib.Path(__file__).parent.parent / "hooks" / "pre-receive", hook)
    r = subprocess.run([str(hook)], cwd=bare, input="", capture_output=True, text=True,
                       env={"PATH": "/usr/bin:/bin"})
    assert r.returncode == 1
    assert "exo-guard: not found (looked for exo-guard on PATH); rejecting" in r.stderr, r.stderr


def test_install_warns_of_a_relative_hooks_path(tmp_path):
    repo = make_repo(tmp_path / "r", workspace(), install=False)
    git(repo, "config", "core.hooksPath", ".githooks")
    r = guard("install", cwd=repo)
    assert r.returncode == 0
    assert "core.hooksPath is relative (.githooks)" in r.stderr and "git worktree add" in r.stderr
    assert f"git config core.hooksPath {repo}/.githooks" in r.stderr or "make the path absolute" in r.stderr
    git(repo, "config", "core.hooksPath", str(repo / ".githooks"))
    r = guard("install", cwd=repo)
    assert "relative" not in r.stderr
