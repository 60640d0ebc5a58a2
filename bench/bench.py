#!/usr/bin/env python3
"""`make bench`: exo-guard against the reference exo and against git itself.

Generates workspaces of 1k, 10k and 50k changes (about a quarter active, each touching 1-4
of N/5 modules), each twice: with one-line bodies (the frontmatter is most of the bytes)
and with paragraphs of prose; commits them, and measures in a release build
(median of several runs, min-max, peak RSS): `conflicts --json` on the files and with
`--rev HEAD`, `hook pre-commit` with one staged edit (cold and with a warm parse cache),
`hook pre-receive` for a one-commit push; beside them the reference `exo conflicts` (1k,
10k with a time cap) and the floor, `git ls-tree -r HEAD | git cat-file --batch` reading
every blob. Writes BENCHMARKS.md with a table and an SVG chart.

Usage: bench.py BIN REF [--sizes 1000,10000,50000] [--bodies short,long] [--runs 5] [--out BENCHMARKS.md]
"""
import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOML = """packs = ["coordination"]

[types.module]
folder = "modules"

[types.change]
folder = "changes"
optional = { touches = "ref-list", gate = "ref" }
"""
WORDS = ("graph agent module change gate verify merge build deploy session token cache index "
         "search billing invoice plan login account export import schema migrate queue worker").split()


def env():
    e = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    e.update({"GIT_CONFIG_GLOBAL": os.path.join(WORK, "gitconfig"), "GIT_CONFIG_SYSTEM": "/dev/null",
              "EXO_GUARD_MODE": "warn"})
    return e


def workdir(prefix):
    """A fresh WORK folder (set as this module's) with an isolated git config in it."""
    global WORK
    WORK = tempfile.mkdtemp(prefix=prefix)
    with open(os.path.join(WORK, "gitconfig"), "w") as fh:
        fh.write("[user]\n\tname = Bench\n\temail = bench@example.com\n[init]\n\tdefaultBranch = main\n[gc]\n\tauto = 0\n")
    return WORK


def git(cwd, *args, input=None):
    return subprocess.run(["git", *args], cwd=cwd, env=env(), check=True, capture_output=True, input=input)


def body(rnd):
    paras = []
    for _ in range(rnd.randint(2, 6)):
        paras.append(" ".join(rnd.choice(WORDS) for _ in range(rnd.randint(20, 80))).capitalize() + ".")
    return "\n\n".join(paras) + "\n"


def generate(top, n_changes, seed=7, bodies="long"):
    """`n_changes` changes and a module for every five, in a new folder `top`. `bodies`:
    "long" (paragraphs of prose: git's full read costs far more than the frontmatter) or
    "short" (one line: the frontmatter is most of each file's bytes)."""
    rnd = random.Random(seed)
    text = body if bodies == "long" else (lambda r: "One line of body.\n")
    n_modules = max(1, n_changes // 5)
    os.makedirs(os.path.join(top, "modules"))
    os.makedirs(os.path.join(top, "changes"))
    with open(os.path.join(top, "tropo.toml"), "w") as fh:
        fh.write(TOML)
    for m in range(n_modules):
        with open(os.path.join(top, "modules", f"mod-{m}.md"), "w") as fh:
            fh.write(f"---\nowner: team-{m % 17}\n---\n# Module {m}\n\n{text(rnd)}")
    for c in range(n_changes):
        status = "active" if rnd.random() < 0.25 else rnd.choice(["draft", "done", "closed"])
        touches = ", ".join(f"mod-{rnd.randrange(n_modules)}" for _ in range(rnd.randint(1, 4)))
        sub = f"changes/batch-{c // 500}"
        os.makedirs(os.path.join(top, sub), exist_ok=True)
        with open(os.path.join(top, sub, f"change-{c}.md"), "w") as fh:
            fh.write(f"---\nstatus: {status}\ntouches: [{touches}]\nassignee: agent-{c % 40}\n---\n"
                     f"# Change {c}\n\n{text(rnd)}")
    return n_modules + n_changes


def measure(cmd, cwd, runs, extra_env=None, input=None, timeout=None, setup=None):
    """Median, min, max seconds and peak RSS (MiB) over `runs` runs, or None when it timed out."""
    times, rss = [], 0
    for _ in range(runs):
        if setup:
            setup()
        e = env()
        if extra_env:
            e.update(extra_env)
        start = time.perf_counter()
        try:
            r = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], cwd=cwd, env=e, capture_output=True,
                               input=input, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        times.append(time.perf_counter() - start)
        rss = max(rss, int(r.stderr.decode().strip().splitlines()[-1]) / 1024)
        if r.returncode not in (0, 1):
            raise SystemExit(f"{cmd} failed: {r.stderr.decode()[-2000:]}")
    return statistics.median(times), min(times), max(times), rss


