"""exo-guard reads git's index file itself (entries and cache tree), and hands the forms
it does not read to libgit2. Every form git writes must give the same graph: for a sample
of the conformance cases, the index is rewritten in each form with the work tree emptied,
and `--staged` must equal the reference run on the files.

Forms: version 2 with a full cache tree (as `git commit` leaves it), with the cache tree
invalidated by `git add` (a changed file in every folder), with only an invalid root (as
`git read-tree --empty` and `update-index` leave it), without a cache tree at all (libgit2
reads it, as HEAD plus its diff);
version 3 (an intent-to-add entry, which git does not commit); version 4 (paths
prefix-compressed); a temporary index under GIT_INDEX_FILE; and a split index
(core.splitIndex, which libgit2 1.5 cannot read), compared with the commit git makes of it.
"""
import hashlib
import os
import struct

import pytest

from casefiles import BY_NAME, CASES, assert_matches, clear_work_tree, commit_case, reference_outputs, root_args
from conftest import STATS, git, guard, probes, without_probes
from workspaces import Link

JSON_COMMANDS = (("conflicts", "--json"), ("board", "--json"))
# Every seventh case: all kinds of rule case and some random workspaces.
SAMPLE = [c[0] for c in CASES][::7]


def index_bytes(top):
    return (top / ".git" / "index").read_bytes()


def full_cache_tree(top):
    git(top, "update-index", "--index-version", "2")
    git(top, "write-tree")
    assert b"TREE" in index_bytes(top)


def invalidated(top):
    # Every entry written again (same content): every folder's cache-tree node is invalidated.
    entries = git(top, "ls-files", "-s", "-z").stdout
    git(top, "update-index", "-z", "--index-info", input=entries)
    assert index_bytes(top).count(b"TREE") <= 1


def invalid_root(top):
    tree = git(top, "write-tree").stdout.strip()
    # read-tree --empty, then the entries given back: a cache tree with only an invalid root.
    entries = git(top, "ls-tree", "-r", "-z", "--full-tree", tree).stdout.split("\0")
    git(top, "read-tree", "--empty")
    git(top, "update-index", "--index-info", input="".join(f"{e}\n" for e in entries if e))
    assert b"TREE\0\0\0\x06\0-1 0\n" in index_bytes(top)


def no_cache_tree(top):
    """The index without any extension (as other tools may write it): libgit2 reads it."""
    git(top, "update-index", "--index-version", "2")
    data = index_bytes(top)
    count = struct.unpack(">I", data[8:12])[0]
    at = 12
    for _ in range(count):
        nul = data.index(b"\0", at + 62)
        at += (nul - at + 8) & ~7
    body = data[:at]
    (top / ".git" / "index").write_bytes(body + hashlib.sha1(body).digest())
    assert b"TREE" not in index_bytes(top)[at:]
    assert git(top, "ls-files", "-s").stdout  # git still reads it


def version_3_with_intent_to_add(top):
    (top / "changes").mkdir(exist_ok=True)
    (top / "changes" / "not-committed.md").write_text("---\nstatus: active\ntouches: [x]\n---\n")
    git(top, "add", "-N", "changes/not-committed.md")
    os.unlink(top / "changes" / "not-committed.md")


def version_4(top):
    git(top, "update-index", "--index-version", "4")


def split_index(top):
    git(top, "update-index", "--split-index")


FORMS = {"full": full_cache_tree, "invalidated": invalidated, "invalid-root": invalid_root, "no-tree": no_cache_tree,
         "v3-ita": version_3_with_intent_to_add, "v4": version_4}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", SAMPLE)
def test_index_forms_equal_the_reference(name, form, tmp_path):
    top = tmp_path / "w"
    start = commit_case(top, name)
    FORMS[form](top)
    clear_work_tree(top)
    expected = reference_outputs(name)
    for cmd in JSON_COMMANDS:
        args = [*cmd, "--staged"] + (["--root", str(top / start)] if start else [])
        got = guard(*args, cwd=top, env=STATS)
        read = probes(got)
        assert_matches(expected[cmd], without_probes(got), f"{name} {form} {' '.join(args)}")
        # Which reader ran: exo-guard's own for every form with a cache tree, libgit2 for
        # an index without one (read as HEAD plus its diff to the index).
        if got.returncode == 0:
            own = form != "no-tree"
            assert (read["index-file"], read["index-libgit2"]) == ((1, 0) if own else (0, 1)), (form, read)


