"""Work in flight across branches (GUARD.md, "Across branches"), end to end with real git:
linked worktrees with the installed hooks, merges, fetched remote-tracking refs, pushes to
a bare server with the hook. Each test checks what the hook did (the commit made or not,
the ref moved or not) and the report's words."""
import json
import time

import pytest

from casefiles import write_case
from conftest import bare_server, git, guard, probes
from test_guard import TOML, change

NOW = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
RECENT = {"GIT_AUTHOR_DATE": NOW, "GIT_COMMITTER_DATE": NOW}


def files(**changes):
    out = {
        "tropo.toml": TOML,
        "modules/auth.md": "# auth\n",
        "modules/billing.md": "# billing\n",
        "modules/search.md": "# search\n",
    }
    for name, text in changes.items():
        out[f"changes/{name}.md"] = text
    return out


def head(repo, rev="HEAD"):
    return git(repo, "rev-parse", rev).stdout.strip()


def commit_all(repo, message="work", env=None, extra=()):
    git(repo, "add", "-A")
    return git(repo, "commit", "-q", "-m", message, *extra, env={**RECENT, **(env or {})}, check=False)


def write(repo, name, text):
    (repo / "changes" / f"{name}.md").write_text(text)


@pytest.fixture
def main(tmp_path):
    """A repository on main with three draft changes and the hooks installed."""
    repo = tmp_path / "main"
    repo.mkdir()
    write_case(repo, files(a=change("draft", "auth"), b=change("draft", "auth"), c=change("draft", "billing")))
    git(repo, "init", "-q")
    assert commit_all(repo, "init").returncode == 0
    r = guard("install", cwd=repo)
    assert r.returncode == 0, r.stderr
    return repo


def worktree(main, name, branch):
    path = main.parent / name
    git(main, "worktree", "add", "-q", str(path), "-b", branch)
    return path


def two_agents(main, a_assignee=None):
    """Two agents in worktrees: agent/a has committed change a on auth; agent/b has written
    change b on auth, not committed. Returns both worktrees."""
    a = worktree(main, "agent-a", "agent/a")
    b = worktree(main, "agent-b", "agent/b")
    write(a, "a", change("active", "auth", assignee=a_assignee))
    assert commit_all(a).returncode == 0
    write(b, "b", change("active", "auth"))
    return a, b


def test_second_agent_blocked_by_first_agents_branch(main):
    a, b = two_agents(main, a_assignee="alice")
    before = head(b)
    r = commit_all(b)
    assert r.returncode == 1, r.stderr
    assert head(b) == before
    assert "new conflict across branches" in r.stderr
    assert "in flight on agent/a" in r.stderr and head(a)[:7] in r.stderr
    assert "assignee @alice" in r.stderr
    assert "set `status:` in changes/b.md to something other than active, or drop `auth` from its `touches`" in r.stderr
    assert "@alice" in r.stderr.split("next step:")[1]
    assert "--no-verify" not in r.stderr  # the bypass only with exo.showBypass


def test_warn_mode_lets_the_cross_branch_collision_through(main):
    a, b = two_agents(main)
    r = commit_all(b, env={"EXO_GUARD_MODE": "warn"})
    assert r.returncode == 0
    assert "exo-guard: warning" in r.stderr and "in flight on agent/a" in r.stderr
    assert git(b, "log", "-1", "--format=%s").stdout.strip() == "work"


def test_show_bypass(main):
    git(main, "config", "exo.showBypass", "true")
    a, b = two_agents(main)
    r = commit_all(b)
    assert r.returncode == 1 and "git commit --no-verify" in r.stderr and "EXO_GUARD_MODE=warn" in r.stderr


def test_unrelated_activation_beside_an_existing_cross_pair_passes(main):
    a, b = two_agents(main)
    assert commit_all(b, extra=("--no-verify",)).returncode == 0
    write(b, "c", change("active", "billing"))
    r = commit_all(b)
    assert r.returncode == 0, r.stderr
    assert "1 existing conflict(s)" in r.stderr


def test_watch_none_and_no_watch(main):
    git(main, "config", "exo.watch", "none")
    a, b = two_agents(main)
    git(b, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=b)
    assert r.returncode == 0 and json.loads(r.stdout)["decision"] == "pass"
    r = guard("check", "--staged", "--json", "--watch", "refs/heads/*", cwd=b)
    assert r.returncode == 1 and json.loads(r.stdout)["new"][0]["ref"] == "refs/heads/agent/a"
    git(main, "config", "--unset", "exo.watch")
    assert guard("check", "--staged", cwd=b).returncode == 1
    assert guard("check", "--staged", "--no-watch", cwd=b).returncode == 0
    r = commit_all(b)
    assert r.returncode == 1


