#!/usr/bin/env python3
"""`make bench-hot OLD=...`: the hot paths of two builds side by side, interleaved (the
machine drifts by 10% within an hour): `hook pre-commit` with one staged edit on the
workload of `make bench-branches` (12k documents, 100 agent branches), warm (the parse
cache of the run before) and cold (no cache), and, for each build, the same hook with
`exo.watch none`. Prints medians and the ratios new/old.

Usage: hotpaths.py OLD_BIN NEW_BIN [--runs 11] [--small]
"""
import argparse
import os
import shutil
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import branches  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--small", action="store_true")
    args = ap.parse_args()
    bins = {"old": os.path.abspath(args.old), "new": os.path.abspath(args.new)}
    bench.workdir("exo-guard-hot-")
    try:
        n, n_branches = (2000, 20) if args.small else (10000, 100)
        top, docs = branches.agents_workload(n, n_branches)
        edit = os.path.join(top, "changes", "batch-0", "change-1.md")
        with open(edit, "a") as fh:
            fh.write("\nOne more line.\n")
        bench.git(top, "add", edit)
        cache = os.path.join(top, ".git", "exo-guard")
        watch = lambda: bench.git(top, "config", "--unset-all", "exo.watch") if branches._has(top, "exo.watch") else None
        none = lambda: bench.git(top, "config", "exo.watch", "none")
        rows = []
        for kind, drop in (("warm", lambda: None), ("cold", lambda: shutil.rmtree(cache, ignore_errors=True))):
            for label, setup in (("watching", watch), ("exo.watch none", none)):
                times = {k: [] for k in bins}
                for _ in range(args.runs):
                    for k, b in bins.items():
                        if kind == "warm":  # the cache this build keeps for this state
                            setup()
                            bench.measure([b, "hook", "pre-commit"], top, 1)
                        m = bench.measure([b, "hook", "pre-commit"], top, 1, setup=lambda: (setup(), drop()))
                        times[k].append(m[0])
                old, new = statistics.median(times["old"]), statistics.median(times["new"])
                rows.append((kind, label, old, new))
                print(f"{kind}, {label}: old {old * 1000:.1f} ms, new {new * 1000:.1f} ms, new/old {new / old:.3f}",
                      file=sys.stderr)
        print(f"\n{docs} docs, {n_branches} branches, {args.runs} interleaved rounds, medians:\n")
        print("| hook pre-commit | old | new | new/old |\n|---|---|---|---|")
        for kind, label, old, new in rows:
            print(f"| {kind}, {label} | {old * 1000:.1f} ms | {new * 1000:.1f} ms | {new / old:.3f} |")
    finally:
        shutil.rmtree(bench.WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