@pytest.mark.parametrize("name", SAMPLE)
def test_folders_of_an_invalidated_cache_tree_keep_their_tree_ids(name, tmp_path):
    """With every cache-tree node invalid, the index's folders get the tree ids git would
    write for them, computed from the entries: after a hook has read HEAD, whose tree the
    index equals, `--staged` takes every folder from the cache and walks none."""
    top = tmp_path / "w"
    start = commit_case(top, name)
    invalidated(top)
    args = ["--root", str(top / start)] if start else []
    warmed = guard("check", "--base-empty", "--rev", "HEAD", *args, cwd=top)
    if warmed.returncode == 2 or any(isinstance(c, Link) for c in BY_NAME[name][1].values()):
        pytest.skip("nothing cached: a case exo fails on, or a folder holding a symlink")
    got = guard("conflicts", "--json", "--staged", *args, cwd=top, env=STATS)
    read = probes(got)
    assert_matches(reference_outputs(name)[("conflicts", "--json")], without_probes(got), name)
    if got.returncode == 0:
        assert read["index-file"] == 1 and read["walked-folder"] == 0 and read["cached-folder"] >= 1, (name, sorted(read.items()))


@pytest.mark.parametrize("form", ["full", "v4"])
def test_temporary_index_and_unborn_branch(form, tmp_path):
    """A temporary index (git commit -- paths) with no HEAD at all."""
    name = SAMPLE[1]
    top = tmp_path / "w"
    start = commit_case(top, name)
    FORMS[form](top)
    tmp_index = tmp_path / "next-index.lock"
    os.replace(top / ".git" / "index", tmp_index)
    git(top, "update-ref", "-d", "HEAD")
    clear_work_tree(top)
    expected = reference_outputs(name)
    for cmd in JSON_COMMANDS:
        args = [*cmd, "--staged"] + (["--root", str(top / start)] if start else [])
        got = guard(*args, cwd=top, env={"GIT_INDEX_FILE": str(tmp_index), **STATS})
        read = probes(got)
        assert_matches(expected[cmd], without_probes(got), f"{name} {form} temporary index {' '.join(args)}")
        assert read["index-file"] == 1 and read["index-libgit2"] == 0, read


def test_unmerged_index_is_an_error_in_every_form(tmp_path):
    top = tmp_path / "w"
    top.mkdir()
    git(top, "init", "-q")
    (top / "tropo.toml").write_text('packs = ["coordination"]\n')
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "one")
    git(top, "checkout", "-q", "-b", "other")
    (top / "tropo.toml").write_text('packs = ["coordination"]\n# other\n')
    git(top, "commit", "-q", "-am", "other")
    git(top, "checkout", "-q", "main")
    (top / "tropo.toml").write_text('packs = ["coordination"]\n# main\n')
    git(top, "commit", "-q", "-am", "main")
    assert git(top, "merge", "other", check=False).returncode != 0
    for version in ("2", "4"):
        git(top, "update-index", "--index-version", version)
        r = guard("conflicts", "--staged", cwd=top)
        assert r.returncode == 2 and "unresolved merge conflicts" in r.stderr, r.stderr


def link_size(top):
    data = index_bytes(top)
    at = data.find(b"link")
    return struct.unpack(">I", data[at + 4:at + 8])[0] if at >= 0 else None


def staged_then_committed(top, start, what):
    """--staged before the commit equals --rev HEAD after it."""
    args = ["--root", str(top / start)] if start else []
    before = {cmd: guard(*cmd, "--staged", *args, cwd=top, env=STATS) for cmd in JSON_COMMANDS}
    for cmd in JSON_COMMANDS:
        # libgit2 1.5 cannot read a split index: only exo-guard's own reader can have.
        assert probes(before[cmd])["index-file"] == 1, before[cmd].stderr
        without_probes(before[cmd])
    git(top, "commit", "-q", "-m", "split")
    for cmd in JSON_COMMANDS:
        after = guard(*cmd, "--rev", "HEAD", *args, cwd=top)
        assert before[cmd].returncode == after.returncode, before[cmd].stderr + after.stderr
        assert before[cmd].stdout == after.stdout, f"{what} {cmd}"


