"""Hostile pushes into a bare repository whose hook runs the guard: each answered within its
time budget (git config exo.timeout) plus a margin, in one line, never a crash."""
import subprocess
import time

from conftest import BIN, bare_server, git, git_env

TOML = 'packs = ["coordination"]\n[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n'


def fast_import(repo, ref, files, parent=None):
    out = [f"commit {ref}\ncommitter T <t@e> 1767225600 +0000\ndata 4\nwork\n"]
    if parent:
        out.append(f"from {parent}\n")
    for path, text in files.items():
        data = text.encode()
        out.append(f"M 100644 inline {path}\ndata {len(data)}\n{text}\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, env=git_env(), input="".join(out).encode(), check=True)


def server(tmp_path, hook="pre-receive"):
    return bare_server(tmp_path, hook)


def deep_repo(tmp_path, depth):
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    fast_import(repo, "refs/heads/main", {"tropo.toml": TOML, "changes/a.md": "---\nstatus: draft\n---\n"})
    deep = "/".join(["d"] * depth) + "/x.md"
    fast_import(repo, "refs/heads/main", {deep: "---\nstatus: active\n---\n"}, parent="refs/heads/main^0")
    return repo


def test_a_very_deep_path_is_answered_within_the_budget(tmp_path):
    repo = deep_repo(tmp_path, 3000)
    bare = server(tmp_path)
    git(bare, "config", "exo.timeout", "1")
    # the first commit goes in as an import; the deep one is judged
    assert git(repo, "push", "-q", str(bare), "main~1:refs/heads/main", check=False).returncode == 0
    start = time.monotonic()
    r = git(repo, "push", str(bare), "main:refs/heads/main", check=False)
    took = time.monotonic() - start
    assert took < 1 + 1 + 3, took  # the budget, the second GUARD.md allows, and git's own work
    assert r.returncode != 0
    assert "remote: exo-guard: blocked" in r.stderr and "exo.timeout" in r.stderr
    lines = [l for l in r.stderr.splitlines() if l.startswith("remote: exo-guard")]
    assert len(lines) == 1, r.stderr
    # exo.onTimeout accept lets it through, saying so
    git(bare, "config", "exo.onTimeout", "accept")
    r = git(repo, "push", str(bare), "main:refs/heads/main", check=False)
    assert r.returncode == 0 and "goes through unchecked" in r.stderr


def test_the_budget_reads_the_server_config_only(tmp_path):
    bare = server(tmp_path)
    git(bare, "config", "exo.timeout", "soon")
    repo = deep_repo(tmp_path, 3)
    r = git(repo, "push", str(bare), "main:refs/heads/main", check=False)
    assert r.returncode != 0 and "exo.timeout" in r.stderr and "'soon'" in r.stderr


def test_gitlab_prefix_and_gitea_layout(tmp_path):
    """GitLab (GL_ID set): the pusher's lines carry GL-HOOK-ERR:. Gitea runs every script in
    hooks/pre-receive.d/, as its own hooks/pre-receive does: the shipped script works there."""
    from test_guard import change, make_repo, workspace
    import pathlib
    repo = make_repo(tmp_path / "repo", workspace(), install=False)
    bare = tmp_path / "gitea.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    d = bare / "hooks" / "pre-receive.d"
    d.mkdir()
    shipped = (pathlib.Path(__file__).resolve().parent.parent / "hooks" / "pre-receive").read_text()
    (d / "exo-guard").write_text(shipped)
    (d / "exo-guard").chmod(0o755)
    # Gitea's own pre-receive: every script of pre-receive.d with the same stdin
    runner = bare / "hooks" / "pre-receive"
    runner.write_text('#!/bin/sh\ndata=$(cat)\nfor h in "$(dirname "$0")"/pre-receive.d/*; do\n'
                      '  printf "%s\\n" "$data" | "$h" || exit 1\ndone\n')
    runner.chmod(0o755)
    git(repo, "remote", "add", "origin", str(bare))
    env = {"EXO_GUARD_BIN": BIN, "GL_ID": "user-1"}
    assert git(repo, "push", "-q", "origin", "main", env=env, check=False).returncode == 0
    (repo / "changes/b.md").write_text(change("active", "auth"))
    git(repo, "commit", "-qam", "collide")
    r = git(repo, "push", "origin", "main", env=env, check=False)
    assert r.returncode != 0
    assert "remote: GL-HOOK-ERR: exo-guard: blocked" in r.stderr
    assert all(l.startswith("remote: GL-HOOK-ERR: ") for l in r.stderr.splitlines() if "exo-guard" in l)


def test_a_huge_document_is_read_only_as_far_as_its_frontmatter(tmp_path):
    """A document far larger than exo.maxFrontmatter is judged from its first lines; one whose
    frontmatter runs past the limit is refused in one line naming the file, the size and the key."""
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    fast_import(repo, "refs/heads/main", {"tropo.toml": TOML, "changes/a.md": "---\nstatus: active\ntouches: [m]\n---\n"})
    big = "---\nstatus: active\ntouches: [m]\n---\n" + ("body line of a big document\n" * 120_000)  # about 3.4 MiB
    fast_import(repo, "refs/heads/main", {"changes/b.md": big}, parent="refs/heads/main^0")
    bare = server(tmp_path)
    git(bare, "config", "exo.maxFrontmatter", str(1 << 20))
    assert git(repo, "push", "-q", str(bare), "main~1:refs/heads/main", check=False).returncode == 0
    r = git(repo, "push", str(bare), "main:refs/heads/main", check=False)
    assert r.returncode != 0 and "a <-> b" in r.stderr, r.stderr  # judged: b collides with a
    # a frontmatter that never closes within the limit
    endless = "---\nstatus: active\n" + ("note: more\n" * 200_000)
    fast_import(repo, "refs/heads/other", {"changes/c.md": endless}, parent="refs/heads/main~1")
    r = git(repo, "push", str(bare), "other:refs/heads/other", check=False)
    assert r.returncode != 0
    line = [l for l in r.stderr.splitlines() if "exo-guard" in l]
    assert len(line) == 1 and "changes/c.md" in line[0] and "MiB" in line[0] and "exo.maxFrontmatter" in line[0], r.stderr


def test_a_push_of_many_branches_is_answered_within_the_budget(tmp_path):
    """Every pushed ref against every other would cost their number squared: past 64 refs the
    refs of one push are not watched against each other, and the push says so in one line."""
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    files = {"tropo.toml": TOML}
    files.update({f"modules/m{i}.md": "# m\n" for i in range(80)})
    files.update({f"changes/c{i}.md": "---\nstatus: draft\n---\n" for i in range(80)})
    fast_import(repo, "refs/heads/main", files)
    for i in range(80):
        fast_import(repo, f"refs/heads/b{i}", {f"changes/c{i}.md": f"---\nstatus: active\ntouches: [m{i}]\n---\n"},
                    parent="refs/heads/main^0")
    bare = server(tmp_path)
    assert git(repo, "push", "-q", str(bare), "main", check=False).returncode == 0
    start = time.monotonic()
    r = git(repo, "push", str(bare), "refs/heads/b*:refs/heads/b*", check=False)
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - start < 4 + 1 + 3
    assert "80 refs in one push: they are not watched against each other" in r.stderr
    assert git(bare, "rev-parse", "--verify", "-q", "refs/heads/b79", check=False).returncode == 0


def test_many_new_pairs_make_a_bounded_report(tmp_path):
    """1,225 new pairs: the report lists 20 and counts the rest by shared target; --json lists
    at most 1,000 of each kind and says so with the totals."""
    import json
    from conftest import guard
    repo = tmp_path / "r"
    repo.mkdir()
    (repo / "tropo.toml").write_text(TOML)
    (repo / "changes").mkdir()
    (repo / "modules").mkdir()
    (repo / "modules/auth.md").write_text("# auth\n")
    for i in range(50):
        (repo / "changes" / f"c{i:02d}.md").write_text("---\nstatus: draft\ntouches: [auth]\n---\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "drafts")
    for i in range(50):
        (repo / "changes" / f"c{i:02d}.md").write_text("---\nstatus: active\ntouches: [auth]\n---\n")
    git(repo, "add", "-A")
    r = guard("check", "--staged", cwd=repo)
    assert r.returncode == 1
    assert r.stdout.count("\n  new conflict ") == 20
    assert "and 1205 more new conflict(s)" in r.stdout and "auth: shared by 1205 of them" in r.stdout
    out = json.loads(guard("check", "--staged", "--json", cwd=repo).stdout)
    assert len(out["new"]) == 1000 and out["truncated"] is True and out["totals"]["new"] == 1225
