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
import os
import shutil

import pytest

from casefiles import CASES, assert_matches, reference_outputs, write_case
from conftest import git, guard

JSON_COMMANDS = (("conflicts", "--json"), ("board", "--json"))
NAMES = [c[0] for c in CASES]


def case(name):
    return next(c for c in CASES if c[0] == name)


def clear_work_tree(top):
    for entry in os.listdir(top):
        if entry != ".git":
            p = top / entry
            shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()


def warm(top, start):
    """What a hook leaves: `check` writes the cache for the tree at HEAD."""
    guard("check", "--base-empty", "--rev", "HEAD", *(["--root", str(top / start)] if start else []), cwd=top)


@pytest.mark.parametrize("name", NAMES)
def test_staged_and_committed_over_another_case_with_its_cache(name, tmp_path):
    other = NAMES[(NAMES.index(name) - 1) % len(NAMES)]
    _, other_files, other_start = case(other)
    _, files, start = case(name)
    top = tmp_path / "w"
    top.mkdir()
    write_case(top, other_files)
    git(top, "init", "-q")
    git(top, "add", "-A", "--force")
    git(top, "commit", "-q", "-m", "other", "--allow-empty")
    warm(top, other_start)

    clear_work_tree(top)
    write_case(top, files)
    git(top, "add", "-A", "--force")
    expected = reference_outputs(name)
    root = ["--root", str(top / start)] if start else []
    for cmd in JSON_COMMANDS:
        assert_matches(expected[cmd], guard(*cmd, "--staged", *root, cwd=top), f"{name} over {other} staged {cmd}")

    git(top, "commit", "-q", "-m", "case", "--allow-empty")
    warm(top, start)
    for cmd in JSON_COMMANDS:
        assert_matches(expected[cmd], guard(*cmd, "--rev", "HEAD", *root, cwd=top), f"{name} over {other} rev {cmd}")


TOML = 'packs = ["coordination"]\n[types.change]\nfolder = "changes"\noptional = { touches = "ref-list" }\n'


def change(status, *targets):
    return f"---\nstatus: {status}\ntouches: [{', '.join(targets)}]\n---\n"


def test_an_overlay_above_an_unchanged_folder_is_seen(tmp_path):
    """`changes/team` keeps its tree id; the overlay added above it changes its documents."""
    top = tmp_path / "w"
    top.mkdir()
    write_case(top, {"tropo.toml": TOML, "changes/team/a.md": change("active", "auth"),
                     "changes/team/b.md": change("active", "auth")})
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "init")
    warm(top, None)
    before = guard("conflicts", "--json", "--rev", "HEAD", cwd=top)
    assert '"a"' in before.stdout and '"b"' in before.stdout
    (top / "changes/tropo.toml").write_text('exclude = ["team"]\n')
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "overlay")
    after = guard("conflicts", "--json", "--rev", "HEAD", cwd=top)
    assert after.stdout == reference_outputs_for(top)


def reference_outputs_for(top):
    from conftest import reference
    r = reference("conflicts", "--json", cwd=top)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_nothing_is_appended_after_a_damaged_tail(tmp_path):
    top = tmp_path / "w"
    top.mkdir()
    write_case(top, {"tropo.toml": TOML, "changes/a.md": change("active", "auth"),
                     "changes/b.md": change("draft", "auth")})
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "init")
    warm(top, None)
    cache = top / ".git/exo-guard/parse-cache"
    whole = cache.read_bytes()
    cache.write_bytes(whole[:-5])  # a write cut short
    (top / "changes/b.md").write_text(change("active", "auth"))
    git(top, "add", "-A")
    first = guard("hook", "pre-commit", "--json", cwd=top)  # adds entries: the file is rewritten
    assert first.returncode == 1
    again = guard("hook", "pre-commit", "--json", cwd=top)
    assert again.stdout == first.stdout
    clean = guard("hook", "pre-commit", "--json", cwd=top, env={"EXO_GUARD_CACHE": "0"})
    assert again.stdout == clean.stdout
