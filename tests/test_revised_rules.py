"""The revised rules across branches (GUARD.md, "Across branches"), end to end with real git:
work that moved on, and one piece of work on several refs. Each case fails without its rule."""
import json

from casefiles import write_case
from conftest import STATS, bare_server, git, guard, probes
from test_branches import RECENT, commit_all, files, head, main, worktree, write  # noqa: F401  (main: fixture)
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


def test_a_push_of_several_refs_is_judged_the_same_in_any_order(tmp_path):
    """Each ref of one push watches every other ref but itself, so each check watches its own
    set: what one check learnt of the line's pieces of work must not answer another's. On
    main a is active on auth; b1 sets a done and activates b on auth; b2 gives a an assignee.
    b2's pair a <-> b on b1 was there before b2 (main's a against b1's b): existing, so the
    push passes whichever ref comes first (it was refused when b1 came first)."""
    src = tmp_path / "src"
    src.mkdir()
    write_case(src, files(a=change("active", "auth"), b=change("draft", "auth"), c=change("draft", "billing")))
    git(src, "init", "-q")
    assert commit_all(src, "init", extra=("--no-verify",)).returncode == 0
    git(src, "checkout", "-q", "-b", "b1")
    write(src, "a", change("done", "auth"))
    write(src, "b", change("active", "auth"))
    assert commit_all(src, "b1", extra=("--no-verify",)).returncode == 0
    git(src, "checkout", "-q", "main")
    git(src, "checkout", "-q", "-b", "b2")
    write(src, "a", change("active", "auth", assignee="bob"))
    assert commit_all(src, "b2", extra=("--no-verify",)).returncode == 0
    for order in (["b1", "b2"], ["b2", "b1"]):
        server = bare_server(tmp_path, name="-".join(order) + ".git")
        git(src, "push", "-q", str(server), "main:refs/heads/main")
        r = git(src, "push", str(server), *order, check=False)
        assert r.returncode == 0, (order, r.stderr)
        assert "1 existing conflict(s) unchanged" in r.stderr and "new conflict" not in r.stderr, r.stderr
        tips = git(server, "for-each-ref", "--format=%(refname:short)").stdout.split()
        assert sorted(tips) == ["b1", "b2", "main"], tips


def test_a_push_of_sibling_branches_reads_each_refs_flights_once(tmp_path):
    """Four branches cut from main, each activating its own change on auth, and a fifth stacked
    on the first, activating one more, go to a pre-receive in one push. For the three siblings
    no other ref holds their new commit, so every other ref's merge base with their tip is the
    one with main: their target state takes the base state's flights (`shared-flights`, one
    walk for the push, `own-commits-walk`), and their base state is the push's wide watch's
    less their own ref (`wide-base`); the first and the stacked one hold each other's
    commits and are compared ref by ref. Every ref's graph is main's with the files it
    changed read (`derived-graph`). The verdict is word for word the one with that
    switched off (EXO_GUARD_TEST_FLIGHTS=unshared) and the plain engine's."""
    src = tmp_path / "src"
    src.mkdir()
    write_case(src, files(**{f"c{i}": change("draft", "auth") for i in range(5)}))
    git(src, "init", "-q")
    assert commit_all(src, "init", extra=("--no-verify",)).returncode == 0
    for i in range(4):
        git(src, "checkout", "-q", "-b", f"b{i}", "main")
        write(src, f"c{i}", change("active", "auth"))
        assert commit_all(src, f"b{i}", extra=("--no-verify",)).returncode == 0
    git(src, "checkout", "-q", "-b", "s", "b0")
    write(src, "c4", change("active", "auth"))
    assert commit_all(src, "s", extra=("--no-verify",)).returncode == 0
    server = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(server))
    git(src, "push", "-q", str(server), "main")
    git(server, "fetch", "-q", str(src), "refs/heads/*:refs/incoming/*")
    zero = "0" * 40
    lines = "".join(f"{zero} {head(src, b)} refs/heads/{b}\n" for b in ["b0", "b1", "b2", "b3", "s"])
    env = {"GIT_DIR": str(server), "EXO_GUARD_CACHE": "0", "EXO_GUARD_STATS": "1"}
    runs = {}
    for name, extra in [("shared", {}), ("unshared", {"EXO_GUARD_TEST_FLIGHTS": "unshared"}),
                        ("plain", {"EXO_GUARD_ENGINE": "plain"})]:
        r = guard("hook", "pre-receive", "--json", cwd=server, input=lines, env={**env, **extra})
        assert r.returncode == 1, r.stderr
        runs[name] = (r, probes(r))
    shared, p = runs["shared"]
    assert p["shared-flights"] == 3 and p["own-commits-walk"] == 1, p
    # b1-b3's base states are the push's wide watch's less their own ref; b0's is not (s, in
    # the push, descends from it: work may have moved on there) nor s's (it holds c0 as b0
    # does: one piece of work decides which ref keeps it).
    assert p["wide-base"] == 3, p
    u = runs["unshared"][1]
    assert u["shared-flights"] == 0 and u["own-commits-walk"] == 0 and u["wide-base"] == 0, u
    assert runs["plain"][1]["plain-cross"] > 0
    # Each ref changed a file or two of main's: its graph is main's with those files read
    # (`derived-graph`), its roots main's (`roots-from-base`); the plain engine walks them.
    assert p["derived-graph"] == 5 and p["roots-from-base"] == 5, p
    assert runs["plain"][1]["derived-graph"] == 0 and runs["plain"][1]["roots-from-base"] == 0
    report = json.loads(shared.stdout)
    # Every sibling collides with every other ref on auth. b0's own pairs with b1-b3 are not
    # new: s, stacked on b0, held c0 against them already (pairs are keyed by ids across lines);
    # s holds c0 and c4 on its line itself (the local pair) and against b0 holding c0.
    held = sorted((p["a"], p["b"], p.get("ref", "")) for p in report["new"])
    others = {i: [f"c{j}" for j in range(5) if j != i] for i in range(5)}
    expected = [("c0", "c4", ""), ("c0", "c4", "refs/heads/s")] + [
        (f"c{i}", b, "refs/heads/s" if b == "c4" else f"refs/heads/b{b[1]}") for i in (1, 2, 3) for b in others[i]
    ] + [("c4", f"c{j}", f"refs/heads/b{j}") for j in (1, 2, 3)]
    assert held == sorted(expected), held
    for name in ("unshared", "plain"):
        assert runs[name][0].stdout == shared.stdout, name