def main():
    global WORK
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("ref")
    ap.add_argument("--sizes", default="1000,10000,50000")
    ap.add_argument("--bodies", default="short,long",
                    help="the workloads at each size: short bodies (frontmatter is most of the bytes), long bodies")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ref-cap", type=float, default=120.0, help="seconds before the reference is given up")
    ap.add_argument("--out", default="BENCHMARKS.md")
    args = ap.parse_args()
    bin_ = os.path.abspath(args.bin)
    args.ref = os.path.abspath(args.ref)
    WORK = tempfile.mkdtemp(prefix="exo-guard-bench-")
    with open(os.path.join(WORK, "gitconfig"), "w") as fh:
        fh.write("[user]\n\tname = Bench\n\temail = bench@example.com\n[init]\n\tdefaultBranch = main\n[gc]\n\tauto = 0\n")
    rows, chart = [], {}
    try:
        for n, bodies in [(int(s), b) for s in args.sizes.split(",") for b in args.bodies.split(",")]:
            top = os.path.join(WORK, f"ws-{n}-{bodies}")
            docs = generate(top, n, bodies=bodies)
            git(top, "init", "-q")
            git(top, "add", "-A")
            git(top, "commit", "-q", "-m", "workspace")
            git(top, "gc", "-q")
            # The workspace was just written: its pages go to disk now, not while timing.
            os.sync()
            label = f"{n // 1000}k changes ({docs} docs), {bodies} bodies"
            results = {}

            def record(workload, tool, m):
                results[(workload, tool)] = m
                rows.append((label, workload, tool, m))
                shown = "timed out" if m is None else f"{m[0]:.3f}s"
                print(f"{label:28} {workload:36} {tool:14} {shown}", file=sys.stderr)

            # Every exo-guard row says its cache state, and sets it before each run: cold (no
            # parse cache, as in CI and on a first push) or warm (the cache the run before left).
            cache_dir = os.path.join(top, ".git", "exo-guard")
            drop = lambda: shutil.rmtree(cache_dir, ignore_errors=True)
            floor_cmd = ["sh", "-c", "git ls-tree -r HEAD | awk '{print $3}' | git cat-file --batch > /dev/null"]
            record("read every blob", "git (floor)", measure(floor_cmd, top, args.runs))
            # Files on disk are read every run (no cache holds them): one row. A tree's
            # documents are cached under their blob ids; `conflicts` only reads the cache (a
            # read-only command writes none), so the warm row's cache is the one a `check` of
            # the same tree left.
            record("conflicts --json (files), no cache for files", "exo-guard",
                   measure([bin_, "conflicts", "--json"], top, args.runs, setup=drop))
            rev = [bin_, "conflicts", "--json", "--rev", "HEAD"]
            record("conflicts --json --rev HEAD, cold", "exo-guard", measure(rev, top, args.runs, setup=drop))
            subprocess.run([bin_, "check", "--rev", "HEAD", "--base-empty", "--mode", "warn"], cwd=top, env=env(),
                           capture_output=True, check=True)
            record("conflicts --json --rev HEAD, warm (the cache a check left)", "exo-guard", measure(rev, top, args.runs))
            if n <= 10000:
                record("conflicts --json (files)", "reference exo",
                       measure([args.ref, "conflicts", "--json"], top, 1 if n > 1000 else min(3, args.runs), timeout=args.ref_cap))

            # pre-commit with one staged edit: cold (no parse cache) and warm.
            edit = os.path.join(top, "changes", "batch-0", "change-1.md")
            with open(edit, "a") as fh:
                fh.write("\nOne more line.\n")
            git(top, "add", edit)
            record("hook pre-commit, one staged edit, cold", "exo-guard",
                   measure([bin_, "hook", "pre-commit"], top, args.runs, setup=drop))
            measure([bin_, "hook", "pre-commit"], top, 1)  # warm the cache
            record("hook pre-commit, one staged edit, warm", "exo-guard", measure([bin_, "hook", "pre-commit"], top, args.runs))

            # pre-receive of a one-commit push, in a bare server: cold (no cache), and as a
            # server runs it, its cache left by the push before (which pushed the parent).
            git(top, "commit", "-q", "--no-verify", "-m", "edit")
            with open(os.path.join(top, "changes", "batch-1", "change-501.md"), "a") as fh:
                fh.write("\nAnother line.\n")
            git(top, "commit", "-q", "--no-verify", "-a", "-m", "second edit")
            bare = os.path.join(WORK, f"ws-{n}-{bodies}.git")
            git(WORK, "clone", "-q", "--bare", top, bare)
            first, old, new = (git(top, "rev-parse", r).stdout.decode().strip() for r in ("HEAD~2", "HEAD~1", "HEAD"))
            git(bare, "update-ref", "refs/heads/main", old)
            line = f"{old} {new} refs/heads/main\n".encode()
            hook = [bin_, "hook", "pre-receive"]
            server = {"GIT_DIR": "."}
            drop_bare = lambda: shutil.rmtree(os.path.join(bare, "exo-guard"), ignore_errors=True)
            record("hook pre-receive, one-commit push, cold", "exo-guard",
                   measure(hook, bare, args.runs, input=line, extra_env=server, setup=drop_bare))

            def after_previous_push():
                drop_bare()
                subprocess.run(hook, cwd=bare, env={**env(), **server}, input=f"{first} {old} refs/heads/main\n".encode(),
                               capture_output=True, check=True)
            record("hook pre-receive, one-commit push, warm (cache of the push before)", "exo-guard",
                   measure(hook, bare, args.runs, input=line, extra_env=server, setup=after_previous_push))
            if bodies == "long" or "long" not in args.bodies.split(","):
                chart[n] = results
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    write_report(args.out, rows, chart)


