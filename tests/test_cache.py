"""What makes the guard fast must never change an answer.

- The index is read as HEAD's tree plus git's diff of that tree to the index: for every
  conformance case, HEAD holds another case and the index this one (files added, removed,
  folders turned into files and back), and `--staged` must equal the reference.
- Folder results are cached by tree id and context: with the cache left by the other case,
  the same holds for `--staged` and, once committed, for `--rev HEAD`. Neighbouring cases
  often share folders under different configurations, overlays or roots, which is where a
  key missing part of its context would show.
- The cache file: new entries are never appended after a damaged tail.
"""
import json

import pytest

from casefiles import BY_NAME, CASES, assert_matches, clear_work_tree, commit_case, reference_outputs, root_args, write_case
from conftest import STATS, git, guard, probes, reference, without_probes
from workspaces import Link

JSON_COMMANDS = (("conflicts", "--json"), ("board", "--json"))
NAMES = [c[0] for c in CASES]


def warm(top, start):
    """What a hook leaves: `check` writes the cache for the tree at HEAD. Returns the run."""
    r = guard("check", "--base-empty", "--rev", "HEAD", *root_args(top, start), cwd=top)
    # 1: the case's own conflicts; 2: a case exo fails on too. Never a crash.
    assert r.returncode in (0, 1, 2) and (r.returncode != 2 or r.stderr.startswith("exo-guard: ")), r.stderr
    return r


@pytest.mark.parametrize("name", NAMES)
def test_staged_and_committed_over_another_case_with_its_cache(name, tmp_path):
    other = NAMES[(NAMES.index(name) - 1) % len(NAMES)]
    top = tmp_path / "w"
    warm(top, commit_case(top, other))

    _, files, start = BY_NAME[name]
    clear_work_tree(top)
    write_case(top, files)
    git(top, "add", "-A", "--force")
    expected = reference_outputs(name)
    for cmd in JSON_COMMANDS:
        assert_matches(expected[cmd], guard(*cmd, "--staged", *root_args(top, start), cwd=top),
                       f"{name} over {other} staged {cmd}")

    git(top, "commit", "-q", "-m", "case", "--allow-empty")
    warmed = warm(top, start)
    for cmd in JSON_COMMANDS:
        got = guard(*cmd, "--rev", "HEAD", *root_args(top, start), cwd=top, env=STATS)
        read = probes(got)
        assert_matches(expected[cmd], without_probes(got), f"{name} over {other} rev {cmd}")
        # The answer came from the cache `check` just wrote: no folder walked again (a folder
        # holding a symlink is never cached: what it points at is not part of its tree id).
        if warmed.returncode != 2 and got.returncode == 0 and not any(isinstance(c, Link) for c in files.values()):
            assert read["walked-folder"] == 0 and read["cached-folder"] >= 1, (name, read)


TOML = 'packs = ["coordination"]\n[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n'


def change(status, *targets):
    return f"---\nstatus: {status}\ntouches: [{', '.join(targets)}]\n---\n"


def committed_and_warm(tmp_path, files):
    top = tmp_path / "w"
    top.mkdir()
    write_case(top, {"tropo.toml": TOML, **files})
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "init")
    warm(top, None)
    return top


def staged_over_warm_head(tmp_path, files, path, text):
    """`files` committed, HEAD's graph and view kept by a hook run, `path` then staged as `text`."""
    top = committed_and_warm(tmp_path, files)
    guard("hook", "pre-commit", cwd=top)  # keeps HEAD's view
    (top / path).write_text(text)
    git(top, "add", "-A")
    return top


def judged_like_no_cache(top):
    """The hook on what is staged (JSON, with probes), checked against the same hook with no
    cache; returns the first run."""
    env = {"EXO_GUARD_MODE": "warn"}
    hooked = guard("hook", "pre-commit", "--json", cwd=top, env={**env, **STATS})
    plain = guard("hook", "pre-commit", "--json", cwd=top, env={**env, "EXO_GUARD_CACHE": "0"})
    assert hooked.stdout == plain.stdout, (hooked.stderr, plain.stderr)
    return hooked