def test_stale_branches_are_not_watched(main):
    a = worktree(main, "agent-a", "agent/a")
    b = worktree(main, "agent-b", "agent/b")
    write(a, "a", change("active", "auth"))
    old = {"GIT_COMMITTER_DATE": "2020-01-01T00:00:00Z", "GIT_AUTHOR_DATE": "2020-01-01T00:00:00Z"}
    commit_all(a, env=old)
    write(b, "b", change("active", "auth"))
    git(b, "add", "-A")
    assert guard("check", "--staged", cwd=b).returncode == 0
    git(main, "config", "exo.watchDays", "0")
    assert guard("check", "--staged", cwd=b).returncode == 1
    git(main, "config", "exo.watchDays", "soon")
    r = guard("check", "--staged", cwd=b)
    assert r.returncode == 2 and "exo.watchDays" in r.stderr and "'soon'" in r.stderr


def test_merged_branch_is_not_in_flight(main):
    a = worktree(main, "agent-a", "agent/a")
    write(a, "a", change("active", "auth"))
    commit_all(a)
    assert git(main, "merge", "-q", "--no-edit", "agent/a", env=RECENT).returncode == 0
    r = guard("board", "--branches", "--json", cwd=main)
    assert json.loads(r.stdout)["items"] == [{"id": "a", "status": "active", "assignee": None, "ref": None}]
    # finishing it here: nothing in flight anywhere
    write(main, "a", change("done", "auth"))
    assert commit_all(main).returncode == 0
    assert json.loads(guard("board", "--branches", "--json", cwd=main).stdout)["items"] == []


def test_squash_merged_then_finished_branch_is_not_in_flight(main):
    a = worktree(main, "agent-a", "agent/a")
    write(a, "a", change("active", "auth"))
    commit_all(a)
    assert git(main, "merge", "-q", "--squash", "agent/a").returncode == 0
    assert commit_all(main, "squash").returncode == 0
    # squashed: the same state on both lines, so a counts once, on the line
    items = json.loads(guard("board", "--branches", "--json", cwd=main).stdout)["items"]
    assert [(i["id"], i["ref"]) for i in items] == [("a", None)]
    write(main, "a", change("done", "auth"))
    assert commit_all(main).returncode == 0
    assert json.loads(guard("board", "--branches", "--json", cwd=main).stdout)["items"] == []
    write(main, "b", change("active", "auth"))
    assert commit_all(main).returncode == 0


def test_the_same_change_taken_up_twice(main):
    a = worktree(main, "agent-a", "agent/a")
    b = worktree(main, "agent-b", "agent/b")
    write(a, "c", change("active", "billing", assignee="alice"))
    commit_all(a)
    write(b, "c", change("active", "billing", assignee="bob"))
    r = commit_all(b)
    assert r.returncode == 1, r.stderr
    assert "c <-> c on agent/a" in r.stderr and "taken up on both lines" in r.stderr
    r = guard("conflicts", "--branches", "--json", cwd=b)
    assert json.loads(r.stdout)["conflicts"] == [
        {"a": "c", "a_ref": None, "b": "c", "b_ref": "refs/heads/agent/a", "shared": ["billing"]}]


def test_clean_merge_of_two_colliding_changes_is_blocked_by_pre_merge_commit(main):
    a, b = two_agents(main)
    assert commit_all(b, extra=("--no-verify",)).returncode == 0
    hooks = main / ".git" / "hooks"
    assert (hooks / "pre-merge-commit").exists()
    # merging one of them passes: the pair was already there, between two branches
    r = git(main, "merge", "--no-ff", "--no-edit", "agent/a", env=RECENT, check=False)
    assert r.returncode == 0, r.stderr
    assert "a <-> b" not in r.stderr
    # the second merge brings both colliding changes onto one line
    before = head(main)
    r = git(main, "merge", "--no-ff", "--no-edit", "agent/b", env=RECENT, check=False)
    assert r.returncode != 0
    assert head(main) == before
    assert "exo-guard: blocked" in r.stderr and "a <-> b" in r.stderr
    git(main, "merge", "--abort")


