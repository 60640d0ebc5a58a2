"""Writing generated cases to disk and running the reference on them once."""
import functools
import os
import pathlib
import shutil
import tempfile

from conftest import git, reference
from workspaces import Link, all_cases

CASES = all_cases()
BY_NAME = {c[0]: c for c in CASES}
COMMANDS = (("conflicts",), ("conflicts", "--json"), ("board",), ("board", "--json"))


def write_case(top: pathlib.Path, files):
    for rel, content in files.items():
        path = top / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Link):
            os.symlink(content.target, path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


def root_args(top, start):
    return ["--root", str(top / start)] if start else []


@functools.lru_cache(maxsize=None)
def reference_outputs(name):
    """(returncode, stdout) of the reference for each command, on the files."""
    _, files, start = BY_NAME[name]
    base = pathlib.Path(tempfile.mkdtemp(prefix="exo-ref-"))
    try:
        top = base / "w"
        top.mkdir()
        write_case(top, files)
        out = {}
        for cmd in COMMANDS:
            r = reference(*cmd, *root_args(top, start), cwd=top)
            out[cmd] = (r.returncode, r.stdout, r.stderr)
        return out
    finally:
        shutil.rmtree(base, ignore_errors=True)


def assert_matches(expected, result, what):
    code, stdout, stderr = expected
    if code != 0 and "TypeError: '<' not supported" in stderr:
        # exo stops with a traceback when statuses of different types meet in the board's
        # sort; exo-guard orders them (numbers, then strings, then lists) and goes on.
        assert result.returncode == 0, f"{what}: {result.stderr}"
        return
    if code == 0:
        assert result.returncode == 0, f"{what}: reference passed, exo-guard failed: {result.stderr}"
        assert result.stdout == stdout, f"{what}: output differs"
    else:
        assert result.returncode == 2, f"{what}: reference failed (exit {code}), exo-guard exit {result.returncode}: {result.stdout}"
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("exo-guard: "), f"{what}: error is not one line: {result.stderr!r}"


def commit_case(top, name):
    """A repository at `top` whose HEAD holds the case's files; returns the case's start."""
    _, files, start = BY_NAME[name]
    top.mkdir()
    write_case(top, files)
    git(top, "init", "-q")
    git(top, "add", "-A", "--force")
    git(top, "commit", "-q", "-m", "case", "--allow-empty")
    return start


def clear_work_tree(top):
    """Removes everything but `.git`."""
    for entry in os.listdir(top):
        if entry != ".git":
            p = top / entry
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()