def test_a_commit_decodes_only_the_kept_folders_it_reads(tmp_path):
    """A folder read back from the cache is decoded only when its documents are asked for:
    the commit's own folders (compared with the index's) and the folder of the change it
    collides with (for its node). The active items' targets come with the kept view, so
    the view is derived without a pass over HEAD's documents. Same answer as no cache."""
    files = {f"changes/team-{t}/t{t}-c{i}.md": change("draft", f"m{i}") for t in range(6) for i in range(10)}
    files["changes/team-1/t1-c3.md"] = change("active", "m3", "m7")
    files["changes/team-4/t4-c5.md"] = change("active", "m5")
    top = staged_over_warm_head(tmp_path, files, "changes/team-2/t2-c4.md", change("active", "m3"))
    hooked = judged_like_no_cache(top)
    assert "t1-c3" in hooked.stdout and "t4-c5" not in hooked.stdout
    fast = probes(hooked)
    assert fast["kept-view"] == 1 and fast["derived-view"] == 1 and fast["derived-graph"] == 1, sorted(fast.items())
    # HEAD's root, changes/ and changes/team-2 (the staged graph made from them, with the
    # edited document), changes/team-1 (t1-c3's node): four of HEAD's eight folders;
    # team-0, -3, -4 and -5 never decoded.
    assert fast["decoded-folder"] == 4 and fast["walked-folder"] == 0, sorted(fast.items())
    # HEAD's eight folders read in place in the cache file, not copied out.
    assert fast["folder-in-place"] == 8, sorted(fast.items())


def test_a_commit_checks_large_kept_folders_together(tmp_path):
    """Past 64 KiB at one level, HEAD's kept folders are checked on every core at once
    (`checked-together`), read in place; the verdict is the one of a run without cache."""
    files = {f"changes/team-{t}/t{t}-c{i}.md": change("draft", f"m{i % 40}") for t in range(4) for i in range(300)}
    files["changes/team-1/t1-c3.md"] = change("active", "m3")
    top = staged_over_warm_head(tmp_path, files, "changes/team-2/t2-c4.md", change("active", "m3"))
    hooked = judged_like_no_cache(top)
    assert "t1-c3" in hooked.stdout
    fast = probes(hooked)
    assert fast["checked-together"] >= 4 and fast["walked-folder"] == 0, sorted(fast.items())


def test_a_staged_view_that_is_heads_is_kept_as_heads_entry(tmp_path):
    """A commit that edits no active change (on either side) has HEAD's active items, pairs
    and targets: its view is kept as HEAD's cache entry, byte for byte (`view-as-base`),
    and read back by the next commit as the view of its tree, with the verdict of a run
    without cache. An edit that activates a change is encoded, on another thread while the
    hook goes on (`encoded-aside`), and read back whole by the commit after it."""
    files = {f"changes/c{i}.md": change("active" if i < 6 else "draft", f"m{i % 3}") for i in range(12)}
    top = committed_and_warm(tmp_path, files)
    guard("hook", "pre-commit", cwd=top)  # keeps HEAD's view
    env = {"EXO_GUARD_MODE": "warn"}
    (top / "changes/c8.md").write_text(change("draft", "m1", "m2"))
    git(top, "add", "-A")
    first = probes(guard("hook", "pre-commit", cwd=top, env={**env, **STATS}))
    assert first["derived-view"] == 1 and first["view-as-base"] == 1, sorted(first.items())
    git(top, "commit", "-q", "--no-verify", "-m", "edit")
    (top / "changes/c7.md").write_text(change("active", "m1"))
    git(top, "add", "-A")
    hooked = judged_like_no_cache(top)
    assert '"c7"' in hooked.stdout
    second = probes(hooked)
    # The new HEAD's view read back from the entry kept as the old HEAD's; this view,
    # with c7 activated, is not the base's: encoded, on another thread.
    assert second["kept-view"] == 1 and second["view-as-base"] == 0, sorted(second.items())
    assert second["encoded-aside"] == 1 and second["targets-from-numbers"] == 1, sorted(second.items())
    # ... and read back whole by the commit after it.
    git(top, "commit", "-q", "--no-verify", "-m", "activate")
    (top / "changes/c9.md").write_text(change("active", "m0"))
    git(top, "add", "-A")
    hooked = judged_like_no_cache(top)
    assert '"c9"' in hooked.stdout and probes(hooked)["kept-view"] == 1


def test_an_overlay_above_an_unchanged_folder_is_seen(tmp_path):
    """`changes/team` keeps its tree id; the overlay added above it changes its documents."""
    top = committed_and_warm(tmp_path, {"changes/team/a.md": change("active", "auth"),
                                        "changes/team/b.md": change("active", "auth")})
    before = guard("conflicts", "--json", "--rev", "HEAD", cwd=top)
    assert '"a"' in before.stdout and '"b"' in before.stdout
    (top / "changes/tropo.toml").write_text('exclude = ["team"]\n')
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "overlay")
    after = guard("conflicts", "--json", "--rev", "HEAD", cwd=top)
    expected = reference("conflicts", "--json", cwd=top)
    assert expected.returncode == 0, expected.stderr
    assert after.stdout == expected.stdout


