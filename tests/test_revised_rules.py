"""The revised rules across branches (GUARD.md, "Across branches"), end to end with real git:
work that moved on, and one piece of work on several refs. Each case fails without its rule."""
import json

from conftest import STATS, git, guard, probes
from test_branches import RECENT, commit_all, head, main, worktree, write  # noqa: F401  (main: fixture)
from test_guard import change


def test_work_merged_and_finished_on_main_is_not_in_flight_on_its_branch(main):  # noqa: F811
    """a activated change a on auth and was merged into main, which then set a to done. c,
    cut before all that, activating b on auth, is not blocked by "b <-> a in flight on agent/a":
    a's tip is an ancestor of main, where a's state differs (done)."""
    c = worktree(main, "agent-c", "agent/c")
    a = worktree(main, "agent-a", "agent/a")
    write(a, "a", change("active", "auth", assignee="alice"))
    assert commit_all(a).returncode == 0
    assert git(main, "merge", "-q", "--no-ff", "--no-edit", "agent/a", env=RECENT).returncode == 0
    write(main, "a", change("done", "auth", assignee="alice"))
    assert commit_all(main, "a done").returncode == 0
    write(c, "b", change("active", "auth"))
    git(c, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=c, env=STATS)
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)["new"] == []
    assert probes(r)["moved-on"] >= 1 and probes(r)["successor-walk"] >= 1
    # again: which refs descend from which tip comes from the cache, with the same answer
    again = guard("check", "--staged", "--json", cwd=c, env=STATS)
    assert again.stdout == r.stdout and probes(again)["successor-walk"] == 0, again.stderr
    r = commit_all(c)
    assert r.returncode == 0, r.stderr
    # still in flight where it did not move on: a branch whose work main never took
    d = worktree(main, "agent-d", "agent/d")
    write(d, "c", change("active", "billing", assignee="dora"))
    assert commit_all(d).returncode == 0
    write(c, "b", change("active", "auth", "billing"))
    git(c, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=c)
    assert r.returncode == 1 and [p["ref"] for p in json.loads(r.stdout)["new"]] == ["refs/heads/agent/d"]


def test_one_piece_of_work_on_several_refs_is_one_pair(main):  # noqa: F811
    """agent/a took up a; three branches were stacked on it since. Line c colliding with a
    has one new pair, under agent/a (an ancestor of every other tip), with also 3."""
    c = worktree(main, "agent-c", "agent/c")
    a = worktree(main, "agent-a", "agent/a")
    write(a, "a", change("active", "auth", assignee="alice"))
    assert commit_all(a).returncode == 0
    for i in range(3):
        s = worktree(main, f"stack-{i}", f"stack/{i}")
        git(s, "reset", "-q", "--hard", "agent/a")
        (s / f"notes-{i}.txt").write_text("x\n")
        assert commit_all(s, extra=("--no-verify",)).returncode == 0
    write(c, "b", change("active", "auth"))
    git(c, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=c, env=STATS)
    assert r.returncode == 1
    new = json.loads(r.stdout)["new"]
    assert [(p["b"], p["ref"], p.get("also")) for p in new] == [("a", "refs/heads/agent/a", 3)], new
    assert probes(r)["one-piece"] == 1
    r = commit_all(c)
    assert r.returncode == 1 and "1 new conflict" in r.stderr
    assert "in flight on agent/a (tip " in r.stderr and "and 3 other refs holding the same work" in r.stderr
    r = guard("board", "--branches", "--json", cwd=c)
    items = [i for i in json.loads(r.stdout)["items"] if i["id"] == "a"]
    assert [i["ref"] for i in items] == ["refs/heads/agent/a"]
