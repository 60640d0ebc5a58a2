"""Taking up work is atomic (GUARD.md): racing agents, with real git and real concurrency.

Each race starts N git processes that wait on one file and start together when it appears,
then checks what git did (which refs moved, which commits were made) and what the losers
were told. A race is repeated (EXO_GUARD_RACE_ROUNDS, default 20 per kind) so that a window
that lets two through would show. The hook scripts `exec` the guard, and the guard finds
the git process that ran it by walking up from its parent."""
import fcntl
import json
import os
import signal
import socket
import subprocess
import time

import pytest

from conftest import BIN, STATS, bare_server, git, git_env, guard, probes
from test_branches import RECENT, commit_all, head, write
from test_guard import TOML, change

ROUNDS = int(os.environ.get("EXO_GUARD_RACE_ROUNDS", "20"))
N = 16


def base_files(rounds, n):
    """Modules m0.. and, per round r, change x{r} and changes c{r}-{i}, all draft on m{r}."""
    out = {"tropo.toml": TOML}
    for r in range(rounds):
        out[f"modules/m{r}.md"] = f"# m{r}\n"
        out[f"changes/x{r}.md"] = change("draft", f"m{r}")
        for i in range(n):
            out[f"changes/c{r}-{i}.md"] = change("draft", f"m{r}")
    return out


def make_repo(path, rounds, n):
    path.mkdir()
    for name, text in base_files(rounds, n).items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    git(path, "init", "-q")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "init", env=RECENT)
    return path


