"""Hostile pushes into a bare repository whose hook runs the guard: each answered within its
time budget (git config exo.timeout) plus a margin, in one line, never a crash."""
import shutil
import subprocess
import time

import pytest

from conftest import BIN, bare_server, git, git_env

TOML = 'packs = ["coordination"]\n[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n'


def fast_import(repo, ref, files, parent=None, when=1767225600):
    out = [f"commit {ref}\ncommitter T <t@e> {when} +0000\ndata 4\nwork\n"]
    if parent:
        out.append(f"from {parent}\n")
    for path, text in files.items():
        data = text.encode()
        out.append(f"M 100644 inline {path}\ndata {len(data)}\n{text}\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, env=git_env(), input="".join(out).encode(), check=True)


def server(tmp_path, hook="pre-receive"):
    return bare_server(tmp_path, hook)


def push_main(tmp_path, repo, config):
    """A bare server with the hook and git config `config` ({key: value}), holding `repo`'s
    main~1 (pushed first, as an import); then main pushed onto it, timed: (bare, the
    push, its seconds)."""
    bare = server(tmp_path)
    for key, value in config.items():
        git(bare, "config", key, value)
    assert git(repo, "push", "-q", str(bare), "main~1:refs/heads/main", check=False).returncode == 0
    start = time.monotonic()
    r = git(repo, "push", str(bare), "main:refs/heads/main", check=False)
    return bare, r, time.monotonic() - start


def deep_repo(tmp_path, depth):
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    fast_import(repo, "refs/heads/main", {"tropo.toml": TOML, "changes/a.md": "---\nstatus: draft\n---\n"})
    deep = "/".join(["d"] * depth) + "/x.md"
    fast_import(repo, "refs/heads/main", {deep: "---\nstatus: active\n---\n"}, parent="refs/heads/main^0")
    return repo


def test_a_very_deep_path_is_answered_within_the_budget(tmp_path):
    """2,048 folders deep, the most the walks enter (as long a path as Linux lets a
    checkout hold), each frame of them on the stack in a debug build too."""
    repo = deep_repo(tmp_path, 2048)
    bare = server(tmp_path)
    git(bare, "config", "exo.timeout", "1")
    # the first commit goes in as an import; the deep one is judged
    assert git(repo, "push", "-q", str(bare), "main~1:refs/heads/main", check=False).returncode == 0
    start = time.monotonic()
    r = git(repo, "push", str(bare), "main:refs/heads/main", check=False)
    took = time.monotonic() - start
    assert took < 1 + 1 + 3, took  # the budget, the second GUARD.md allows, and git's own work
    lines = [l for l in r.stderr.splitlines() if l.startswith("remote: exo-guard")]
    if r.returncode == 0:
        # judged within the budget: the deep change conflicts with nothing
        assert not any("blocked" in l for l in lines), lines
    else:
        # or out of time: one line, naming the setting
        assert "remote: exo-guard: blocked" in r.stderr and "exo.timeout" in r.stderr
        assert len(lines) == 1, r.stderr
    # a budget it cannot meet (and no cache of the run above): blocked in one line, naming the setting
    git(bare, "update-ref", "refs/heads/main", git(repo, "rev-parse", "main~1").stdout.strip())
    shutil.rmtree(bare / "exo-guard", ignore_errors=True)
    git(bare, "config", "exo.timeout", "0.05")
    r = git(repo, "push", str(bare), "main:refs/heads/main", check=False)
    assert r.returncode != 0
    assert "remote: exo-guard: blocked" in r.stderr and "exo.timeout" in r.stderr and "0.05 s" in r.stderr
    lines = [l for l in r.stderr.splitlines() if l.startswith("remote: exo-guard")]
    assert len(lines) == 1, r.stderr
    # exo.onTimeout accept lets it through, saying so
    git(bare, "config", "exo.onTimeout", "accept")
    r = git(repo, "push", str(bare), "main:refs/heads/main", check=False)
    assert r.returncode == 0 and "goes through unchecked" in r.stderr


@pytest.mark.parametrize("depth", [2049, 8000])
def test_a_path_deeper_than_any_checkout_is_refused_in_one_line(tmp_path, depth):
    """Deeper than the walks go: refused in one line naming the limit, never walked (8,000
    folders deep used to take seconds, 12,000 overflowed the stack: a crash). git's own
    receive takes about a second at 8,000, and grows with the square of the depth."""
    repo = deep_repo(tmp_path, depth)
    bare = server(tmp_path)
    assert git(repo, "push", "-q", str(bare), "main~1:refs/heads/main", check=False).returncode == 0
    start = time.monotonic()
    r = git(repo, "push", str(bare), "main:refs/heads/main", check=False)
    took = time.monotonic() - start
    assert took < 4 + 1 + 3, took
    assert r.returncode != 0
    lines = [l for l in r.stderr.splitlines() if l.startswith("remote: exo-guard")]
    assert len(lines) == 1 and "blocked" in lines[0] and "nested more than 2048 deep" in lines[0], lines
    assert len(lines[0]) < 400, lines[0]  # the path abbreviated
    # the same tree on a branch another line watches: that branch is unreadable, not a crash
    git(repo, "branch", "deep", "main")
    git(repo, "reset", "-q", "--hard", "main~1")
    git(repo, "config", "exo.watchDays", "0")
    (repo / "changes" / "b.md").write_text("---\nstatus: active\n---\n")
    git(repo, "add", "-A")
    r = subprocess.run([BIN, "hook", "pre-commit"], cwd=repo, env=git_env({"EXO_GUARD_STATS": "1"}),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "watched refs 1" in r.stderr


def test_the_budget_reads_the_server_config_only(tmp_path):
    bare = server(tmp_path)
    git(bare, "config", "exo.timeout", "soon")
    repo = deep_repo(tmp_path, 3)
    r = git(repo, "push", str(bare), "main:refs/heads/main", check=False)
    assert r.returncode != 0 and "exo.timeout" in r.stderr and "'soon'" in r.stderr
    git(bare, "config", "--unset", "exo.timeout")
    git(bare, "config", "exo.maxMemory", "lots")
    r = git(repo, "push", str(bare), "main:refs/heads/main", check=False)
    assert r.returncode != 0 and "exo.maxMemory" in r.stderr and "'lots'" in r.stderr and "MiB" in r.stderr


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


def test_symlinks_are_followed_once_each(tmp_path):
    """Symlinks to one document: 5,000 of them through a chain of 39 links (each link was read
    again for every path through it: 20,000 took 23 s), and 2,000 of them 1,000 folders deep
    (each was resolved from the top, the whole path again: 3,000 at 1,500 deep took over two
    minutes). Each becomes a document of its own, as in a checkout; judged within the budget.
    One change is active before: the 12.5 million new pairs are counted, not compared."""
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    doc = "---\nstatus: active\ntouches: [auth]\n---\n"
    fast_import(repo, "refs/heads/main", {"tropo.toml": TOML, "modules/auth.md": "# auth\n", "changes/old.md": doc})
    deep = "deep/" + "/".join(["d"] * 1000)
    out = ["commit refs/heads/main\ncommitter T <t@e> 1767225600 +0000\ndata 4\nwork\nfrom refs/heads/main^0\n",
           f"M 100644 inline changes/real.md\ndata {len(doc)}\n{doc}\n"]
    for h in range(39):
        target = f"l{h + 1}" if h < 38 else "real.md"
        out.append(f"M 120000 inline changes/l{h}\ndata {len(target)}\n{target}\n")
    out += [f"M 120000 inline changes/x{k}.md\ndata 2\nl0\n" for k in range(5000)]
    out.append(f"M 100644 inline {deep}/changes/real.md\ndata {len(doc)}\n{doc}\n")
    out += [f"M 120000 inline {deep}/changes/y{k}.md\ndata 7\nreal.md\n" for k in range(2000)]
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, env=git_env(), input="".join(out).encode(), check=True)
    _, r, took = push_main(tmp_path, repo, {"exo.timeout": "60"})
    print(f"7,000 symlinks to documents, pre-receive: {took:.2f} s")
    # old and x0..x4999 on one module: 5,001 changes (deep/ holds no change folder of the
    # workspace's types, and its real.md, walked last, gives the id `real` a document that
    # is no change), every pair new, counted from the index: more than 1,000 ids changed,
    # all of them activated
    assert r.returncode != 0 and "gave up" not in r.stderr, r.stderr[-800:]
    assert f"remote: exo-guard: blocked \u2014 {5001 * 5000 // 2} new conflict(s)" in r.stderr
    # ... through the fast path: the hook run in place says which way it counted
    old, new = git(repo, "rev-parse", "main~1", "main").stdout.split()
    git(repo, "config", "exo.timeout", "60")
    r = subprocess.run([BIN, "hook", "pre-receive"], cwd=repo, env=git_env({"EXO_GUARD_STATS": "1"}),
                       input=f"{old} {new} refs/heads/main\n", capture_output=True, text=True)
    assert r.returncode == 1 and "activated-pairs-counted=1" in r.stderr and "gave up" not in r.stderr