def test_remote_tracking_refs_and_pre_push(tmp_path, main):
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(server))
    git(main, "remote", "add", "origin", str(server))
    git(main, "push", "-q", "origin", "main")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(server), str(other))
    git(other, "checkout", "-q", "-b", "agent/x")
    write(other, "a", change("active", "auth", assignee="xavier"))
    commit_all(other)
    git(other, "push", "-q", "origin", "agent/x")
    # before the fetch nothing is known of agent/x here
    write(main, "b", change("active", "auth"))
    git(main, "add", "-A")
    assert guard("check", "--staged", cwd=main).returncode == 0
    git(main, "reset", "-q")
    git(main, "checkout", "-q", "--", ".")
    git(main, "fetch", "-q", "origin")
    git(main, "checkout", "-q", "-b", "agent/y")
    write(main, "b", change("active", "auth"))
    r = commit_all(main)
    assert r.returncode == 1 and "in flight on origin/agent/x" in r.stderr and "@xavier" in r.stderr
    assert commit_all(main, extra=("--no-verify",)).returncode == 0
    r = git(main, "push", "origin", "agent/y", check=False)
    assert r.returncode != 0, r.stderr
    assert "in flight on origin/agent/x" in r.stderr
    assert git(server, "rev-parse", "--verify", "-q", "refs/heads/agent/y", check=False).returncode != 0


def test_amending_a_pushed_commit_does_not_collide_with_its_own_upstream(tmp_path, main):
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(server))
    git(main, "remote", "add", "origin", str(server))
    git(main, "checkout", "-q", "-b", "agent/a")
    write(main, "a", change("active", "auth"))
    assert commit_all(main).returncode == 0
    assert git(main, "push", "-q", "-u", "origin", "agent/a", check=False).returncode == 0
    write(main, "a", change("active", "auth", "billing"))
    git(main, "add", "-A")
    pushed = head(main)
    r = git(main, "commit", "-q", "--amend", "--no-edit", env=RECENT, check=False)
    assert r.returncode == 0 and "exo-guard" not in r.stderr, r.stderr
    assert head(main) != pushed
    # its own upstream (origin/agent/a, holding a in its old state) is not another agent's work
    git(main, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=main)
    assert json.loads(r.stdout)["new"] == [] and "origin/agent/a" not in r.stdout, r.stdout
    r = git(main, "push", "-q", "-f", "origin", "agent/a", check=False)
    assert r.returncode == 0 and "exo-guard" not in r.stderr, r.stderr
    assert git(server, "rev-parse", "agent/a").stdout.strip() == head(main)


@pytest.mark.parametrize("hook", ["update", "pre-receive"])
def test_server_rejects_a_branch_colliding_with_another_branch(tmp_path, main, hook):
    server = bare_server(tmp_path, hook)
    git(main, "remote", "add", "origin", str(server))
    assert git(main, "push", "-q", "origin", "main", check=False).returncode == 0
    git(main, "checkout", "-q", "-b", "agent/a")
    write(main, "a", change("active", "auth", assignee="alice"))
    commit_all(main, extra=("--no-verify",))
    assert git(main, "push", "-q", "--no-verify", "origin", "agent/a", check=False).returncode == 0
    git(main, "checkout", "-q", "main")
    git(main, "checkout", "-q", "-b", "agent/b")
    write(main, "b", change("active", "auth"))
    commit_all(main, extra=("--no-verify",))
    r = git(main, "push", "--no-verify", "origin", "agent/b", check=False)
    assert r.returncode != 0
    assert "remote: exo-guard: blocked" in r.stderr and "in flight on agent/a" in r.stderr and "@alice" in r.stderr
    assert git(server, "rev-parse", "--verify", "-q", "refs/heads/agent/b", check=False).returncode != 0
    # a clean branch is accepted
    git(main, "checkout", "-q", "main")
    git(main, "checkout", "-q", "-b", "agent/c")
    write(main, "c", change("active", "billing"))
    commit_all(main, extra=("--no-verify",))
    r = git(main, "push", "--no-verify", "origin", "agent/c", check=False)
    assert r.returncode == 0, r.stderr
    # a deletion passes
    r = git(main, "push", "--no-verify", "origin", ":agent/a", check=False)
    assert r.returncode == 0, r.stderr


def test_pre_receive_rejects_two_colliding_branches_in_one_push(tmp_path, main):
    server = bare_server(tmp_path, "pre-receive")
    git(main, "remote", "add", "origin", str(server))
    assert git(main, "push", "-q", "origin", "main", check=False).returncode == 0
    for branch, name in (("agent/a", "a"), ("agent/b", "b")):
        git(main, "checkout", "-q", "main")
        git(main, "checkout", "-q", "-b", branch)
        write(main, name, change("active", "auth"))
        commit_all(main, extra=("--no-verify",))
    r = git(main, "push", "--no-verify", "origin", "agent/a", "agent/b", check=False)
    assert r.returncode != 0
    assert "remote: exo-guard: blocked" in r.stderr
    for branch in ("agent/a", "agent/b"):
        assert git(server, "rev-parse", "--verify", "-q", f"refs/heads/{branch}", check=False).returncode != 0


