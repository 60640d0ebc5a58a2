"""Hostile pushes at scale, into a bare repository whose hook runs the guard: many branches
in one push, millions of pairs, thousands of targets, doubtful changes and workspaces,
concurrent hooks, a push that would exhaust memory. Each answered within its budget, with
a bounded report (the paths and documents of test_hostile.py, at scale)."""
import subprocess
import time

from conftest import BIN, git, git_env
from test_hostile import TOML, fast_import, push_main, server  # noqa: F401


def many_branches(tmp_path, n, module):
    """A source repository with n branches b0.., each activating change c{i} on module(i)."""
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    files = {"tropo.toml": TOML}
    files.update({f"modules/m{i}.md": "# m\n" for i in range(n)})
    files.update({f"changes/c{i}.md": "---\nstatus: draft\n---\n" for i in range(n)})
    fast_import(repo, "refs/heads/main", files)
    for i in range(n):
        fast_import(repo, f"refs/heads/b{i}", {f"changes/c{i}.md": f"---\nstatus: active\ntouches: [{module(i)}]\n---\n"},
                    parent="refs/heads/main^0", when=int(time.time()))  # recent: watched (exo.watchDays)
    bare = server(tmp_path)
    assert git(repo, "push", "-q", str(bare), "main", check=False).returncode == 0
    return repo, bare


def test_a_push_of_many_branches_is_judged_ref_against_ref(tmp_path):
    """80 branches in one push, none colliding: every ref is judged against every other, and
    the push is answered within the budget."""
    repo, bare = many_branches(tmp_path, 80, lambda i: f"m{i}")
    start = time.monotonic()
    r = git(repo, "push", str(bare), "refs/heads/b*:refs/heads/b*", check=False)
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - start < 4 + 1 + 3
    assert "not watched against each other" not in r.stderr
    assert git(bare, "rev-parse", "--verify", "-q", "refs/heads/b79", check=False).returncode == 0


def test_a_push_of_many_colliding_branches_is_rejected(tmp_path):
    """70 branches in one push, each activating a change on one module (2,415 pairs): no cap
    lets them through unjudged; the push is rejected and no ref is created."""
    repo, bare = many_branches(tmp_path, 70, lambda i: "m0")
    # what is asserted is the judgement, not the speed (make bench): a debug build on a
    # loaded machine may need more than the default 4 s for 70 refs against each other
    git(bare, "config", "exo.timeout", "60")
    r = git(repo, "push", str(bare), "refs/heads/b*:refs/heads/b*", check=False)
    assert r.returncode != 0
    assert "remote: exo-guard: blocked" in r.stderr and "new conflict" in r.stderr, r.stderr  # judged, not timed out
    assert git(bare, "rev-parse", "--verify", "-q", "refs/heads/b0", check=False).returncode != 0


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


