#!/usr/bin/env python3
"""`make bench-branches`: the cost of watching other branches (GUARD.md, "Across branches").

Workloads (issue 12):
- 12k documents, 50 commits on main and 100 agent branches forked among them, each with 1-3
  changes in flight: `hook pre-commit` with one staged edit on main, warm and cold, with the
  default watch and with `exo.watch none`, run interleaved; the ratio of the medians.
- a bare server with 50k documents and 500 branches: a one-commit `hook pre-receive` with
  the cache of the previous push.

Branches are written with `git fast-import`. Prints a Markdown table and, with --out,
replaces the section "## Across branches" of BENCHMARKS.md with it.

Usage: branches.py BIN [--runs 9] [--out BENCHMARKS.md] [--small]
"""
import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

SECTION = "## Across branches"


def fast_import(top, commits):
    """commits: [(ref, parent sha or mark, {path: text}, mark)]."""
    now = int(time.time())
    out = []
    for ref, parent, files, mark in commits:
        msg = f"work on {ref}".encode()
        out.append(f"commit {ref}\nmark :{mark}\ncommitter Bench <bench@example.com> {now} +0000\n".encode())
        out.append(b"data %d\n%s\n" % (len(msg), msg))
        out.append(f"from {parent}\n".encode())
        for path, text in files.items():
            data = text.encode()
            out.append(f"M 100644 inline {path}\n".encode())
            out.append(b"data %d\n%s\n" % (len(data), data))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=top, env=bench.env(), input=b"".join(out), check=True)


def change_text(rnd, n_modules, c, status):
    touches = ", ".join(f"mod-{rnd.randrange(n_modules)}" for _ in range(rnd.randint(1, 3)))
    return f"---\nstatus: {status}\ntouches: [{touches}]\nassignee: agent-{c % 40}\n---\n# Change {c}\n\n{bench.body(rnd)}"


