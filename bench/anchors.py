#!/usr/bin/env python3
"""`make bench-anchors`: issue 28's four anchors, each exo-guard run against what git itself
does for the same question, side by side, interleaved round by round (the machine drifts by
10% within an hour), medians:

1. cold `conflicts --rev HEAD --json` (EXO_GUARD_CACHE=0) / git's full read of the tree
   (`git ls-tree -r --format=%(objectname) HEAD | git cat-file --batch`);
2. cold `hook pre-commit`, one staged edit (no parse cache) / the same floor;
3. warm `hook pre-commit` (the cache of the run before) / `git diff --cached --quiet`, the
   least any pre-commit hook does; and the same for a new staged state (HEAD's graph and
   view in the cache, the staged edit one line longer each round: what a commit meets),
   once for a change that is not active (its view is HEAD's, kept as HEAD's entry) and
   once for an active one's assignee (its pairs found again, its view encoded);
4. with --push: the first push with no cache into a server of 50k changes (60k documents)
   and 500 branches, wall time and peak RSS (target <= 1 s, <= 200 MB).

Workloads: 10,000 changes (12k documents) committed and packed, with short bodies (the
frontmatter is most of each file) and long ones (prose: git's full read costs far more than
a frontmatter). Targets: ratios 1 and 2 <= 1.0 on both, ratio 3 <= 3.

Usage: anchors.py BIN [--runs 9] [--sizes 10000] [--bodies short,long] [--push]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import branches  # noqa: E402

FLOOR = ["sh", "-c", "git ls-tree -r --format='%(objectname)' HEAD | git cat-file --batch > /dev/null"]


def workload(n, bodies):
    top = os.path.join(bench.WORK, f"ws-{n}-{bodies}")
    docs = bench.generate(top, n, bodies=bodies)
    bench.git(top, "init", "-q")
    bench.git(top, "add", "-A")
    bench.git(top, "commit", "-q", "-m", "workspace")
    bench.git(top, "gc", "-q")
    bench.git(top, "config", "exo.watch", "none")  # the anchors are about one line's graph
    edit = os.path.join(top, "changes", "batch-0", "change-1.md")
    with open(edit, "a") as fh:
        fh.write("\nOne more line.\n")
    bench.git(top, "add", edit)
    os.sync()
    return top, docs


def anchors(binary, n, bodies, runs):
    top, docs = workload(n, bodies)
    cache = os.path.join(top, ".git", "exo-guard")
    drop = lambda: shutil.rmtree(cache, ignore_errors=True)
    warm = lambda: subprocess.run([binary, "hook", "pre-commit"], cwd=top, env=bench.env(), capture_output=True)
    edit = os.path.join(top, "changes", "batch-0", "change-1.md")
    rounds = iter(range(1_000_000))

    # The same for an active change's frontmatter (its pairs found again; its view encoded).
    batch = os.path.join(top, "changes", "batch-0")
    active = next(os.path.join(batch, f) for f in sorted(os.listdir(batch))
                  if "status: active" in open(os.path.join(batch, f)).read())

    def restage():  # one line more in the staged edit's body: a staged tree never seen before
        bench.git(top, "checkout", "HEAD", "--", active)  # the other row's edit undone
        with open(edit, "a") as fh:
            fh.write(f"Round {next(rounds)}.\n")
        bench.git(top, "add", edit)

    def restage_active():  # its assignee new each round: a frontmatter edit the view reads
        bench.git(top, "checkout", "HEAD", "--", edit, active)
        with open(active) as fh:
            text = fh.read()
        with open(active, "w") as fh:
            fh.write(text.replace("assignee: ", f"assignee: round-{next(rounds)}-", 1))
        bench.git(top, "add", active)

    cmds = {
        "git full read": (FLOOR, None, None),
        "conflicts --rev HEAD --json, cold": ([binary, "conflicts", "--rev", "HEAD", "--json"], drop,
                                              {"EXO_GUARD_CACHE": "0"}),
        "hook pre-commit, cold": ([binary, "hook", "pre-commit"], drop, {"EXO_GUARD_CACHE": "0"}),
        "git diff --cached --quiet": (["git", "diff", "--cached", "--quiet"], None, None),
        "hook pre-commit, warm": ([binary, "hook", "pre-commit"], warm, None),
        # The active row first: each round ends on the state the other rows start from.
        "hook pre-commit, new staged state, active change": ([binary, "hook", "pre-commit"], restage_active, None),
        "hook pre-commit, new staged state": ([binary, "hook", "pre-commit"], restage, None),
    }
    times = {k: [] for k in cmds}
    rss = {k: 0.0 for k in cmds}
    for _ in range(runs):
        for name, (cmd, setup, extra) in cmds.items():
            m = bench.measure(cmd, top, 1, setup=setup, extra_env=extra)
            times[name].append(m[0])
            rss[name] = max(rss[name], m[3])
    med = {k: statistics.median(v) for k, v in times.items()}
    label = f"{docs} docs, {bodies} bodies"
    rows = [(label, name, med[name], min(times[name]), max(times[name]), rss[name]) for name in cmds]
    ratios = [
        (label, "cold conflicts --rev HEAD / git full read", med["conflicts --rev HEAD --json, cold"] / med["git full read"], 1.0),
        (label, "cold pre-commit / git full read", med["hook pre-commit, cold"] / med["git full read"], 1.0),
        (label, "warm pre-commit / git diff --cached --quiet", med["hook pre-commit, warm"] / med["git diff --cached --quiet"], 3.0),
        (label, "new staged state / git diff --cached --quiet",
         med["hook pre-commit, new staged state"] / med["git diff --cached --quiet"], 3.0),
        (label, "new staged state, active change / git diff --cached --quiet",
         med["hook pre-commit, new staged state, active change"] / med["git diff --cached --quiet"], 3.0),
    ]
    return rows, ratios


def first_push(binary, runs):
    """The first push with no cache into 50k changes and 500 branches (bench-branches' server)."""
    n, n_branches = 50000, 500
    top = os.path.join(bench.WORK, "server-src")
    docs = bench.generate(top, n)
    bench.git(top, "init", "-q")
    bench.git(top, "add", "-A")
    bench.git(top, "commit", "-q", "-m", "workspace")
    branches.history(top, n, 10, n_branches)
    with open(os.path.join(top, "changes", "batch-1", "change-501.md"), "a") as fh:
        fh.write("\nAnother line.\n")
    bench.git(top, "commit", "-q", "--no-verify", "-a", "-m", "edit")
    bare = os.path.join(bench.WORK, "server.git")
    bench.git(bench.WORK, "clone", "-q", "--mirror", top, bare)
    old, new = (bench.git(top, "rev-parse", r).stdout.decode().strip() for r in ("HEAD~1", "HEAD"))
    bench.git(bare, "update-ref", "refs/heads/main", old)
    bench.git(bare, "config", "exo.timeout", "0")
    drop = lambda: shutil.rmtree(os.path.join(bare, "exo-guard"), ignore_errors=True)
    m = bench.measure([binary, "hook", "pre-receive"], bare, runs, input=f"{old} {new} refs/heads/main\n".encode(),
                      extra_env={"GIT_DIR": "."}, setup=drop)
    return f"{docs} docs, {n_branches} branches", m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--sizes", default="10000")
    ap.add_argument("--bodies", default="short,long")
    ap.add_argument("--push", action="store_true", help="also the first push into the 50k/500-branch server")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    bench.workdir("exo-guard-anchors-")
    try:
        all_rows, all_ratios = [], []
        for n in [int(s) for s in args.sizes.split(",")]:
            for bodies in args.bodies.split(","):
                rows, ratios = anchors(binary, n, bodies, args.runs)
                all_rows += rows
                all_ratios += ratios
        print(f"Medians of {args.runs} interleaved rounds.\n")
        print("| workload | command | median | range | peak RSS |\n|---|---|---|---|---|")
        for label, name, med, lo, hi, rss in all_rows:
            print(f"| {label} | {name} | {med * 1000:.1f} ms | {lo * 1000:.1f}–{hi * 1000:.1f} ms | {rss:.0f} MiB |")
        print("\n| workload | anchor | ratio | target |\n|---|---|---|---|")
        for label, name, ratio, target in all_ratios:
            print(f"| {label} | {name} | {ratio:.2f}× | ≤ {target:.1f}× {'(met)' if ratio <= target else '(not met)'} |")
        if args.push:
            label, m = first_push(binary, max(3, args.runs // 3))
            print(f"\n| {label} | first push, no cache | {m[0]:.2f} s ({m[1]:.2f}–{m[2]:.2f} s) | {m[3]:.0f} MiB |"
                  f" target ≤ 1 s, ≤ 200 MB {'(met)' if m[0] <= 1 and m[3] <= 200 else '(not met)'} |")
    finally:
        shutil.rmtree(bench.WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