def test_concurrent_hooks_share_the_cache(tmp_path):
    """Eight pushes at once into one bare repository, and eight commits at once in eight
    worktrees, all sharing one cache: every verdict right, the cache intact afterwards (a
    check that reads it again agrees with one that ignores it), and no hook held up by
    another: the cache file takes no lock (entries are appended in one write, or the file
    is written anew and renamed over), so each hook answers within its own budget. The
    durations are recorded; asserted only against the budget plus a second."""
    import json
    from concurrent.futures import ThreadPoolExecutor
    from conftest import BIN, guard
    from test_guard import change, make_repo, workspace
    files = workspace()
    files.update({f"modules/m{i}.md": "# m\n" for i in range(8)})
    files.update({f"changes/w{i}.md": change("draft", f"m{i}") for i in range(8)})
    repo = make_repo(tmp_path / "repo", files)
    bare = server(tmp_path)
    # The server's hook, timed from the inside: each run's start and end, one line each.
    durations = tmp_path / "pre-receive-durations"
    (bare / "hooks" / "pre-receive").write_text(
        f"#!/bin/sh\nstart=$(date +%s.%N)\n{BIN} hook pre-receive \"$@\"\nrc=$?\n"
        f"echo \"$start $(date +%s.%N)\" >> {durations}\nexit $rc\n")
    git(repo, "remote", "add", "origin", str(bare))
    assert git(repo, "push", "-q", "origin", "main", check=False).returncode == 0
    for i in range(8):
        git(repo, "worktree", "add", "-q", str(tmp_path / f"wt{i}"), "-b", f"agent/{i}")
    def commit(i):
        wt = tmp_path / f"wt{i}"
        # even ones take up their own module; odd ones collide with a (active, on auth)
        (wt / "changes" / f"w{i}.md").write_text(change("active", "auth" if i % 2 else f"m{i}"))
        git(wt, "add", "-A")
        start = time.monotonic()
        r = git(wt, "commit", "-qm", f"w{i}", check=False)
        return r, time.monotonic() - start
    with ThreadPoolExecutor(8) as pool:
        timed = list(pool.map(commit, range(8)))
    commits = [r for r, _ in timed]
    slowest = max(t for _, t in timed)
    print(f"eight commits at once: the slowest (git and its pre-commit hook) took {slowest:.2f} s")
    assert slowest < 20 + 1  # exo.timeout's default for a local hook, and a second
    for i, r in enumerate(commits):
        assert (r.returncode == 0) == (i % 2 == 0), (i, r.stderr)
    for i in range(1, 8, 2):  # the colliding ones go in anyway, to be judged by the server
        assert git(tmp_path / f"wt{i}", "commit", "-qm", f"w{i}", "--no-verify", check=False).returncode == 0
    def push(i):
        return git(tmp_path / f"wt{i}", "push", "--no-verify", "origin", f"agent/{i}", check=False)
    with ThreadPoolExecutor(8) as pool:
        pushes = list(pool.map(push, range(8)))
    for i, r in enumerate(pushes):
        assert (r.returncode == 0) == (i % 2 == 0), (i, r.stderr)
        if i % 2:
            assert "remote: exo-guard: blocked" in r.stderr and f"a <-> w{i}" in r.stderr
    runs = [tuple(map(float, line.split())) for line in durations.read_text().splitlines()]
    assert len(runs) == 9  # the push of main, then the eight at once
    slowest = max(end - start for start, end in runs[1:])
    print(f"eight pushes at once: the slowest pre-receive took {slowest:.2f} s")
    assert slowest < 4 + 1  # exo.timeout's default for a server hook, and a second
    # the caches are intact: reading them gives what a run without them gives
    for where, args in ((repo, ["check", "--rev", "agent/1", "--base", "main", "--json", "--mode", "warn"]),
                        (bare, ["check", "--rev", "agent/0", "--base", "main", "--json", "--mode", "warn"])):
        cached = guard(*args, cwd=where)
        plain = guard(*args, cwd=where, env={"EXO_GUARD_CACHE": "0"})
        assert cached.returncode == plain.returncode == 0, cached.stderr
        assert json.loads(cached.stdout) == json.loads(plain.stdout)


