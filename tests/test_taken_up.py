"""GUARD.md "Across branches", the taken-up rules end to end with real git: a claim on
another line counts as taken up whatever its status; a claim alone settles nothing; equal
states with no assignee are a doubtful warning naming the other ref; a pair's shared
targets are the union over the refs holding the other change; a merge base whose
configuration cannot be read is read with the tip's. Each case fails without its rule."""
import json

from conftest import git, guard
from test_branches import commit_all, main, worktree, write  # noqa: F401  (main: fixture)
from test_guard import change


def test_a_claim_on_another_branch_counts_as_taken_up_whatever_its_status(main):  # noqa: F811
    """agent/a claimed c (status draft, assignee alice). b activating c under bob is
    blocked as the change taken up twice, naming agent/a; board lists nothing in flight there."""
    a = worktree(main, "agent-a", "agent/a")
    b = worktree(main, "agent-b", "agent/b")
    write(a, "c", change("draft", "billing", assignee="alice"))
    assert commit_all(a).returncode == 0
    write(b, "c", change("active", "billing", assignee="bob"))
    git(b, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=b)
    assert r.returncode == 1, r.stdout + r.stderr
    new = json.loads(r.stdout)["new"]
    assert [(p["a"], p["b"], p["ref"]) for p in new] == [("c", "c", "refs/heads/agent/a")], new
    r = commit_all(b)
    assert r.returncode == 1 and "leave c to @alice" in r.stderr.replace("leave c to alice", "leave c to @alice"), r.stderr
    # a claim is not work in flight: board --branches does not list it on agent/a
    r = guard("board", "--branches", "--json", cwd=b)
    assert [i for i in json.loads(r.stdout)["items"] if i["ref"] == "refs/heads/agent/a"] == []
    # the line claiming it too (draft, own assignee): taken up on both lines as well
    write(b, "c", change("draft", "billing", assignee="bob"))
    git(b, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=b)
    assert r.returncode == 1 and [p["b"] for p in json.loads(r.stdout)["new"]] == ["c"], r.stdout


def test_a_claim_on_the_line_settles_nothing(main):  # noqa: F811
    """agent/a took up c (active, alice). The line claiming c for bob while leaving it
    draft neither settles agent/a's work nor passes: taken up twice."""
    a = worktree(main, "agent-a", "agent/a")
    b = worktree(main, "agent-b", "agent/b")
    write(a, "c", change("active", "billing", assignee="alice"))
    assert commit_all(a).returncode == 0
    write(b, "c", change("draft", "billing", assignee="bob"))
    git(b, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=b)
    assert r.returncode == 1, r.stdout
    assert [(p["a"], p["b"], p["ref"]) for p in json.loads(r.stdout)["new"]] == [("c", "c", "refs/heads/agent/a")]
    # finishing it here (a status other than active and other than the merge base's) settles it
    write(b, "c", change("done", "billing"))
    git(b, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=b)
    assert r.returncode == 0 and json.loads(r.stdout)["new"] == [], r.stdout


def test_equal_states_without_assignee_are_doubtful_naming_the_ref(main):  # noqa: F811
    """agent/a activated c with no assignee; b does exactly the same. No guard can tell a
    merge of that work from a second agent: the commit passes with a doubtful warning naming
    agent/a (JSON why taken-up-elsewhere), and exo.strict blocks it."""
    a = worktree(main, "agent-a", "agent/a")
    b = worktree(main, "agent-b", "agent/b")
    write(a, "c", change("active", "billing"))
    assert commit_all(a).returncode == 0
    write(b, "c", change("active", "billing"))
    git(b, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=b)
    assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout)
    assert out["new"] == [] and out["decision"] == "pass"
    assert [(d["id"], d["why"], d["value"]) for d in out["doubtful"]] == [
        ("c", "taken-up-elsewhere", "refs/heads/agent/a")], out["doubtful"]
    r = guard("check", "--staged", cwd=b)
    assert "doubtful" in r.stderr + r.stdout and "agent/a" in r.stderr + r.stdout
    git(b, "config", "exo.strict", "true")
    r = commit_all(b)
    assert r.returncode == 1 and "taken up here in the very state" in r.stderr, r.stderr
    git(b, "config", "exo.strict", "false")
    assert commit_all(b).returncode == 0
    # once committed, the next commit does not warn again (the base holds it so already)
    (b / "notes.txt").write_text("x\n")
    git(b, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=b)
    assert json.loads(r.stdout)["doubtful"] == [], r.stdout
    # between two refs equal states are no conflict
    r = guard("conflicts", "--branches", "--json", cwd=main)
    assert json.loads(r.stdout)["conflicts"] == [], r.stdout


def test_shared_targets_are_the_union_over_the_refs_holding_the_other_change(main):  # noqa: F811
    """b is in flight on two refs in different states (auth on one, billing on the other,
    both assigned to bob so the two refs are one change taken up twice between them). The
    line's a on auth and billing: each listing of the pair a <-> b shares both targets."""
    x = worktree(main, "agent-x", "agent/x")
    y = worktree(main, "agent-y", "agent/y")
    line = worktree(main, "agent-l", "agent/l")
    write(x, "b", change("active", "auth", assignee="bob"))
    assert commit_all(x).returncode == 0
    write(y, "b", change("active", "billing", assignee="bob"))
    assert commit_all(y, extra=("--no-verify",)).returncode == 0
    write(line, "a", change("active", "auth", "billing", assignee="alice"))
    git(line, "add", "-A")
    r = guard("check", "--staged", "--json", cwd=line)
    assert r.returncode == 1, r.stdout
    new = json.loads(r.stdout)["new"]
    assert sorted((p["b"], p["ref"], tuple(p["shared"])) for p in new) == [
        ("b", "refs/heads/agent/x", ("auth", "billing")),
        ("b", "refs/heads/agent/y", ("auth", "billing"))], new


def test_a_merge_base_whose_config_cannot_be_read_is_not_the_empty_graph(main):  # noqa: F811
    """c is active under carol on main, whose tropo.toml then broke (committed with
    --no-verify). agent/a and agent/b, forked there, each mend it; b hands c to bob. Read
    as the empty graph, the merge base would put c in flight on agent/a and b would be
    blocked for taking up c twice; read with agent/a's configuration, nothing is in flight
    there."""
    write(main, "c", change("active", "billing", assignee="carol"))
    assert commit_all(main, "c active").returncode == 0
    good = (main / "tropo.toml").read_text()
    (main / "tropo.toml").write_text(good + "\n[[[broken\n")
    assert commit_all(main, "break config", extra=("--no-verify",)).returncode == 0
    a = worktree(main, "agent-a", "agent/a")
    (a / "tropo.toml").write_text(good)
    assert commit_all(a, "mend config", extra=("--no-verify",)).returncode == 0
    b = worktree(main, "agent-b", "agent/b")
    (b / "tropo.toml").write_text(good + "\n")
    assert commit_all(b, "mend config", extra=("--no-verify",)).returncode == 0
    write(b, "c", change("active", "billing", assignee="bob"))
    git(b, "add", "-A")
    r = guard("check", "--staged", "--json", "--watch", "refs/heads/agent/a", cwd=b)
    out = json.loads(r.stdout)
    assert r.returncode == 0 and out["new"] == [] and out.get("unreadable", []) == [], r.stdout + r.stderr
    r = guard("board", "--branches", "--json", cwd=b)
    assert [i for i in json.loads(r.stdout)["items"] if i["ref"] == "refs/heads/agent/a"] == [], r.stdout