def race(commands, cwds, env=None):
    """Starts every command at once (each spins until a shared file appears) and returns
    their CompletedProcess-like results, in order."""
    go = cwds[0].parent / f"go-{time.monotonic_ns()}"
    procs = []
    for cmd, cwd in zip(commands, cwds):
        script = f'while [ ! -e "{go}" ]; do :; done; exec "$@"'
        procs.append(subprocess.Popen(["sh", "-c", script, "race", *cmd], cwd=cwd, env=git_env(env),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    time.sleep(0.2)  # every racer is spinning
    go.touch()
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=120)
        out.append(subprocess.CompletedProcess(p.args, p.returncode, stdout, stderr))
    go.unlink()
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """A bare server with the pre-receive hook holding main (imported), and N clones."""
    repo = make_repo(tmp_path / "seed", ROUNDS, N)
    bare = bare_server(tmp_path)
    assert git(repo, "push", "-q", str(bare), "main").returncode == 0
    clones = []
    for i in range(N):
        c = tmp_path / f"clone{i}"
        git(tmp_path, "clone", "-q", str(bare), str(c))
        clones.append(c)
    return bare, clones


@pytest.fixture
def daemon(server, tmp_path):
    """The same server behind `git daemon` on 127.0.0.1 (git:// transport)."""
    bare, clones = server
    port = free_port()
    d = subprocess.Popen(["git", "daemon", "--reuseaddr", "--export-all", "--enable=receive-pack",
                          f"--base-path={tmp_path}", "--listen=127.0.0.1", f"--port={port}", str(tmp_path)],
                         env=git_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"git://127.0.0.1:{port}/{bare.name}"
    d.terminate()
    d.wait(timeout=10)


def server_branches(bare):
    out = git(bare, "for-each-ref", "--format=%(refname)", "refs/heads/").stdout.split()
    return {r for r in out if r != "refs/heads/main"}


def push_race(bare, clones, url, r, same_change):
    """Round r: clone i takes up x{r} (same change, own assignee) or c{r}-{i} (a change of
    its own on m{r}) on branch agent/{i}-{r}, and all push at once."""
    for i, c in enumerate(clones):
        git(c, "checkout", "-q", "-B", f"agent/{i}-{r}", "origin/main")
        name = f"x{r}" if same_change else f"c{r}-{i}"
        write(c, name, change("active", f"m{r}", assignee=f"agent{i}"))
        assert commit_all(c, f"take up {name}", extra=("--no-verify",)).returncode == 0
    before = server_branches(bare)
    push = [["git", "push", "-q", url, f"agent/{i}-{r}"] for i in range(len(clones))]
    results = race(push, clones, env={**RECENT, **STATS})
    winners = [i for i, res in enumerate(results) if res.returncode == 0]
    added = server_branches(bare) - before
    # git daemon listens with a backlog of 5: a racer may be refused before it reaches
    # the hook at all. Pushed again once the race is over, it must be blocked.
    for i, res in enumerate(results):
        if res.returncode == 128 and "remote:" not in res.stderr:
            results[i] = subprocess.run(push[i], cwd=clones[i], env=git_env(RECENT), capture_output=True, text=True)
    return winners, added, results


@pytest.mark.parametrize("same_change", [True, False], ids=["same-change", "colliding-changes"])
def test_racing_pushes_one_winner(server, daemon, same_change):
    bare, clones = server
    for r in range(ROUNDS):
        url = str(bare) if r % 2 == 0 else daemon  # file:// and git:// alternately
        url = "file://" + url if url.startswith("/") else url
        winners, added, results = push_race(bare, clones, url, r, same_change)
        if len(winners) != 1:
            (bare.parent / "race-failure.txt").write_text("\n=====\n".join(res.stderr for res in results))
        assert len(winners) == 1, (r, url, winners, [res.stderr for res in results])
        w = winners[0]
        assert added == {f"refs/heads/agent/{w}-{r}"}
        for i, res in enumerate(results):
            if i == w:
                continue
            assert "remote: exo-guard: blocked" in res.stderr, res.stderr
            assert f"agent/{w}-{r}" in res.stderr, res.stderr  # the winner's ref is named
            # the next step fits: the change is someone else's, or the module is taken
            other = f"x{r}" if same_change else f"c{r}-{w}"
            assert other in res.stderr


def test_racing_pushes_without_admissions_let_several_through(server):
    """The same race with the pending admissions not read (EXO_GUARD_ADMISSIONS=0 reaches the
    hook through the file:// transport): more than one push gets through, which is what the
    admissions prevent. Shows the race test above can fail."""
    bare, clones = server
    several = 0
    for r in range(3):
        for i, c in enumerate(clones):
            git(c, "checkout", "-q", "-B", f"agent/{i}-{r}", "origin/main")
            write(c, f"c{r}-{i}", change("active", f"m{r}", assignee=f"agent{i}"))
            commit_all(c, extra=("--no-verify",))
        results = race([["git", "push", "-q", "file://" + str(bare), f"agent/{i}-{r}"] for i in range(N)], clones,
                       env={**RECENT, "EXO_GUARD_ADMISSIONS": "0"})
        several += sum(res.returncode == 0 for res in results) > 1
    assert several > 0


@pytest.fixture
def worktrees(tmp_path):
    """A repository with the hooks installed and N linked worktrees."""
    repo = make_repo(tmp_path / "main", ROUNDS, N)
    assert guard("install", cwd=repo).returncode == 0
    trees = []
    for i in range(N):
        path = tmp_path / f"wt{i}"
        git(repo, "worktree", "add", "-q", str(path), "-b", f"agent/{i}")
        trees.append(path)
    return repo, trees


@pytest.mark.parametrize("same_change", [True, False], ids=["same-change", "colliding-changes"])
def test_racing_worktree_commits_one_winner(worktrees, same_change):
    repo, trees = worktrees
    for r in range(ROUNDS):
        for i, t in enumerate(trees):
            git(t, "checkout", "-q", "-B", f"agent/{i}-{r}", "main")
            name = f"x{r}" if same_change else f"c{r}-{i}"
            write(t, name, change("active", f"m{r}", assignee=f"agent{i}"))
            git(t, "add", "-A")
        before = [head(t) for t in trees]
        results = race([["git", "commit", "-q", "-m", "take up"] for _ in trees], trees, env={**RECENT, **STATS})
        made = [i for i, t in enumerate(trees) if head(t) != before[i]]
        winners = [i for i, res in enumerate(results) if res.returncode == 0]
        if len(winners) != 1:
            (repo.parent / "race-failure.txt").write_text(
                "\n=====\n".join(f"{i} rc={res.returncode}\n{res.stderr}" for i, res in enumerate(results)))
        assert made == winners and len(winners) == 1, (r, winners, [res.stderr for res in results])
        w = winners[0]
        for i, res in enumerate(results):
            if i != w:
                assert "exo-guard: blocked" in res.stderr and f"agent/{w}-{r}" in res.stderr, res.stderr
                if same_change:  # the advice fits a change taken up twice: leave it to its holder
                    assert f"leave x{r} to @agent{w} (in flight on agent/{w}-{r})" in res.stderr, res.stderr
                    assert "back to `draft`" in res.stderr
        for t in trees:  # the losers' staged work is left as it was
            git(t, "reset", "-q", "--hard")


def pending_commit(repo, a, message, env=None):
    """Agent a commits taking up change a (assignee alice); the commit passes pre-commit and
    waits in its editor until the returned gate file exists, then writes `message` (empty:
    git aborts). Returns once the admission is recorded: (the git process, the gate)."""
    write(a, "a", change("active", "auth", assignee="alice"))
    git(a, "add", "-A")
    gate = a.parent / "release-editor"
    editor = a.parent / "editor.sh"
    editor.write_text(f'#!/bin/sh\nwhile [ ! -e "{gate}" ]; do sleep 0.05; done\nprintf "{message}" > "$1"\n')
    editor.chmod(0o755)
    pending = subprocess.Popen(["git", "commit"], cwd=a, env=git_env({**RECENT, "GIT_EDITOR": str(editor), **(env or {})}),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ledger = repo / ".git" / "exo-guard" / "admissions"
    for _ in range(200):
        if ledger.is_dir() and any(ledger.iterdir()):
            break
        time.sleep(0.05)
    return pending, gate


def test_a_pending_commit_blocks_until_its_git_process_ends(main_with_two):
    """Agent a's commit passed pre-commit and waits in its editor: agent b's colliding commit
    is blocked by it (read from the pending admission, not from a ref), naming agent/a. Then
    a's commit is aborted (empty message): its admission stops counting and b's goes through."""
    repo, a, b = main_with_two
    pending, gate = pending_commit(repo, a, "")
    ledger = repo / ".git" / "exo-guard" / "admissions"
    write(b, "b", change("active", "auth"))
    git(b, "add", "-A")
    before = head(b)
    r = git(b, "commit", "-q", "-m", "b", env={**RECENT, **STATS}, check=False)
    assert r.returncode == 1 and head(b) == before, r.stderr
    assert "in flight on agent/a" in r.stderr and "@alice" in r.stderr
    assert probes(r)["pending-admissions"] == 1
    gate.touch()
    out, err = pending.communicate(timeout=30)
    assert pending.returncode == 1 and "empty commit message" in err
    assert head(a) == head(repo, "main")  # a's commit was not made
    r = git(b, "commit", "-q", "-m", "b", env={**RECENT, **STATS}, check=False)
    assert r.returncode == 0, r.stderr
    assert probes(r)["pending-admissions"] == 0
    assert not any(p.name.startswith("a-") and str(pending.pid) in p.name for p in ledger.iterdir())


@pytest.fixture
def main_with_two(tmp_path):
    repo = tmp_path / "main"
    repo.mkdir()
    for name, text in {"tropo.toml": TOML, "modules/auth.md": "# auth\n", "changes/a.md": change("draft", "auth"),
                       "changes/b.md": change("draft", "auth")}.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "init", "-q")
    assert commit_all(repo, "init").returncode == 0
    assert guard("install", cwd=repo).returncode == 0
    a = tmp_path / "agent-a"
    b = tmp_path / "agent-b"
    git(repo, "worktree", "add", "-q", str(a), "-b", "agent/a")
    git(repo, "worktree", "add", "-q", str(b), "-b", "agent/b")
    return repo, a, b


def lock_is_held(repo):
    path = repo / ".git" / "exo-guard" / "admission.lock"
    if not path.exists():
        return False
    with open(path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(f, fcntl.LOCK_UN)
        return False


def test_a_guard_killed_mid_decision_blocks_nothing(main_with_two):
    repo, a, b = main_with_two
    write(a, "a", change("active", "auth"))
    git(a, "add", "-A")
    holder = subprocess.Popen([BIN, "hook", "pre-commit"], cwd=a, env=git_env({"EXO_GUARD_TEST_HOLD": "30"}),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for _ in range(200):
        if lock_is_held(repo):
            break
        time.sleep(0.05)
    assert lock_is_held(repo)
    # While it decides, another check waits, and gives up at its own budget (1 s here).
    write(b, "b", change("active", "auth"))
    git(b, "add", "-A")
    git(repo, "config", "exo.timeout", "1")
    git(repo, "config", "exo.onTimeout", "reject")
    before = head(b)
    started = time.monotonic()
    r = git(b, "commit", "-q", "-m", "b", env=RECENT, check=False)
    waited = time.monotonic() - started
    assert r.returncode == 1 and "gave up after 1 s" in r.stderr and waited < 10 and head(b) == before
    git(repo, "config", "--unset", "exo.timeout")
    git(repo, "config", "--unset", "exo.onTimeout")
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    assert not lock_is_held(repo)
    git(b, "add", "-A")
    r = git(b, "commit", "-q", "-m", "b", env=RECENT, check=False)
    assert r.returncode == 0, r.stderr
    assert "gave up" not in r.stderr


def test_board_and_check_see_a_pending_push_on_the_server(server):
    """A push admitted by pre-receive and not landed yet (its receive-pack held in the update
    hook, which runs before the ref moves) is watched at its new value by the next push,
    its commits read from the first push's quarantine."""
    bare, clones = server
    gate = bare.parent / "release-update"
    update = bare / "hooks" / "update"
    # The update hook runs after pre-receive admitted the push and before the ref moves.
    update.write_text(f'#!/bin/sh\n[ "$1" = refs/heads/agent/0 ] || exit 0\n'
                      f'while [ ! -e "{gate}" ]; do sleep 0.05; done\nexit 0\n')
    update.chmod(0o755)
    c0, c1 = clones[0], clones[1]
    for i, c in enumerate((c0, c1)):
        git(c, "checkout", "-q", "-b", f"agent/{i}", "origin/main")
        write(c, f"c0-{i}", change("active", "m0", assignee=f"agent{i}"))
        commit_all(c, extra=("--no-verify",))
    first = subprocess.Popen(["git", "push", "-q", "origin", "agent/0"], cwd=c0, env=git_env(RECENT),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ledger = bare / "exo-guard" / "admissions"
    for _ in range(200):
        if ledger.is_dir() and any(ledger.iterdir()):
            break
        time.sleep(0.05)
    assert ledger.is_dir() and any(ledger.iterdir())
    record = next(ledger.iterdir()).read_text()
    assert "ref refs/heads/agent/0 - " in record and "objects /" in record  # read from the quarantine
    r = git(c1, "push", "-q", "origin", "agent/1", check=False)
    assert r.returncode == 1 and "in flight on agent/0" in r.stderr, r.stderr
    gate.touch()
    first.communicate(timeout=30)
    assert first.returncode == 0
    assert server_branches(bare) == {"refs/heads/agent/0"}


def test_claim_refused_when_another_line_holds_the_change(main_with_two):
    repo, a, b = main_with_two
    write(a, "a", change("active", "auth", assignee="alice"))
    assert commit_all(a).returncode == 0
    before = (b / "changes" / "a.md").read_bytes()
    r = guard("claim", "a", "--agent", "bob", cwd=b)
    assert r.returncode == 1, r.stderr
    assert (b / "changes" / "a.md").read_bytes() == before
    assert "claim refused" in r.stderr and "agent/a" in r.stderr and head(a)[:7] in r.stderr and "@alice" in r.stderr
    assert r.stdout == ""
    # the holder itself may claim it again (nothing changes); --force claims anyway
    r = guard("claim", "a", "--agent", "@alice", cwd=b)
    assert r.returncode == 0, r.stderr
    r = guard("claim", "a", "--agent", "bob", "--force", "--json", cwd=b)
    assert r.returncode == 0 and json.loads(r.stdout)["assignee"] == "bob"
    assert "assignee: bob" in (b / "changes" / "a.md").read_text()


def test_claim_refused_by_a_change_taken_up_with_no_assignee(main_with_two):
    repo, a, b = main_with_two
    write(a, "a", change("active", "auth"))
    assert commit_all(a).returncode == 0
    r = guard("claim", "a", "--agent", "bob", cwd=b)
    assert r.returncode == 1 and "with no assignee" in r.stderr


def test_claim_refused_by_a_pending_commit(main_with_two):
    """Agent a's commit taking up change a waits in its editor: b's claim is refused, naming
    agent/a and saying the work is not on the branch yet."""
    repo, a, b = main_with_two
    pending, gate = pending_commit(repo, a, "done")
    r = guard("claim", "a", "--agent", "bob", cwd=b)
    gate.touch()
    pending.communicate(timeout=30)
    assert r.returncode == 1, r.stderr
    assert "agent/a" in r.stderr and "not on the ref yet" in r.stderr and "@alice" in r.stderr
    assert pending.returncode == 0  # a's commit was made once its message was written


def test_racing_claims_and_commits_one_winner(worktrees):
    """Each agent claims x{r} with exo-guard, activates it and commits, all at once: exactly
    one commit lands; every other agent is refused at its claim or blocked at its commit."""
    repo, trees = worktrees
    script = ('"$0" claim "$1" --agent "$2" || exit 3; sed -i "s/^status: draft/status: active/" "changes/$1.md"'
              ' && git add -A && git commit -q -m take-up')
    for r in range(ROUNDS):
        for i, t in enumerate(trees):
            git(t, "checkout", "-q", "-B", f"agent/{i}-{r}", "main")
        before = [head(t) for t in trees]
        results = race([["sh", "-c", script, BIN, f"x{r}", f"agent{i}"] for i in range(len(trees))], trees, env=RECENT)
        made = [i for i, t in enumerate(trees) if head(t) != before[i]]
        assert len(made) == 1, (r, made, [res.stderr for res in results])
        w = made[0]
        for i, res in enumerate(results):
            if i == w:
                assert res.returncode == 0, res.stderr
                continue
            assert res.returncode in (1, 3), res.stderr
            assert ("claim refused" in res.stderr or "exo-guard: blocked" in res.stderr), res.stderr
        for t in trees:
            git(t, "reset", "-q", "--hard")


def test_an_admission_that_cannot_be_kept_says_so(main_with_two):
    """No exo-guard folder can be made (a file stands in its place): the commit is still
    judged, and says in one line that checks racing it are not seen, never silently."""
    repo, a, b = main_with_two
    (repo / ".git" / "exo-guard").write_text("not a folder\n")
    write(a, "a", change("active", "auth", assignee="alice"))
    r = commit_all(a)
    assert r.returncode == 0, r.stderr
    assert "could not take the admission lock" in r.stderr and "not seen" in r.stderr, r.stderr


def test_an_admitted_commit_is_the_tree_git_commits(main_with_two):
    """The pending commit's tree is written from the index the hook read (no git write-tree,
    probe index-trees-written=1) and is the tree git then commits."""
    repo, a, b = main_with_two
    pending, gate = pending_commit(repo, a, "done", env=STATS)
    ledger = repo / ".git" / "exo-guard" / "admissions"
    record = next(ledger.iterdir()).read_text()
    admitted = [l.split()[3] for l in record.splitlines() if l.startswith("ref ")][0]
    gate.touch()
    out, err = pending.communicate(timeout=30)
    assert pending.returncode == 0, err
    assert probes(subprocess.CompletedProcess([], 0, out, err))["index-trees-written"] == 1
    assert git(a, "rev-parse", f"{admitted}^{{tree}}").stdout == git(a, "rev-parse", "HEAD^{tree}").stdout