def test_millions_of_pairs_are_counted_not_kept(tmp_path):
    """5,000 active changes on one module are 12.5 million pairs (they once grew the hook past
    3.9 GB). One more change on that module, committed and pushed: the verdict and the counts
    come from the index of targets; what the guard holds follows the documents (peak RSS
    recorded, asserted only under the issue's 500 MB), and the report stays bounded."""
    import json
    import resource
    import sys
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    files = {"tropo.toml": TOML + '[types.module]\nfolder = "modules"\n', "modules/auth.md": "# auth\n"}
    files.update({f"changes/c{i:04d}.md": "---\nstatus: active\ntouches: [auth]\n---\n" for i in range(5000)})
    fast_import(repo, "refs/heads/main", files)
    git(repo, "reset", "-q", "--hard", "main")
    (repo / "changes" / "late.md").write_text("---\nstatus: active\ntouches: [auth]\n---\n")
    git(repo, "add", "-A")
    # The peak RSS of one exo-guard run, measured in a process of its own.
    probe = ("import resource, subprocess, sys\n"
             "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
             "print(r.stdout)")
    r = subprocess.run([sys.executable, "-c", probe, BIN, "check", "--staged", "--json"], cwd=repo,
                       env=git_env(), capture_output=True, text=True)
    rss_kib, out = r.stdout.split("\n", 1)
    report = json.loads(out)
    print(f"check --staged with 12.5 million existing pairs: peak RSS {int(rss_kib) // 1024} MiB")
    assert int(rss_kib) < 500 * 1024
    assert report["totals"] == {"new": 5000, "existing": 12497500, "resolved": 0, "activated": 1, "doubtful": 0}
    assert len(report["new"]) == 1000 and len(report["existing"]) == 1000 and report["truncated"] is True
    # On a server, within the budget, blocked in a bounded report.
    bare = server(tmp_path)
    git(bare, "config", "exo.timeout", "30")
    assert git(repo, "push", "-q", str(bare), "main:refs/heads/main", check=False).returncode == 0
    git(repo, "commit", "-qm", "late", "--no-verify")
    start = time.monotonic()
    r = git(repo, "push", str(bare), "HEAD:refs/heads/main", check=False)
    print(f"pre-receive with 12.5 million existing pairs: {time.monotonic() - start:.2f} s")
    assert r.returncode != 0 and "remote: exo-guard: blocked" in r.stderr
    assert r.stderr.count("new conflict (") == 20
    assert "and 4980 more new conflict(s)" in r.stderr and "auth: shared by 4980 of them" in r.stderr
    assert "12497500 existing conflict(s)" in r.stderr


def peak_rss_run(args, cwd):
    """One exo-guard run in a process of its own: (peak RSS in MiB, completed process)."""
    import sys
    probe = ("import resource, subprocess, sys, json\n"
             "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
             "print(json.dumps([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode, r.stdout, r.stderr]))")
    import json
    r = subprocess.run([sys.executable, "-c", probe, BIN, *args], cwd=cwd, env=git_env(), capture_output=True,
                       text=True, check=True)
    rss, code, out, err = json.loads(r.stdout)
    return rss // 1024, subprocess.CompletedProcess(args, code, out, err)


def test_changes_sharing_thousands_of_targets_are_streamed(tmp_path):
    """150 changes that each point at the same 2,000 targets are 11,175 pairs but 22 million
    (pair, shared target) entries (it once took 8 s and 800 MB). Judged from the index of
    targets, listed within bounds: every line of the report names at most ten targets, and
    --json holds at most 100,000 shared targets."""
    import json
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    fast_import(repo, "refs/heads/main", {"tropo.toml": TOML, "changes/old.md": "---\nstatus: active\ntouches: [auth, m1]\n---\n"})
    targets = ", ".join(f"m{t}" for t in range(2000))
    fast_import(repo, "refs/heads/main",
                {f"changes/c{k:03d}.md": f"---\nstatus: active\ntouches: [{targets}]\n---\n" for k in range(150)},
                parent="refs/heads/main^0")
    rss, r = peak_rss_run(["check", "--rev", "main", "--base", "main~1", "--no-watch"], repo)
    print(f"150 changes sharing 2,000 targets, check: peak RSS {rss} MiB")
    assert r.returncode == 1 and "exo-guard: blocked \u2014 11325 new conflict(s)" in r.stdout
    assert r.stdout.count("\n  new conflict ") == 20
    assert "and 11305 more new conflict(s) (--json lists up to 1000 of each kind): m1: shared by 11305 of them" in r.stdout
    assert "(no document) and 1990 more\n" in r.stdout and " and 1990 more from its `touches`" in r.stdout
    assert "exo-guard: and 299980 more doubtful change(s)" in r.stdout
    assert len(r.stdout) < 100_000 and rss < 500
    rss, r = peak_rss_run(["check", "--rev", "main", "--base", "main~1", "--no-watch", "--json"], repo)
    print(f"150 changes sharing 2,000 targets, check --json: peak RSS {rss} MiB")
    report = json.loads(r.stdout)
    assert report["truncated"] is True and report["totals"]["new"] == 11325 and report["totals"]["doubtful"] == 300000
    assert sum(len(c["shared"]) for c in report["new"]) <= 100_000 and len(report["doubtful"]) == 1000
    assert rss < 500
    # On a server: blocked within the budget, the report bounded.
    _, r, _ = push_main(tmp_path, repo, {"exo.timeout": "30"})
    assert r.returncode != 0 and "remote: exo-guard: blocked" in r.stderr and len(r.stderr) < 100_000