KEPT_FROM = "## Instruction counts"


def write_report(path, rows, chart):
    floor = {(r[0]): r[3] for r in rows if r[2] == "git (floor)"}
    ref = {(r[0]): r[3] for r in rows if r[2] == "reference exo"}
    lines = ["# Benchmarks", "",
             "`make bench` writes this page. Median of several runs of a release build; RSS is the peak resident set.",
             "Speed-up is over the reference `exo conflicts --json` on the same files; the ratio is to the floor,",
             "git reading every blob of the tree (`git ls-tree -r HEAD | git cat-file --batch`).",
             "Each exo-guard row says its cache state, set before every run: cold (no parse cache, as in CI",
             "and on a first push) or warm (the cache the run before left). Each size is measured on two",
             "workloads: short bodies (one line: the frontmatter is most of the bytes, so git's full read",
             "reads little more than exo-guard must) and long bodies (git's full read reads every body,",
             "exo-guard only the frontmatter). The chart shows the long-bodies workload.", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}; "
             f"{subprocess.run(['swift', '--version'], capture_output=True, text=True).stdout.splitlines()[0]}; built with `swift build -c release --static-swift-stdlib`.", "",
             "| workload | what | tool | median | min–max | peak RSS | speed-up over reference | ratio to floor |",
             "|---|---|---|---|---|---|---|---|"]
    for label, workload, tool, m in rows:
        if m is None:
            lines.append(f"| {label} | {workload} | {tool} | timed out | | | | |")
            continue
        med, lo, hi, rss = m
        speed = ""
        if tool == "exo-guard" and ref.get(label) and workload.startswith("conflicts --json"):
            speed = f"{ref[label][0] / med:.0f}×"
        ratio = f"{med / floor[label][0]:.2f}" if floor.get(label) and tool != "git (floor)" else ""
        lines.append(f"| {label} | {workload} | {tool} | {med * 1000:.1f} ms | {lo * 1000:.0f}–{hi * 1000:.0f} ms | {rss:.0f} MiB | {speed} | {ratio} |")
    lines += ["", "![time against workspace size](bench/chart.svg)", ""]
    # The hand-written sections after the table (instruction counts, targets) are kept.
    kept = ""
    if os.path.exists(path):
        old = open(path).read()
        at = old.find(KEPT_FROM)
        if at >= 0:
            kept = old[at:]
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + ("\n" + kept if kept else ""))
    svg_path = os.path.join(os.path.dirname(os.path.abspath(path)), "bench", "chart.svg")
    os.makedirs(os.path.dirname(svg_path), exist_ok=True)
    with open(svg_path, "w") as fh:
        fh.write(svg(chart))