def history(top, n_changes, main_commits, branches, seed=11):
    """main gets `main_commits` commits, each editing one change; `branches` agent branches
    fork from random commits of main, each taking up 1-3 changes."""
    rnd = random.Random(seed)
    n_modules = max(1, n_changes // 5)
    path = lambda c: f"changes/batch-{c // 500}/change-{c}.md"
    head = bench.git(top, "rev-parse", "HEAD").stdout.decode().strip()
    commits, marks = [], []
    parent = head
    for i in range(main_commits):
        c = rnd.randrange(n_changes)
        mark = i + 1
        commits.append(("refs/heads/main", parent, {path(c): change_text(rnd, n_modules, c, "draft")}, mark))
        parent = f":{mark}"
        marks.append(parent)
    for b in range(branches):
        files = {}
        for _ in range(rnd.randint(1, 3)):
            c = rnd.randrange(n_changes)
            files[path(c)] = change_text(rnd, n_modules, c, "active")
        commits.append((f"refs/heads/agent/{b}", rnd.choice([head] + marks), files, main_commits + b + 1))
    fast_import(top, commits)
    bench.git(top, "reset", "-q", "--hard", "main")


def agents_workload(n, n_branches):
    """The workload of the agents' rows: n changes committed on main, 50 more commits on
    main and `n_branches` agent branches forked among them (`history`), packed. Returns
    the repository's folder and its document count."""
    top = os.path.join(bench.WORK, "agents")
    docs = bench.generate(top, n)
    bench.git(top, "init", "-q")
    bench.git(top, "add", "-A")
    bench.git(top, "commit", "-q", "-m", "workspace")
    history(top, n, 50, n_branches)
    bench.git(top, "gc", "-q")
    return top, docs


def interleaved(cmds, cwd, runs, setups, input=None, extra_env=None):
    """Runs each command in turn, `runs` rounds; returns per command (median, min, max, rss)."""
    times = [[] for _ in cmds]
    rss = [0.0 for _ in cmds]
    for _ in range(runs):
        for i, cmd in enumerate(cmds):
            m = bench.measure(cmd, cwd, 1, setup=setups[i], input=input, extra_env=extra_env)
            times[i].append(m[0])
            rss[i] = max(rss[i], m[3])
    return [(statistics.median(t), min(t), max(t), r) for t, r in zip(times, rss)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--out")
    ap.add_argument("--small", action="store_true", help="a quick run: 2k documents, 20 branches")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    bench.workdir("exo-guard-branches-")
    rows = []
    try:
        n, n_branches = (2000, 20) if args.small else (10000, 100)
        top, docs = agents_workload(n, n_branches)
        edit = os.path.join(top, "changes", "batch-0", "change-1.md")
        with open(edit, "a") as fh:
            fh.write("\nOne more line.\n")
        bench.git(top, "add", edit)
        os.sync()
        cache = os.path.join(top, ".git", "exo-guard")
        hook = [binary, "hook", "pre-commit"]
        # The same hook with the default watch and with `exo.watch none`, interleaved.
        watching = lambda: bench.git(top, "config", "--unset-all", "exo.watch") if _has(top, "exo.watch") else None
        not_watching = lambda: bench.git(top, "config", "exo.watch", "none")
        label = f"{docs} docs, {n_branches} branches"
        for kind, drop in (("warm", lambda: None), ("cold", lambda: shutil.rmtree(cache, ignore_errors=True))):
            if kind == "warm":
                watching(); bench.measure(hook, top, 1)
                not_watching(); bench.measure(hook, top, 1)
            w, none = interleaved([hook, hook], top, args.runs,
                                  [lambda: (watching(), drop()), lambda: (not_watching(), drop())])
            rows.append((label, f"hook pre-commit, {kind}, watching {n_branches} branches", w, w[0] / none[0]))
            rows.append((label, f"hook pre-commit, {kind}, exo.watch none", none, None))
            print(f"{kind}: watching {w[0] * 1000:.1f} ms, none {none[0] * 1000:.1f} ms, ratio {w[0] / none[0]:.2f}",
                  file=sys.stderr)
        # Warm, as a run of commits meets it: a new edit staged before every run, so the
        # target state is new each time and only what the previous run kept is cached.
        count = [0]

        def new_edit():
            count[0] += 1
            with open(edit, "a") as fh:
                fh.write(f"\nEdit {count[0]}.\n")
            bench.git(top, "add", edit)
        w, none = interleaved([hook, hook], top, args.runs,
                              [lambda: (watching(), new_edit()), lambda: (not_watching(), new_edit())])
        rows.append((label, f"hook pre-commit, warm, a new edit staged each run, watching {n_branches} branches", w,
                     w[0] / none[0]))
        rows.append((label, "hook pre-commit, warm, a new edit staged each run, exo.watch none", none, None))
        print(f"new edit: watching {w[0] * 1000:.1f} ms, none {none[0] * 1000:.1f} ms, ratio {w[0] / none[0]:.2f}",
              file=sys.stderr)
        watching()

        # The server: 50k documents, 500 branches, a one-commit push with the cache of the push before.
        n, n_branches = (5000, 50) if args.small else (50000, 500)
        top = os.path.join(bench.WORK, "server-src")
        docs = bench.generate(top, n)
        bench.git(top, "init", "-q")
        bench.git(top, "add", "-A")
        bench.git(top, "commit", "-q", "-m", "workspace")
        history(top, n, 10, n_branches)
        for i in (1, 2):
            with open(os.path.join(top, "changes", "batch-1", f"change-50{i}.md"), "a") as fh:
                fh.write("\nAnother line.\n")
            bench.git(top, "commit", "-q", "--no-verify", "-a", "-m", f"edit {i}")
        bare = os.path.join(bench.WORK, "server.git")
        bench.git(bench.WORK, "clone", "-q", "--mirror", top, bare)
        first, old, new = (bench.git(top, "rev-parse", r).stdout.decode().strip() for r in ("HEAD~2", "HEAD~1", "HEAD"))
        bench.git(bare, "update-ref", "refs/heads/main", old)
        server = {"GIT_DIR": "."}
        recv = [binary, "hook", "pre-receive"]

        def after_previous_push():
            # The previous push starts from no cache at all, which on this server takes
            # longer than exo.timeout's 4 s (the cold row below): lifted for the setup only.
            shutil.rmtree(os.path.join(bare, "exo-guard"), ignore_errors=True)
            bench.git(bare, "config", "exo.timeout", "0")
            subprocess.run(recv, cwd=bare, env={**bench.env(), **server}, input=f"{first} {old} refs/heads/main\n".encode(),
                           capture_output=True, check=True)
            bench.git(bare, "config", "--unset", "exo.timeout")

        def no_cache():
            shutil.rmtree(os.path.join(bare, "exo-guard"), ignore_errors=True)
            bench.git(bare, "config", "exo.timeout", "0")
        cold = bench.measure(recv, bare, 3, input=f"{first} {old} refs/heads/main\n".encode(), extra_env=server,
                             setup=no_cache)
        bench.git(bare, "config", "--unset", "exo.timeout")
        rows.append((f"{docs} docs, {n_branches} branches (bare)", "hook pre-receive, one-commit push, no cache (exo.timeout 0)",
                     cold, None))
        print(f"server cold: {cold[0] * 1000:.1f} ms, {cold[3]:.0f} MiB", file=sys.stderr)
        m = bench.measure(recv, bare, max(3, args.runs // 2), input=f"{old} {new} refs/heads/main\n".encode(),
                          extra_env=server, setup=after_previous_push)
        rows.append((f"{docs} docs, {n_branches} branches (bare)", "hook pre-receive, one-commit push, cache of the push before", m, None))
        print(f"server: {m[0] * 1000:.1f} ms, {m[3]:.0f} MiB", file=sys.stderr)
    finally:
        shutil.rmtree(bench.WORK, ignore_errors=True)
    table = [SECTION, "",
             "`make bench-branches` (bench/branches.py) writes this section: the hooks with other branches watched, "
             "the same hook with `exo.watch none` run interleaved with it (ratio of the medians).", "",
             "| workload | what | median | min–max | peak RSS | ratio to exo.watch none |", "|---|---|---|---|---|---|"]
    for label, what, m, ratio in rows:
        table.append(f"| {label} | {what} | {m[0] * 1000:.1f} ms | {m[1] * 1000:.0f}–{m[2] * 1000:.0f} ms | {m[3]:.0f} MiB | "
                     f"{'' if ratio is None else f'{ratio:.2f}×'} |")
    text = "\n".join(table) + "\n"
    print(text)
    if args.out:
        old = open(args.out).read() if os.path.exists(args.out) else ""
        if SECTION in old:
            old = re.sub(re.escape(SECTION) + r".*?(?=\n## |\Z)", text.rstrip("\n"), old, flags=re.S)
        else:
            at = old.find(bench.KEPT_FROM)
            old = old[:at] + text + "\n" + old[at:] if at >= 0 else old + "\n" + text
        with open(args.out, "w") as fh:
            fh.write(old)


def _has(top, key):
    return subprocess.run(["git", "config", "--get", key], cwd=top, env=bench.env(), capture_output=True).returncode == 0


if __name__ == "__main__":
    main()