def test_thousands_of_doubtful_changes_deep_down_make_a_bounded_report(tmp_path):
    """3,000 new active changes 600 folders down (paths of 2.4 KB), each pointing at a target
    no document has: 20 named, the rest counted (it once wrote 80 MB to the pusher)."""
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    fast_import(repo, "refs/heads/main", {"tropo.toml": TOML, "changes/a.md": "---\nstatus: draft\n---\n"})
    deep = "changes/" + "/".join(["ccc"] * 600)
    fast_import(repo, "refs/heads/main",
                {f"{deep}/x{k}.md": f"---\nstatus: active\ntouches: [typo{k}]\n---\n" for k in range(3000)},
                parent="refs/heads/main^0")
    _, r, _ = push_main(tmp_path, repo, {"exo.timeout": "30", "exo.strict": "true"})
    assert r.returncode != 0 and "remote: exo-guard: blocked \u2014 3000 doubtful change(s) (git config exo.strict)" in r.stderr
    assert r.stderr.count("remote: exo-guard: doubtful (exo.strict: blocks): changes/ccc/") == 20
    assert "remote: exo-guard: and 2980 more doubtful change(s) (--json lists up to 1000)" in r.stderr
    assert len(r.stderr) < 100_000
    rss, _ = peak_rss_run(["check", "--rev", "main", "--base", "main~1", "--no-watch"], repo)
    print(f"3,000 doubtful changes 600 folders down, check: peak RSS {rss} MiB")
    assert rss < 500


def test_a_push_that_would_exhaust_memory_is_stopped_in_one_line(tmp_path):
    """100 copies of one 400 KB document pointing at the same 50,000 targets: a push of a few
    hundred KB (git stores the document once) that makes the guard hold millions of
    references, faster than the time budget runs out (200 copies of 100,000 held 1.3 GB
    within 4 s). A server hook stops at exo.maxMemory (default 400 MiB) and answers in one
    line; the audit log says why."""
    import json
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    fast_import(repo, "refs/heads/main", {"tropo.toml": TOML, "changes/old.md": "---\nstatus: active\ntouches: [auth]\n---\n"})
    body = ("---\nstatus: active\ntouches: [%s]\n---\n" % ", ".join(f"m{t}" for t in range(50000))).encode()
    stream = [b"blob\nmark :1\ndata %d\n" % len(body), body, b"\n",
              b"commit refs/heads/main\ncommitter T <t@e> 1767225600 +0000\ndata 4\nwork\nfrom refs/heads/main^0\n"]
    stream += [b"M 100644 :1 changes/c%03d.md\n" % k for k in range(100)]
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, env=git_env(), input=b"".join(stream), check=True)
    bare, r, took = push_main(
        tmp_path, repo, {"exo.timeout": "120", "exo.maxMemory": "100", "exo.auditLog": "audit.jsonl"})
    print(f"100 copies of a document with 50,000 targets: stopped after {took:.2f} s")
    lines = [l.rstrip() for l in r.stderr.splitlines() if l.startswith("remote: exo-guard")]
    assert r.returncode != 0 and lines == [
        "remote: exo-guard: blocked \u2014 stopped at 100 MiB of memory (git config exo.maxMemory); "
        "the push is rejected (git config exo.onTimeout accept lets it through)"], r.stderr
    assert git(bare, "rev-parse", "main").stdout.strip() == git(repo, "rev-parse", "main~1").stdout.strip()
    audit = [json.loads(l) for l in (bare / "audit.jsonl").read_text().splitlines()]
    assert audit[-1]["decision"] == "memory"
    # The hook's own peak, measured where the commits are: under the limit plus what files
    # back (the binary, mapped packs) and one tick of the watch.
    git(repo, "config", "exo.maxMemory", "100")
    old, new = git(repo, "rev-parse", "main~1", "main").stdout.split()
    import sys
    probe = ("import resource, subprocess, sys\n"
             "r = subprocess.run(sys.argv[1:], input=sys.stdin.read(), capture_output=True, text=True)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)")
    r = subprocess.run([sys.executable, "-c", probe, BIN, "hook", "pre-receive"], cwd=repo, env=git_env(),
                       input=f"{old} {new} refs/heads/main\n", capture_output=True, text=True, check=True)
    rss, code = r.stdout.split()
    print(f"the same, hook run in place: peak RSS {int(rss) // 1024} MiB")
    assert code == "1" and int(rss) // 1024 < 100 + 150


