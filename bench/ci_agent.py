#!/usr/bin/env python3
"""`make bench-ci`: the costs issue 26 names, side by side and interleaved (the machine
drifts by 10% within an hour), medians:

- `exo-guard ci` in a runner's clone of the 12k-document workload of `make bench-branches`
  (100 agent branches, fetched as remote-tracking refs), cold (no parse cache, as every CI
  run is), against the cold `hook pre-commit` with one staged edit and the same refs watched;
- `exo-guard hook agent` on a tool call that is no git command (a Read) and on a shell
  command that is (`git status`), against /bin/true (the cost of starting any process).

Usage: ci_agent.py BIN [--runs 11] [--small]
"""
import argparse
import json
import os
import shutil
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import branches  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--small", action="store_true")
    args = ap.parse_args()
    b = os.path.abspath(args.bin)
    bench.workdir("exo-guard-ci-")
    try:
        n, n_branches = (2000, 20) if args.small else (10000, 100)
        top, docs = branches.agents_workload(n, n_branches)
        runner = os.path.join(bench.WORK, "runner")
        bench.git(bench.WORK, "clone", "-q", "--no-local", top, runner)
        bench.git(runner, "config", "exo.watch", "refs/remotes/*")
        bench.git(runner, "config", "exo.watchDays", "0")
        edit = os.path.join(runner, "changes", "batch-0", "change-1.md")
        with open(edit, "a") as fh:
            fh.write("\nOne more line.\n")
        bench.git(runner, "add", edit)
        cache = os.path.join(runner, ".git", "exo-guard")
        cold = lambda: shutil.rmtree(cache, ignore_errors=True)
        quiet = {"GITHUB_ACTIONS": "", "GITLAB_CI": ""}
        rows = branches.interleaved(
            [[b, "ci", "--format", "text"], [b, "hook", "pre-commit"]], runner, args.runs, [cold, cold], extra_env=quiet)
        ci, pre = rows[0][0], rows[1][0]
        read = json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Read", "cwd": runner,
                           "tool_input": {"file_path": edit}}).encode()
        shell = json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Bash", "cwd": runner,
                            "tool_input": {"command": "git status"}}).encode()
        times = {"read": [], "shell": [], "true": []}
        for _ in range(max(args.runs * 20, 200)):
            times["read"].append(bench.measure([b, "hook", "agent"], runner, 1, input=read)[0])
            times["shell"].append(bench.measure([b, "hook", "agent"], runner, 1, input=shell)[0])
            times["true"].append(bench.measure(["/bin/true"], runner, 1)[0])
        med = {k: statistics.median(v) for k, v in times.items()}
        print(f"\n{docs} docs, {n_branches} branches fetched, {args.runs} interleaved rounds (hook agent: "
              f"{len(times['read'])}), medians, wall time with /usr/bin/time's own start:\n")
        print("| run | median | against |\n|---|---|---|")
        print(f"| `exo-guard ci`, cold | {ci * 1000:.0f} ms | {ci / pre:.2f}x the cold pre-commit |")
        print(f"| `hook pre-commit`, cold, same refs | {pre * 1000:.0f} ms | |")
        print(f"| `hook agent`, a Read | {med['read'] * 1000:.1f} ms | /bin/true {med['true'] * 1000:.1f} ms |")
        print(f"| `hook agent`, `git status` | {med['shell'] * 1000:.1f} ms | |")
    finally:
        shutil.rmtree(bench.WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