def test_nothing_is_appended_after_a_damaged_tail(tmp_path):
    top = committed_and_warm(tmp_path, {"changes/a.md": change("active", "auth"),
                                        "changes/b.md": change("draft", "auth")})
    cache = top / ".git/exo-guard/parse-cache"
    cache.write_bytes(cache.read_bytes()[:-5])  # a write cut short
    (top / "changes/b.md").write_text(change("active", "auth"))
    git(top, "add", "-A")
    first = guard("hook", "pre-commit", "--json", cwd=top)  # adds entries: the file is rewritten
    assert first.returncode == 1
    again = guard("hook", "pre-commit", "--json", cwd=top)
    assert again.stdout == first.stdout
    clean = guard("hook", "pre-commit", "--json", cwd=top, env={"EXO_GUARD_CACHE": "0"})
    assert again.stdout == clean.stdout


def test_a_commit_reads_only_the_folder_it_changes(tmp_path):
    """After a hook has run once, a commit that edits one file reads that file only: HEAD's
    folders come from the cache by their tree ids, the staged graph is HEAD's with the
    edited document put in (made from the files the index differs from HEAD in: TreeDelta,
    Graph.applying), the index from exo-guard's own reader, the view is derived from
    HEAD's, and only the changed ids' pairs are compared. The answer equals the one made
    with no cache at all."""
    files = {f"changes/team-{t}/c{i}.md": change("active" if i % 2 else "draft", f"m{i % 5}")
             for t in range(4) for i in range(10)}
    top = committed_and_warm(tmp_path, files)
    (top / "changes/team-2/c4.md").write_text(change("active", "m4", "m9"))
    git(top, "add", "-A")
    hooked = guard("hook", "pre-commit", "--json", cwd=top, env={"EXO_GUARD_MODE": "warn", **STATS})
    plain = guard("hook", "pre-commit", "--json", cwd=top, env={"EXO_GUARD_MODE": "warn", "EXO_GUARD_CACHE": "0", **STATS})
    assert hooked.stdout == plain.stdout and '"new"' in hooked.stdout
    fast, slow = probes(hooked), probes(plain)
    assert fast["index-file"] == 1 and fast["index-libgit2"] == 0, sorted(fast.items())
    # HEAD's tree comes from the cache whole, and the staged graph is made from it: no folder
    # walked, the edited file the only one read. git may have invalidated every cache-tree
    # node here (a commit in the same second as its files makes `git add -A` refresh them
    # all): the ids of the folders left alone are then computed from the index, as git would
    # write them, and compared with HEAD's.
    assert fast["walked-folder"] == 0 and fast["cached-folder"] == 1 and fast["derived-graph"] == 1, sorted(fast.items())
    assert fast["parsed-in-walk"] == 1 and fast["kept-view"] == 1 and fast["derived-view"] == 1, sorted(fast.items())
    assert fast["changed-pairs-diff"] == 1 and fast["whole-diff"] == 0, fast
    # With no cache file: HEAD's six folders walked, the staged graph made from it the same
    # way (the edited file read once more); nothing kept.
    assert slow["walked-folder"] == 6 and slow["derived-graph"] == 1, sorted(slow.items())
    assert slow["cached-fields"] == slow["kept-view"] == 0 and slow["derived-view"] == 1, sorted(slow.items())
    assert slow["folder-from-version"] == 0 and slow["parsed-in-walk"] == 11, sorted(slow.items())


@pytest.mark.parametrize("name", NAMES)
def test_folders_made_from_another_trees_version_of_them_equal_the_reference(name, tmp_path):
    """`check --base HEAD~1 --rev HEAD` with no cache file: the base (the neighbouring case)
    is walked first, and each folder of the target that the base has at the same path,
    under the same configuration, is made from the base's version of it, only the entries
    that differ read (Graph/FolderVersion.swift). The target's pairs, new and existing,
    must be exo's conflicts on the files."""
    other = NAMES[(NAMES.index(name) - 1) % len(NAMES)]
    top = tmp_path / "w"
    commit_case(top, other)
    _, files, start = BY_NAME[name]
    clear_work_tree(top)
    write_case(top, files)
    git(top, "add", "-A", "--force")
    git(top, "commit", "-q", "-m", "case", "--allow-empty")
    code, stdout, _ = reference_outputs(name)[("conflicts", "--json")]
    r = guard("check", "--base", "HEAD~1", "--rev", "HEAD", "--json", "--mode", "warn", *root_args(top, start), cwd=top,
              env={"EXO_GUARD_CACHE": "0"})
    if code != 0:
        assert r.returncode in (0, 2), r.stderr
        return
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    got = {(c["a"], c["b"], tuple(c["shared"])) for c in out["new"] + out["existing"]}
    assert got == {(c["a"], c["b"], tuple(c["shared"])) for c in json.loads(stdout)["conflicts"]}, name
