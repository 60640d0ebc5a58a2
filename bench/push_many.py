#!/usr/bin/env python3
"""`make bench-push-many`: one push of N new branches, each activating its own change on one
module (every pushed ref collides with every other), judged by `hook pre-receive` on a bare
server of 10 modules and N draft changes, with no parse cache and no time or memory limit:
wall time and peak RSS per build, builds run in turn (interleaved), medians. The target
(issue 24): 1,000 branches in <= 4 s and <= 400 MB.

Usage: push_many.py BIN [BIN...] [--refs 100,200,1000] [--rounds 3]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bins", nargs="+")
    ap.add_argument("--refs", default="100,200,1000")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--keep", help="make the workload in this folder and keep it (for profiling)")
    args = ap.parse_args()
    sizes = [int(n) for n in args.refs.split(",")]
    work = args.keep or tempfile.mkdtemp(prefix="exo-guard-push-many-")
    if args.keep:
        os.makedirs(work)
    cfg = os.path.join(work, "gitconfig")
    with open(cfg, "w") as fh:
        fh.write("[user]\n\tname = Bench\n\temail = bench@example.com\n[init]\n\tdefaultBranch = main\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "EXO_GUARD_"))}
    env.update(GIT_CONFIG_GLOBAL=cfg, GIT_CONFIG_SYSTEM="/dev/null",
               GIT_AUTHOR_DATE="2026-12-01T00:00:00Z", GIT_COMMITTER_DATE="2026-12-01T00:00:00Z")

    def git(*a, cwd=None, input=None):
        return subprocess.run(["git", *a], cwd=cwd, env=env, check=True, capture_output=True, text=True,
                              input=input).stdout.strip()
    try:
        n = max(sizes)
        src = os.path.join(work, "src")
        os.makedirs(os.path.join(src, "modules"))
        os.makedirs(os.path.join(src, "changes"))
        with open(os.path.join(src, "tropo.toml"), "w") as fh:
            fh.write('packs = ["coordination"]\n[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n')
        for m in range(10):
            with open(os.path.join(src, "modules", f"m{m}.md"), "w") as fh:
                fh.write(f"# m{m}\n")
        for i in range(n):
            with open(os.path.join(src, "changes", f"c{i}.md"), "w") as fh:
                fh.write("---\nstatus: draft\ntouches: [m0]\n---\n")
        git("init", "-q", cwd=src)
        git("add", "-A", cwd=src)
        git("commit", "-qm", "init", cwd=src)
        base = git("rev-parse", "HEAD", cwd=src)
        active = git("hash-object", "-w", "--stdin", cwd=src, input="---\nstatus: active\ntouches: [m0]\n---\n")
        entries = git("ls-tree", "HEAD:changes", cwd=src).splitlines()
        top = git("ls-tree", "HEAD", cwd=src).splitlines()
        lines = []
        for i in range(n):  # each branch made with plumbing: one tree per branch, no checkout
            name = f"c{i}.md"
            ct = git("mktree", cwd=src, input="\n".join(
                f"100644 blob {active}\t{name}" if e.endswith("\t" + name) else e for e in entries) + "\n")
            tt = git("mktree", cwd=src, input="\n".join(
                (e.split("\t")[0].rsplit(" ", 1)[0] + " " + ct + "\tchanges") if e.endswith("\tchanges") else e
                for e in top) + "\n")
            c = git("commit-tree", tt, "-p", base, "-m", f"b{i}", cwd=src)
            lines.append(f"{'0' * 40} {c} refs/heads/b{i}")
        server = os.path.join(work, "server.git")
        git("init", "-q", "--bare", server)
        git("push", "-q", server, "main", cwd=src)
        git("fetch", "-q", src, *[l.split()[1] for l in lines], cwd=server)  # the objects, packed; no refs
        git("config", "exo.timeout", "0", cwd=server)
        git("config", "exo.maxMemory", "0", cwd=server)
        hook_env = dict(env, GIT_DIR=server, EXO_GUARD_CACHE="0")
        print("| refs pushed | " + " | ".join(os.path.basename(b) for b in args.bins) + " |")
        print("|---|" + "---|" * len(args.bins))
        for size in sizes:
            stdin = "\n".join(lines[:size]) + "\n"
            if args.keep:
                with open(os.path.join(work, f"stdin-{size}"), "w") as fh:
                    fh.write(stdin)
            times = {b: [] for b in args.bins}
            rss = {b: 0 for b in args.bins}
            for _ in range(args.rounds):
                for b in args.bins:
                    r = subprocess.run(["/usr/bin/time", "-f", "%e %M", b, "hook", "pre-receive"], input=stdin,
                                       env=hook_env, capture_output=True, text=True, cwd=server)
                    wall, kb = r.stderr.strip().splitlines()[-1].split()
                    times[b].append(float(wall))
                    rss[b] = max(rss[b], int(kb) // 1024)
            print(f"| {size} | " + " | ".join(
                f"{statistics.median(times[b]):.2f} s, {rss[b]} MiB" for b in args.bins) + " |", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
