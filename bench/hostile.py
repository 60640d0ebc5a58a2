#!/usr/bin/env python3
"""Hostile pushes judged as a server judges them, by builds side by side (issue 14).

Each case is a commit made with `git fast-import` in a bare repository, judged by
`exo-guard hook pre-receive` with the server's defaults (exo.timeout 4, and where the build
has it exo.maxMemory 400), no cache. Binaries run interleaved, `--runs` rounds; medians of
the wall time, the peak RSS (GNU time) and the bytes the pusher would be sent.
  shared    200 changes that each point at the same 2,000 targets (40 M pair entries)
  doubtful  20,000 new changes 1,000 folders down (paths of 4 KB), each on a missing target
  copies    200 paths holding one document that points at 100,000 targets (a 400 KB push)
  links-chain  20,000 symlinks to one document through a chain of 39 links
  links-deep   3,000 symlinks to one document 1,500 folders down

    python3 bench/hostile.py OLD_BIN NEW_BIN [--runs 3]
    make bench-hostile OLD=path/to/an/older/exo-guard
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from depth import TOML, env, label  # noqa: E402


def make(top, name, documents):
    """A bare repository whose main is a commit of `documents` ({path: text} or {path: mark})
    on top of a first commit, and the `old new ref` line of its push."""
    repo = os.path.join(top, name + ".git")
    subprocess.run(["git", "init", "-q", "--bare", repo], env=env(), check=True)
    out = [b"commit refs/heads/main\ncommitter T <t@e> 1767225600 +0000\ndata 4\nbase\n"]
    for path, text in {"tropo.toml": TOML, "changes/old.md": "---\nstatus: active\ntouches: [auth]\n---\n"}.items():
        out.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(text), text.encode()))
    blobs, files = documents
    for mark, text in blobs.items():
        data = text.encode()
        out.append(b"blob\nmark :%d\ndata %d\n%s\n" % (mark, len(data), data))
    out.append(b"commit refs/heads/main\ncommitter T <t@e> 1767225600 +0000\ndata 4\nwork\n")
    for path, what in files.items():
        if isinstance(what, int):
            out.append(b"M 100644 :%d %s\n" % (what, path.encode()))
        elif isinstance(what, tuple):  # ("link", target)
            out.append(b"M 120000 inline %s\ndata %d\n%s\n" % (path.encode(), len(what[1]), what[1].encode()))
        else:
            out.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(what.encode()), what.encode()))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, env=env(), input=b"".join(out), check=True)
    old, new = subprocess.run(["git", "rev-parse", "main~1", "main"], cwd=repo, env=env(), capture_output=True,
                              text=True, check=True).stdout.split()
    return repo, f"{old} {new} refs/heads/main\n"


def cases():
    shared = ", ".join(f"m{t}" for t in range(2000))
    deep = "changes/" + "/".join(["ccc"] * 1000)
    many = ", ".join(f"m{t}" for t in range(100000))
    doc = "---\nstatus: active\ntouches: [auth]\n---\n"
    chain = {f"changes/l{h}": ("link", f"l{h + 1}" if h < 38 else "real.md") for h in range(39)}
    deep15 = "changes/" + "/".join(["d"] * 1500)
    return {
        "shared": ({}, {f"changes/c{k}.md": f"---\nstatus: active\ntouches: [{shared}]\n---\n" for k in range(200)}),
        "doubtful": ({}, {f"{deep}/x{k}.md": f"---\nstatus: active\ntouches: [typo{k}]\n---\n" for k in range(20000)}),
        "copies": ({1: f"---\nstatus: active\ntouches: [{many}]\n---\n"}, {f"changes/c{k}.md": 1 for k in range(200)}),
        "links-chain": ({}, {"changes/real.md": doc, **chain, **{f"changes/x{k}.md": ("link", "l0") for k in range(20000)}}),
        "links-deep": ({}, {f"{deep15}/real.md": doc, **{f"{deep15}/x{k}.md": ("link", "real.md") for k in range(3000)}}),
    }


def judge(binary, repo, line):
    with tempfile.NamedTemporaryFile("r") as peak:
        r = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", peak.name, binary, "hook", "pre-receive"], cwd=repo,
                           env=env(), input=line.encode(), capture_output=True)
        took, rss = peak.read().split()[-2:]
    first = r.stderr.decode(errors="replace").split("\n", 1)[0]
    return float(took), int(rss) / 1024, len(r.stderr), first


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bins", nargs="+")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    bins = [os.path.abspath(b) for b in args.bins]
    top = tempfile.mkdtemp(prefix="exo-hostile-")
    try:
        print(f"| case | {' | '.join(label(b) for b in bins)} |")
        print("|---|" + "---|" * len(bins))
        for name, documents in cases().items():
            repo, line = make(top, name, documents)
            results = {b: [] for b in bins}
            for _ in range(args.runs):
                for b in bins:
                    results[b].append(judge(b, repo, line))
            cells = []
            for b in bins:
                runs = results[b]
                cells.append(f"{statistics.median(r[0] for r in runs):.2f} s, {statistics.median(r[1] for r in runs):.0f} MiB, "
                             f"{statistics.median(r[2] for r in runs):,.0f} bytes to the pusher: {runs[-1][3][:90]}")
            print(f"| {name} | {' | '.join(cells)} |")
    finally:
        shutil.rmtree(top, ignore_errors=True)


if __name__ == "__main__":
    main()
