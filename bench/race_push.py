#!/usr/bin/env python3
"""`make bench-race`: N pushes racing into a server of the 12k-document workload of `make
bench-branches`, each a new branch activating its own change on one module no other
change touches, all started at once: what each push took (wall), how many were
accepted (exactly one should be), and how many were answered by the budget. The target
(issue 24): every push answered within the server's exo.timeout + 1 s.

Usage: race_push.py BIN [--pushes 64] [--rounds 3]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402
import branches  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("--pushes", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--small", action="store_true")
    args = ap.parse_args()
    b = os.path.abspath(args.bin)
    bench.workdir("exo-guard-race-")
    try:
        top, docs = branches.agents_workload(2000 if args.small else 10000, 20 if args.small else 100)
        with open(os.path.join(top, "modules", "race.md"), "w") as fh:
            fh.write("# race\n")
        bench.git(top, "add", "-A")
        bench.git(top, "commit", "-q", "-m", "race module")
        print(f"{docs + 1} docs; {args.pushes} pushes racing, {args.rounds} rounds", file=sys.stderr)
        rows = []
        for r in range(args.rounds):
            server = os.path.join(bench.WORK, f"server-{r}.git")
            bench.git(bench.WORK, "clone", "-q", "--bare", "--no-local", top, server)
            hook = os.path.join(server, "hooks", "pre-receive")
            with open(hook, "w") as fh:
                fh.write(f"#!/bin/sh\nexec {b} hook pre-receive\n")
            os.chmod(hook, 0o755)
            # the workload's commits carry a fixed date long past: watch every branch
            bench.git(server, "config", "exo.watchDays", "0")
            client = os.path.join(bench.WORK, f"client-{r}")
            bench.git(bench.WORK, "clone", "-q", "--no-local", server, client)
            for i in range(args.pushes):
                bench.git(client, "checkout", "-q", "-b", f"race/{i}", "main")
                with open(os.path.join(client, "changes", f"race-{i}.md"), "w") as fh:
                    fh.write(f"---\nstatus: active\ntouches: [race]\nassignee: agent-{i}\n---\n")
                bench.git(client, "add", "-A")
                bench.git(client, "commit", "-q", "--no-verify", "-m", f"race {i}")
            env = bench.env()
            env.pop("EXO_GUARD_MODE")  # bench.env() warns only; the race is judged for real
            procs = []
            start = time.perf_counter()
            for i in range(args.pushes):
                procs.append((time.perf_counter(), subprocess.Popen(
                    ["git", "push", "-q", "origin", f"race/{i}"], cwd=client, env=env,
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)))
            took, accepted, budget = [], 0, 0
            for t0, p in procs:
                _, err = p.communicate()
                took.append(time.perf_counter() - t0)
                accepted += p.returncode == 0
                budget += b"gave up after" in err or b"stopped at" in err
            wall = time.perf_counter() - start
            rows.append((statistics.median(took), max(took), wall, accepted, budget))
            print(f"round {r}: median {rows[-1][0]:.2f} s, max {rows[-1][1]:.2f} s, all {wall:.2f} s, "
                  f"accepted {accepted}, by the budget {budget}", file=sys.stderr)
        print(f"\n{docs + 1} docs, {args.pushes} pushes started together into a server with the pre-receive hook "
              f"(exo.timeout 4 s by default), {args.rounds} rounds:\n")
        print("| round | median push | slowest push | all answered | accepted | answered by the budget |")
        print("|---|---|---|---|---|---|")
        for r, (med, mx, wall, acc, bud) in enumerate(rows):
            print(f"| {r} | {med:.2f} s | {mx:.2f} s | {wall:.2f} s | {acc} | {bud} |")
    finally:
        shutil.rmtree(bench.WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
