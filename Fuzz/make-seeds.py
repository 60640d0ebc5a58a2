#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into Fuzz/corpus/<target>/ (checked in).

- frontmatter: every Markdown file of the conformance workspaces (tests/workspaces.py) and
  of examples/workspace;
- config: their tropo.toml and workspace.toml files, and the bundled packs;
- index: index files git writes (versions 2, 3 and 4, with and without a cache tree,
  a split index with its shared index's entries replaced and deleted, a conflict);
- objects: loose objects (first byte 0) and packs (first byte 1, the index's length in 4
  bytes, the index, the pack) git writes;
- parse-cache: entries of each kind as exo-guard's cache holds them, cut from a real cache.

Run from the repository's top: python3 Fuzz/make-seeds.py (needs git).
"""
import hashlib
import os
import pathlib
import shutil
import struct
import subprocess
import sys
import tempfile

TOP = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(TOP / "tests"))
import workspaces  # noqa: E402

CORPUS = TOP / "Fuzz" / "corpus"


def save(target, data):
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def git(cwd, *args, env=None):
    e = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_SYSTEM="/dev/null",
             GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@a", GIT_COMMITTER_NAME="a", GIT_COMMITTER_EMAIL="a@a")
    e.update(env or {})
    return subprocess.run(["git", *args], cwd=cwd, env=e, check=True, capture_output=True)


def texts():
    for _name, files, _start in workspaces.all_cases(n_random=20):
        for path, content in files.items():
            if isinstance(content, (str, bytes)):
                yield path, content
    for p in (TOP / "examples" / "workspace").rglob("*"):
        if p.is_file():
            yield str(p), p.read_bytes()


def documents_and_configs():
    seen = set()
    for path, content in texts():
        if path.endswith(".md") and len(seen) < 400:
            if content not in seen:
                save("frontmatter", content)
                seen.add(content)
        elif path.endswith(".toml"):
            save("config", content)
    for p in (TOP / "Sources").rglob("BundledPacks.swift"):
        save("config", p.read_text())


def repository(tmp, version):
    repo = tmp / f"r{version}"
    repo.mkdir()
    git(repo, "init", "-q")
    for i, (path, content) in enumerate(list(texts())[:60]):
        if path.startswith("/"):
            path = f"ex/{i}.md"
        f = repo / path
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(content.encode() if isinstance(content, str) else content)
    git(repo, "add", "-A")
    git(repo, "update-index", f"--index-version={version}")
    return repo


def indexes(tmp):
    for version in (2, 3, 4):
        repo = repository(tmp, version)
        save("index", (repo / ".git" / "index").read_bytes())  # no cache tree yet
        git(repo, "commit", "-qm", "x")
        save("index", (repo / ".git" / "index").read_bytes())  # with a cache tree
    repo = tmp / "r4"
    git(repo, "update-index", "--split-index")
    (repo / "new.md").write_text("---\nstatus: active\n---\n")
    git(repo, "add", "new.md")
    first = next(iter(sorted(p for p in repo.rglob("*.md") if ".git" not in p.parts)))
    first.write_text("changed\n")
    git(repo, "add", "-A")
    save("index", (repo / ".git" / "index").read_bytes())
    repo = tmp / "r3"
    git(repo, "add", "-N", "--", ".")
    save("index", (repo / ".git" / "index").read_bytes())


def objects(tmp):
    repo = tmp / "r2"
    loose = sorted((repo / ".git" / "objects").glob("??/*"))
    for f in loose[:40]:
        save("objects", b"\0" + f.read_bytes())
    git(repo, "gc", "-q", "--aggressive")
    for idx in (repo / ".git" / "objects" / "pack").glob("*.idx"):
        pack = idx.with_suffix(".pack").read_bytes()
        index = idx.read_bytes()
        if len(index) + len(pack) < 200_000:
            save("objects", b"\1" + struct.pack(">I", len(index)) + index + pack)


def parse_cache(tmp):
    repo = tmp / "example"
    shutil.copytree(TOP / "examples" / "workspace", repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "x")
    binary = TOP / ".build" / "debug" / "exo-guard"
    if not binary.exists():
        return
    (repo / "changes" / "new.md").write_text("---\nstatus: active\ntouches: [auth]\nassignee: ann\n---\n")
    git(repo, "add", "-A")
    git(repo, "branch", "agent")
    subprocess.run([str(binary), "check", "--staged", "--watch", "refs/heads/*"], cwd=repo, capture_output=True)
    cache = repo / ".git" / "exo-guard" / "parse-cache"
    if not cache.exists():
        return
    data = cache.read_bytes()
    magic = b"exo-guard parse cache\n"
    rows = struct.unpack("<I", data[len(magic) + 4:len(magic) + 8])[0]
    header = len(magic) + 12
    for r in range(min(rows, 200)):
        row = data[header + 32 * r:header + 32 * (r + 1)]
        kind = row[20]
        offset, length = struct.unpack("<II", row[24:32])
        payload = data[offset:offset + length]
        selector = {1: 0, 2: 3, 3: 1, 4: 4, 5: 2, 6: 1}.get(kind, 1)
        save("parse-cache", bytes([selector]) + payload)


def main():
    shutil.rmtree(CORPUS, ignore_errors=True)
    documents_and_configs()
    with tempfile.TemporaryDirectory() as t:
        tmp = pathlib.Path(t)
        indexes(tmp)
        objects(tmp)
        parse_cache(tmp)
    for target in sorted(CORPUS.iterdir()):
        print(f"{target.name}: {sum(1 for _ in target.iterdir())} seeds")


main()