@pytest.mark.parametrize("name", SAMPLE[:12])
def test_split_index(name, tmp_path):
    """core.splitIndex (which libgit2 1.5 cannot read): the split file's entries merged
    onto the shared index's as git does."""
    top = tmp_path / "w"
    start = commit_case(top, name)
    git(top, "config", "core.splitIndex", "true")
    git(top, "update-index", "--split-index")
    files = [f for f in git(top, "ls-files", "-z").stdout.split("\0") if f]
    if len(files) > 1:
        git(top, "update-index", "--index-info", input=git(top, "ls-files", "-s", "--", files[0]).stdout)
        git(top, "rm", "-q", "--cached", "--", files[-1])
    (top / "zz-added.md").write_text("---\nstatus: active\n---\n")
    git(top, "add", "zz-added.md")
    assert link_size(top) is not None
    staged_then_committed(top, start, f"{name} split index")


def test_split_index_with_replaced_deleted_and_added_entries(tmp_path):
    """Few changes against a large shared index: git keeps them as the split file's
    bitmaps (replaced, deleted) and entries (added)."""
    top = tmp_path / "w"
    files = {"tropo.toml": 'packs = ["coordination"]\n[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n'}
    for i in range(60):
        files[f"changes/c{i}.md"] = f"---\nstatus: active\ntouches: [m{i % 7}]\n---\n"
    from casefiles import write_case
    top.mkdir()
    write_case(top, files)
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "w")
    git(top, "config", "core.splitIndex", "true")
    git(top, "update-index", "--split-index")
    (top / "changes/c3.md").write_text("---\nstatus: draft\n---\n")
    git(top, "add", "changes/c3.md")
    git(top, "rm", "-q", "--cached", "changes/c7.md")
    (top / "changes/zz.md").write_text("---\nstatus: active\ntouches: [m1]\n---\n")
    git(top, "add", "changes/zz.md")
    assert link_size(top) > 20  # the bitmaps are there
    staged_then_committed(top, "", "split index with bitmaps")


PREFETCH_TOML = '[types.module]\nfolder = "modules"\n[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n'


def test_a_commit_hook_reads_the_index_prefetched_while_libgit2_loads(tmp_path):
    """`hook pre-commit` starts reading the index on another thread before it loads libgit2
    (IndexFile+Prefetch.swift), and reads that index only when it is the file it then opens:
    as git runs the hook (GIT_INDEX_FILE: the index, or `git commit -a`'s temporary one),
    and run by hand in the main checkout (.git a folder) and in a linked worktree (.git a
    file). The verdict is the one of a run that reads the index itself."""
    top = tmp_path / "repo"
    (top / "modules").mkdir(parents=True)
    (top / "changes").mkdir()
    (top / "tropo.toml").write_text(PREFETCH_TOML)
    (top / "modules" / "m.md").write_text("---\nowner: a\n---\n")
    (top / "changes" / "a.md").write_text("---\nstatus: active\ntouches: [m]\n---\n")
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "graph")
    assert guard("install", cwd=top).returncode == 0

    def commit(where, *args):
        r = git(where, "commit", "-m", "next", *args, env=STATS, check=False)
        assert r.returncode == 0, r.stderr
        return probes(r)

    (top / "modules" / "n.md").write_text("---\nowner: b\n---\n")
    git(top, "add", "-A")
    read = commit(top)
    assert read["prefetched-index"] == 1 and read["index-file"] == 1, read
    (top / "modules" / "n.md").write_text("---\nowner: c\n---\n")
    read = commit(top, "-a")  # git's temporary index
    assert read["prefetched-index"] == 1 and read["index-file"] == 1, read

    # By hand, without GIT_INDEX_FILE: the index of the checkout at the current folder.
    (top / "changes" / "b.md").write_text("---\nstatus: active\ntouches: [m]\n---\n")
    git(top, "add", "-A")
    by_hand = guard("hook", "pre-commit", cwd=top, env=STATS)
    assert by_hand.returncode == 1 and "a <-> b" in by_hand.stderr, by_hand.stderr
    assert probes(by_hand)["prefetched-index"] == 1
    git(top, "reset", "-q")
    wt = tmp_path / "wt"
    git(top, "worktree", "add", "-q", str(wt), "-b", "side")
    (wt / "changes" / "c.md").write_text("---\nstatus: active\ntouches: [m]\n---\n")
    git(wt, "add", "-A")
    in_worktree = guard("hook", "pre-commit", cwd=wt, env=STATS)
    assert in_worktree.returncode == 1 and "a <-> c" in in_worktree.stderr, in_worktree.stderr
    assert probes(in_worktree)["prefetched-index"] == 1
    # Run from a subfolder, nothing is prefetched; the index is read and judged the same.
    below = guard("hook", "pre-commit", cwd=wt / "changes", env=STATS)
    assert probes(below)["prefetched-index"] == 0
    assert without_probes(below).stderr == without_probes(in_worktree).stderr
