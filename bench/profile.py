#!/usr/bin/env python3
"""`make profile`: instructions executed by `hook pre-commit` (one staged edit) on a
12k-document repository, under valgrind's callgrind: a count that stays the same from run
to run on a noisy machine, for catching regressions. Cold (no parse cache) and warm."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def instructions(cmd, cwd):
    out = os.path.join(cwd, "callgrind.out")
    r = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *cmd],
                       cwd=cwd, env=bench.env(), capture_output=True, text=True)
    m = re.search(r"Collected : (\d+)", r.stderr)
    os.unlink(out)
    return int(m.group(1)) if m else None


def stripped_copy(binary, directory):
    """valgrind 3.19 cannot read the DWARF 5 that Swift 6.3 writes: profile a copy without
    debug info (its symbols stay, so callgrind_annotate still names functions)."""
    copy = os.path.join(directory, "exo-guard")
    shutil.copy(binary, copy)
    subprocess.run(["objcopy", "--strip-debug", copy], check=True)
    return copy


def main():
    binary = os.path.abspath(sys.argv[1])
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    bench.WORK = tempfile.mkdtemp(prefix="exo-guard-profile-")
    try:
        with open(os.path.join(bench.WORK, "gitconfig"), "w") as fh:
            fh.write("[user]\n\tname = P\n\temail = p@example.com\n[init]\n\tdefaultBranch = main\n[gc]\n\tauto = 0\n")
        top = os.path.join(bench.WORK, "ws")
        docs = bench.generate(top, size)
        bench.git(top, "init", "-q")
        bench.git(top, "add", "-A")
        bench.git(top, "commit", "-q", "-m", "ws")
        bench.git(top, "gc", "-q")  # packed, as in bench.py (and no automatic gc racing the count)
        edit = os.path.join(top, "changes", "batch-0", "change-1.md")
        with open(edit, "a") as fh:
            fh.write("\nedit\n")
        bench.git(top, "add", edit)
        binary = stripped_copy(binary, bench.WORK)
        cold = instructions([binary, "hook", "pre-commit"], top)
        warm = instructions([binary, "hook", "pre-commit"], top)
        print(f"hook pre-commit on {docs} documents: {cold:,} instructions cold, {warm:,} with a warm parse cache")
    finally:
        shutil.rmtree(bench.WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