def test_listing_json(main):
    a = worktree(main, "agent-a", "agent/a")
    b = worktree(main, "agent-b", "agent/b")
    write(a, "a", change("active", "auth", assignee="alice"))
    commit_all(a)
    write(b, "b", change("active", "auth"))
    commit_all(b, extra=("--no-verify",))
    write(main, "c", change("active", "billing"))
    r = guard("board", "--branches", "--json", cwd=main)
    assert r.returncode == 0
    assert json.loads(r.stdout)["items"] == [
        {"id": "a", "status": "active", "assignee": "alice", "ref": "refs/heads/agent/a"},
        {"id": "b", "status": "active", "assignee": None, "ref": "refs/heads/agent/b"},
        {"id": "c", "status": "active", "assignee": None, "ref": None},
    ]
    r = guard("conflicts", "--branches", "--json", cwd=main)
    assert json.loads(r.stdout)["conflicts"] == [
        {"a": "a", "a_ref": "refs/heads/agent/a", "b": "b", "b_ref": "refs/heads/agent/b", "shared": ["auth"]}]
    text = guard("conflicts", "--branches", cwd=main).stdout
    assert "a [agent/a] <-> b [agent/b]  share: auth" in text
    text = guard("board", "--branches", cwd=main).stdout
    assert "[active]  a  @alice  [agent/a]" in text
    # check --json: the pair across branches carries the ref
    write(main, "c", change("active", "auth", "billing"))
    r = guard("check", "--json", cwd=main)
    out = json.loads(r.stdout)
    assert r.returncode == 1 and out["decision"] == "block" and out["target"] == "worktree"
    assert out["new"] == [{"a": "c", "b": "a", "shared": ["auth"], "ref": "refs/heads/agent/a"},
                          {"a": "c", "b": "b", "shared": ["auth"], "ref": "refs/heads/agent/b"}]
    # b taken up here in the state agent/b has: settled, and a <-> b was already a pair
    write(main, "c", change("draft", "billing"))
    write(main, "b", change("active", "auth"))
    out = json.loads(guard("check", "--json", cwd=main).stdout)
    assert out["decision"] == "pass" and out["new"] == []


def agents_on_billing(main, count):
    """`count` worktrees, agent/0... each with c taken up on billing, assigned to itself."""
    for n in range(count):
        wt = worktree(main, f"agent-{n}", f"agent/{n}")
        write(wt, "c", change("active", "billing", assignee=f"agent-{n}"))
        commit_all(wt, extra=("--no-verify",))


def test_the_folder_by_folder_reading_runs(main):
    """The probe: the watch read each ref's flights from what it changed (a tree delta
    against its merge base, no graph but the line's); with the delta turned off, from its
    tip's and merge base's graphs folder by folder: the same answer."""
    agents_on_billing(main, 3)
    write(main, "b", change("active", "auth"))
    git(main, "add", "-A")
    plain = guard("check", "--staged", cwd=main,
                  env={"EXO_GUARD_STATS": "1", "EXO_GUARD_CACHE": "0", "EXO_GUARD_TEST_FLIGHTS": "graphs"})
    assert "watched refs 3, graphs read 4, folder diffs 3, flights from the cache 0" in plain.stderr
    assert probes(plain)["graph-flights"] == 3 and probes(plain)["delta-flights"] == 0
    r = guard("check", "--staged", cwd=main, env={"EXO_GUARD_STATS": "1"})
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout == plain.stdout
    assert "watched refs 3, graphs read 1, folder diffs 0, flights from the cache 0" in r.stderr
    assert probes(r)["delta-flights"] == 3 and probes(r)["graph-flights"] == 0
    # the next run takes each ref's flights from the cache, under the two workspace trees
    r = guard("check", "--staged", cwd=main, env={"EXO_GUARD_STATS": "1"})
    assert "watched refs 3, graphs read 0, folder diffs 0, flights from the cache 3" in r.stderr
    # and a report still names the other branch's change, its path and assignee
    write(main, "b", change("active", "billing"))
    git(main, "add", "-A")
    r = guard("check", "--staged", cwd=main, env={"EXO_GUARD_STATS": "1"})
    assert r.returncode == 1 and "c  changes/c.md  in flight on agent/0" in r.stdout and "@agent-0" in r.stdout
    assert "graphs read 0" in r.stderr
    git(main, "config", "exo.watch", "none")
    r = guard("check", "--staged", cwd=main, env={"EXO_GUARD_STATS": "1"})
    assert "watched refs 0" in r.stderr