def test_a_push_of_thousands_of_workspaces_makes_a_bounded_report(tmp_path):
    """2,000 workspaces, each with a new conflict: the report speaks of the first ten and
    counts the rest in one line (it once wrote 3.7 MB for 5,000 of them)."""
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    fast_import(repo, "refs/heads/main", {"README.md": "hi\n"})
    files = {}
    for k in range(2000):
        files[f"w{k:04d}/tropo.toml"] = TOML
        files[f"w{k:04d}/modules/auth.md"] = "# auth\n"
        files[f"w{k:04d}/changes/a.md"] = "---\nstatus: active\ntouches: [auth]\n---\n"
        files[f"w{k:04d}/changes/b.md"] = "---\nstatus: active\ntouches: [auth]\n---\n"
    fast_import(repo, "refs/heads/main", files, parent="refs/heads/main^0")
    _, r, _ = push_main(tmp_path, repo, {"exo.timeout": "60"})
    assert r.returncode != 0 and "remote: exo-guard: blocked \u2014 2000 new conflict(s)" in r.stderr
    assert r.stderr.count("new conflict in workspace w") == 10
    assert "and 1990 more workspace(s) or ref(s) not listed, with 1990 new conflict(s) (--json" in r.stderr
    assert len(r.stderr) < 20_000


def test_a_huge_document_on_disk_is_read_only_as_far_as_its_frontmatter(tmp_path):
    """GUARD.md: exo.maxFrontmatter bounds what is read of one document on disk as in the
    index and in trees. With the limit at 1 MiB, a 48 MiB file whose frontmatter closes in
    its first lines is judged from them; one whose frontmatter never closes is refused in one
    line naming the file and the key; neither is read whole (peak RSS well under its size)."""
    repo = tmp_path / "src"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "tropo.toml").write_text(TOML)
    (repo / "changes").mkdir()
    (repo / "changes" / "a.md").write_text("---\nstatus: active\ntouches: [m]\n---\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "a")
    git(repo, "config", "exo.maxFrontmatter", "1m")
    git(repo, "config", "exo.watch", "none")
    line = b"body line of a big document, long enough to fill it\n"
    with open(repo / "changes" / "b.md", "wb") as f:
        f.write(b"---\nstatus: active\ntouches: [m]\n---\n" + line * (48 * (1 << 20) // len(line)))
    rss, r = peak_rss_run(["check"], repo)
    assert r.returncode == 1 and "a <-> b" in r.stderr + r.stdout, r.stdout + r.stderr
    assert rss < 40, rss
    with open(repo / "changes" / "b.md", "wb") as f:
        f.write(b"---\nstatus: active\n" + b"note: more\n" * (48 * (1 << 20) // 11))
    rss, r = peak_rss_run(["check"], repo)
    said = [l for l in (r.stdout + r.stderr).splitlines() if "exo.maxFrontmatter" in l]
    assert r.returncode == 1 and len(said) == 1 and "changes/b.md" in said[0], r.stdout + r.stderr
    assert rss < 40, rss