def svg(chart):
    """Time against workspace size, log-log: exo-guard, the reference, the floor."""
    import math
    series = {
        "exo-guard conflicts (files)": ("#2b6cb0", ("conflicts --json (files), no cache for files", "exo-guard")),
        "exo-guard pre-commit, warm": ("#38a169", ("hook pre-commit, one staged edit, warm", "exo-guard")),
        "reference exo conflicts": ("#e53e3e", ("conflicts --json (files)", "reference exo")),
        "git reading every blob": ("#718096", ("read every blob", "git (floor)")),
    }
    sizes = sorted(chart)
    pts = [m[0] for r in chart.values() for m in r.values() if m]
    if not sizes or not pts:
        return "<svg xmlns='http://www.w3.org/2000/svg'/>"
    lo, hi = math.log10(min(pts)) - 0.2, math.log10(max(pts)) + 0.2
    W, H, L, B = 640, 360, 70, 40
    x = lambda n: L + (math.log10(n) - math.log10(sizes[0])) / max(1e-9, math.log10(sizes[-1]) - math.log10(sizes[0])) * (W - L - 20)
    y = lambda t: H - B - (math.log10(t) - lo) / (hi - lo) * (H - B - 20)
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{W}' height='{H}' font-family='sans-serif' font-size='11'>",
           f"<rect width='{W}' height='{H}' fill='white'/>",
           f"<line x1='{L}' y1='{H - B}' x2='{W - 10}' y2='{H - B}' stroke='black'/>",
           f"<line x1='{L}' y1='10' x2='{L}' y2='{H - B}' stroke='black'/>",
           f"<text x='{W / 2}' y='{H - 8}' text-anchor='middle'>changes in the workspace (log)</text>",
           f"<text x='14' y='{H / 2}' transform='rotate(-90 14 {H / 2})' text-anchor='middle'>seconds (log)</text>"]
    for n in sizes:
        out.append(f"<text x='{x(n):.0f}' y='{H - B + 15}' text-anchor='middle'>{n}</text>")
    for e in range(math.floor(lo), math.ceil(hi) + 1):
        t = 10 ** e
        if lo <= e <= hi:
            out.append(f"<text x='{L - 6}' y='{y(t) + 4:.0f}' text-anchor='end'>{t:g}</text>")
            out.append(f"<line x1='{L}' y1='{y(t):.0f}' x2='{W - 10}' y2='{y(t):.0f}' stroke='#eee'/>")
    for i, (name, (colour, key)) in enumerate(series.items()):
        p = [(x(n), y(chart[n][key][0])) for n in sizes if chart[n].get(key)]
        if p:
            out.append(f"<polyline fill='none' stroke='{colour}' stroke-width='2' points='{' '.join(f'{a:.0f},{b:.0f}' for a, b in p)}'/>")
            out += [f"<circle cx='{a:.0f}' cy='{b:.0f}' r='3' fill='{colour}'/>" for a, b in p]
        out.append(f"<rect x='{L + 10}' y='{14 + i * 15}' width='10' height='10' fill='{colour}'/>")
        out.append(f"<text x='{L + 25}' y='{23 + i * 15}'>{name}</text>")
    out.append("</svg>")
    return "\n".join(out)


if __name__ == "__main__":
    main()