def test_a_commits_target_state_serves_the_next_commit_as_its_base(main):
    """The lines of work and the conflicts across them are kept under the line's tree and
    the refs' flights: after a commit, the next hook takes its base state (the tree just
    committed) from the cache and derives its target state from it; run again, neither.
    Each answer equals the one made with no cache at all."""
    agents_on_billing(main, 2)
    write(main, "b", change("active", "auth"))
    git(main, "add", "-A")
    first = guard("hook", "pre-commit", cwd=main, env={"EXO_GUARD_STATS": "1"})
    assert first.returncode == 0, first.stderr
    # HEAD's computed, the index's derived from it (only the changed ids' items made again)
    cross = ("cached-cross", "derived-cross", "computed-cross")
    assert tuple(probes(first)[k] for k in cross) == (0, 1, 1), first.stderr
    git(main, "commit", "-q", "--no-verify", "-m", "b")
    write(main, "d", change("active", "billing"))
    git(main, "add", "-A")
    second = guard("hook", "pre-commit", cwd=main, env={"EXO_GUARD_STATS": "1"})
    assert tuple(probes(second)[k] for k in cross) == (1, 1, 0), second.stderr
    assert second.returncode == 1 and "d <-> c" in second.stderr and "agent/0" in second.stderr
    again = guard("hook", "pre-commit", cwd=main, env={"EXO_GUARD_STATS": "1"})
    assert tuple(probes(again)[k] for k in cross) == (2, 0, 0), again.stderr
    def report(r):
        return [line for line in r.stderr.splitlines() if not line.startswith(("exo-guard stats:", "exo-guard probes:"))]

    assert report(again) == report(second)
    plain = guard("hook", "pre-commit", cwd=main, env={"EXO_GUARD_STATS": "1", "EXO_GUARD_CACHE": "0"})
    assert probes(plain)["cached-cross"] == 0 and report(plain) == report(second)


def test_a_line_edit_of_only_the_assignee_is_seen_across_branches(main):
    """agent/a takes up c (active on billing, @ann); main then holds c exactly so (the line
    settled it: nothing in flight). A commit on main that only drops c's assignee makes c
    taken up on both lines again. The index's view is derived from HEAD's, and so is its
    state across branches: an id whose documents differ only in status or assignee must
    count as changed there (it once did not, and the pair went unseen)."""
    a = worktree(main, "agent-a", "agent/a")
    write(a, "c", change("active", "billing", assignee="ann"))
    assert commit_all(a, extra=("--no-verify",)).returncode == 0
    write(main, "c", change("active", "billing", assignee="ann"))
    assert commit_all(main, "the same on main", extra=("--no-verify",)).returncode == 0
    r = guard("check", "--staged", "--json", "--mode", "warn", cwd=main)
    assert json.loads(r.stdout)["new"] == [], r.stdout
    write(main, "c", change("active", "billing"))
    git(main, "add", "-A")
    r = guard("check", "--staged", "--json", "--mode", "warn", cwd=main, env={"EXO_GUARD_STATS": "1"})
    assert probes(r)["derived-view"] == 1, r.stderr
    new = [(c["a"], c["b"], c.get("ref")) for c in json.loads(r.stdout)["new"]]
    assert new == [("c", "c", "refs/heads/agent/a")], r.stdout


def test_a_branch_and_its_remote_tracking_ref_hold_the_same_work_once(tmp_path, main):
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(server))
    git(main, "remote", "add", "origin", str(server))
    a = worktree(main, "agent-a", "agent/a")
    write(a, "c", change("active", "billing", assignee="alice"))
    commit_all(a)
    assert git(a, "push", "-q", "--no-verify", "origin", "agent/a", check=False).returncode == 0
    git(main, "fetch", "-q", "origin")
    out = json.loads(guard("conflicts", "--branches", "--json", cwd=main).stdout)
    assert out["conflicts"] == []
    items = json.loads(guard("board", "--branches", "--json", cwd=main).stdout)["items"]
    # one piece of work (GUARD.md): listed once, under the local branch, with the other ref counted
    assert [i["ref"] for i in items] == ["refs/heads/agent/a"]
    # taking up c here as well is new against that piece of work, reported once
    write(main, "c", change("active", "billing", assignee="bob"))
    r = commit_all(main)
    assert r.returncode == 1 and "c <-> c on agent/a" in r.stderr and "c <-> c on origin/agent/a" not in r.stderr
    assert "and 1 other ref holding the same work" in r.stderr
