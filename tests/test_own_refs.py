"""The line's own refs are never watched (GUARD.md, "Across branches"): its upstream, and on
every remote the remote-tracking ref of the same name as the branch, where the branch's own
push went, whatever its upstream is."""
import json

import pytest

from conftest import git, guard
from test_branches import RECENT, commit_all, files, head, write
from test_guard import change
from casefiles import write_case
from test_admission import main_with_two  # noqa: F401  (fixture)


@pytest.fixture
def clone(tmp_path):
    seed = tmp_path / "seed"
    seed.mkdir()
    write_case(seed, files(a=change("draft", "auth"), b=change("draft", "auth")))
    git(seed, "init", "-q")
    assert commit_all(seed, "init").returncode == 0
    bare = tmp_path / "server.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(bare))
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(bare), str(work))
    assert guard("install", cwd=work).returncode == 0
    return seed, bare, work


def test_a_branch_is_not_blocked_by_its_own_push(clone):
    """Cut from origin/main (so its upstream is origin/main), pushed as origin/agent/r1,
    then rebased and committed again: origin/agent/r1 is the branch's own earlier push."""
    seed, bare, work = clone
    git(work, "checkout", "-q", "-b", "agent/r1", "origin/main")
    assert git(work, "rev-parse", "--abbrev-ref", "agent/r1@{upstream}").stdout.strip() == "origin/main"
    write(work, "a", change("active", "auth", assignee="r1"))
    assert commit_all(work, "take up a").returncode == 0
    assert git(work, "push", "-q", "origin", "agent/r1").returncode == 0
    # main moves on the server; the branch is rebased onto it
    other = seed.parent / "other"
    git(seed.parent, "clone", "-q", str(bare), str(other))
    (other / "README").write_text("x\n")
    commit_all(other, "unrelated", extra=("--no-verify",))
    git(other, "push", "-q", "origin", "main")
    git(work, "fetch", "-q")
    assert git(work, "rebase", "-q", "origin/main", env=RECENT).returncode == 0
    write(work, "a", change("active", "auth", "billing", assignee="r1"))
    before = head(work)
    r = commit_all(work, "widen a")
    assert r.returncode == 0, r.stderr
    assert head(work) != before
    assert "taken up on both lines" not in r.stderr


def test_someone_elses_branch_under_a_longer_name_is_still_watched(clone):
    """refs/remotes/origin/x/agent/b is the branch x/agent/b of someone else, not agent/b's own."""
    seed, bare, work = clone
    other = seed.parent / "other"
    git(seed.parent, "clone", "-q", str(bare), str(other))
    git(other, "checkout", "-q", "-b", "x/agent/b")
    write(other, "a", change("active", "auth", assignee="x"))
    commit_all(other, extra=("--no-verify",))
    git(other, "push", "-q", "origin", "x/agent/b")
    git(work, "fetch", "-q")
    git(work, "checkout", "-q", "-b", "agent/b", "origin/main")
    write(work, "b", change("active", "auth"))
    r = commit_all(work)
    assert r.returncode == 1 and "in flight on origin/x/agent/b" in r.stderr, r.stderr


def test_an_unreadable_watched_ref_is_named_every_time(main_with_two):  # noqa: F811
    repo, a, b = main_with_two
    write(a, "a", change("active", "auth"))
    (a / "tropo.toml").write_text("packs = [\n")
    assert commit_all(a, extra=("--no-verify",)).returncode == 0
    write(b, "b", change("active", "billing"))
    git(b, "add", "-A")
    for _ in range(2):  # the second run has the first one's cache: still said
        r = guard("check", "--staged", "--json", cwd=b)
        assert r.returncode == 0, r.stderr
        out = json.loads(r.stdout)
        assert [u["ref"] for u in out["unreadable"]] == ["refs/heads/agent/a"]
        assert "tropo.toml" in out["unreadable"][0]["error"]
    r = commit_all(b)
    assert r.returncode == 0, r.stderr
    assert "agent/a cannot be read (" in r.stderr and "tropo.toml" in r.stderr
    assert "nothing in flight there is seen" in r.stderr
