#!/usr/bin/env python3
"""`make bench-admission`: what the admission step (GUARD.md, "Taking up work is atomic")
costs a hook when no other check races it: the lock, the read of pending admissions and,
for a commit that takes up work, `git write-tree` and the record.

Workload: `make bench-branches`'s 12k documents with 100 agent branches. `hook pre-commit`
is run with the step on and with it off (EXO_GUARD_ADMISSIONS=0), interleaved, warm (the
parse cache of the run before), for two staged edits:
- an edit of a change's body, which takes up nothing (no record is written);
- a draft change made active, which takes up work (the index is written as a tree and a
  commit, and the admission recorded).
The records of earlier runs are removed before each run, as the end of their git process
would have them removed. Prints a Markdown table and, with --out, replaces the section
"## Taking up work" of BENCHMARKS.md.

Usage: admission.py BIN [--runs 15] [--out BENCHMARKS.md] [--small]
"""
import argparse
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import branches  # noqa: E402

SECTION = "## Taking up work"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--out")
    ap.add_argument("--small", action="store_true", help="a quick run: 2k documents, 20 branches")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    bench.workdir("exo-guard-admission-")
    rows = []
    try:
        n, n_branches = (2000, 20) if args.small else (10000, 100)
        top, docs = branches.agents_workload(n, n_branches)
        admissions = os.path.join(top, ".git", "exo-guard", "admissions")
        hook = [binary, "hook", "pre-commit"]
        label = f"{docs} docs, {n_branches} branches"
        path = os.path.join(top, "changes", "batch-0", "change-3.md")
        original = open(path).read()

        def stage(text):
            with open(path, "w") as fh:
                fh.write(text)
            bench.git(top, "add", path)
            shutil.rmtree(admissions, ignore_errors=True)
        edits = {
            "a body edit (takes up nothing)": original + "\nOne more line.\n",
            "a draft change made active (takes up work: its trees and commit written, the record)":
                re.sub(r"^status: \w+", "status: active", original.replace("assignee:", "assignee: bench-"), 1,
                       flags=re.M),
        }
        if "status: active" in original.split("---")[1]:
            raise SystemExit("change-3 is active already: pick another change")
        off = {"EXO_GUARD_ADMISSIONS": "0"}
        for what, text in edits.items():
            stage(text)
            bench.measure(hook, top, 1)  # warm the cache for this index
            times = [[], []]
            records = set()
            for _ in range(args.runs):
                for i, extra in enumerate((None, off)):
                    m = bench.measure(hook, top, 1, extra_env=extra, setup=lambda: stage(text))
                    times[i].append(m)
                    if extra is None:  # what the run with the step on left: a record or none
                        records.add(len(os.listdir(admissions)) if os.path.isdir(admissions) else 0)
            expected = {1} if "takes up work" in what else {0}
            if records != expected:
                raise SystemExit(f"{what}: records left by the runs {records}, expected {expected}")
            on_m = (sorted(t[0] for t in times[0])[args.runs // 2], min(t[0] for t in times[0]),
                    max(t[0] for t in times[0]), max(t[3] for t in times[0]))
            off_m = (sorted(t[0] for t in times[1])[args.runs // 2], min(t[0] for t in times[1]),
                     max(t[0] for t in times[1]), max(t[3] for t in times[1]))
            rows.append((label, f"hook pre-commit, warm, {what}, admission on", on_m, on_m[0] - off_m[0]))
            rows.append((label, f"hook pre-commit, warm, {what}, admission off", off_m, None))
            print(f"{what}: on {on_m[0] * 1000:.1f} ms, off {off_m[0] * 1000:.1f} ms, "
                  f"difference {(on_m[0] - off_m[0]) * 1000:+.1f} ms", file=sys.stderr)
    finally:
        shutil.rmtree(bench.WORK, ignore_errors=True)
    table = [SECTION, "",
             "`make bench-admission` (bench/admission.py) writes this section: `hook pre-commit` with the admission "
             "step on and off (EXO_GUARD_ADMISSIONS=0), interleaved, medians; uncontended (no other check waits).", "",
             "| workload | what | median | min–max | peak RSS | on − off |", "|---|---|---|---|---|---|"]
    for label, what, m, diff in rows:
        table.append(f"| {label} | {what} | {m[0] * 1000:.1f} ms | {m[1] * 1000:.0f}–{m[2] * 1000:.0f} ms | {m[3]:.0f} MiB | "
                     f"{'' if diff is None else f'{diff * 1000:+.1f} ms'} |")
    text = "\n".join(table) + "\n"
    print(text)
    if args.out:
        report = open(args.out).read() if os.path.exists(args.out) else ""
        start = report.find(SECTION + "\n")
        if start < 0:
            report = report.rstrip("\n") + "\n\n" + text
        else:
            end = report.find("\n## ", start + len(SECTION))
            report = report[:start] + text + (report[end:] if end >= 0 else "")
        with open(args.out, "w") as fh:
            fh.write(report)


if __name__ == "__main__":
    main()
