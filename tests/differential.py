#!/usr/bin/env python3
"""Differential fuzzing against the reference: workspaces from the conformance generator,
then mutated (bytes of a document's frontmatter changed, dropped, repeated; tokens of the
YAML subset put in; lines swapped), compared with exo on `conflicts --json` and
`board --json`. A difference is any case where the reference succeeds and exo-guard's output
is not the same bytes, or where the reference fails and exo-guard does not fail in one line.

    python3 tests/differential.py CASES [SEED]   # prints cases, commands, differences

`tests/test_differential.py` runs a short stretch of it in `make test`.
"""
import pathlib
import random
import shutil
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from casefiles import assert_matches, root_args, write_case  # noqa: E402
from conftest import guard, reference  # noqa: E402
from workspaces import Link, all_cases  # noqa: E402

COMMANDS = (("conflicts", "--json"), ("board", "--json"))
TOKENS = [b"---", b"\n---\n", b": ", b"- ", b"[", b"]", b"{", b"}", b", ", b"\"", b"'", b"|", b">", b"#", b" #",
          b"  ", b"\t", b"~", b"null", b"true", b"status: active\n", b"touches: [auth]\n", b"assignee: @a\n",
          b"\r\n", b"\xef\xbb\xbf", b"\xff", b"&a ", b"*a", b"!x ", b"1e3", b".nan", b"- - a\n", b"a: b: c\n"]


def mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        # Mostly inside the frontmatter, where the grammar is: its first 200 bytes.
        at = rng.randint(0, min(len(b), 200))
        kind = rng.randrange(6)
        if kind == 0 and b:
            b[min(at, len(b) - 1)] = rng.randrange(256)
        elif kind == 1:
            b[at:at] = rng.choice(TOKENS)
        elif kind == 2 and b:
            del b[at:at + rng.randint(1, 8)]
        elif kind == 3:
            lines = bytes(b).split(b"\n")
            if len(lines) > 2:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                b = bytearray(b"\n".join(lines))
        elif kind == 4:
            lines = bytes(b).split(b"\n")
            i = rng.randrange(len(lines))
            lines.insert(i, lines[i])
            b = bytearray(b"\n".join(lines))
        else:
            b[at:at] = bytes(rng.randrange(32, 127) for _ in range(rng.randint(1, 6)))
    return bytes(b)


def cases(n: int, seed: int):
    rng = random.Random(seed)
    pool = all_cases(n_random=40)
    for k in range(n):
        name, files, start = rng.choice(pool)
        files = dict(files)
        docs = [p for p, c in files.items() if p.endswith(".md") and not isinstance(c, Link)]
        for p in rng.sample(docs, min(len(docs), rng.randint(1, 3))):
            c = files[p]
            files[p] = mutate(c.encode() if isinstance(c, str) else c, rng)
        yield f"{name}~{seed}.{k}", files, start


def run(n: int, seed: int):
    """(cases, commands compared, differences as (case, command, message))."""
    differences = []
    compared = 0
    for name, files, start in cases(n, seed):
        base = pathlib.Path(tempfile.mkdtemp(prefix="exo-diff-"))
        try:
            top = base / "w"
            top.mkdir()
            write_case(top, files)
            for cmd in COMMANDS:
                r = reference(*cmd, *root_args(top, start), cwd=top)
                expected = (r.returncode, r.stdout, r.stderr)
                try:
                    assert_matches(expected, guard(*cmd, *root_args(top, start), cwd=top), f"{name} {' '.join(cmd)}")
                except AssertionError as e:
                    differences.append((name, cmd, str(e).splitlines()[0]))
                compared += 1
        finally:
            shutil.rmtree(base, ignore_errors=True)
    return n, compared, differences


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    total, compared, diffs = run(n, seed)
    for d in diffs[:20]:
        print("DIFFERENCE", *d)
    print(f"{total} mutated workspaces, {compared} commands compared, {len(diffs)} differences")
    sys.exit(1 if diffs else 0)
