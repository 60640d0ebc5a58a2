#!/usr/bin/env python3
"""How the cost of a pushed commit follows the depth of its folders (issue 14).

Two trees at each depth, made with `git fast-import` in a bare repository:
  one   a single document at the bottom of a chain of folders `d/d/.../x.md`;
  every a document in every folder of a chain `changes/changes/...` (each one active,
        touching one module: the guard also counts depth x (depth - 1) / 2 pairs);
  overlays  the same with a `tropo.toml` in every folder adding two excludes;
  fields    the same with a `tropo.toml` in every folder declaring two fields (one a reference).
Each is judged as a server judges a push: `check --rev main --base main~1 --no-watch`,
no cache. And `every` is read as a watched branch (`watched`): `board --rev main --branches`
where main is the commit before and the branch `deep` holds the chain. Binaries given are run side by side, interleaved, `--runs` rounds; medians of
the wall time and of the peak RSS. `git push` of the same commit into a bare repository
with no hook is timed too: what git itself spends on that depth.

    python3 bench/depth.py OLD_BIN NEW_BIN [--depths 256,512,1024,2048] [--runs 7]
    make bench-depth OLD=path/to/an/older/exo-guard
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

TOML = 'packs = ["coordination"]\n[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n'
DOC = "---\nstatus: active\ntouches: [auth]\n---\n"


def env():
    e = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_SYSTEM="/dev/null", EXO_GUARD_CACHE="0")
    e.pop("EXO_GUARD_STATS", None)
    return e


def fast_import(repo, files, parent=None):
    out = ["commit refs/heads/main\ncommitter T <t@e> 1767225600 +0000\ndata 4\nwork\n"]
    if parent:
        out.append(f"from {parent}\n")
    for path, text in files.items():
        data = text.encode()
        out.append(f"M 100644 inline {path}\ndata {len(data)}\n{text}\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, env=env(), input="".join(out).encode(), check=True)


def make(top, kind, depth):
    repo = os.path.join(top, f"{kind}{depth}.git")
    subprocess.run(["git", "init", "-q", "--bare", repo], env=env(), check=True)
    fast_import(repo, {"tropo.toml": TOML, "modules/auth.md": "---\nstatus: stable\n---\n"})
    if kind == "one":
        files = {"/".join(["d"] * depth) + "/x.md": DOC}
    else:
        files = {"/".join(["changes"] * k) + f"/x{k}.md": DOC for k in range(1, depth + 1)}
    for k in range(1, depth + 1):
        if kind == "overlays":
            files["/".join(["changes"] * k) + "/tropo.toml"] = f'exclude = ["zz{k}", "a/b{k}"]\n'
        elif kind == "fields":
            files["/".join(["changes"] * k) + "/tropo.toml"] = f'[base.optional]\nf{k} = "string"\nr{k} = "ref"\n'

    fast_import(repo, files, parent="refs/heads/main^0")
    return repo


def timed(cmd, cwd, limit):
    """Wall time and peak RSS of one run; past `limit` seconds the run is stopped and counts
    as `limit` (an old build may take minutes where a new one takes a blink). The peak is
    GNU time's: a child forked straight from this script would report this script's own
    resident set as its peak (Linux keeps the high-water mark across fork and exec)."""
    with tempfile.NamedTemporaryFile("r") as peak:
        start = time.monotonic()
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", peak.name, *cmd], cwd=cwd, env=env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        # A blocking wait (Popen.wait with a timeout polls, in steps of up to 50 ms); a timer
        # stops a run that goes past the limit.
        timer = threading.Timer(limit, os.killpg, (proc.pid, signal.SIGKILL))
        timer.start()
        code = proc.wait()
        took = time.monotonic() - start
        timer.cancel()
        if took >= limit:
            return limit, float("nan")
        text = peak.read().split()
    if code not in (0, 1):
        sys.exit(f"{cmd} failed in {cwd}")
    return took, int(text[-1]) / 1024


def git_push(repo, top):
    bare = tempfile.mkdtemp(dir=top)
    subprocess.run(["git", "init", "-q", "--bare", bare], env=env(), check=True)
    subprocess.run(["git", "push", "-q", bare, "main~1:refs/heads/main"], cwd=repo, env=env(), check=True)
    start = time.monotonic()
    subprocess.run(["git", "push", "-q", bare, "main:refs/heads/main"], cwd=repo, env=env(), check=True)
    took = time.monotonic() - start
    shutil.rmtree(bare)
    return took


def label(binary):
    """A build's name in the table: the folder that holds its `.build` (a checkout or worktree)."""
    parts = binary.split(os.sep)
    return parts[parts.index(".build") - 1] if ".build" in parts[1:] else binary


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bins", nargs="+")
    ap.add_argument("--depths", default="256,512,1024,2048")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--timeout", type=float, default=30, help="a run longer than this counts as this")
    args = ap.parse_args()
    args.bins = [os.path.abspath(b) for b in args.bins]  # each run's cwd is a repository
    depths = [int(d) for d in args.depths.split(",")]
    top = tempfile.mkdtemp(prefix="exo-depth-")
    try:
        repos = {(k, d): make(top, k, d) for k in ("one", "every", "overlays", "fields") for d in depths}
        for d in depths:
            watch = os.path.join(top, f"watched{d}.git")
            subprocess.run(["git", "clone", "-q", "--bare", repos[("every", d)], watch], env=env(), check=True)
            for cmd in (["branch", "-f", "deep", "main"], ["update-ref", "refs/heads/main", "main~1"],
                        ["config", "exo.watchDays", "0"]):
                subprocess.run(["git", *cmd], cwd=watch, env=env(), check=True)
            repos[("watched", d)] = watch
        rows = []
        for (kind, depth), repo in repos.items():
            results = {b: [] for b in args.bins}
            pushes = []
            command = ["board", "--rev", "main", "--branches"] if kind == "watched" else \
                ["check", "--rev", "main", "--base", "main~1", "--no-watch"]
            for _ in range(args.runs):
                for b in args.bins:
                    results[b].append(timed([b, *command], repo, args.timeout))
                if kind != "watched":
                    pushes.append(git_push(repo, top))
            cells = []
            for b in args.bins:
                took = statistics.median(t for t, _ in results[b])
                cells.append(
                    f"over {args.timeout:.0f} s (stopped)" if took >= args.timeout else
                    f"{took * 1000:.0f} ms, {statistics.median(m for _, m in results[b]):.0f} MiB")
            rows.append((kind, depth, cells, statistics.median(pushes) * 1000 if pushes else None))
        names = " | ".join(label(b) for b in args.bins)
        print(f"| tree | depth | {names} | git push |")
        print("|---|---|" + "---|" * len(args.bins) + "---|")
        for kind, depth, cells, push in rows:
            print(f"| {kind} | {depth} | {' | '.join(cells)} | {'' if push is None else f'{push:.0f} ms'} |")
    finally:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
